using Polymath.Physics;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Physics.Tests;

/// <summary>Monte Carlo observables against Onsager's exact solution, with principled error-bar tolerances.</summary>
public class IsingValidationTests(ITestOutputHelper output)
{
    // A fair estimate lies within 4σ with probability 99.994%; several points per test keep the family-wise rate small.
    private const double Sigmas = 4;
    // Finite-size allowance far from T_c at L = 24: corrections decay like e^(−L/ξ) with ξ ≲ 2 here, well below 1e-3 in
    // u; for |m| the finite lattice's ⟨|m|⟩ exceeds M by O(1/(L²χ)) ≈ 1e-3 at T = 2.0.
    private const double EnergyAllowance = 2e-3;
    private const double MagnetizationAllowance = 4e-3;
    private const ulong Seed = 20261122;

    [Theory]
    [InlineData(IsingAlgorithm.Metropolis)]
    [InlineData(IsingAlgorithm.Wolff)]
    public void EnergyAndMagnetizationMatchOnsager(IsingAlgorithm algorithm)
    {
        double[] temps = [1.5, 1.8, 2.0, 2.6, 3.0, 3.5];
        var options = new IsingRunOptions
        {
            Sizes = [24], Temperatures = temps, Replicas = 2, Algorithm = algorithm,
            BurnInSweeps = 300, PilotSweeps = 500, Measurements = 2048, Seed = Seed,
        };
        output.WriteLine($"seed {Seed}, {algorithm}");
        foreach (var o in IsingSimulation.Run(options))
        {
            double u = Onsager.EnergyPerSpin(o.Temperature), m = Onsager.SpontaneousMagnetization(o.Temperature);
            output.WriteLine($"T={o.Temperature}: u {o.Energy} (exact {u:F5}, {o.Energy.Deviations(u):F1}σ), |m| {o.AbsMagnetization} (exact {m:F5}), " +
                             $"τE {o.TauEnergy?.Tau:F2}, τM {o.TauAbsMagnetization?.Tau:F2}, spacing {o.Spacing}, equilibrated {o.Equilibrated}");
            Assert.True(Math.Abs(o.Energy.Value - u) <= Sigmas * o.Energy.Error + EnergyAllowance, $"T={o.Temperature}: u {o.Energy} vs exact {u}");
            if (o.Temperature < 2.1)
                Assert.True(Math.Abs(o.AbsMagnetization.Value - m) <= Sigmas * o.AbsMagnetization.Error + MagnetizationAllowance,
                    $"T={o.Temperature}: |m| {o.AbsMagnetization} vs exact {m}");
            Assert.True(o.Equilibrated, $"T={o.Temperature}: thermalisation shorter than 20 τ");
        }
    }
}
