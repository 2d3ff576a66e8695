using Polymath.Physics;
using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Physics.Tests;

/// <summary>TFIM ground states: Lanczos against the free-fermion solution, VQE and adiabatic evolution against Lanczos, snapshots against expectations.</summary>
public class TransverseFieldIsingTests(ITestOutputHelper output)
{
    // VQE (RY·RZ/CZ, n − 1 layers) on 4 sites reaches the ground energy to ~1e-11 in a few hundred L-BFGS steps; the
    // tolerances leave room for an optimizer stopping early (a 1e-6 energy error allows state errors of ~1e-3).
    private const double VqeEnergyTolerance = 1e-6;
    private const double VqeCorrelatorTolerance = 2e-3;

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(1.7)]
    public void LanczosMatchesFreeFermions(double h)
    {
        var gs = TransverseFieldIsing.ExactGroundState(10, h, periodic: true);
        Assert.True(gs.Converged);
        Assert.Equal(SpinChains.TransverseFieldIsingPeriodicGroundEnergy(10, 1, h), gs.Energy, 8);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    public void VqeAgreesWithExactDiagonalization(double h)
    {
        const int n = 4, seed = 11;
        var exact = TransverseFieldIsing.ExactGroundState(n, h);
        var vqe = TransverseFieldIsing.VariationalGroundState(n, h, seed: seed);
        output.WriteLine($"seed {seed}, h={h}: ED {exact.Energy:F8}, VQE {vqe.Energy:F8}; ZZ(0,3) {exact.ZZ(0, 3):F5} vs {vqe.ZZ(0, 3):F5}; X(1) {exact.X(1):F5} vs {vqe.X(1):F5}");
        Assert.True(vqe.Energy >= exact.Energy - 1e-9, "VQE went below the exact ground energy");
        Assert.True(vqe.Energy - exact.Energy < VqeEnergyTolerance * Math.Abs(exact.Energy));
        for (int j = 1; j < n; j++) Assert.Equal(exact.ZZ(0, j), vqe.ZZ(0, j), VqeCorrelatorTolerance);
        Assert.Equal(exact.X(1), vqe.X(1), VqeCorrelatorTolerance);
    }

    [Theory]
    [InlineData(0.6)]
    [InlineData(1.0)]
    public void AdiabaticEvolutionAgreesWithExactDiagonalization(double h)
    {
        const int n = 6;
        var exact = TransverseFieldIsing.ExactGroundState(n, h);
        var adiabatic = TransverseFieldIsing.AdiabaticGroundState(n, h, totalTime: 40, steps: 200);
        double fidelity = Math.Pow(exact.State.InnerProduct(adiabatic.State).Magnitude, 2);
        output.WriteLine($"h={h}: ED {exact.Energy:F6}, adiabatic {adiabatic.Energy:F6}, fidelity {fidelity:F6}, ZZ(0,5) {exact.ZZ(0, 5):F4} vs {adiabatic.ZZ(0, 5):F4}");
        // A ramp of T = 40/J leaves diabatic errors of order (1/(T Δ²))² — well below 1e-3 in energy at these n.
        Assert.True(fidelity > 0.995, $"fidelity {fidelity}");
        Assert.True(Math.Abs(adiabatic.Energy - exact.Energy) < 1e-2);
        Assert.Equal(exact.ZZ(0, n - 1), adiabatic.ZZ(0, n - 1), 2e-2);
    }

    [Fact]
    public void SnapshotsReproduceCorrelatorsWithinErrorBars()
    {
        const int n = 8, shots = 4000, seed = 3;
        var gs = TransverseFieldIsing.ExactGroundState(n, 1.0);
        var z = gs.Snapshots(MeasurementBasis.Z, shots, seed);
        var x = gs.Snapshots(MeasurementBasis.X, shots, seed);
        Assert.Equal(z, gs.Snapshots(MeasurementBasis.Z, shots, seed));                        // seeded: same draws
        // ⟨Z0 Z3⟩ and ⟨X2⟩ from shots: means of ±1 values, standard error √((1 − μ²)/shots).
        double zz = Enumerable.Range(0, shots).Average(s => (1 - 2 * z[s, 0]) * (1 - 2 * z[s, 3]));
        double x2 = Enumerable.Range(0, shots).Average(s => 1 - 2 * x[s, 2]);
        double zzExact = gs.ZZ(0, 3), xExact = gs.X(2);
        output.WriteLine($"seed {seed}: ZZ(0,3) {zz:F4} vs {zzExact:F4}; X(2) {x2:F4} vs {xExact:F4}");
        Assert.True(Math.Abs(zz - zzExact) < 4 * Math.Sqrt((1 - zzExact * zzExact) / shots));
        Assert.True(Math.Abs(x2 - xExact) < 4 * Math.Sqrt((1 - xExact * xExact) / shots));
    }

    [Fact]
    public void OrderDisappearsAcrossTheCriticalField()
    {
        var scan = TransverseFieldIsing.ScanField(10, [0.5, 1.0, 2.0]);
        double[] endToEnd = scan.Select(g => g.ZZ(0, 9)).ToArray();
        output.WriteLine(string.Join(", ", scan.Select(g => $"h={g.Field}: ZZ(0,9)={g.ZZ(0, 9):F4} X={g.TransverseMagnetization():F4}")));
        Assert.True(endToEnd[0] > 0.7 && endToEnd[2] < 0.01);
        Assert.True(scan[0].TransverseMagnetization() < scan[1].TransverseMagnetization() && scan[1].TransverseMagnetization() < scan[2].TransverseMagnetization());
    }

    [Fact]
    public void RejectsBadChains()
    {
        Assert.Contains("2 to 24 sites", Assert.Throws<ArgumentException>(() => TransverseFieldIsing.ExactGroundState(30, 1)).Message);
        Assert.Throws<ArgumentException>(() => TransverseFieldIsing.VariationalGroundState(20, 1));
        Assert.Throws<ArgumentException>(() => TransverseFieldIsing.ExactGroundState(4, double.NaN));
        Assert.Contains("field list is empty", Assert.Throws<ArgumentException>(() => TransverseFieldIsing.ScanField(4, [])).Message);
    }
}
