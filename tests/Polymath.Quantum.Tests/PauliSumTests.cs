using System.Numerics;
using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Quantum.Tests;

/// <summary>PauliString/PauliSum: parsing, algebra and matrix-free application against Kronecker-product references.</summary>
[Collection(HamiltonianTestCollection.Name)]
public class PauliSumTests(ITestOutputHelper output)
{
    private const double Tol = 1e-12;

    [Fact]
    public void ParsedDenseTextMatchesKroneckerMatrix()
    {
        var h = PauliSum.Parse("-1.0*ZZI + 0.5*XII - 0.5 * IIX");
        Assert.Equal(3, h.NumQubits);
        Assert.Equal(3, h.Count);
        var reference = PauliDense.Sum((-1.0, "ZZI"), (0.5, "XII"), (-0.5, "IIX"));
        Assert.True(Dense.MaxDiff(h.ToMatrix(), reference) < Tol);
        Assert.Equal(-0.5, h.Terms[2].Coefficient.Real);
        Assert.Equal("IIX", h.Terms[2].Pauli.ToString());
        Assert.Equal('X', h.Terms[2].Pauli[0]);          // qubit 0 is the rightmost letter
    }

    [Fact]
    public void SparseFormsMatchDenseForm()
    {
        var dense = PauliSum.Parse("0.5*ZIZ + IXI - 2*YII + 0.25");
        var sparse = PauliSum.Parse("0.5*Z0 Z2 + X1 - 2*Y2 + 0.25");
        var sparseStar = PauliSum.Parse("0.5 * Z0*Z2 + 1*X1 - 2 Y2 + 0.25", numQubits: 3);
        var built = PauliSum.Term(0.5, ('Z', 0), ('Z', 2)) + PauliSum.Term(1, ('X', 1)) + PauliSum.Term(-2, ('Y', 2)) + PauliSum.Identity(3, 0.25);
        foreach (var h in new[] { sparse, sparseStar, built })
        {
            Assert.Equal(3, h.NumQubits);
            Assert.True(Dense.MaxDiff(h.ToMatrix(), dense.ToMatrix()) < Tol);
        }
        // A sparse term on fewer qubits than given is widened with identities.
        Assert.Equal(5, PauliSum.Parse("Z0 Z1", numQubits: 5).NumQubits);
    }

    [Fact]
    public void ComplexCoefficientsParseAndRoundTrip()
    {
        var h = PauliSum.Parse("(1-2j)*XY + 0.5j*ZZ - 1e-3*IX + 2.5E+1*YI");
        Assert.Equal(new Complex(1, -2), h.Terms[0].Coefficient);
        Assert.Equal(new Complex(0, 0.5), h.Terms[1].Coefficient);
        Assert.Equal(new Complex(-1e-3, 0), h.Terms[2].Coefficient);
        Assert.Equal(new Complex(25, 0), h.Terms[3].Coefficient);
        string text = h.ToString();
        output.WriteLine(text);
        var back = PauliSum.Parse(text);
        Assert.Equal(h.Terms, back.Terms);
        var rng = new Random(3);
        var random = new PauliSum(PauliDense.RandomTerms(4, 6, rng, complex: true));
        Assert.Equal(random.Terms, PauliSum.Parse(random.ToString()).Terms);
    }

