using Xunit;

namespace Polymath.Tests;

/// <summary>Post-accumulate gradient hooks: when they run, what they see, and how they are removed.</summary>
public sealed class GradHookTests
{
    private static Tensor Leaf(params double[] v) => Tensor.From(v).RequiresGrad_();

    [Fact]
    public void HookRunsOnceAfterAllContributionsOfThePassAreSummed()
    {
        // x is used three times; the hook must see the summed gradient d/dx (x*x + 3x) = 2x + 3, once.
        var x = Leaf(1, -2, 3);
        var seen = new List<double[]>();
        x.RegisterPostAccumulateGradHook(t => seen.Add(t.Grad!.ToDoubleArray()));
        (x * x + x * 3.0).Sum().Backward();
        Assert.Single(seen);
        Assert.Equal(new[] { 5.0, -1, 9 }, seen[0]);
        // A second pass accumulates into Grad before the hook runs again.
        (x * 2.0).Sum().Backward();
        Assert.Equal(2, seen.Count);
        Assert.Equal(new[] { 7.0, 1, 11 }, seen[1]);
    }

    [Fact]
    public void EachHookRunsOnceAndMayChangeItsGradient()
    {
        // y = w2 * (w1 * x): each hook runs once, and a change made by one hook does not leak into another leaf.
        var w1 = Leaf(2.0);
        var w2 = Leaf(5.0);
        var x = Tensor.From([3.0]);
        var order = new List<string>();
        w1.RegisterPostAccumulateGradHook(_ => order.Add("w1"));
        w2.RegisterPostAccumulateGradHook(t =>
        {
            order.Add("w2");
            using (Tensor.NoGrad())
                t.Grad!.MulInPlace(10.0);
        });
        (w2 * (w1 * x)).Sum().Backward();
        Assert.Equal(["w1", "w2"], order.Order().ToArray());
        Assert.Equal(60.0, w2.Grad!.ToDoubleArray()[0]); // 10 * (w1 x) = 10 * 6
        Assert.Equal(15.0, w1.Grad!.ToDoubleArray()[0]); // w2 x, unaffected by the change to w2's gradient
    }

    [Fact]
    public void DisposingTheHandleRemovesTheHookAndUnreachedLeavesDoNotFire()
    {
        var a = Leaf(1.0);
        var b = Leaf(2.0);
        int calls = 0;
        var handle = a.RegisterPostAccumulateGradHook(_ => calls++);
        b.RegisterPostAccumulateGradHook(_ => calls += 100);
        (a * 4.0).Sum().Backward();  // b is not in this graph
        Assert.Equal(1, calls);
        handle.Dispose();
        handle.Dispose();            // twice is harmless
        (a * 4.0).Sum().Backward();
        Assert.Equal(1, calls);
    }

    [Fact]
    public void NonLeafOrLeafWithoutGradIsRefusedWithTheReason()
    {
        var x = Leaf(1.0, 2.0);
        var y = x * 2.0;
        var e1 = Assert.Throws<InvalidOperationException>(() => y.RegisterPostAccumulateGradHook(_ => { }));
        Assert.Contains("MulBackward", e1.Message);
        var e2 = Assert.Throws<InvalidOperationException>(() => Tensor.From([1.0]).RegisterPostAccumulateGradHook(_ => { }));
        Assert.Contains("RequiresGrad = false", e2.Message);
    }
}
