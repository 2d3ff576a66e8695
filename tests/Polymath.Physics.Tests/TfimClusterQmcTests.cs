using Polymath.Physics;
using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Physics.Tests;

/// <summary>
/// The continuous-time cluster QMC against exact answers: Lanczos ground states of small chains (correlations, ⟨X⟩,
/// the distribution of the magnetisation) and the free-fermion ground energy of a chain too long for Lanczos.
/// </summary>
public class TfimClusterQmcTests(ITestOutputHelper output)
{
    // Statistical checks allow 4.5 standard errors (binned, so autocorrelation is included): a false alarm about 1 in 10⁵ per check.
    private const double Sigmas = 4.5;

    private sealed record Series(double[] Energy, double[] X, double[][] ZZ, double[] M2, double[] M4);

    private static Series Measure(int n, double h, double beta, int thermalize, int samples, ulong seed)
    {
        var qmc = new TfimClusterQmc(n, h, 1, periodic: true, beta, seed);
        qmc.Sweep(thermalize);
        var energy = new double[samples];
        var x = new double[samples];
        var zz = Enumerable.Range(0, n / 2 + 1).Select(_ => new double[samples]).ToArray();
        var m2 = new double[samples];
        var m4 = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            qmc.Sweep();
            var z = qmc.RandomSnapshot();
            double m = 0;
            for (int i = 0; i < n; i++) m += z[i];
            for (int r = 0; r <= n / 2; r++)
            {
                double c = 0;
                for (int i = 0; i < n; i++) c += z[i] * z[(i + r) % n];
                zz[r][s] = c / n;
            }
            energy[s] = qmc.EnergyEstimate(z);
            x[s] = qmc.TransverseMagnetizationEstimate();
            m /= n;
            m2[s] = m * m;
            m4[s] = m * m * m * m;
        }
        return new Series(energy, x, zz, m2, m4);
    }

    private void Close(string what, double[] series, double exact)
    {
        var e = Binning.Mean(series);
        output.WriteLine($"{what}: QMC {e.Value:F5} ± {e.Error:F5}, exact {exact:F5} ({(e.Value - exact) / e.Error:F1} σ)");
        Assert.True(e.Error > 0, $"{what}: zero error bar");
        Assert.True(Math.Abs(e.Value - exact) < Sigmas * e.Error, $"{what}: QMC {e.Value} ± {e.Error} vs exact {exact}");
    }

    [Theory]
    [InlineData(0.8, 256)]
    [InlineData(1.0, 64)]
    [InlineData(1.5, 64)]
    public void AgreesWithLanczosOnEightSites(double h, double beta)
    {
        const int n = 8;
        // QMC samples e^(−βH), Lanczos the ground state: β must bury the first excited level. On 8 sites the gap is 0.197
        // at h = 1 (β = 64: e⁻¹²); in the ordered phase the odd-parity partner comes within 0.048 at h = 0.8 (dense
        // diagonalisation), hence β = 256 there — at β = 64 it keeps 4% of the weight and ⟨X⟩ sits 2σ low.
        var s = Measure(n, h, beta, 200, beta > 100 ? 8192 : 16384, 42);
        var gs = TransverseFieldIsing.ExactGroundState(n, h, periodic: true);
        Close($"h={h} energy", s.Energy, gs.Energy);
        Close($"h={h} <X>", s.X, gs.TransverseMagnetization());
        for (int r = 1; r <= n / 2; r++) Close($"h={h} <Z0 Z{r}>", s.ZZ[r], gs.ZZ(0, r));
        // ⟨m²⟩ and ⟨m⁴⟩ from the exact Z-basis distribution |ψ(z)|².
        var amps = gs.Amplitudes();
        double em2 = 0, em4 = 0;
        for (int z = 0; z < amps.Length; z++)
        {
            double p = amps[z].Real * amps[z].Real + amps[z].Imaginary * amps[z].Imaginary;
            double m = (n - 2.0 * System.Numerics.BitOperations.PopCount((uint)z)) / n;
            em2 += p * m * m;
            em4 += p * m * m * m * m;
        }
        Close($"h={h} <m^2>", s.M2, em2);
        Close($"h={h} <m^4>", s.M4, em4);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.6)]
    public void MatchesTheFreeFermionEnergyOnFortyEightSites(double h)
    {
        // Both fields are gapped (≈ 2|1 − h| ≥ 1 above the ground state, or exponentially split parity partners), so β = 24 is ground-state quality.
        const int n = 48;
        var s = Measure(n, h, 24, 100, 4096, 7);
        Close($"n={n} h={h} energy", s.Energy, SpinChains.TransverseFieldIsingPeriodicGroundEnergy(n, 1, h));
    }

    [Fact]
    public void TheSameSeedGivesTheSameSnapshots()
    {
        var a = new TfimClusterQmc(12, 0.9, 1, true, 20, 5, 3);
        var b = new TfimClusterQmc(12, 0.9, 1, true, 20, 5, 3);
        a.Sweep(30);
        b.Sweep(30);
        Assert.Equal(a.RandomSnapshot(), b.RandomSnapshot());
        Assert.Equal(a.KinkCount, b.KinkCount);
        var c = new TfimClusterQmc(12, 0.9, 1, true, 20, 5, 4);
        c.Sweep(30);
        Assert.NotEqual(a.KinkCount, c.KinkCount);
    }

    [Fact]
    public void ZeroFieldIsTheClassicalChain()
    {
        // h = 0: no kinks ever, and the cluster flips keep every world line straight and the bonds satisfied only by chance.
        var q = new TfimClusterQmc(6, 0, 1, true, 5, 1);
        q.Sweep(20);
        Assert.Equal(0, q.KinkCount);
        var z = q.RandomSnapshot();
        Assert.All(z, v => Assert.True(v == 1 || v == -1));
    }

    [Fact]
    public void BadParametersAreNamed()
    {
        Assert.Contains("at least 2 sites", Assert.Throws<ArgumentException>(() => new TfimClusterQmc(1, 1, 1, true, 1, 0)).Message);
        Assert.Contains("field", Assert.Throws<ArgumentException>(() => new TfimClusterQmc(4, -1, 1, true, 1, 0)).Message);
        Assert.Contains("coupling", Assert.Throws<ArgumentException>(() => new TfimClusterQmc(4, 1, 0, true, 1, 0)).Message);
        Assert.Contains("β", Assert.Throws<ArgumentException>(() => new TfimClusterQmc(4, 1, 1, true, double.PositiveInfinity, 0)).Message);
        var q = new TfimClusterQmc(4, 1, 1, true, 2, 0);
        Assert.Contains("outside", Assert.Throws<ArgumentException>(() => q.Snapshot(2.0, new sbyte[4])).Message);
    }
}
