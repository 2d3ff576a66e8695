using Polymath.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Tests;

public class FastExpTests(ITestOutputHelper output)
{
    // The polynomial truncates below 2e-9 relative and each FMA rounds once: a few ulp at most.
    private const double MaxUlpError = 2.0;

    private static double UlpError(float got, double exact)
    {
        if (double.IsPositiveInfinity(exact) || exact > float.MaxValue)
            return float.IsPositiveInfinity(got) ? 0 : double.PositiveInfinity;
        float rounded = (float)exact;
        float ulp = MathF.BitIncrement(MathF.Abs(rounded)) - MathF.Abs(rounded);
        return Math.Abs(got - exact) / ulp;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MatchesDoubleExpWithinTwoUlpAcrossTheNormalRange(bool avx512)
    {
        bool saved = FastExp.UseAvx512;
        FastExp.UseAvx512 = avx512 && saved;
        try
        {
            CheckAccuracy();
            // Subnormal results: the vector paths and the scalar tail apply 2^n with one rounding each.
            var x = Enumerable.Range(0, 4096).Select(i => -87.5f - i * 0.004f).ToArray();
            var y = new float[x.Length];
            FastExp.Exp(x, y);
            for (int i = 0; i < x.Length; i++)
                Assert.True(Math.Abs(y[i] - Math.Exp(x[i])) <= 2 * float.Epsilon, $"exp({x[i]}) = {y[i]}, expected {Math.Exp(x[i])}");
        }
        finally
        {
            FastExp.UseAvx512 = saved;
        }
    }

    private void CheckAccuracy()
    {
        const int seed = 20261122;
        output.WriteLine($"seed {seed}");
        var rng = new System.Random(seed);
        int n = 1 << 20;
        var x = new float[n];
        for (int i = 0; i < n; i++)
            x[i] = (float)(rng.NextDouble() * (88.7 + 87.3) - 87.3);
        var y = new float[n];
        FastExp.Exp(x, y);
        double worst = 0;
        float worstAt = 0;
        for (int i = 0; i < n; i++)
        {
            double e = UlpError(y[i], Math.Exp(x[i]));
            if (e > worst) { worst = e; worstAt = x[i]; }
        }
        output.WriteLine($"worst error {worst:F3} ulp at x = {worstAt}");
        Assert.True(worst <= MaxUlpError, $"exp error {worst} ulp at x = {worstAt}");
    }

    [Fact]
    public void SpecialValuesAndTailsAgreeWithTheVectorPath()
    {
        float[] x = [float.NaN, float.NegativeInfinity, float.PositiveInfinity, -1000f, -87.4f, -87.33f, 0f, -0f, 1f, 88.72f, 88.73f, 1000f, 1e-30f, -1e-30f, 0.5f, -0.5f, 10f];
        for (int len = 0; len <= x.Length; len++)
        {
            var src = x.AsSpan(0, len);
            var dst = new float[len];
            float sum = FastExp.Exp(src, dst, 0, sum: true);
            for (int i = 0; i < len; i++)
                Assert.Equal(BitConverter.SingleToInt32Bits(FastExp.Scalar(src[i])), BitConverter.SingleToInt32Bits(dst[i]));
            if (len > 0 && !src.ToArray().Any(float.IsNaN))
                Assert.True(float.IsPositiveInfinity(sum) || Math.Abs(sum - dst.Sum()) <= 1e-5 * Math.Abs(dst.Sum()) + 1e-30);
        }
        Assert.True(float.IsNaN(FastExp.Scalar(float.NaN)));
        Assert.Equal(0f, FastExp.Scalar(float.NegativeInfinity));
        Assert.Equal(float.PositiveInfinity, FastExp.Scalar(float.PositiveInfinity));
        Assert.Equal(1f, FastExp.Scalar(0f));
        Assert.Equal(float.PositiveInfinity, FastExp.Scalar(88.73f));
        Assert.True(UlpError(FastExp.Scalar(88.72f), Math.Exp(88.72f)) <= MaxUlpError);
    }

    [Fact]
    public void ShiftAndSumMatchSeparateSteps()
    {
        var x = Enumerable.Range(0, 1000).Select(i => (float)Math.Sin(i) * 20).ToArray();
        var y = new float[x.Length];
        float sum = FastExp.Exp(x, y, shift: -20f, sum: true);
        double expected = x.Sum(v => Math.Exp(v - 20.0));
        Assert.True(Math.Abs(sum - expected) <= 1e-5 * expected, $"{sum} vs {expected}");
        Assert.True(Math.Abs(FastExp.SumExp(x, -20f) - expected) <= 1e-5 * expected);
    }
}
