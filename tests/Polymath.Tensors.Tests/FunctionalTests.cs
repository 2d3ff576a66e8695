using Xunit;
using Xunit.Abstractions;
using static Polymath.Tests.TestData;
using F = Polymath.Functional;

namespace Polymath.Tests;

/// <summary>
/// Behaviour of <see cref="Functional"/> beyond gradients: error messages for bad conv/pool input (they name the op
/// and the shapes), dropout semantics, float32 paths against float64, and max-pool indices.
/// </summary>
public sealed class FunctionalTests(ITestOutputHelper output)
{
    /// <summary>float32 conv/pool vs the same op in float64 on float32-representable inputs: sums of ≤ 50 products of O(1) values, ~1e-7 relative rounding each; 1e-5 leaves margin.</summary>
    private const double Float32Tol = 1e-5;

    /// <summary>Dropout keep-rate check: 5 binomial standard deviations, a false alarm about once in 3.5 million runs.</summary>
    private const double Sigmas = 5;

    private static Tensor D(params int[] shape) => Tensor.Zeros(shape, DType.Float64) + 0.5;

    private static void AssertMessage(Action a, params string[] parts)
    {
        var e = Assert.Throws<ArgumentException>(a);
        foreach (var p in parts)
            Assert.True(e.Message.Contains(p), $"message \"{e.Message}\" does not contain \"{p}\"");
    }

    // ------------------------------------------------------------------ errors: conv

    [Fact]
    public void Conv2d_WrongRank_NamesOpAndShapes()
    {
        AssertMessage(() => F.Conv2d(D(3, 4), D(2, 3, 1, 1)), "conv2d", "[3,4]", "[2,3,1,1]");
        AssertMessage(() => F.Conv2d(D(1, 2, 3, 4, 5), D(2, 2, 1, 1)), "conv2d", "[1,2,3,4,5]");
        AssertMessage(() => F.Conv2d(D(1, 3, 4, 4), D(2, 3, 1)), "conv2d", "[2,3,1]");
    }

    [Fact]
    public void Conv2d_ChannelMismatch_NamesOpAndShapes()
    {
        AssertMessage(() => F.Conv2d(D(1, 3, 5, 5), D(2, 4, 3, 3)), "conv2d", "input has 3", "input [1, 3, 5, 5]", "weight [2, 4, 3, 3]");
        AssertMessage(() => F.Conv2d(D(1, 4, 5, 5), D(2, 4, 3, 3), groups: 2), "conv2d", "input has 4", "groups 2");
        AssertMessage(() => F.Conv2d(D(1, 3, 5, 5), D(2, 1, 3, 3), groups: 2), "conv2d", "not divisible by groups 2");
        AssertMessage(() => F.Conv2d(D(3, 5, 5), D(2, 2, 3, 3)), "conv2d", "input has 3", "input [1, 3, 5, 5]");
    }

    [Fact]
    public void Conv2d_KernelLargerThanInput_NamesOpAndShapes()
    {
        AssertMessage(() => F.Conv2d(D(1, 1, 2, 2), D(1, 1, 3, 3)), "conv2d", "larger than the padded input", "input [1, 1, 2, 2]", "weight [1, 1, 3, 3]");
        AssertMessage(() => F.Conv2d(D(1, 1, 5, 5), D(1, 1, 3, 3), dilation: 3), "conv2d", "(7, 7)", "(5, 5)");
        F.Conv2d(D(1, 1, 2, 2), D(1, 1, 3, 3), padding: 1); // fits once padded
    }

    [Fact]
    public void Conv2d_BadBiasAndDType_NamesOp()
    {
        AssertMessage(() => F.Conv2d(D(1, 3, 5, 5), D(2, 3, 3, 3), D(3)), "conv2d", "bias", "[2]", "[3]");
        AssertMessage(() => F.Conv2d(Tensor.Zeros([1, 3, 5, 5], DType.Int64), Tensor.Zeros([2, 3, 3, 3], DType.Int64)), "conv2d", "floating");
        AssertMessage(() => F.Conv2d(D(1, 3, 5, 5), D(2, 3, 3, 3), stride: 0), "conv2d", "stride");
        AssertMessage(() => F.Conv2d(D(1, 3, 5, 5), D(2, 3, 3, 3), padding: -1), "conv2d", "padding");
    }

