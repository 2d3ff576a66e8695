using System.Numerics;
using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Quantum.Tests;

/// <summary>
/// The Hamiltonian, evolution and VQE test classes allocate many states and dense matrices; they run together, alone,
/// after the parallel collections, so that tests measuring managed-heap growth (StateVectorTests) do not see their allocations.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HamiltonianTestCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "hamiltonians";
}

/// <summary>The dense Hermitian eigensolver, spin-chain models against exact formulas, and the published H₂ Hamiltonians.</summary>
[Collection(HamiltonianTestCollection.Name)]
public class HamiltonianTests(ITestOutputHelper output)
{
    private static Complex[,] RandomHermitian(int d, Random rng, bool real = false)
    {
        var m = new Complex[d, d];
        for (int i = 0; i < d; i++)
        {
            m[i, i] = rng.NextDouble() * 2 - 1;
            for (int j = 0; j < i; j++)
            {
                m[i, j] = new Complex(rng.NextDouble() * 2 - 1, real ? 0 : rng.NextDouble() * 2 - 1);
                m[j, i] = Complex.Conjugate(m[i, j]);
            }
        }
        return m;
    }

    /// <summary>max |A·V − V·Λ| and max |V†V − I|.</summary>
    private static (double Residual, double Orthogonality) Check(Complex[,] a, EigenDecomposition eig)
    {
        int d = a.GetLength(0);
        var v = eig.Vectors!;
        var av = Dense.Mul(a, v);
        double res = 0, orth = 0;
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) res = Math.Max(res, (av[i, j] - v[i, j] * eig.Values[j]).Magnitude);
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                Complex s = 0;
                for (int k = 0; k < d; k++) s += Complex.Conjugate(v[k, i]) * v[k, j];
                orth = Math.Max(orth, (s - (i == j ? 1 : 0)).Magnitude);
            }
        return (res, orth);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(7, false)]
    [InlineData(16, true)]
    [InlineData(33, false)]
    [InlineData(64, false)]
    public void DenseEigensolverDiagonalisesRandomHermitianMatrices(int d, bool real)
    {
        var rng = new Random(100 + d);
        var a = RandomHermitian(d, rng, real);
        var eig = HermitianEigensolver.Solve(a);
        var (res, orth) = Check(a, eig);
        Assert.True(res < 1e-12 * d, $"residual {res}");
        Assert.True(orth < 1e-12 * d, $"orthogonality {orth}");
        for (int j = 1; j < d; j++) Assert.True(eig.Values[j - 1] <= eig.Values[j]);
        double trace = 0;
        for (int i = 0; i < d; i++) trace += a[i, i].Real;
        Assert.Equal(trace, eig.Values.Sum(), 10);
        Assert.Equal(eig.Values, HermitianEigensolver.Eigenvalues(a));
    }

    [Fact]
    public void HighlyDegenerateHamiltoniansKeepOrthonormalEigenvectors()
    {
        // The Heisenberg ring has large SU(2) multiplets; the XY model with Y terms has complex matrix elements.
        foreach (var h in new[] { SpinChains.Heisenberg(6, 1, 1, 1, periodic: true), PauliSum.Parse("XYI + YXI + IXY + IYX + 0.5*ZZZ"),
                                  SpinChains.TransverseFieldIsing(6, 1, 0, periodic: true) })
        {
            var m = h.ToMatrix();
            var (res, orth) = Check(m, HermitianEigensolver.Solve(m));
            output.WriteLine($"{h.NumQubits} qubits, {h.Count} terms: residual {res:E2}, orthogonality {orth:E2}");
            Assert.True(res < 1e-12 && orth < 1e-12);
        }
    }

    [Fact]
    public void TwoByTwoEigenvaluesMatchClosedForm()
    {
        // [[a, b], [b̄, c]]: (a + c)/2 ∓ √(((a − c)/2)² + |b|²).
        var m = new Complex[,] { { 0.3, new Complex(0.4, -1.2) }, { new Complex(0.4, 1.2), -0.9 } };
        double mid = (0.3 - 0.9) / 2, rad = Math.Sqrt(0.6 * 0.6 + 0.16 + 1.44);
        var vals = HermitianEigensolver.Eigenvalues(m);
        Assert.Equal(mid - rad, vals[0], 14);
        Assert.Equal(mid + rad, vals[1], 14);
    }

    [Fact]
    public void DegenerateAndAlreadyDiagonalMatrices()
    {
        // Z⊗Z + X⊗X + Y⊗Y has eigenvalues {−3, 1, 1, 1}; a diagonal matrix is returned sorted; the identity keeps an orthonormal basis.
        var h = PauliSum.Parse("XX + YY + ZZ").ToMatrix();
        var eig = HermitianEigensolver.Solve(h);
        Assert.Equal(new[] { -3.0, 1, 1, 1 }, eig.Values.Select(x => Math.Round(x, 12)).ToArray());
        var (res, orth) = Check(h, eig);
        Assert.True(res < 1e-13 && orth < 1e-13);
        var diag = new Complex[,] { { 3, 0, 0 }, { 0, -1, 0 }, { 0, 0, 2 } };
        Assert.Equal(new[] { -1.0, 2, 3 }, HermitianEigensolver.Eigenvalues(diag));
        var eye = HermitianEigensolver.Solve(Dense.Eye(8));
        Assert.True(Check(Dense.Eye(8), eye).Orthogonality < 1e-15);
    }

    [Fact]
    public void NonHermitianMatrixIsRejectedNamingTheEntry()
    {
        var m = new Complex[,] { { 1, 2 }, { 2.5, 1 } };
        var e = Assert.Throws<ArgumentException>(() => HermitianEigensolver.Solve(m));
        output.WriteLine(e.Message);
        Assert.Contains("A[0,1]", e.Message);
        Assert.Contains("0.5", e.Message);
        Assert.Throws<ArgumentException>(() => HermitianEigensolver.Solve(new Complex[2, 3]));
    }

    [Fact]
    public void TfimMatrixMatchesDefinitionByKroneckerProducts()
    {
        var h = SpinChains.TransverseFieldIsing(4, 0.7, 1.3, periodic: true);
        var reference = PauliDense.Sum(
            (-0.7, "IIZZ"), (-0.7, "IZZI"), (-0.7, "ZZII"), (-0.7, "ZIIZ"),
            (-1.3, "IIIX"), (-1.3, "IIXI"), (-1.3, "IXII"), (-1.3, "XIII"));
        Assert.True(Dense.MaxDiff(h.ToMatrix(), reference) < 1e-15);
        Assert.Equal(7, SpinChains.TransverseFieldIsing(4, 1, 1).Count);   // open: 3 bonds + 4 fields
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(1.0)]
    [InlineData(2.5)]
    public void PeriodicTfimGroundEnergyMatchesFreeFermionFormulaByDenseDiagonalisation(double h)
    {
        for (int n = 4; n <= 8; n++)
        {
            double exact = SpinChains.TransverseFieldIsingPeriodicGroundEnergy(n, 1.0, h);
            double dense = HermitianEigensolver.Eigenvalues(SpinChains.TransverseFieldIsing(n, 1.0, h, periodic: true).ToMatrix())[0];
            output.WriteLine($"n={n} h={h}: formula {exact:R}, dense {dense:R}");
            Assert.Equal(exact, dense, 10);
        }
    }

    [Fact]
    public void FreeFermionFormulaLimits()
    {
        // h = 0: classical ferromagnet, E₀ = −nJ; J = 0: free spins, E₀ = −nh.
        Assert.Equal(-6.0, SpinChains.TransverseFieldIsingPeriodicGroundEnergy(6, 1, 0), 13);
        Assert.Equal(-6.0 * 0.4, SpinChains.TransverseFieldIsingPeriodicGroundEnergy(6, 0, 0.4), 13);
        // Thermodynamic limit at h = J: E₀/n → −4J/π.
        Assert.Equal(-4 / Math.PI, SpinChains.TransverseFieldIsingPeriodicGroundEnergy(2000, 1, 1) / 2000, 6);
    }

    [Fact]
    public void HeisenbergTwoSiteSingletAndTriplet()
    {
        // J(XX + YY + ZZ) = 4J·S₁·S₂: singlet −3J, triplet +J; the singlet is (|01⟩ − |10⟩)/√2.
        const double j = 0.8;
        var h = SpinChains.Heisenberg(2, j, j, j);
        var eig = HermitianEigensolver.Solve(h.ToMatrix());
        Assert.Equal(-3 * j, eig.Values[0], 13);
        for (int k = 1; k < 4; k++) Assert.Equal(j, eig.Values[k], 13);
        var singlet = eig.Vector(0);
        Assert.Equal(0.5, singlet[1].Magnitude * singlet[1].Magnitude, 13);
        Assert.Equal(-1.0, (singlet[1] / singlet[2]).Real, 13);
        // XXZ with a field: H = J(XX + YY) + ΔJ·ZZ − h(Z₀ + Z₁); |00⟩ has ΔJ − 2h, |11⟩ ΔJ + 2h, the (|01⟩ ± |10⟩) pair −ΔJ ± 2J.
        var xxz = SpinChains.Xxz(2, 1.0, 0.5, field: 0.3);
        var vals = HermitianEigensolver.Eigenvalues(xxz.ToMatrix());
        var expected = new[] { 0.5 - 0.6, 0.5 + 0.6, -0.5 + 2, -0.5 - 2 }.Order().ToArray();
        for (int k = 0; k < 4; k++) Assert.Equal(expected[k], vals[k], 13);
    }

    [Fact]
    public void HeisenbergFourSiteRing()
    {
        // Antiferromagnetic 4-site ring: E₀ = −2J in S·S units, i.e. −8J with Pauli operators (σ·σ = 4 S·S).
        var h = SpinChains.Heisenberg(4, 1, 1, 1, periodic: true);
        Assert.Equal(-8.0, HermitianEigensolver.Eigenvalues(h.ToMatrix())[0], 12);
        Assert.Equal(-8.0, Lanczos.GroundState(h).Energy, 10);
    }

    [Fact]
    public void H2ParityGroundEnergyMatchesPublishedValue()
    {
        var h = Molecules.H2Parity();
        Assert.Equal(2, h.NumQubits);
        Assert.True(h.IsHermitian());
        double e0 = HermitianEigensolver.Eigenvalues(h.ToMatrix())[0];
        output.WriteLine($"H2 (parity, 2 qubits): E0 = {e0:R}, total {e0 + Molecules.H2NuclearRepulsion:R}");
        Assert.Equal(Molecules.H2ElectronicGroundEnergy, e0, 11);
        Assert.Equal(-1.137306035753, e0 + Molecules.H2NuclearRepulsion, 11);
    }

    [Fact]
    public void H2JordanWignerGroundEnergyMatchesTheReducedHamiltonian()
    {
        var h = Molecules.H2JordanWigner();
        Assert.Equal(4, h.NumQubits);
        Assert.Equal(15, h.Count);
        var eig = HermitianEigensolver.Solve(h.ToMatrix());
        output.WriteLine($"H2 (JW, 4 qubits): E0 = {eig.Values[0]:R}");
        Assert.Equal(Molecules.H2ElectronicGroundEnergy, eig.Values[0], 11);
        // The ground state has two electrons (number operator Σ(1 − Zᵢ)/2 = 2) and the Hartree–Fock state |0101⟩ lies above it.
        var ground = StateVector.FromAmplitudes(eig.Vector(0));
        var number = PauliSum.Parse("2 - 0.5*Z0 - 0.5*Z1 - 0.5*Z2 - 0.5*Z3");
        Assert.Equal(2.0, number.Expectation(ground), 10);
        double hf = h.Expectation(StateVector.Basis(4, 0b0101));
        output.WriteLine($"Hartree–Fock electronic energy {hf:R}");
        Assert.True(hf > eig.Values[0] + 0.01 && hf < eig.Values[0] + 0.03);
    }
}
