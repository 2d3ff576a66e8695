using System.Numerics;
using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Quantum.Tests;

/// <summary>The density matrix against dense ρ = Complex[,] references: gates (controlled included), channels, read-outs, measurement, partial trace.</summary>
public class DensityMatrixTests(ITestOutputHelper output)
{
    // A few dozen multiply-adds per entry in float64.
    private const double Tol = 1e-12;

    [Fact]
    public void GatesMatchDenseUrhoUdagger()
    {
        const int seed = 17, n = 4;
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        var rho0 = NoiseDense.RandomDensity(n, rng);
        var u3 = NoiseDense.RandomUnitary(3, rng);
        var c = new Circuit(n).H(0).CX(0, 3).RZ(0.7, 2).CCX(3, 1, 2).CRY(1.1, 2, 0).Unitary(u3, 3, 0, 1).RXX(0.4, 1, 3)
            .CSwap(0, 2, 3).Append(new HGate().Control(2), 1, 3, 0).T(1).Y(2).Swap(0, 2);
        var dm = DensityMatrix.FromMatrix(rho0);
        var reference = rho0;
        foreach (var ins in c.Instructions)
        {
            dm.Apply(ins.Gate!, [.. ins.Qubits]);
            reference = NoiseDense.ApplyUnitary(reference, ins.Gate!.Matrix, [.. ins.Qubits], n);
        }
        Assert.True(Dense.MaxDiff(reference, dm.ToArray()) < Tol, $"max diff {Dense.MaxDiff(reference, dm.ToArray())}");
        Assert.Equal(1.0, dm.Trace(), 12);
    }

    [Fact]
    public void PureStateEvolutionEqualsStateVector()
    {
        var c = Algorithms.Qft(3).RY(0.3, 1).CX(2, 0);
        var psi = new StateVector(3);
        psi.ApplyX(1);
        var dm = DensityMatrix.FromStateVector(psi);
        c.ApplyTo(psi);
        foreach (var ins in c.Instructions) dm.Apply(ins.Gate!, [.. ins.Qubits]);
        Assert.True(Dense.MaxDiff(NoiseDense.Outer(psi.ToArray()), dm.ToArray()) < Tol);
        Assert.Equal(1.0, dm.Purity(), 12);
        foreach (var p in new[] { "XYZ", "IZI", "YYX", "ZII", "III" })
            Assert.Equal(psi.ExpectationPauli(p), dm.ExpectationPauli(p), 12);
        Assert.Equal(1.0, QuantumInfo.Fidelity(psi, dm), 12);
    }

    [Fact]
    public void ChannelsMatchDenseKrausSum()
    {
        const int seed = 23, n = 4;
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        var rho = NoiseDense.RandomDensity(n, rng);
        var dm = DensityMatrix.FromMatrix(rho);
        var cases = new (QuantumChannel Channel, int[] Qubits)[]
        {
            (QuantumChannel.AmplitudeDamping(0.3), [2]),
            (QuantumChannel.FromKraus(NoiseDense.RandomKraus(1, 4, rng)), [0]),
            (QuantumChannel.FromKraus(NoiseDense.RandomKraus(2, 2, rng)), [3, 1]),
            (QuantumChannel.Depolarizing(0.2, 2), [0, 2]),
            (QuantumChannel.FromKraus(NoiseDense.RandomKraus(3, 2, rng)), [1, 3, 0]),
            (QuantumChannel.PhaseDamping(0.4).Compose(QuantumChannel.BitFlip(0.1)), [3]),
        };
        foreach (var (ch, qs) in cases)
        {
            dm.ApplyChannel(ch, qs);
            rho = NoiseDense.ApplyKraus(rho, ch.KrausOperators, qs, n);
            double diff = Dense.MaxDiff(rho, dm.ToArray());
            Assert.True(diff < Tol, $"{ch} on [{string.Join(",", qs)}]: {diff}");
        }
        Assert.Equal(1.0, dm.Trace(), 12);
    }