    [Fact]
    public void Conv1d_BadInput_NamesConv1dAndShapes()
    {
        AssertMessage(() => F.Conv1d(D(1, 2, 3, 4), D(2, 2, 1)), "conv1d", "[1,2,3,4]");
        AssertMessage(() => F.Conv1d(D(1, 3, 8), D(2, 4, 3)), "conv1d", "input has 3", "[1,3,8]", "[2,4,3]");
        AssertMessage(() => F.Conv1d(D(1, 3, 2), D(2, 3, 3)), "conv1d", "larger than", "[1,3,2]", "[2,3,3]");
        AssertMessage(() => F.Conv1d(D(3, 2), D(2, 3, 3)), "conv1d", "larger than", "[3,2]");
        AssertMessage(() => F.Conv1d(D(1, 3, 8), D(2, 3, 3), D(4)), "conv1d", "bias");
    }

    [Fact]
    public void ConvTranspose2d_BadInput_NamesOpAndShapes()
    {
        AssertMessage(() => F.ConvTranspose2d(D(4, 4), D(4, 2, 3, 3)), "conv_transpose2d", "[4,4]");
        AssertMessage(() => F.ConvTranspose2d(D(1, 3, 4, 4), D(4, 2, 3, 3)), "conv_transpose2d", "input has 3", "[1, 3, 4, 4]", "[4, 2, 3, 3]");
        AssertMessage(() => F.ConvTranspose2d(D(1, 4, 4, 4), D(4, 2, 3, 3), stride: 2, outputPadding: 2), "conv_transpose2d", "output_padding");
        AssertMessage(() => F.ConvTranspose2d(D(1, 4, 4, 4), D(4, 2, 3, 3), D(3)), "conv_transpose2d", "bias", "[2]");
        AssertMessage(() => F.ConvTranspose2d(D(1, 4, 1, 1), D(4, 2, 1, 1), padding: 1), "conv_transpose2d", "not positive");
    }

    // ------------------------------------------------------------------ errors: pooling, embedding, dropout

    [Fact]
    public void Pools_WrongRank_NameOpAndShape()
    {
        AssertMessage(() => F.MaxPool2d(D(4, 4), 2), "max_pool2d", "[4,4]");
        AssertMessage(() => F.MaxPool2dWithIndices(D(1, 1, 1, 4, 4), 2), "max_pool2d", "[1,1,1,4,4]");
        AssertMessage(() => F.AvgPool2d(D(4), 2), "avg_pool2d", "[4]");
        AssertMessage(() => F.AdaptiveAvgPool2d(D(4, 4), (2, 2)), "adaptive_avg_pool2d", "[4,4]");
    }

    [Fact]
    public void Pools_KernelLargerThanInput_NameOpAndShape()
    {
        AssertMessage(() => F.MaxPool2d(D(1, 2, 2, 5), 3), "max_pool2d", "too small", "input [1, 2, 2, 5]", "kernel (3, 3)");
        AssertMessage(() => F.MaxPool2d(D(2, 5, 5), 3, dilation: 3), "max_pool2d", "too small", "input [1, 2, 5, 5]");
        AssertMessage(() => F.AvgPool2d(D(1, 1, 2, 2), 3), "avg_pool2d", "too small", "input [1, 1, 2, 2]", "kernel (3, 3)");
        AssertMessage(() => F.AvgPool2d(D(1, 1, 6, 6), 2, padding: 2), "avg_pool2d", "half of the kernel");
        AssertMessage(() => F.AvgPool2d(D(1, 1, 6, 6), 2, divisorOverride: 0), "avg_pool2d", "divisorOverride");
        AssertMessage(() => F.AdaptiveAvgPool2d(D(1, 1, 6, 6), (0, 2)), "adaptive_avg_pool2d", "(0, 2)");
        AssertMessage(() => F.MaxPool2d(Tensor.Zeros([1, 1, 4, 4], DType.Int64), 2), "max_pool2d", "floating");
    }

    [Fact]
    public void Embedding_AndDropout_BadArguments()
    {
        AssertMessage(() => F.Embedding(Tensor.From([1.0, 2.0]), D(5, 3)), "embedding", "int64", "float64");
        AssertMessage(() => F.Embedding(Tensor.From([1L, 2L]), D(5, 3, 2)), "embedding", "[5,3,2]");
        AssertMessage(() => F.Dropout(D(3), 1.5), "dropout", "1.5");
        AssertMessage(() => F.Dropout(D(3), -0.1), "dropout");
        AssertMessage(() => F.Dropout(D(3), double.NaN), "dropout");
    }

