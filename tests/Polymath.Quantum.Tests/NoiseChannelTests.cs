using System.Numerics;
using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Quantum.Tests;

/// <summary>Channels against analytic results (Bloch-vector maps) and dense Kraus sums; validation messages; read-out errors.</summary>
public class NoiseChannelTests(ITestOutputHelper output)
{
    private const double Tol = 1e-12;

    /// <summary>A random single-qubit state's Bloch vector (⟨X⟩, ⟨Y⟩, ⟨Z⟩) before and after a channel.</summary>
    private static (double[] Before, double[] After) Bloch(QuantumChannel ch, int seed)
    {
        var rho = NoiseDense.RandomDensity(1, new Random(seed), rank: 1);
        var dm = DensityMatrix.FromMatrix(rho);
        var before = new[] { dm.ExpectationPauli("X"), dm.ExpectationPauli("Y"), dm.ExpectationPauli("Z") };
        dm.ApplyChannel(ch, 0);
        var after = new[] { dm.ExpectationPauli("X"), dm.ExpectationPauli("Y"), dm.ExpectationPauli("Z") };
        return (before, after);
    }

    [Fact]
    public void DepolarizingShrinksTheBlochVectorByOneMinusP()
    {
        // Qiskit's convention: ρ ↦ (1−p)ρ + p·I/2, so every Pauli expectation is multiplied by 1 − p.
        const double p = 0.3;
        var (b, a) = Bloch(QuantumChannel.Depolarizing(p), 41);
        for (int i = 0; i < 3; i++) Assert.Equal((1 - p) * b[i], a[i], 12);
        // p = 1 gives the maximally mixed state; p = 4/3 the largest allowed (the Pauli twirl with I weight 0).
        var dm = new DensityMatrix(1);
        dm.ApplyChannel(QuantumChannel.Depolarizing(1), 0);
        Assert.True(Dense.MaxDiff(new Complex[,] { { 0.5, 0 }, { 0, 0.5 } }, dm.ToArray()) < Tol);
        Assert.Equal(3, QuantumChannel.Depolarizing(4.0 / 3).KrausOperators.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantumChannel.Depolarizing(1.4));
    }

