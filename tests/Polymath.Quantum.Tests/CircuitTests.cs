using System.Numerics;
using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Quantum.Tests;

/// <summary>Circuits against theory: Bell, GHZ, uniform superposition, QFT = DFT, Pauli expectations, sampling.</summary>
public class CircuitTests(ITestOutputHelper output)
{
    // Amplitudes of these small circuits are exact to float64 round-off (~1e-15 per gate).
    private const double AmplitudeTolerance = 1e-10;

    // Sampled frequencies must lie within 5 binomial standard errors of the exact probability (false alarm ≈ 6e-7).
    private const double StandardErrors = 5;

    [Fact]
    public void BellStateProbabilitiesAndCounts()
    {
        var bell = new Circuit(2, 2).H(0).CX(0, 1);
        var p = Simulator.Statevector(bell).Probabilities();
        Assert.Equal([0.5, 0, 0, 0.5], p.Select(x => Math.Round(x, 12)));
        const int shots = 20000, seed = 1234;
        output.WriteLine($"seed {seed}");
        var counts = Simulator.Run(bell.Compose(new Circuit(2, 2).Measure(0, 0).Measure(1, 1)), shots, seed);
        Assert.Equal(new[] { "00", "11" }, counts.Keys.Order());
        double se = Math.Sqrt(0.5 * 0.5 / shots);
        Assert.InRange(counts["00"] / (double)shots, 0.5 - StandardErrors * se, 0.5 + StandardErrors * se);
        Assert.Equal(counts, Simulator.Run(bell.Compose(new Circuit(2, 2).Measure(0, 0).Measure(1, 1)), shots, seed)); // same seed, same counts
    }

    [Fact]
    public void MidCircuitMeasurementCollapses()
    {
        // Measure q0 of a Bell pair, then flip q1: outcomes are always 01 or 10 (clbit 0 = q0 before flip, clbit 1 = q1 after).
        var c = new Circuit(2, 2).H(0).CX(0, 1).Measure(1, 1).X(1).Measure(1, 0);
        const int seed = 7;
        output.WriteLine($"seed {seed}");
        var counts = Simulator.Run(c, 2000, seed);
        Assert.Equal(new[] { "01", "10" }, counts.Keys.Order());
    }

    [Fact]
    public void GhzOnTenQubits()
    {
        const int n = 10;
        var c = new Circuit(n).H(0);
        for (int q = 1; q < n; q++) c.CX(q - 1, q);
        var s = Simulator.Statevector(c);
        var p = s.Probabilities();
        Assert.Equal(0.5, p[0], 12);
        Assert.Equal(0.5, p[(1 << n) - 1], 12);
        Assert.Equal(1.0, p.Sum(), 12);
        Assert.Equal(1.0, s.ExpectationPauli(new string('X', n)), 10);
        Assert.Equal(1.0, s.ExpectationPauli("ZZ" + new string('I', n - 2)), 10);
        Assert.Equal(0.0, s.ExpectationPauli("Z" + new string('I', n - 1)), 10);
        Assert.Equal(10, c.Depth());
        Assert.Equal(9, c.CountOps()["cx"]);
    }

