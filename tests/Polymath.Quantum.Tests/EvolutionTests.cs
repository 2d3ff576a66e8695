using System.Numerics;
using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Quantum.Tests;

/// <summary>Exact time evolution (stepped Taylor vs dense eigendecomposition vs an independent dense series) and Pauli-exponential circuits.</summary>
[Collection(HamiltonianTestCollection.Name)]
public class EvolutionTests(ITestOutputHelper output)
{
    [Fact]
    public void SingleQubitRabiOscillation()
    {
        // e^{−iωtX}|0⟩ = cos ωt |0⟩ − i sin ωt |1⟩.
        const double omega = 1.3, t = 2.1;
        var h = PauliSum.Parse($"{omega}*X");
        foreach (var r in new[] { TimeEvolution.Evolve(h, new StateVector(1), t), TimeEvolution.EvolveTaylor(h, new StateVector(1), t), TimeEvolution.EvolveDense(h, new StateVector(1), t) })
        {
            Assert.True((r[0] - Math.Cos(omega * t)).Magnitude < 1e-13);
            Assert.True((r[1] - new Complex(0, -Math.Sin(omega * t))).Magnitude < 1e-13);
        }
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(-1.7)]
    [InlineData(6.0)]
    public void KrylovTaylorAndDenseEvolutionAgreeWithIndependentReference(double t)
    {
        var rng = new Random(31);
        var terms = PauliDense.RandomTerms(4, 10, rng);
        terms[0] = (0.8, "IIII");                                   // an identity part: a global phase
        var h = new PauliSum(terms);
        var psi = Dense.RandomState(4, rng);
        var state = StateVector.FromAmplitudes(psi);
        var reference = PauliDense.EvolveTaylor(PauliDense.Sum(terms), psi, t);
        var krylov = TimeEvolution.Evolve(h, state, t).ToArray();
        var smallKrylov = TimeEvolution.Evolve(h, state, t, krylovDimension: 6).ToArray();   // many short steps
        var taylor = TimeEvolution.EvolveTaylor(h, state, t).ToArray();
        var dense = TimeEvolution.EvolveDense(h, state, t).ToArray();
        output.WriteLine($"t={t}: |krylov − ref| {Dense.MaxDiff(krylov, reference):E2}, |krylov(4) − ref| {Dense.MaxDiff(smallKrylov, reference):E2}, " +
            $"|taylor − ref| {Dense.MaxDiff(taylor, reference):E2}, |dense − ref| {Dense.MaxDiff(dense, reference):E2}");
        Assert.True(Dense.MaxDiff(krylov, reference) < 1e-12);
        Assert.True(Dense.MaxDiff(smallKrylov, reference) < 1e-10);   // thousands of short steps, 1e-13 each
        Assert.True(Dense.MaxDiff(taylor, reference) < 1e-12);
        Assert.True(Dense.MaxDiff(dense, reference) < 1e-12);
        Assert.Equal(1.0, PauliDense.Norm(taylor), 13);
        // Energy is conserved.
        Assert.Equal(h.Expectation(state), h.Expectation(StateVector.FromAmplitudes(taylor)), 12);
    }

    [Fact]
    public void EvolutionOfTfimMatchesDenseOnEightQubits()
    {
        var h = SpinChains.TransverseFieldIsing(8, 1.0, 0.7, periodic: true);
        var state = StateVector.FromAmplitudes(Dense.RandomState(8, new Random(2)));
        var a = TimeEvolution.Evolve(h, state, 1.5).ToArray();
        var b = TimeEvolution.EvolveDense(h, state, 1.5).ToArray();
        output.WriteLine($"max diff {Dense.MaxDiff(a, b):E2}");
        Assert.True(Dense.MaxDiff(a, b) < 1e-12);
    }

    [Fact]
    public void KrylovMatchesTaylorBeyondDenseSizesAndLongTimes()
    {
        // 12 qubits, t = 4 (‖H‖₁·t = 120): the two matrix-free methods agree, and the norm and energy are conserved.
        var h = SpinChains.Heisenberg(12, 1.0, 0.8, 0.6, field: 0.3);
        var start = StateVector.Basis(12, 0b101010101010);
        var a = TimeEvolution.Evolve(h, start, 4).ToArray();
        var b = TimeEvolution.EvolveTaylor(h, start, 4).ToArray();
        output.WriteLine($"max diff {Dense.MaxDiff(a, b):E2}");
        Assert.True(Dense.MaxDiff(a, b) < 1e-11);
        Assert.Equal(1.0, PauliDense.Norm(a), 12);
        Assert.Equal(h.Expectation(start), h.Expectation(StateVector.FromAmplitudes(a)), 10);
    }

    [Fact]
    public void PropagatorIsUnitaryAndComposes()
    {
        var h = new PauliSum(PauliDense.RandomTerms(3, 6, new Random(4)));
        var u1 = TimeEvolution.Propagator(h, 0.4);
        var u2 = TimeEvolution.Propagator(h, 0.6);
        var u = TimeEvolution.Propagator(h, 1.0);
        Assert.True(Dense.MaxDiff(Dense.Mul(u2, u1), u) < 1e-13);
        var uh = new Complex[8, 8];
        for (int i = 0; i < 8; i++) for (int j = 0; j < 8; j++) uh[i, j] = Complex.Conjugate(u[j, i]);
        Assert.True(Dense.MaxDiff(Dense.Mul(uh, u), Dense.Eye(8)) < 1e-13);
    }

    [Fact]
    public void PauliExponentialCircuitsAreExactIncludingGlobalPhase()
    {
        // e^{−iθP} = cos θ·I − i sin θ·P, for strings of every weight, with and without the two-qubit rotation gates.
        var rng = new Random(9);
        var strings = new List<string> { "IIII", "IIXI", "IYII", "ZIII", "IXXI", "YIIY", "ZIZI", "XIZI", "YZIX", "XYZY", "ZZZZ" };
        for (int k = 0; k < 10; k++) strings.Add(PauliDense.RandomTerms(4, 1, rng)[0].P);
        const double theta = 0.37;
        foreach (string s in strings)
            foreach (bool twoQubit in new[] { true, false })
            {
                var c = PauliEvolution.Circuit(PauliString.Parse(s), theta, twoQubit);
                var expected = PauliDense.Add(PauliDense.Add(new Complex[16, 16], Dense.Eye(16), Math.Cos(theta)), PauliDense.String(s), new Complex(0, -Math.Sin(theta)));
                Assert.True(Dense.MaxDiff(c.ToMatrix(), expected) < 1e-13, $"{s} (two-qubit rotations {twoQubit})");
            }
        Assert.Equal(new Dictionary<string, int> { ["rzz"] = 1 }, PauliEvolution.Circuit(PauliString.Parse("ZIZ"), 0.1).CountOps());
        Assert.Equal(4, PauliEvolution.Circuit(PauliString.Parse("ZZZ"), 0.1).CountOps()["cx"]);
    }

    [Fact]
    public void NonHermitianOrMismatchedInputIsRejected()
    {
        Assert.Throws<ArgumentException>(() => TimeEvolution.Evolve(PauliSum.Parse("1j*X"), new StateVector(1), 1));
        Assert.Throws<ArgumentException>(() => TimeEvolution.Evolve(PauliSum.Parse("ZZ"), new StateVector(3), 1));
        Assert.Throws<ArgumentException>(() => TimeEvolution.EvolveTaylor(PauliSum.Parse("1j*X"), new StateVector(1), 1));
        Assert.Throws<ArgumentException>(() => Trotter.FirstOrder(PauliSum.Parse("1j*XX"), 1.0, 2));
    }
}