    [Fact]
    public void TwoQubitDepolarizingIsTheMixtureWithTheMaximallyMixedState()
    {
        const double p = 0.25;
        var rho = NoiseDense.RandomDensity(2, new Random(43));
        var dm = DensityMatrix.FromMatrix(rho);
        var ch = QuantumChannel.Depolarizing(p, 2);
        Assert.True(ch.IsUnitaryMixture);
        Assert.Equal(16, ch.KrausOperators.Count);
        dm.ApplyChannel(ch, 1, 0);
        var expected = new Complex[4, 4];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) expected[i, j] = (1 - p) * rho[i, j] + (i == j ? p / 4 : 0);
        Assert.True(Dense.MaxDiff(expected, dm.ToArray()) < Tol);
    }

    [Fact]
    public void AmplitudeDampingOfOneGivesOneMinusGamma()
    {
        const double gamma = 0.37;
        var dm = new DensityMatrix(1);
        dm.Apply(new XGate(), 0);
        dm.ApplyChannel(QuantumChannel.AmplitudeDamping(gamma), 0);
        Assert.Equal(1 - gamma, dm.ProbabilityOfOne(0), 14);
        // Coherences decay by √(1−γ): ⟨X⟩ of |+⟩ becomes √(1−γ); ⟨Z⟩ = 1 − 2·P(1) = 1 − (1−γ) = γ.
        var plus = new DensityMatrix(1);
        plus.Apply(new HGate(), 0);
        plus.ApplyChannel(QuantumChannel.AmplitudeDamping(gamma), 0);
        Assert.Equal(Math.Sqrt(1 - gamma), plus.ExpectationPauli("X"), 14);
        Assert.Equal(gamma, plus.ExpectationPauli("Z"), 14);
    }

    [Fact]
    public void PhaseDampingBitFlipPhaseFlipAndPauliMapTheBlochVector()
    {
        const double lambda = 0.4, p = 0.15;
        var (b, a) = Bloch(QuantumChannel.PhaseDamping(lambda), 47);
        Assert.Equal(Math.Sqrt(1 - lambda) * b[0], a[0], 12);
        Assert.Equal(Math.Sqrt(1 - lambda) * b[1], a[1], 12);
        Assert.Equal(b[2], a[2], 12);

        (b, a) = Bloch(QuantumChannel.BitFlip(p), 53);
        Assert.Equal(b[0], a[0], 12);
        Assert.Equal((1 - 2 * p) * b[1], a[1], 12);
        Assert.Equal((1 - 2 * p) * b[2], a[2], 12);

        (b, a) = Bloch(QuantumChannel.PhaseFlip(p), 59);
        Assert.Equal((1 - 2 * p) * b[0], a[0], 12);
        Assert.Equal((1 - 2 * p) * b[1], a[1], 12);
        Assert.Equal(b[2], a[2], 12);

        // A Pauli σ anticommuting with the axis flips that component: ⟨X⟩ ↦ (1 − 2(py + pz))⟨X⟩, and so on.
        const double px = 0.05, py = 0.1, pz = 0.2;
        (b, a) = Bloch(QuantumChannel.Pauli(px, py, pz), 61);
        Assert.Equal((1 - 2 * (py + pz)) * b[0], a[0], 12);
        Assert.Equal((1 - 2 * (px + pz)) * b[1], a[1], 12);
        Assert.Equal((1 - 2 * (px + py)) * b[2], a[2], 12);
    }

    [Fact]
    public void MultiQubitPauliChannelUsesStringOrderQubitZeroRightmost()
    {
        var ch = QuantumChannel.Pauli(new Dictionary<string, double> { ["XI"] = 1.0 });   // X on qubit 1 with certainty
        var dm = new DensityMatrix(2);
        dm.ApplyChannel(ch, 0, 1);
        Assert.Equal(1.0, dm.ProbabilityOfOne(1), 14);
        Assert.Equal(0.0, dm.ProbabilityOfOne(0), 14);
        var mixed = QuantumChannel.Pauli(new Dictionary<string, double> { ["ZZ"] = 0.1, ["YI"] = 0.2 });
        Assert.Equal(0.7, mixed.MixtureProbabilities![0], 14);     // identity takes the rest
        Assert.Throws<ArgumentException>(() => QuantumChannel.Pauli(new Dictionary<string, double> { ["XQ"] = 0.1 }));
        Assert.Throws<ArgumentException>(() => QuantumChannel.Pauli(new Dictionary<string, double> { ["X"] = 0.7, ["Z"] = 0.6 }));
    }

    [Fact]
    public void GeneralizedAmplitudeDampingRelaxesToItsThermalState()
    {
        var ch = QuantumChannel.GeneralizedAmplitudeDamping(1.0, 0.8);     // full relaxation to diag(0.8, 0.2)
        var dm = DensityMatrix.FromMatrix(NoiseDense.RandomDensity(1, new Random(67)));
        dm.ApplyChannel(ch, 0);
        Assert.Equal(0.2, dm.ProbabilityOfOne(0), 14);
        Assert.Equal(0.0, dm.ExpectationPauli("X"), 14);
    }

    [Fact]
    public void ThermalRelaxationDecaysPopulationWithT1AndCoherenceWithT2()
    {
        const double t1 = 50, t2 = 70, time = 12;
        var ch = QuantumChannel.ThermalRelaxation(t1, t2, time);
        var one = new DensityMatrix(1);
        one.Apply(new XGate(), 0);
        one.ApplyChannel(ch, 0);
        Assert.Equal(Math.Exp(-time / t1), one.ProbabilityOfOne(0), 14);
        var plus = new DensityMatrix(1);
        plus.Apply(new HGate(), 0);
        plus.ApplyChannel(ch, 0);
        Assert.Equal(Math.Exp(-time / t2), plus.ExpectationPauli("X"), 14);
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantumChannel.ThermalRelaxation(10, 25, 1));
    }

    [Fact]
    public void NonTracePreservingKrausSetIsRejectedNamingItsDeviation()
    {
        var e = Assert.Throws<ArgumentException>(() => QuantumChannel.FromKraus(
            [new Complex[,] { { 1, 0 }, { 0, Math.Sqrt(0.5) } }, new Complex[,] { { 0, 0.5 }, { 0, 0 } }], "leaky"));
        output.WriteLine(e.Message);
        Assert.Contains("channel 'leaky'", e.Message);
        Assert.Contains("not trace preserving", e.Message);
        Assert.Contains("0.25", e.Message);         // Σ K†K = diag(1, 0.75)
        Assert.Contains("Kraus operator 1 is 2×3", Assert.Throws<ArgumentException>(() =>
            QuantumChannel.FromKraus([new Complex[2, 2], new Complex[2, 3]], "bad")).Message);
        Assert.Throws<ArgumentException>(() => QuantumChannel.FromKraus([new Complex[3, 3]]));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantumChannel.AmplitudeDamping(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantumChannel.Pauli(0.5, 0.4, 0.3));
        Assert.Contains("not 1", Assert.Throws<ArgumentException>(() => QuantumChannel.MixedUnitary([0.5, 0.4], [NoiseDense.I2, NoiseDense.X])).Message);
    }

    [Fact]
    public void ComposeAppliesFirstThenSecond()
    {
        var rng = new Random(71);
        var a = QuantumChannel.FromKraus(NoiseDense.RandomKraus(1, 2, rng));
        var b = QuantumChannel.AmplitudeDamping(0.3);
        var c = QuantumChannel.PhaseDamping(0.2);
        var abc = a.Compose(b).Compose(c);                 // 8 Kraus products, reduced to ≤ 4 canonical ones
        Assert.True(abc.KrausOperators.Count <= 4, $"{abc.KrausOperators.Count} operators");
        var rho = NoiseDense.RandomDensity(1, rng);
        var expected = c.Apply(b.Apply(a.Apply(rho)));
        Assert.True(Dense.MaxDiff(expected, abc.Apply(rho)) < Tol);

        // Two bit flips are a bit flip with p' = 2p(1−p), kept as a 2-term unitary mixture.
        var twice = QuantumChannel.BitFlip(0.1).Compose(QuantumChannel.BitFlip(0.1));
        Assert.True(twice.IsUnitaryMixture);
        Assert.Equal(2, twice.MixtureProbabilities!.Count);
        Assert.Equal(2 * 0.1 * 0.9, twice.MixtureProbabilities[1], 14);
        Assert.Throws<ArgumentException>(() => b.Compose(QuantumChannel.Depolarizing(0.1, 2)));
    }

    [Fact]
    public void TensorActsOnEachQubitSeparately()
    {
        var a = QuantumChannel.AmplitudeDamping(0.3);
        var b = QuantumChannel.BitFlip(0.2);
        var rho = NoiseDense.RandomDensity(2, new Random(73));
        var separate = DensityMatrix.FromMatrix(rho);
        separate.ApplyChannel(a, 0);
        separate.ApplyChannel(b, 1);
        var joint = DensityMatrix.FromMatrix(rho);
        joint.ApplyChannel(a.Tensor(b), 0, 1);             // a on the low qubit, b on the next
        Assert.True(Dense.MaxDiff(separate.ToArray(), joint.ToArray()) < Tol);
    }

    [Fact]
    public void ExpandPlacesTheChannelAmongMoreQubits()
    {
        var rng = new Random(139);
        var ch = QuantumChannel.FromKraus(NoiseDense.RandomKraus(2, 2, rng));
        var rho = NoiseDense.RandomDensity(3, rng);
        var direct = DensityMatrix.FromMatrix(rho);
        direct.ApplyChannel(ch, 2, 0);
        var expanded = DensityMatrix.FromMatrix(rho);
        expanded.ApplyChannel(ch.Expand([2, 0], 3), 0, 1, 2);
        Assert.True(Dense.MaxDiff(direct.ToArray(), expanded.ToArray()) < Tol);
        var mixture = QuantumChannel.Depolarizing(0.3).Expand([1], 2);
        Assert.True(mixture.IsUnitaryMixture);
        Assert.Throws<ArgumentException>(() => ch.Expand([0, 0], 3));
        Assert.Throws<ArgumentException>(() => ch.Expand([0, 3], 3));
    }

    [Fact]
    public void SuperOperatorActsOnColumnStackedRho()
    {
        var ch = QuantumChannel.FromKraus(NoiseDense.RandomKraus(1, 4, new Random(79)));
        var rho = NoiseDense.RandomDensity(1, new Random(83));
        var s = ch.SuperOperator();
        var expected = ch.Apply(rho);
        for (int r = 0; r < 2; r++) for (int c = 0; c < 2; c++)
        {
            Complex v = 0;
            for (int r2 = 0; r2 < 2; r2++) for (int c2 = 0; c2 < 2; c2++) v += s[r + 2 * c, r2 + 2 * c2] * rho[r2, c2];
            Assert.True((v - expected[r, c]).Magnitude < Tol);
        }
    }

    [Fact]
    public void ReadoutErrorValidatesAndFlipsAtItsRate()
    {
        var r = new ReadoutError(0.1, 0.3);
        Assert.Equal(0.9, r.Probability(0, 0), 15);
        Assert.Equal(0.3, r.Probability(1, 0), 15);
        var e = Assert.Throws<ArgumentException>(() => ReadoutError.FromConfusionMatrix(new double[,] { { 0.9, 0.2 }, { 0, 1 } }));
        Assert.Contains("row 0", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReadoutError(-0.1, 0));
        var rng = new Random(89);
        const int trials = 20000;
        int flips = 0;
        for (int i = 0; i < trials; i++) flips += r.Apply(1, rng) == 0 ? 1 : 0;
        Assert.True(Math.Abs(flips - 0.3 * trials) < 5 * Math.Sqrt(trials * 0.3 * 0.7), $"{flips} flips");
    }
}