    [Theory]
    [InlineData("1.0*ZQI", 1, 5, "'Q'")]
    [InlineData("ZZ + 0.5*XXX", 2, 9, "3 letters")]
    [InlineData("ZZ + 0.5 * ", 2, 11, "expected a Pauli string after '*'")]
    [InlineData("ZZ + ", 2, 5, "expected a coefficient or a Pauli string")]
    [InlineData("(1+2j", 1, 0, "unclosed")]
    [InlineData("(1+2j*ZZ", 1, 5, "expected '+', '-' or ')'")]
    [InlineData("ZZ 0.5*XX", 1, 3, "unexpected '0' after the term")]
    [InlineData("0.5*Z0 Z0", 1, 7, "appears twice")]
    [InlineData("X1 + 2*Z", 1, 0, "qubit 1 outside [0, 1)")]
    [InlineData("X1 + 2*Z_1", 2, 8, "unexpected '_'")]
    [InlineData("0.5*ab", 1, 4, "'a'")]
    public void ParseErrorsNameTermAndPosition(string text, int term, int position, string problem)
    {
        var e = Assert.Throws<FormatException>(() => PauliSum.Parse(text));
        output.WriteLine(e.Message);
        Assert.Contains($"term {term} ", e.Message);
        Assert.Contains($"position {position}:", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void PauliProductsCarryTheRightPhase()
    {
        const string letters = "IXYZ";
        foreach (char a in letters)
            foreach (char b in letters)
            {
                var (p, k) = PauliString.Parse(a.ToString()).Multiply(PauliString.Parse(b.ToString()));
                var lhs = Dense.Mul(PauliDense.Letter(a), PauliDense.Letter(b));
                var rhs = PauliDense.Sum((PhaseOf(k), p.ToString()));
                Assert.True(Dense.MaxDiff(lhs, rhs) < Tol, $"{a}·{b}");
                bool commute = Dense.MaxDiff(lhs, Dense.Mul(PauliDense.Letter(b), PauliDense.Letter(a))) < Tol;
                Assert.Equal(commute, PauliString.Parse(a.ToString()).CommutesWith(PauliString.Parse(b.ToString())));
            }
        var rng = new Random(11);
        for (int trial = 0; trial < 20; trial++)
        {
            var ta = PauliDense.RandomTerms(4, 1, rng)[0].P;
            var tb = PauliDense.RandomTerms(4, 1, rng)[0].P;
            var (p, k) = PauliString.Parse(ta).Multiply(PauliString.Parse(tb));
            Assert.True(Dense.MaxDiff(Dense.Mul(PauliDense.String(ta), PauliDense.String(tb)), PauliDense.Sum((PhaseOf(k), p.ToString()))) < Tol);
        }
    }

    private static Complex PhaseOf(int k) => Complex.Pow(Complex.ImaginaryOne, k);

    [Fact]
    public void SumProductAndCommutatorMatchMatrixProducts()
    {
        var rng = new Random(5);
        var ta = PauliDense.RandomTerms(3, 5, rng, complex: true);
        var tb = PauliDense.RandomTerms(3, 4, rng, complex: true);
        var a = new PauliSum(ta);
        var b = new PauliSum(tb);
        var ma = PauliDense.Sum(ta);
        var mb = PauliDense.Sum(tb);
        Assert.True(Dense.MaxDiff((a * b).ToMatrix(), Dense.Mul(ma, mb)) < Tol);
        Assert.True(Dense.MaxDiff((a + b).ToMatrix(), PauliDense.Add(ma, mb, 1)) < Tol);
        Assert.True(Dense.MaxDiff((a - 2.0 * b).ToMatrix(), PauliDense.Add(ma, mb, -2)) < Tol);
        Assert.True(Dense.MaxDiff((new Complex(0, 3) * a).ToMatrix(), PauliDense.Add(new Complex[8, 8], ma, new Complex(0, 3))) < Tol);
        var comm = PauliDense.Add(Dense.Mul(ma, mb), Dense.Mul(mb, ma), -1);
        Assert.True(Dense.MaxDiff(PauliSum.Commutator(a, b).ToMatrix(), comm) < Tol);
        Assert.True(Dense.MaxDiff(a.Adjoint().ToMatrix(), Dagger(ma)) < Tol);
        // Squares of Pauli strings are the identity: (X+Z)² = 2·I exactly, cross terms cancel.
        var s = PauliSum.Parse("X + Z");
        var sq = s * s;
        Assert.Single(sq.Terms);
        Assert.True(sq.Terms[0].Pauli.IsIdentity);
        Assert.Equal(2.0, sq.Terms[0].Coefficient.Real, 14);
    }

    private static Complex[,] Dagger(Complex[,] m)
    {
        int d = m.GetLength(0);
        var r = new Complex[d, d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) r[i, j] = Complex.Conjugate(m[j, i]);
        return r;
    }

    [Fact]
    public void SimplifyCombinesEqualStringsAndDropsZeros()
    {
        var h = PauliSum.Parse("ZZ + 0.5*XX - ZZ + 0.25*XX + 1e-15*YY + 2*II - 0.5*II");
        var s = h.Simplify();
        Assert.Equal(2, s.Count);
        Assert.Equal("XX", s.Terms[0].Pauli.ToString());
        Assert.Equal(0.75, s.Terms[0].Coefficient.Real, 15);
        Assert.Equal(1.5, s.IdentityCoefficient.Real, 15);
        Assert.True(Dense.MaxDiff(h.ToMatrix(), s.ToMatrix()) < 1e-14);
        Assert.Empty((h - h).Simplify().Terms);
    }

    [Fact]
    public void HermiticityCheck()
    {
        Assert.True(PauliSum.Parse("ZZ + 0.5*XY").IsHermitian());
        Assert.False(PauliSum.Parse("(1+1j)*XY").IsHermitian());
        // X·Y = iZ is anti-Hermitian; XY + YX = 0 after simplification, and i[X, Y] = −2Z is Hermitian.
        var x = PauliSum.Parse("X"); var y = PauliSum.Parse("Y");
        Assert.False((x * y).IsHermitian());
        Assert.Empty((x * y + y * x).Simplify().Terms);
        Assert.True((Complex.ImaginaryOne * PauliSum.Commutator(x, y)).IsHermitian());
        // A complex coefficient that cancels between equal strings is still Hermitian.
        Assert.True(PauliSum.Parse("0.5j*ZX - 0.5j*ZX + XX").IsHermitian());
        var e = Assert.Throws<InvalidOperationException>(() => PauliSum.Parse("(1+1j)*XY").Expectation(new StateVector(2)));
        Assert.Contains("Hermitian", e.Message);
    }

    [Fact]
    public void ApplyExpectationAndVarianceMatchDense()
    {
        var rng = new Random(17);
        var terms = PauliDense.RandomTerms(5, 12, rng, complex: true);
        var h = new PauliSum(terms);
        var m = PauliDense.Sum(terms);
        var psi = Dense.RandomState(5, rng);
        var state = StateVector.FromAmplitudes(psi);
        Assert.True(Dense.MaxDiff(h.Apply(state).ToArray(), Dense.MulVec(m, psi)) < Tol);
        var outArr = new Complex[32];
        h.Apply(psi, outArr);
        Assert.True(Dense.MaxDiff(outArr, Dense.MulVec(m, psi)) < Tol);
        Assert.True((h.ExpectationComplex(state) - PauliDense.Dot(psi, Dense.MulVec(m, psi))).Magnitude < Tol);

        // Hermitian part: expectation equals the sum of ExpectationPauli, variance equals ⟨H²⟩ − ⟨H⟩² from dense matrices.
        var herm = new PauliSum(terms.Select(t => ((Complex)t.C.Real, t.P)));
        var mh = PauliDense.Sum(terms.Select(t => ((Complex)t.C.Real, t.P)).ToArray());
        double bySum = terms.Sum(t => t.C.Real * state.ExpectationPauli(t.P));
        Assert.Equal(bySum, herm.Expectation(state), 12);
        var hpsi = Dense.MulVec(mh, psi);
        double mean = PauliDense.Dot(psi, hpsi).Real;
        double var2 = PauliDense.Dot(psi, Dense.MulVec(mh, hpsi)).Real - mean * mean;
        Assert.Equal(var2, herm.Variance(state), 11);
    }

    [Fact]
    public void ParallelApplyMatchesTermByTermGates()
    {
        // 15 qubits: above the parallel threshold. Reference: each term applied with single-qubit gate kernels.
        const int n = 15;
        var rng = new Random(23);
        var terms = PauliDense.RandomTerms(n, 8, rng, complex: true);
        var h = new PauliSum(terms);
        var state = StateVector.FromAmplitudes(Dense.RandomState(n, rng));
        var expected = new Complex[1 << n];
        foreach (var (c, p) in terms)
        {
            var s = state.Clone();
            for (int q = 0; q < n; q++)
            {
                var g = PauliDense.Letter(p[n - 1 - q]);
                s.ApplyMatrix2(q, g[0, 0], g[0, 1], g[1, 0], g[1, 1]);
            }
            var a = s.ToArray();
            for (int i = 0; i < a.Length; i++) expected[i] += c * a[i];
        }
        Assert.True(Dense.MaxDiff(h.Apply(state).ToArray(), expected) < Tol);
        Complex e = 0;
        var psi = state.ToArray();
        for (int i = 0; i < psi.Length; i++) e += Complex.Conjugate(psi[i]) * expected[i];
        Assert.True((h.ExpectationComplex(state) - e).Magnitude < 1e-11);
    }

    [Fact]
    public void WrongSizesAreRejected()
    {
        var h = PauliSum.Parse("ZZ");
        Assert.Throws<ArgumentException>(() => h.Apply(new StateVector(3)));
        Assert.Throws<ArgumentException>(() => h.Apply(new Complex[4], new Complex[8]));
        Assert.Throws<ArgumentException>(() => new PauliSum([(1.0, "ZZ"), (1.0, "ZZZ")]));
        Assert.Throws<ArgumentException>(() => PauliSum.Term(2, 1.0, ('Z', 2)));
        Assert.Equal(5, (PauliSum.Parse("ZZ") + PauliSum.Term(1.0, ('X', 4))).NumQubits);
    }
}
