using System.Numerics;
using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Quantum.Tests;

/// <summary>Reduced density matrices, entropies, fidelities and trace distance against known values and dense loops.</summary>
public class QuantumInfoTests(ITestOutputHelper output)
{
    private const double Tol = 1e-12;

    private static StateVector Bell() => Simulator.Statevector(new Circuit(2).H(0).CX(0, 1));

    private static StateVector Ghz(int n)
    {
        var c = new Circuit(n).H(0);
        for (int q = 1; q < n; q++) c.CX(0, q);
        return Simulator.Statevector(c);
    }

    [Fact]
    public void BellAndGhzEntropiesAreOneBit()
    {
        Assert.Equal(1.0, QuantumInfo.EntanglementEntropy(Bell(), [0]), 12);
        Assert.Equal(Math.Log(2), QuantumInfo.EntanglementEntropy(Bell(), [1], Math.E), 12);   // ln 2 nats
        Assert.Equal(1.0, QuantumInfo.RenyiEntropy2(Bell(), [0]), 12);
        var ghz = Ghz(5);
        foreach (var cut in new[] { new[] { 0 }, [3], [1, 4], [0, 2, 3], [1, 2, 3, 4] })
        {
            Assert.Equal(1.0, QuantumInfo.EntanglementEntropy(ghz, cut), 12);
            Assert.Equal(1.0, QuantumInfo.RenyiEntropy2(ghz, cut), 12);
        }
        var schmidt = QuantumInfo.SchmidtCoefficients(ghz, [1, 2]);
        Assert.Equal(Math.Sqrt(0.5), schmidt[0], 12);
        Assert.Equal(Math.Sqrt(0.5), schmidt[1], 12);
        Assert.Equal(0.0, schmidt[2], 7);
    }

    [Fact]
    public void ProductStatesHaveZeroEntropy()
    {
        var s = Simulator.Statevector(new Circuit(4).H(0).RY(0.3, 1).RX(1.2, 2).U(0.4, 0.5, 0.6, 3));
        Assert.Equal(0.0, QuantumInfo.EntanglementEntropy(s, [0, 2]), 10);
        Assert.Equal(0.0, QuantumInfo.RenyiEntropy2(s, [3]), 10);
        // A 2-qubit maximally entangled pair (0, 2) next to a product part: cut {0} gives 1 bit, cut {0, 2} gives 0.
        var t = Simulator.Statevector(new Circuit(4).H(0).CX(0, 2).H(1).RY(0.2, 3));
        Assert.Equal(1.0, QuantumInfo.EntanglementEntropy(t, [0]), 12);
        Assert.Equal(0.0, QuantumInfo.EntanglementEntropy(t, [0, 2]), 10);
        Assert.Equal(2.0, QuantumInfo.VonNeumannEntropy(DensityMatrix.MaximallyMixed(2)), 12);
    }

    [Fact]
    public void ReducedDensityMatrixMatchesLoopsIncludingTheParallelPath()
    {
        foreach (var (n, keep, seed) in new[] { (6, new[] { 4, 1, 2 }, 101), (14, new[] { 13, 0 }, 103), (5, new[] { 0, 1, 2, 3, 4 }, 107), (6, new[] { 3 }, 109), (17, new[] { 5 }, 113) })
        {
            var v = Dense.RandomState(n, new Random(seed));
            var s = StateVector.FromAmplitudes(v);
            var got = QuantumInfo.ReducedDensityMatrix(s, keep);
            // Reference: ρ_A[a, a'] = Σ over indices i, j that agree off A, by plain loops over i.
            int dk = 1 << keep.Length;
            long mask = keep.Aggregate(0L, (m, q) => m | 1L << q);
            var expected = new Complex[dk, dk];
            for (long i = 0; i < v.Length; i++)
            {
                int a = 0;
                for (int j = 0; j < keep.Length; j++) a |= (int)(i >> keep[j] & 1) << j;
                for (int a2 = 0; a2 < dk; a2++)
                {
                    long other = i & ~mask;
                    for (int j = 0; j < keep.Length; j++) if ((a2 >> j & 1) != 0) other |= 1L << keep[j];
                    expected[a, a2] += v[i] * Complex.Conjugate(v[other]);
                }
            }
            Assert.True(Dense.MaxDiff(expected, got) < Tol, $"n = {n}");
        }
        Assert.Throws<ArgumentException>(() => QuantumInfo.ReducedDensityMatrix(Bell(), 0, 0));
        Assert.Throws<ArgumentException>(() => QuantumInfo.ReducedDensityMatrix(Bell(), 2));
    }

