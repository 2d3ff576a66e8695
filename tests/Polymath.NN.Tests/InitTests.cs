using Polymath.NN;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.NN.Tests;

/// <summary>Statistics, bounds and fan rules of <see cref="Init"/>, on 200 000-element draws with printed seeds.</summary>
public class InitTests(ITestOutputHelper output)
{
    // 200 000 samples: the sample variance's relative standard error is √(2/n) ≈ 0.3% for a normal and
    // √(0.8/n) ≈ 0.2% for a uniform, so 2% is about 6σ — a wrong formula (factors like 2, 3 or √2) is far outside.
    private const double RelativeVarianceTolerance = 0.02;

    // The sample mean's standard error is σ/√n ≈ 0.0022σ; 0.015σ is about 7σ.
    private const double MeanToleranceInSigmas = 0.015;

    // Orthogonal works in float64 and stores float32: WᵀW is then exact to a few float32 ulps per entry.
    private const double OrthogonalityTolerance = 1e-5;

    private const int Rows = 400, Cols = 500;

    private Generator Seeded(ulong seed)
    {
        output.WriteLine($"seed {seed}");
        return new Generator(seed);
    }

    private static (double Mean, double Var, double Min, double Max) Stats(Tensor t)
    {
        var v = t.ToDoubleArray();
        double mean = v.Average();
        double var = v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1);
        return (mean, var, v.Min(), v.Max());
    }

    private static void AssertUniform(Tensor t, double bound)
    {
        var (mean, var, min, max) = Stats(t);
        double sigma = bound / Math.Sqrt(3);
        Assert.True(min >= -bound && max <= bound, $"values [{min}, {max}] outside ±{bound}");
        Assert.True(max > 0.99 * bound && min < -0.99 * bound, $"values [{min}, {max}] do not reach ±{bound}");
        Assert.True(Math.Abs(mean) < MeanToleranceInSigmas * sigma, $"mean {mean}");
        Assert.True(Math.Abs(var / (sigma * sigma) - 1) < RelativeVarianceTolerance, $"variance {var}, expected {sigma * sigma}");
    }

    private static void AssertNormal(Tensor t, double std)
    {
        var (mean, var, _, _) = Stats(t);
        Assert.True(Math.Abs(mean) < MeanToleranceInSigmas * std, $"mean {mean}");
        Assert.True(Math.Abs(var / (std * std) - 1) < RelativeVarianceTolerance, $"variance {var}, expected {std * std}");
    }

    [Fact]
    public void CalculateGainMatchesPyTorch()
    {
        Assert.Equal(1, Init.CalculateGain("linear"));
        Assert.Equal(1, Init.CalculateGain("conv2d"));
        Assert.Equal(1, Init.CalculateGain("sigmoid"));
        Assert.Equal(5.0 / 3, Init.CalculateGain("tanh"));
        Assert.Equal(Math.Sqrt(2), Init.CalculateGain("relu"));
        Assert.Equal(Math.Sqrt(2 / 1.0001), Init.CalculateGain("leaky_relu"), 15);
        Assert.Equal(Math.Sqrt(2.0 / 6), Init.CalculateGain("leaky_relu", Math.Sqrt(5)), 15);
        Assert.Equal(0.75, Init.CalculateGain("selu"));
        var e = Assert.Throws<ArgumentException>(() => Init.CalculateGain("swish"));
        Assert.Contains("unsupported nonlinearity 'swish'", e.Message);
    }

    [Fact]
    public void FanFollowsPyTorchIncludingGroupedConvolutionWeights()
    {
        Assert.Equal((500, 400), Init.CalculateFanInAndFanOut(Tensor.Zeros(400, 500)));
        Assert.Equal((4 * 9, 8 * 9), Init.CalculateFanInAndFanOut(Tensor.Zeros(8, 4, 3, 3)));
        var conv = new Conv2d(4, 8, 3, groups: 2, generator: Seeded(11)); // weight [8, 2, 3, 3]: fan_in = 4/2·3·3
        Assert.Equal((18, 72), Init.CalculateFanInAndFanOut(conv.Weight));
        double bound = 1 / Math.Sqrt(18);
        Assert.All(conv.Weight.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.All(conv.Bias!.ToArray(), v => Assert.InRange(v, -bound, bound));
        var e = Assert.Throws<ArgumentException>(() => Init.XavierUniform(Tensor.Zeros(5)));
        Assert.Contains("fewer than 2 dimensions, got [5]", e.Message);
    }

    [Fact]
    public void KaimingUniformHasGainTimesSqrtThreeOverFanBound()
    {
        var w = Init.KaimingUniform(Tensor.Zeros(Rows, Cols), generator: Seeded(1)); // leaky_relu, a = 0: gain √2
        AssertUniform(w, Math.Sqrt(2) * Math.Sqrt(3.0 / Cols));
        var w2 = Init.KaimingUniform(Tensor.Zeros(Rows, Cols), a: Math.Sqrt(5), mode: "fan_out", generator: Seeded(2));
        AssertUniform(w2, 1 / Math.Sqrt(Rows)); // PyTorch's Linear/Conv default: gain √(1/3)
    }

    [Fact]
    public void KaimingNormalHasGainOverSqrtFanStd()
    {
        AssertNormal(Init.KaimingNormal(Tensor.Zeros(Rows, Cols), nonlinearity: "relu", generator: Seeded(3)), Math.Sqrt(2.0 / Cols));
        AssertNormal(Init.KaimingNormal(Tensor.Zeros(Rows, Cols), mode: "fan_out", nonlinearity: "tanh", generator: Seeded(4)), 5.0 / 3 / Math.Sqrt(Rows));
        var e = Assert.Throws<ArgumentException>(() => Init.KaimingNormal(Tensor.Zeros(3, 3), mode: "fan_avg"));
        Assert.Contains("mode 'fan_avg' is not supported", e.Message);
    }

    [Fact]
    public void XavierUsesBothFans()
    {
        AssertUniform(Init.XavierUniform(Tensor.Zeros(Rows, Cols), gain: 2, generator: Seeded(5)), 2 * Math.Sqrt(6.0 / (Rows + Cols)));
        AssertNormal(Init.XavierNormal(Tensor.Zeros(Rows, Cols), generator: Seeded(6)), Math.Sqrt(2.0 / (Rows + Cols)));
    }

    [Fact]
    public void UniformNormalConstantZerosOnesFillParametersInPlace()
    {
        var lin = new Linear(Cols, Rows);
        var w = lin.Weight; // a leaf that requires grad: the fill must run under NoGrad
        Assert.Same(w, Init.Uniform(w, -0.5, 0.5, Seeded(7)));
        AssertUniform(w, 0.5);
        Init.Normal(w, 0, 0.02, Seeded(8));
        AssertNormal(w, 0.02);
        Assert.All(Init.Constant(lin.Bias!, 0.25).ToArray(), v => Assert.Equal(0.25f, v));
        Assert.All(Init.Zeros(lin.Bias!).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(Init.Ones(lin.Bias!).ToArray(), v => Assert.Equal(1f, v));
        Assert.True(w.RequiresGrad && w.IsLeaf);
    }

    [Fact]
    public void SameGeneratorSeedGivesSameValues()
    {
        var a = Init.KaimingNormal(Tensor.Zeros(7, 9), generator: Seeded(9));
        var b = Init.KaimingNormal(Tensor.Zeros(7, 9), generator: Seeded(9));
        Assert.Equal(a.ToArray(), b.ToArray());
    }

    [Theory]
    [InlineData(new[] { 6, 10 }, 1.0)]
    [InlineData(new[] { 10, 6 }, 1.0)]
    [InlineData(new[] { 4, 2, 3 }, 2.0)]
    [InlineData(new[] { 8, 8 }, 0.5)]
    public void OrthogonalRowsOrColumnsAreOrthonormalTimesGain(int[] shape, double gain)
    {
        var w = Init.Orthogonal(Tensor.Zeros(shape), gain, Seeded(10)).Reshape(shape[0], -1).To(DType.Float64);
        int rows = w.Size(0), cols = w.Size(1);
        var gram = rows <= cols ? w.MatMul(w.T) : w.T.MatMul(w);
        int n = Math.Min(rows, cols);
        var expected = Tensor.Eye(n, DType.Float64).Mul(gain * gain).ToDoubleArray();
        var actual = gram.ToDoubleArray();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) < OrthogonalityTolerance * gain * gain, $"gram[{i / n},{i % n}] = {actual[i]}, expected {expected[i]}");
        Assert.Throws<ArgumentException>(() => Init.Orthogonal(Tensor.Zeros(4)));
    }
}
