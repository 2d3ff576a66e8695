using Xunit;
using Xunit.Abstractions;

namespace Polymath.Tests;

public class LayerNormTests(ITestOutputHelper output)
{
    // float32 statistics are accumulated in double, so the fused kernel and the composed float32 formula agree
    // to a few float ulps of values of order 1.
    private const double Float32Tolerance = 2e-5;

    private static Tensor Composed(Tensor x, int[] shape, Tensor? w, Tensor? b, double eps)
    {
        var dims = Enumerable.Range(x.Rank - shape.Length, shape.Length).ToArray();
        var mean = x.Mean(dims, keepDim: true);
        var centered = x - mean;
        var y = centered / (centered.Square().Mean(dims, keepDim: true) + eps).Sqrt();
        if (w is not null) y = y * w;
        if (b is not null) y = y + b;
        return y;
    }

    [Theory]
    [InlineData(new[] { 4, 5 }, new[] { 5 }, true, true)]
    [InlineData(new[] { 2, 3, 6 }, new[] { 6 }, true, false)]
    [InlineData(new[] { 3, 2, 4 }, new[] { 2, 4 }, false, true)]
    [InlineData(new[] { 7 }, new[] { 7 }, false, false)]
    public void GradcheckInFloat64(int[] xShape, int[] normShape, bool affine, bool withBias)
    {
        int seed = 4100 + xShape.Sum() * 7 + normShape.Length;
        output.WriteLine($"seed {seed}");
        var rng = new System.Random(seed);
        var inputs = new List<Tensor> { TestData.Rand(rng, xShape) };
        if (affine) inputs.Add(TestData.Rand(rng, normShape));
        if (withBias) inputs.Add(TestData.Rand(rng, normShape));
        Tensor F(Tensor[] t) => Functional.LayerNorm(t[0], normShape, affine ? t[1] : null, withBias ? t[affine ? 2 : 1] : null, 1e-5);
        Assert.Null(GradCheck.Check(F, inputs.ToArray(), seed));
        // and the same values as the composed formula
        var fused = F(inputs.ToArray());
        var composed = Composed(inputs[0], normShape, affine ? inputs[1] : null, withBias ? inputs[affine ? 2 : 1] : null, 1e-5);
        Assert.True(fused.AllClose(composed, 1e-12, 1e-12));
    }

    [Fact]
    public void Float32MatchesTheComposedFormulaOnLargeRowsAndThreads()
    {
        Polymath.Random.Seed(11);
        output.WriteLine("seed 11");
        var x = (Tensor.Randn(300, 768) * 3 + 5).RequiresGrad_();
        var w = Tensor.Randn(768).RequiresGrad_();
        var b = Tensor.Randn(768).RequiresGrad_();
        var g = Tensor.Randn(300, 768);
        Functional.LayerNorm(x, [768], w, b).Backward(g);
        var (gx, gw, gb) = (x.Grad!, w.Grad!, b.Grad!);
        x.ZeroGrad(); w.ZeroGrad(); b.ZeroGrad();
        var y64 = Composed(x.To(DType.Float64), [768], w.To(DType.Float64), b.To(DType.Float64), 1e-5);
        y64.Backward(g.To(DType.Float64));
        Assert.True(gx.To(DType.Float64).AllClose(x.Grad!.To(DType.Float64), 1e-3, Float32Tolerance));
        Assert.True(gw.To(DType.Float64).AllClose(w.Grad!.To(DType.Float64), 1e-3, 1e-3));
        Assert.True(gb.To(DType.Float64).AllClose(b.Grad!.To(DType.Float64), 1e-4, 1e-4));
        Assert.True(Functional.LayerNorm(x, [768], w, b).To(DType.Float64).AllClose(y64.Detach(), 1e-4, Float32Tolerance * 10));
    }

    [Fact]
    public void BadShapesNameTheOp()
    {
        var e = Assert.Throws<ArgumentException>(() => Functional.LayerNorm(Tensor.Zeros(2, 3), [4]));
        Assert.Contains("layer_norm: normalized_shape [4] does not match the trailing dims of input [2,3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Functional.LayerNorm(Tensor.Zeros(2, 3), [3], Tensor.Zeros(2)));
        Assert.Contains("weight has shape [2], expected [3]", e.Message);
        Assert.Equal([0, 3], Functional.LayerNorm(Tensor.Zeros(0, 3), [3]).Shape);
    }
}