    [Fact]
    public void ReadOutsMatchDense()
    {
        const int seed = 29, n = 3;
        var rng = new Random(seed);
        var rho = NoiseDense.RandomDensity(n, rng);
        var dm = DensityMatrix.FromMatrix(rho);
        double purity = 0;
        for (int i = 0; i < 8; i++) for (int j = 0; j < 8; j++) purity += (rho[i, j] * rho[j, i]).Real;
        Assert.Equal(purity, dm.Purity(), 12);
        Assert.True(dm.Purity() < 1);
        var probs = dm.Probabilities();
        for (int i = 0; i < 8; i++) Assert.Equal(rho[i, i].Real, probs[i], 14);
        Assert.Equal(rho[1, 1].Real + rho[3, 3].Real + rho[5, 5].Real + rho[7, 7].Real, dm.ProbabilityOfOne(0), 14);
        string letters = "IXYZ";
        for (int t = 0; t < 64; t++)
        {
            string p = new([letters[t & 3], letters[t >> 2 & 3], letters[t >> 4 & 3]]);
            Assert.Equal(NoiseDense.ExpectationPauli(rho, p), dm.ExpectationPauli(p), 12);
        }
        Assert.Equal(rho[5, 2], dm[5, 2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => dm[8, 0]);
        Assert.Throws<ArgumentException>(() => dm.ExpectationPauli("XQZ"));
    }

    [Fact]
    public void PartialTraceMatchesLoops()
    {
        const int seed = 31, n = 4;
        var rho = NoiseDense.RandomDensity(n, new Random(seed));
        var dm = DensityMatrix.FromMatrix(rho);
        var reduced = dm.PartialTrace(2, 0);                  // keeps qubits 1 and 3, renumbered 0 and 1
        Assert.Equal(2, reduced.NumQubits);
        Assert.True(Dense.MaxDiff(NoiseDense.PartialTraceKeep(rho, [1, 3], n), reduced.ToArray()) < Tol);
        Assert.Equal(1.0, dm.PartialTrace(0, 1, 2, 3).ToArray()[0, 0].Real, 12);
        Assert.True(Dense.MaxDiff(rho, dm.PartialTrace().ToArray()) < Tol);
        Assert.Throws<ArgumentException>(() => dm.PartialTrace(4));
    }

    [Fact]
    public void MeasureCollapsesLikeProjectorsAndResetGoesToZero()
    {
        const int seed = 37, n = 3;
        var rho = NoiseDense.RandomDensity(n, new Random(seed));
        var dm = DensityMatrix.FromMatrix(rho);
        int m = dm.Measure(1, new Random(5));
        var projector = new Complex[,] { { m == 0 ? 1 : 0, 0 }, { 0, m == 1 ? 1 : 0 } };
        var expected = NoiseDense.ApplyKraus(rho, [projector], [1], n);
        var tr = NoiseDense.Trace(expected);
        for (int i = 0; i < 8; i++) for (int j = 0; j < 8; j++) expected[i, j] /= tr;
        Assert.True(Dense.MaxDiff(expected, dm.ToArray()) < Tol);
        Assert.Equal(m, dm.ProbabilityOfOne(1), 12);

        // Outcome frequencies over many collapses follow the diagonal.
        double p1 = DensityMatrix.FromMatrix(rho).ProbabilityOfOne(2);
        var r = new Random(11);
        int ones = 0;
        const int trials = 4000;
        for (int t = 0; t < trials; t++) ones += DensityMatrix.FromMatrix(rho).Measure(2, r);
        Assert.True(Math.Abs(ones - trials * p1) < 5 * Math.Sqrt(trials * p1 * (1 - p1)), $"{ones} ones, expected {trials * p1}");

        var reset = DensityMatrix.FromMatrix(rho);
        reset.Reset(0);
        Assert.Equal(0, reset.ProbabilityOfOne(0), 14);
        Assert.Equal(1, reset.Trace(), 12);
        // The other qubits' reduced state is untouched by a reset of qubit 0.
        Assert.True(Dense.MaxDiff(NoiseDense.PartialTraceKeep(rho, [1, 2], n), reset.PartialTrace(0).ToArray()) < Tol);
    }

    [Fact]
    public void SampleCountsFollowTheDiagonal()
    {
        var dm = new DensityMatrix(2);
        dm.Apply(new HGate(), 0);
        dm.ApplyChannel(QuantumChannel.AmplitudeDamping(0.5), 0);   // P(1) = 0.25
        const int shots = 20000;
        var counts = dm.SampleCounts(shots, 3);
        var probs = new Dictionary<string, double> { ["00"] = 0.75, ["01"] = 0.25 };
        Assert.True(NoiseDense.MaxZ(counts, shots, probs) < 5);
        Assert.Equal(counts, dm.SampleCounts(shots, 3));
    }

    [Fact]
    public void MixturesOperatorsAndOverlaps()
    {
        const int n = 3;
        var mixed = DensityMatrix.MaximallyMixed(n);
        Assert.Equal(1.0 / 8, mixed.Purity(), 14);
        Assert.Equal(1.0, mixed.Trace(), 14);
        var rng = new Random(41);
        var a = NoiseDense.RandomDensity(n, rng);
        var b = NoiseDense.RandomDensity(n, rng);
        var sum = DensityMatrix.FromMatrix(a);
        sum.AddScaled(DensityMatrix.FromMatrix(b), 0.25);
        var expected = new Complex[8, 8];
        for (int i = 0; i < 8; i++) for (int j = 0; j < 8; j++) expected[i, j] = a[i, j] + 0.25 * b[i, j];
        Assert.True(Dense.MaxDiff(expected, sum.ToArray()) < Tol);

        var k = new Complex[,] { { 0.3, new Complex(0.1, 0.2) }, { -0.4, 0.9 } };        // any operator, not trace preserving
        var op = DensityMatrix.FromMatrix(a);
        op.ApplyOperator(k, 1);
        Assert.True(Dense.MaxDiff(NoiseDense.ApplyKraus(a, [k], [1], n), op.ToArray()) < Tol);

        var psi = Dense.RandomState(n, rng);
        Complex overlap = 0;
        for (int i = 0; i < 8; i++) for (int j = 0; j < 8; j++) overlap += Complex.Conjugate(psi[i]) * a[i, j] * psi[j];
        Assert.Equal(overlap.Real, DensityMatrix.FromMatrix(a).ExpectationOfState(StateVector.FromAmplitudes(psi)), 13);
    }

    [Fact]
    public void TooManyQubitsAreRefusedBeforeAllocating()
    {
        var e = Assert.Throws<InsufficientMemoryException>(() => new DensityMatrix(40));
        output.WriteLine(e.Message);
        Assert.Contains("DensityMatrix of 40 qubits", e.Message);
        Assert.Contains(((UInt128)16 << 80).ToString("N0"), e.Message);
        Assert.Contains("nothing was allocated", e.Message);
        Assert.Equal((UInt128)16 << 26, DensityMatrix.MemoryRequiredBytes(13));
    }

    [Fact]
    public void BadArgumentsNameTheProblem()
    {
        var dm = new DensityMatrix(2);
        Assert.Contains("qubit 2 outside", Assert.Throws<ArgumentException>(() => dm.Apply(new HGate(), 2)).Message);
        Assert.Contains("used twice", Assert.Throws<ArgumentException>(() => dm.Apply(new CXGate(), 1, 1)).Message);
        Assert.Contains("'amplitude_damping' acts on 1", Assert.Throws<ArgumentException>(() => dm.ApplyChannel(QuantumChannel.AmplitudeDamping(0.1), 0, 1)).Message);
        Assert.Contains("not unitary", Assert.Throws<ArgumentException>(() => dm.ApplyUnitary(new Complex[,] { { 1, 0 }, { 0, 2 } }, [0])).Message);
        Assert.Throws<ArgumentException>(() => DensityMatrix.FromMatrix(new Complex[3, 3]));
    }
}