    [Fact]
    public void RandomStateEntropiesMatchSpectraOfEitherSide()
    {
        const int seed = 109, n = 7;
        output.WriteLine($"seed {seed}");
        var v = Dense.RandomState(n, new Random(seed));
        var s = StateVector.FromAmplitudes(v);
        // One-qubit cut: the 2×2 reduced matrix has eigenvalues (1 ± √(1 − 4 det ρ))/2.
        var r1 = NoiseDense.PartialTraceKeep(NoiseDense.Outer(v), [3], n);
        double det = (r1[0, 0] * r1[1, 1] - r1[0, 1] * r1[1, 0]).Real;
        double l1 = (1 + Math.Sqrt(1 - 4 * det)) / 2, l2 = 1 - l1;
        Assert.Equal(-(l1 * Math.Log2(l1) + l2 * Math.Log2(l2)), QuantumInfo.EntanglementEntropy(s, [3]), 10);
        // Larger cut: both sides share a spectrum; Rényi-2 from the loop purity.
        int[] a = [0, 2, 5], b = [1, 3, 4, 6];
        double sa = QuantumInfo.VonNeumannEntropy(QuantumInfo.ReducedDensityMatrix(s, a));
        double sb = QuantumInfo.VonNeumannEntropy(QuantumInfo.ReducedDensityMatrix(s, b));
        Assert.Equal(sa, sb, 10);
        Assert.Equal(sa, QuantumInfo.EntanglementEntropy(s, b), 10);
        var ra = NoiseDense.PartialTraceKeep(NoiseDense.Outer(v), a, n);
        Assert.Equal(-Math.Log2(NoiseDense.Trace(Dense.Mul(ra, ra)).Real), QuantumInfo.RenyiEntropy2(s, a), 10);
        var schmidt = QuantumInfo.SchmidtCoefficients(s, a);
        Assert.Equal(8, schmidt.Length);
        Assert.Equal(1.0, schmidt.Sum(x => x * x), 12);
    }

    [Fact]
    public void HermitianEigenReconstructsTheMatrix()
    {
        var rng = new Random(113);
        foreach (int d in new[] { 1, 2, 5, 16 })
        {
            var h = new Complex[d, d];
            for (int i = 0; i < d; i++)
            {
                h[i, i] = rng.NextDouble() - 0.5;
                for (int j = 0; j < i; j++) { h[i, j] = new(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5); h[j, i] = Complex.Conjugate(h[i, j]); }
            }
            CheckDecomposition(h);
        }
        // Degenerate spectrum: a projector of rank 3 in dimension 8 rotated by a random unitary.
        var u = NoiseDense.RandomUnitary(3, rng);
        var p = new Complex[8, 8];
        for (int i = 0; i < 3; i++) p[i, i] = 1;
        var rotated = Dense.Mul(Dense.Mul(u, p), NoiseDense.Dagger(u));
        var values = CheckDecomposition(rotated);
        for (int i = 0; i < 8; i++) Assert.Equal(i < 5 ? 0.0 : 1.0, values[i], 12);
        Assert.Contains("not Hermitian", Assert.Throws<ArgumentException>(() => HermitianEigen.Decompose(new Complex[,] { { 0, 1 }, { 0, 0 } })).Message);
    }

    private static double[] CheckDecomposition(Complex[,] h)
    {
        int d = h.GetLength(0);
        var (values, v) = HermitianEigen.Decompose(h);
        for (int i = 1; i < d; i++) Assert.True(values[i - 1] <= values[i]);
        var lam = new Complex[d, d];
        for (int i = 0; i < d; i++) lam[i, i] = values[i];
        Assert.True(Dense.MaxDiff(h, Dense.Mul(Dense.Mul(v, lam), NoiseDense.Dagger(v))) < 1e-12, $"d = {d}: V Λ V† ≠ A");
        Assert.True(Dense.MaxDiff(Dense.Eye(d), Dense.Mul(NoiseDense.Dagger(v), v)) < 1e-12, $"d = {d}: V not unitary");
        return values;
    }