    // ------------------------------------------------------------------ dropout semantics

    [Fact]
    public void Dropout_EvalAndZeroProbability_AreIdentity()
    {
        var x = D(3, 4).RequiresGrad_();
        Assert.Same(x, F.Dropout(x, 0.7, training: false));
        Assert.Same(x, F.Dropout(x, 0.0));
        Assert.Same(x, F.Dropout(x, 1.0, training: false));
    }

    [Fact]
    public void Dropout_ProbabilityOne_ZeroesValuesAndGradients()
    {
        var x = D(3, 4).RequiresGrad_();
        var y = F.Dropout(x, 1.0);
        Assert.All(y.ToDoubleArray(), v => Assert.Equal(0.0, v));
        y.Sum().Backward();
        Assert.All(x.Grad!.ToDoubleArray(), v => Assert.Equal(0.0, v));
    }

    [Theory]
    [InlineData(0.1, DType.Float32)]
    [InlineData(0.5, DType.Float64)]
    [InlineData(0.9, DType.Float32)]
    public void Dropout_KeepsWithProbability1MinusP_AndScales(double p, DType dtype)
    {
        const ulong seed = 20240615;
        output.WriteLine($"seed {seed}, p {p}, {dtype.Name()}");
        const int n = 100_000;
        var x = Tensor.From(Enumerable.Range(0, n).Select(i => (double)(i % 7 + 1)).ToArray()).To(dtype).RequiresGrad_(); // non-zero, so a kept value is never 0
        var y = F.Dropout(x, p, training: true, new Generator(seed));
        Assert.Equal(dtype, y.DType);
        double[] xv = x.ToDoubleArray(), yv = y.ToDoubleArray();
        double scale = 1 / (1 - p);
        double scaleTol = dtype == DType.Float32 ? 1e-6 : 1e-15; // one rounding of the scale and of the product
        int kept = 0;
        for (int i = 0; i < n; i++)
        {
            if (yv[i] == 0)
                continue;
            kept++;
            Assert.True(Math.Abs(yv[i] - xv[i] * scale) <= scaleTol * xv[i] * scale, $"element {i}: {yv[i]} is not {xv[i]} * {scale}");
        }
        double expected = n * (1 - p), sd = Math.Sqrt(n * p * (1 - p));
        Assert.True(Math.Abs(kept - expected) <= Sigmas * sd, $"kept {kept} of {n}, expected {expected} ± {Sigmas * sd}");

        // Same seed, same mask; the gradient is the mask times the scale.
        var again = F.Dropout(x.Detach(), p, training: true, new Generator(seed));
        Assert.Equal(yv, again.ToDoubleArray());
        y.Sum().Backward();
        double[] gv = x.Grad!.ToDoubleArray();
        for (int i = 0; i < n; i++)
            Assert.Equal(yv[i] == 0 ? 0 : scale, gv[i], dtype == DType.Float32 ? 1e-6 * scale : 1e-15 * scale);
        Assert.NotEqual(yv, F.Dropout(x.Detach(), p, training: true, new Generator(seed + 1)).ToDoubleArray());
    }

    // ------------------------------------------------------------------ float32 paths and max-pool indices

