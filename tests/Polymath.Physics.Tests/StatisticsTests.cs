using Polymath.Physics;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Physics.Tests;

/// <summary>Autocorrelation times, jackknife and binning on processes whose answers are known in closed form.</summary>
public class StatisticsTests(ITestOutputHelper output)
{
    // AR(1): x_t = φ x_{t−1} + √(1−φ²) ξ_t has ρ(t) = φ^t, so τ_int = ½ + Σ φ^t = (1 + φ) / (2(1 − φ)).
    private static double[] Ar1(double phi, int n, ulong seed)
    {
        var g = new Generator(seed);
        var noise = new double[n];
        g.FillNormal(noise);
        var x = new double[n];
        double scale = Math.Sqrt(1 - phi * phi);
        for (int t = 1; t < n; t++) x[t] = phi * x[t - 1] + scale * noise[t];
        return x;
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void IntegratedTimeOfAr1(double phi)
    {
        const ulong seed = 42;
        var x = Ar1(phi, 200_000, seed);
        var tau = Autocorrelation.IntegratedTime(x);
        double exact = (1 + phi) / (2 * (1 - phi));
        output.WriteLine($"seed {seed}, φ={phi}: τ = {tau.Tau:F3} ± {tau.Error:F3} (window {tau.Window}), exact {exact:F3}");
        // The window truncates the tail φ^W/(1−φ) (< 1% of τ at c = 6); allow that plus 4 statistical errors.
        Assert.True(Math.Abs(tau.Tau - exact) < 4 * tau.Error + 0.01 * exact);
        Assert.True(tau.Reliable);
    }

    [Fact]
    public void JackknifeAndBinningErrorsOfCorrelatedMean()
    {
        const ulong seed = 7;
        const double phi = 0.8;
        var x = Ar1(phi, 131_072, seed);
        double tau = (1 + phi) / (2 * (1 - phi));
        double exactError = Math.Sqrt(2 * tau / x.Length);                       // Var(mean) = 2τ σ²/n, σ = 1
        var jack = Jackknife.Estimate([x], q => q[0], blocks: 64);
        var bin = Binning.Mean(x);
        output.WriteLine($"seed {seed}: error of the mean: jackknife {jack.Error:E3}, binning {bin.Error:E3}, exact {exactError:E3}");
        // 64 blocks estimate a standard deviation to ±1/√(2·63) ≈ 9%; allow 35%.
        Assert.InRange(jack.Error / exactError, 0.65, 1.35);
        Assert.InRange(bin.Error / exactError, 0.65, 1.35);
        // Jackknife of a nonlinear function: Var(x) of unit-variance data is 1.
        var variance = Jackknife.Estimate([x, x.Select(v => v * v).ToArray()], q => q[1] - q[0] * q[0], blocks: 64);
        Assert.True(Math.Abs(variance.Value - 1) < 4 * variance.Error, $"variance {variance}");
    }

    [Fact]
    public void ConstantSeriesHasNoCorrelation()
    {
        var tau = Autocorrelation.IntegratedTime(Enumerable.Repeat(3.0, 100).ToArray());
        Assert.Equal(0.5, tau.Tau);
        Assert.Throws<ArgumentException>(() => Autocorrelation.IntegratedTime(new double[1]));
        Assert.Throws<ArgumentException>(() => Jackknife.Estimate([new double[10]], q => q[0], blocks: 20));
    }

    [Fact]
    public void SimulationDoesNotDependOnThreadCountOrOtherChains()
    {
        var options = new IsingRunOptions { Sizes = [8], Temperatures = [2.0, 2.5], Replicas = 2, BurnInSweeps = 20, PilotSweeps = 50, Measurements = 64, Seed = 3 };
        var one = IsingSimulation.Run(options with { MaxParallelism = 1 });
        var two = IsingSimulation.Run(options with { MaxParallelism = 2 });
        var alone = IsingSimulation.Run(options with { Temperatures = [2.5] });
        Assert.Equal(one, two);
        Assert.Equal(one[1], alone[0]);
    }
}
