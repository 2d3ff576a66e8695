using Xunit;
using Xunit.Abstractions;
using static Polymath.Tests.TestData;

namespace Polymath.Tests;

/// <summary>
/// The in-place unary ops (ExpInPlace, LogInPlace, ...): same values as the out-of-place op, written into the
/// tensor's own storage (views included, other elements untouched), with and without autograd; refused on leaves
/// that require grad and on integer tensors; detected when they overwrite a tensor saved for backward.
/// </summary>
public sealed class InPlaceTests(ITestOutputHelper output)
{
    public static TheoryData<string> OpNames() => new(Ops.Keys);

    /// <summary>Each in-place op with its out-of-place twin; inputs are positive (log, sqrt, pow) and away from 0 (abs).</summary>
    private static readonly Dictionary<string, (Func<Tensor, Tensor> InPlace, Func<Tensor, Tensor> OutOfPlace)> Ops = new()
    {
        ["exp"] = (t => t.ExpInPlace(), t => t.Exp()),
        ["log"] = (t => t.LogInPlace(), t => t.Log()),
        ["sqrt"] = (t => t.SqrtInPlace(), t => t.Sqrt()),
        ["neg"] = (t => t.NegInPlace(), t => t.Neg()),
        ["abs"] = (t => t.AbsInPlace(), t => t.Abs()),
        ["tanh"] = (t => t.TanhInPlace(), t => t.Tanh()),
        ["sigmoid"] = (t => t.SigmoidInPlace(), t => t.Sigmoid()),
        ["pow"] = (t => t.PowInPlace(2.5), t => t.Pow(2.5)),
    };

    private static double[] Inputs(System.Random rng, long n) => Uniform(rng, n, 0.2, 2.0);

    private System.Random Rng(string name, int salt)
    {
        int seed = FunctionalGradCheckTests.StableSeed(name) + salt;
        output.WriteLine($"{name}: seed {seed}");
        return new System.Random(seed);
    }

    [Theory]
    [MemberData(nameof(OpNames))]
    public void WithoutAutograd_WritesSameValuesIntoOwnStorage(string name)
    {
        var (inPlace, outOfPlace) = Ops[name];
        var rng = Rng(name, 0);
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        foreach (int n in new[] { 0, 1, 7, 33, 1000 })
        {
            var x = Tensor.From(Inputs(rng, n)).To(dtype);
            var expected = outOfPlace(x).ToDoubleArray();
            var alias = x.Reshape(-1); // shares storage
            var r = inPlace(x);
            Assert.Same(x, r);
            Assert.Equal(dtype, x.DType);
            Assert.Equal(expected, x.ToDoubleArray()); // the same kernel: bit-identical
            Assert.Equal(expected, alias.ToDoubleArray());
        }
    }

    [Theory]
    [MemberData(nameof(OpNames))]
    public void OnNonContiguousView_WritesOnlyTheViewsElements(string name)
    {
        var (inPlace, outOfPlace) = Ops[name];
        var rng = Rng(name, 1);
        var values = Inputs(rng, 6 * 9);
        if (name == "abs") // abs is the identity on positive values: use negative ones so a write shows
            values = values.Select(v => -v).ToArray();
        var buf = Tensor.From(values, 6, 9);
        var before = buf.ToDoubleArray();
        var view = buf.T[TensorIndex.Slice(1, null, 2), 1..5]; // [4, 4] of a transposed [9, 6]: strides (2, 9), offset 10
        Assert.False(view.IsContiguous);
        var expected = outOfPlace(view).ToDoubleArray();
        inPlace(view);
        Assert.Equal(expected, view.ToDoubleArray());
        // Elements outside the view are untouched; inside, they changed (none of the ops is the identity on these inputs).
        var inView = Tensor.Zeros([6, 9], DType.Bool);
        inView.T[TensorIndex.Slice(1, null, 2), 1..5].FillInPlace(1);
        var mask = inView.ToArray<bool>();
        var after = buf.ToDoubleArray();
        for (int i = 0; i < after.Length; i++)
        {
            if (mask[i]) Assert.NotEqual(before[i], after[i]);
            else Assert.Equal(before[i], after[i]);
        }
    }