    [Fact]
    public void Float32Paths_MatchFloat64()
    {
        const int seed = 777;
        output.WriteLine($"seed {seed}");
        var rng = new System.Random(seed);
        // float32-representable inputs, so both paths see the same values
        Tensor R(params int[] s) => Rand(rng, s).To(DType.Float32).To(DType.Float64);
        var x = R(2, 4, 7, 6);
        var w = R(6, 2, 3, 3);
        var b = R(6);
        var wt = R(4, 3, 2, 2);
        var cases = new (string Name, Func<Tensor, Tensor, Tensor, Tensor, Tensor> Op)[]
        {
            ("conv2d", (x, w, b, _) => F.Conv2d(x, w, b, stride: 2, padding: 1, groups: 2)),
            ("conv_transpose2d", (x, _, _, wt) => F.ConvTranspose2d(x, wt, null, stride: 2, groups: 2)),
            ("max_pool2d", (x, _, _, _) => F.MaxPool2d(x, 3, stride: 2, padding: 1, ceilMode: true)),
            ("avg_pool2d", (x, _, _, _) => F.AvgPool2d(x, 3, stride: 2, padding: 1, countIncludePad: false)),
            ("adaptive_avg_pool2d", (x, _, _, _) => F.AdaptiveAvgPool2d(x, (3, 4))),
        };
        foreach (var (name, op) in cases)
        {
            var (x32, w32, b32, wt32) = (x.To(DType.Float32).RequiresGrad_(), w.To(DType.Float32).RequiresGrad_(), b.To(DType.Float32).RequiresGrad_(), wt.To(DType.Float32).RequiresGrad_());
            var (x64, w64, b64, wt64) = (x.Clone().RequiresGrad_(), w.Clone().RequiresGrad_(), b.Clone().RequiresGrad_(), wt.Clone().RequiresGrad_());
            var y32 = op(x32, w32, b32, wt32);
            var y64 = op(x64, w64, b64, wt64);
            Assert.Equal(DType.Float32, y32.DType);
            AssertClose($"{name} forward", y64, y32);
            var gy = Rand(rng, y64.Shape).To(DType.Float32).To(DType.Float64);
            y32.Backward(gy.To(DType.Float32));
            y64.Backward(gy);
            AssertClose($"{name} grad input", x64.Grad!, x32.Grad!);
            if (w64.Grad is not null) AssertClose($"{name} grad weight", w64.Grad, w32.Grad!);
            if (b64.Grad is not null) AssertClose($"{name} grad bias", b64.Grad, b32.Grad!);
            if (wt64.Grad is not null) AssertClose($"{name} grad weight", wt64.Grad, wt32.Grad!);
        }
    }

    private static void AssertClose(string what, Tensor expected, Tensor actual)
    {
        double[] e = expected.ToDoubleArray(), a = actual.ToDoubleArray();
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(a[i] - e[i]) <= Float32Tol * Math.Max(1, Math.Abs(e[i])), $"{what}: element {i} is {a[i]}, float64 gives {e[i]}");
    }

    [Fact]
    public void MaxPool2dWithIndices_IndexThePlaneAndSelectTheOutput()
    {
        const int seed = 99;
        output.WriteLine($"seed {seed}");
        var rng = new System.Random(seed);
        var x = Rand(rng, [2, 3, 7, 5], Layout.Transposed);
        var (y, idx) = F.MaxPool2dWithIndices(x, 3, stride: 2, padding: 1, dilation: 1, ceilMode: true);
        Assert.Equal(DType.Int64, idx.DType);
        Assert.Equal(y.Shape, idx.Shape);
        // Gathering the flattened planes at the indices gives the output back.
        var planes = x.Reshape(2, 3, 35);
        var picked = planes.Gather(2, idx.Reshape(2, 3, -1)).Reshape(y.Shape);
        Assert.Equal(y.ToDoubleArray(), picked.ToDoubleArray());
        Assert.Equal(y.ToDoubleArray(), F.MaxPool2d(x, 3, stride: 2, padding: 1, ceilMode: true).ToDoubleArray());
        // Unbatched input gives the same as batch 1.
        var (yu, iu) = F.MaxPool2dWithIndices(x[0], 3, stride: 2, padding: 1, ceilMode: true);
        Assert.Equal(y[0].ToDoubleArray(), yu.ToDoubleArray());
        Assert.Equal(idx[0].ToArray<long>(), iu.ToArray<long>());
    }

    [Fact]
    public void UnbatchedConvs_EqualBatchOfOne()
    {
        const int seed = 31;
        output.WriteLine($"seed {seed}");
        var rng = new System.Random(seed);
        var x = Rand(rng, [3, 6, 5]);
        var w = Rand(rng, [4, 3, 3, 3]);
        var b = Rand(rng, [4]);
        Assert.Equal(F.Conv2d(x.Unsqueeze(0), w, b, padding: 1)[0].ToDoubleArray(), F.Conv2d(x, w, b, padding: 1).ToDoubleArray());
        var wt = Rand(rng, [3, 2, 2, 2]);
        Assert.Equal(F.ConvTranspose2d(x.Unsqueeze(0), wt, null, stride: 2)[0].ToDoubleArray(), F.ConvTranspose2d(x, wt, null, stride: 2).ToDoubleArray());
        var x1 = Rand(rng, [3, 9]);
        var w1 = Rand(rng, [2, 3, 4]);
        var y1 = F.Conv1d(x1, w1, null, stride: 2);
        Assert.Equal([2, 3], y1.Shape);
        Assert.Equal(F.Conv1d(x1.Unsqueeze(0), w1, null, stride: 2)[0].ToDoubleArray(), y1.ToDoubleArray());
    }
}
