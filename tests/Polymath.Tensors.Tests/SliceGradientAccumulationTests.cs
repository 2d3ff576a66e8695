using Xunit;

namespace Polymath.Tests;

public class SliceGradientAccumulationTests
{
    [Fact]
    public void ManySlicesOfOneTensorAccumulateIntoOneBufferWithoutTouchingTheCallersGradient()
    {
        Polymath.Random.Seed(3);
        var x = Tensor.Randn([6, 4, 5], DType.Float64).RequiresGrad_();
        var w = Tensor.Randn([6], DType.Float64);
        Tensor total = Tensor.Zeros([4, 5], DType.Float64);
        for (int t = 0; t < 6; t++)
            total = total + x.Select(0, t) * w.Select(0, t).Item() + x.Select(0, t).Narrow(1, 1, 2).Sum() * 0.5;
        var g = Tensor.Randn([4, 5], DType.Float64);
        var gCopy = g.Clone();
        total.Backward(g);
        // d total / d x[t] = w[t]·g + 0.5·Σg on columns 1..2 (the narrowed slice), per element.
        var expected = Tensor.Zeros([6, 4, 5], DType.Float64);
        for (int t = 0; t < 6; t++)
        {
            expected[t] = g * w.Select(0, t).Item();
            expected[t, .., 1..3] = expected[t, .., 1..3] + g.Sum() * 0.5;
        }
        Assert.True(x.Grad!.AllClose(expected, 1e-12, 1e-12));
        Assert.True(g.AllClose(gCopy, 0, 0));
    }
}
