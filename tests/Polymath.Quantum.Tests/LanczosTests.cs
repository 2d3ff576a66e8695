using System.Numerics;
using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Quantum.Tests;

/// <summary>Matrix-free Lanczos against dense diagonalisation and the free-fermion TFIM formula.</summary>
[Collection(HamiltonianTestCollection.Name)]
public class LanczosTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(1.7)]
    public void PeriodicTfimGroundEnergyMatchesFormulaUpToTenQubits(double h)
    {
        for (int n = 4; n <= 10; n++)
        {
            var ham = SpinChains.TransverseFieldIsing(n, 1.0, h, periodic: true);
            var r = Lanczos.GroundState(ham);
            double exact = SpinChains.TransverseFieldIsingPeriodicGroundEnergy(n, 1.0, h);
            output.WriteLine($"n={n} h={h}: Lanczos {r.Energy:R} formula {exact:R} residual {r.Residual:E2} matvecs {r.MatVecs}");
            Assert.True(r.Converged);
            Assert.Equal(exact, r.Energy, 10);
            Assert.True(ham.Variance(r.State) < 1e-10);   // ≈ residual², but computed as ‖Hψ‖² − E², so round-off ~1e-14·E²
        }
    }

    [Fact]
    public void FourteenQubitChainAboveTheParallelThreshold()
    {
        var r = Lanczos.GroundState(SpinChains.TransverseFieldIsing(14, 1.0, 0.9, periodic: true));
        output.WriteLine($"n=14: {r.Energy:R}, residual {r.Residual:E2}, matvecs {r.MatVecs}");
        Assert.True(r.Converged);
        Assert.Equal(SpinChains.TransverseFieldIsingPeriodicGroundEnergy(14, 1.0, 0.9), r.Energy, 9);
    }

    [Fact]
    public void GroundStateMatchesDenseEigenvectorForOpenChainAndRandomOperator()
    {
        var ham = SpinChains.TransverseFieldIsing(7, 1.0, 0.8);
        var dense = HermitianEigensolver.Solve(ham.ToMatrix());
        var r = Lanczos.GroundState(ham);
        Assert.Equal(dense.Values[0], r.Energy, 11);
        double overlap = PauliDense.Dot(dense.Vector(0), r.State.ToArray()).Magnitude;
        Assert.Equal(1.0, overlap, 9);

        // A random complex-Hermitian operator (Y terms give complex matrix elements).
        var rng = new Random(8);
        var random = new PauliSum(PauliDense.RandomTerms(6, 25, rng));
        var rd = HermitianEigensolver.Eigenvalues(random.ToMatrix());
        var rr = Lanczos.GroundState(random);
        Assert.Equal(rd[0], rr.Energy, 10);
    }

    [Fact]
    public void SmallBasisRestartsStillConverge()
    {
        var ham = SpinChains.TransverseFieldIsing(8, 1.0, 1.0, periodic: true);
        var r = Lanczos.GroundState(ham, new LanczosOptions { MaxBasisSize = 8 });
        output.WriteLine($"restarts {r.Restarts}, matvecs {r.MatVecs}");
        Assert.True(r.Restarts > 0);
        Assert.True(r.Converged);
        Assert.Equal(SpinChains.TransverseFieldIsingPeriodicGroundEnergy(8, 1, 1), r.Energy, 10);
    }

    [Fact]
    public void LowestEigenstatesMatchDenseSpectrumIncludingDegeneracy()
    {
        // Heisenberg ring of 6: ground singlet, then a triply degenerate triplet.
        var ham = SpinChains.Heisenberg(6, 1, 1, 1, periodic: true);
        var dense = HermitianEigensolver.Eigenvalues(ham.ToMatrix());
        var states = Lanczos.LowestEigenstates(ham, 4);
        for (int k = 0; k < 4; k++)
        {
            output.WriteLine($"{k}: {states[k].Energy:R} vs {dense[k]:R}");
            Assert.Equal(dense[k], states[k].Energy, 9);
        }
        for (int a = 0; a < 4; a++)
            for (int b = a + 1; b < 4; b++)
                Assert.True(states[a].State.InnerProduct(states[b].State).Magnitude < 1e-8);
    }

    [Fact]
    public void NonHermitianOperatorIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Lanczos.GroundState(PauliSum.Parse("ZZ + 1j*XX")));
        Assert.Contains("Hermitian", e.Message);
    }
}