    [Theory]
    [MemberData(nameof(OpNames))]
    public void WithAutograd_GradientIsThatOfTheOutOfPlaceOp(string name)
    {
        var (inPlace, outOfPlace) = Ops[name];
        var rng = Rng(name, 2);
        var xv = Inputs(rng, 12);
        var gy = Tensor.From(Uniform(rng, 12, -1, 1), 3, 4);

        var x1 = Tensor.From(xv, 3, 4).RequiresGrad_();
        var h = x1 * 1.5; // a non-leaf that requires grad
        var r = inPlace(h);
        Assert.Same(h, r);
        Assert.NotNull(h.GradFn);
        (h * h).Backward(gy); // uses the new value twice

        var x2 = Tensor.From(xv, 3, 4).RequiresGrad_();
        var y2 = outOfPlace(x2 * 1.5);
        (y2 * y2).Backward(gy);

        Assert.Equal(y2.ToDoubleArray(), h.ToDoubleArray());
        Assert.Equal(x2.Grad!.ToDoubleArray(), x1.Grad!.ToDoubleArray());
    }

    [Theory]
    [MemberData(nameof(OpNames))]
    public void WithAutograd_GradCheck(string name)
    {
        var (inPlace, _) = Ops[name];
        var rng = Rng(name, 3);
        var x = Make(Inputs(rng, 12), [4, 3], Layout.Transposed);
        string? failure = GradCheck.Check(t => inPlace(t[0] * 1.0), [x], 3);
        Assert.True(failure is null, failure);
    }

    [Theory]
    [MemberData(nameof(OpNames))]
    public void OnLeafRequiringGrad_Throws_UnlessNoGrad(string name)
    {
        var (inPlace, outOfPlace) = Ops[name];
        var x = Tensor.From([0.5, 1.5]).RequiresGrad_();
        var e = Assert.Throws<InvalidOperationException>(() => inPlace(x));
        Assert.Contains("leaf", e.Message);
        Assert.Equal([0.5, 1.5], x.ToDoubleArray());
        double[] expected;
        using (Tensor.NoGrad())
        {
            expected = outOfPlace(x).ToDoubleArray();
            inPlace(x); // as an optimizer step does
        }
        Assert.Equal(expected, x.ToDoubleArray());
        Assert.True(x.RequiresGrad);
    }

    [Theory]
    [MemberData(nameof(OpNames))]
    public void OnIntegerTensor_ThrowsNamingTheOp(string name)
    {
        var (inPlace, _) = Ops[name];
        var e = Assert.Throws<NotSupportedException>(() => inPlace(Tensor.From([1L, 2L])));
        Assert.Contains(name + "_", e.Message);
        Assert.Contains("int64", e.Message);
    }

    [Fact]
    public void OverwritingATensorSavedForBackward_IsDetected()
    {
        // log saves its input; exp_ on that input (recorded or not) must make the later backward fail.
        var x = Tensor.From([0.5, 1.5]).RequiresGrad_();
        var a = x * 2;
        var b = a.Log();
        a.ExpInPlace();
        var e = Assert.Throws<InvalidOperationException>(() => b.Sum().Backward());
        Assert.Contains("in-place", e.Message);

        var x2 = Tensor.From([0.5, 1.5]).RequiresGrad_();
        var a2 = x2 * 2;
        var b2 = a2.Log();
        using (Tensor.NoGrad())
            a2.SqrtInPlace();
        Assert.Throws<InvalidOperationException>(() => b2.Sum().Backward());

        // exp saves its output, not its input: overwriting the input is fine (as in PyTorch).
        var x3 = Tensor.From([0.5, 1.5]).RequiresGrad_();
        var a3 = x3 * 2;
        var b3 = a3.Exp();
        a3.NegInPlace();
        b3.Sum().Backward();
        Assert.Equal(new[] { 2 * Math.Exp(1.0), 2 * Math.Exp(3.0) }, x3.Grad!.ToDoubleArray());
    }
}