    [Fact]
    public void FidelityMatchesClosedForms()
    {
        var rng = new Random(127);
        var a = StateVector.FromAmplitudes(Dense.RandomState(3, rng));
        var b = StateVector.FromAmplitudes(Dense.RandomState(3, rng));
        double pure = Math.Pow(a.InnerProduct(b).Magnitude, 2);
        Assert.Equal(pure, QuantumInfo.Fidelity(a, b), 14);
        // Uhlmann on two pure density matrices reduces to |⟨a|b⟩|².
        Assert.Equal(pure, QuantumInfo.Fidelity(NoiseDense.Outer(a.ToArray()), NoiseDense.Outer(b.ToArray())), 9);
        // Pure vs mixed: ⟨ψ|ρ|ψ⟩.
        var rho = NoiseDense.RandomDensity(3, rng);
        var psiRhoPsi = Dense.MulVec(rho, a.ToArray()).Zip(a.ToArray(), (x, y) => Complex.Conjugate(y) * x).Aggregate(Complex.Zero, (s, x) => s + x).Real;
        Assert.Equal(psiRhoPsi, QuantumInfo.Fidelity(a, DensityMatrix.FromMatrix(rho)), 12);
        Assert.Equal(psiRhoPsi, QuantumInfo.Fidelity(NoiseDense.Outer(a.ToArray()), rho), 9);
        // Qubits: F = Tr(ρσ) + 2√(det ρ · det σ).
        for (int t = 0; t < 5; t++)
        {
            var r = NoiseDense.RandomDensity(1, rng);
            var s = NoiseDense.RandomDensity(1, rng);
            double det(Complex[,] m) => (m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]).Real;
            double expected = NoiseDense.Trace(Dense.Mul(r, s)).Real + 2 * Math.Sqrt(det(r) * det(s));
            Assert.Equal(expected, QuantumInfo.Fidelity(r, s), 12);
            Assert.Equal(expected, QuantumInfo.Fidelity(s, r), 12);
        }
        // Commuting (diagonal) states: the classical fidelity (Σ √(pᵢqᵢ))².
        var pd = new Complex[,] { { 0.5, 0, 0 }, { 0, 0.3, 0 }, { 0, 0, 0.2 } };
        var qd = new Complex[,] { { 0.1, 0, 0 }, { 0, 0.6, 0 }, { 0, 0, 0.3 } };
        Assert.Equal(Math.Pow(Math.Sqrt(0.05) + Math.Sqrt(0.18) + Math.Sqrt(0.06), 2), QuantumInfo.Fidelity(pd, qd), 12);
        var big = DensityMatrix.FromMatrix(NoiseDense.RandomDensity(3, rng));
        Assert.Equal(1.0, QuantumInfo.Fidelity(big, big.Clone()), 10);
    }

    [Fact]
    public void TraceDistanceMatchesBlochAndPureForms()
    {
        var rng = new Random(131);
        for (int t = 0; t < 5; t++)
        {
            var r = NoiseDense.RandomDensity(1, rng);
            var s = NoiseDense.RandomDensity(1, rng);
            // Qubits: ½|r⃗ − s⃗| with Bloch vectors (2 Re ρ01, −2 Im ρ01, ρ00 − ρ11).
            double dx = 2 * (r[0, 1] - s[0, 1]).Real, dy = -2 * (r[0, 1] - s[0, 1]).Imaginary, dz = (r[0, 0] - r[1, 1] - s[0, 0] + s[1, 1]).Real;
            Assert.Equal(0.5 * Math.Sqrt(dx * dx + dy * dy + dz * dz), QuantumInfo.TraceDistance(r, s), 12);
        }
        var a = StateVector.FromAmplitudes(Dense.RandomState(2, rng));
        var b = StateVector.FromAmplitudes(Dense.RandomState(2, rng));
        double expected = Math.Sqrt(1 - QuantumInfo.Fidelity(a, b));
        Assert.Equal(expected, QuantumInfo.TraceDistance(a, b), 14);
        Assert.Equal(expected, QuantumInfo.TraceDistance(DensityMatrix.FromStateVector(a), DensityMatrix.FromStateVector(b)), 10);
        Assert.Equal(0.0, QuantumInfo.TraceDistance(NoiseDense.Outer(a.ToArray()), NoiseDense.Outer(a.ToArray())), 12);
    }

    [Fact]
    public void PurityAndEntropyOfNoisyStates()
    {
        var dm = DensityMatrix.FromStateVector(Bell());
        Assert.Equal(0.0, QuantumInfo.VonNeumannEntropy(dm), 10);
        dm.ApplyChannel(QuantumChannel.Depolarizing(1, 2), 0, 1);        // maximally mixed on two qubits
        Assert.Equal(0.25, dm.Purity(), 14);
        Assert.Equal(2.0, QuantumInfo.VonNeumannEntropy(dm), 12);
        Assert.Equal(2.0, QuantumInfo.RenyiEntropy2(dm.ToArray()), 12);
        Assert.Equal(2 * Math.Log(2), QuantumInfo.VonNeumannEntropy(dm, Math.E), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantumInfo.VonNeumannEntropy(dm, 1));
    }
}