    [Fact]
    public void HadamardOnAllQubitsIsUniform()
    {
        const int n = 8;
        var c = new Circuit(n);
        for (int q = 0; q < n; q++) c.H(q);
        Assert.All(Simulator.Statevector(c).ToArray(), a => Assert.True((a - 1 / Math.Sqrt(1 << n)).Magnitude < AmplitudeTolerance));
        Assert.Equal(1, c.Depth());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void QftEqualsTheDftMatrix(int n)
    {
        int d = 1 << n;
        var dft = new Complex[d, d];
        for (int j = 0; j < d; j++) for (int k = 0; k < d; k++)
            dft[k, j] = Complex.FromPolarCoordinates(1 / Math.Sqrt(d), 2 * Math.PI * j * k / d);
        var qft = Algorithms.Qft(n);
        Assert.True(Dense.MaxDiff(dft, qft.ToMatrix()) < AmplitudeTolerance);
        Assert.True(Dense.MaxDiff(Dense.Eye(d), Dense.Mul(qft.Inverse().ToMatrix(), qft.ToMatrix())) < AmplitudeTolerance);
    }

    [Fact]
    public void PauliExpectationsMatchDenseMatrices()
    {
        const int seed = 4242, n = 4;
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        var paulis = new Dictionary<char, Complex[,]>
        {
            ['I'] = Dense.Eye(2), ['X'] = new XGate().Matrix, ['Y'] = new YGate().Matrix, ['Z'] = new ZGate().Matrix,
        };
        for (int trial = 0; trial < 30; trial++)
        {
            var v = Dense.RandomState(n, rng);
            string s = new(Enumerable.Range(0, n).Select(_ => "IXYZ"[rng.Next(4)]).ToArray());
            // The string reads left to right as the Kronecker product: its rightmost letter is qubit 0.
            var m = paulis[s[0]];
            for (int i = 1; i < n; i++) m = Dense.Kron(m, paulis[s[i]]);
            var mv = Dense.MulVec(m, v);
            double expected = v.Zip(mv).Aggregate(Complex.Zero, (acc, t) => acc + Complex.Conjugate(t.First) * t.Second).Real;
            Assert.Equal(expected, StateVector.FromAmplitudes(v).ExpectationPauli(s), 10);
        }
        // Qubit order: X on qubit 0 is "IX" for two qubits.
        var plus0 = Simulator.Statevector(new Circuit(2).H(0));
        Assert.Equal(1.0, plus0.ExpectationPauli("IX"), 12);
        Assert.Equal(0.0, plus0.ExpectationPauli("XI"), 12);
        Assert.Throws<ArgumentException>(() => plus0.ExpectationPauli("XQ"));
    }

    [Fact]
    public void ParametersBindLater()
    {
        var theta = new Parameter("theta");
        var c = new Circuit(2, 1).H(0).CX(0, 1).RZ(theta, 1).RY(2 * (ParameterExpression)theta + 0.1, 0).Measure(0, 0);
        Assert.Equal(new[] { "theta" }, c.Parameters);
        Assert.Throws<InvalidOperationException>(() => Simulator.Run(c, 10, 1));
        var bound = c.Bind(new Dictionary<string, double> { ["theta"] = 0.3 });
        Assert.Empty(bound.Parameters);
        var expected = new Circuit(2).H(0).CX(0, 1).RZ(0.3, 1).RY(0.7, 0);
        var unitary = new Circuit(2).Compose(bound.Instructions.Where(i => !i.IsMeasurement)
            .Aggregate(new Circuit(2), (cc, i) => cc.Append(i.Gate!, [.. i.Qubits])));
        Assert.True(Dense.MaxDiff(expected.ToMatrix(), unitary.ToMatrix()) < AmplitudeTolerance);
        Assert.Equal(new Dictionary<string, int> { ["cx"] = 1, ["h"] = 1, ["measure"] = 1, ["ry"] = 1, ["rz"] = 1 }, c.CountOps());
    }

    [Fact]
    public void InverseAndComposeGiveIdentity()
    {
        var c = new Circuit(3).H(0).CX(0, 1).CCX(0, 1, 2).RZZ(0.4, 0, 2).ISwap(1, 2).CU(0.1, 0.2, 0.3, 0.4, 2, 0);
        var id = c.Compose(c.Inverse()).ToMatrix();
        Assert.True(Dense.MaxDiff(Dense.Eye(8), id) < AmplitudeTolerance);
        var mapped = new Circuit(3).Compose(new Circuit(2).CX(0, 1), [2, 0]);
        Assert.Equal(new[] { 2, 0 }, mapped.Instructions[0].Qubits);
    }

    [Fact]
    public void SamplingFollowsTheDistribution()
    {
        const int seed = 99, shots = 50000;
        output.WriteLine($"seed {seed}");
        var s = Simulator.Statevector(new Circuit(3).RY(1.1, 0).RY(2.0, 1).H(2));
        var p = s.Probabilities();
        var counts = s.SampleCounts(shots, seed);
        for (int i = 0; i < 8; i++)
        {
            double f = counts.GetValueOrDefault(StateVector.ToBitString(i, 3)) / (double)shots;
            double se = Math.Sqrt(p[i] * (1 - p[i]) / shots);
            Assert.InRange(f, p[i] - StandardErrors * se - 1e-12, p[i] + StandardErrors * se + 1e-12);
        }
    }
}
