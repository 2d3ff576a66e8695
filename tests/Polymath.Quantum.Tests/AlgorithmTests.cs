using System.Numerics;
using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Quantum.Tests;

/// <summary>Textbook algorithms against theory: exact amplitudes and probabilities, not samples.</summary>
public class AlgorithmTests(ITestOutputHelper output)
{
    // Circuits of at most a few hundred gates: float64 round-off stays near 1e-13.
    private const double Tolerance = 1e-9;

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void InverseQftUndoesQftAndNoSwapVariantIsTheReversedDft(int n)
    {
        int d = 1 << n;
        Assert.True(Dense.MaxDiff(Dense.Eye(d), Dense.Mul(Algorithms.InverseQft(n).ToMatrix(), Algorithms.Qft(n).ToMatrix())) < Tolerance);
        Assert.True(Dense.MaxDiff(Dense.Eye(d), Dense.Mul(Algorithms.InverseQft(n, swaps: false).ToMatrix(), Algorithms.Qft(n, swaps: false).ToMatrix())) < Tolerance);
        // Without swaps: output index k bit-reversed.
        var noSwap = Algorithms.Qft(n, swaps: false).ToMatrix();
        for (int j = 0; j < d; j++) for (int k = 0; k < d; k++)
        {
            int rev = 0;
            for (int b = 0; b < n; b++) if ((k >> b & 1) != 0) rev |= 1 << (n - 1 - b);
            var expected = Complex.FromPolarCoordinates(1 / Math.Sqrt(d), 2 * Math.PI * j * k / d);
            Assert.True((noSwap[rev, j] - expected).Magnitude < Tolerance);
        }
    }

    [Theory]
    [InlineData("1")]
    [InlineData("1011")]
    [InlineData("000000")]
    [InlineData("1100101")]
    public void BernsteinVaziraniRecoversTheSecretInOneRun(string secret)
    {
        var c = Algorithms.BernsteinVazirani(secret);
        Assert.Equal(new Dictionary<string, int> { [secret] = 1 }, Simulator.Run(c, 1, 17));
        var branches = Simulator.Branches(c);
        Assert.Single(branches);
        Assert.Equal(secret, branches[0].BitString);
        Assert.Equal(secret.Count(ch => ch == '1'), c.CountOps().GetValueOrDefault("cx"));
    }

    [Theory]
    [InlineData(3, -1L)]
    [InlineData(3, -2L)]
    [InlineData(3, 1L)]
    [InlineData(3, 5L)]
    [InlineData(4, 15L)]
    public void DeutschJozsaTellsConstantFromBalanced(int n, long maskOrConstant)
    {
        // maskOrConstant = -1: f = 0, -2: f = 1, else the balanced parity mask.
        bool constant = maskOrConstant < 0;
        var oracle = constant ? Algorithms.DeutschJozsaConstantOracle(n, maskOrConstant == -2) : Algorithms.DeutschJozsaBalancedOracle(n, maskOrConstant);
        // The oracle computes f into the output qubit on every basis input.
        int ones = 0;
        for (int x = 0; x < 1 << n; x++)
        {
            var s = StateVector.Basis(n + 1, x);
            oracle.ApplyTo(s);
            int f = constant ? (maskOrConstant == -2 ? 1 : 0) : int.PopCount((int)(x & maskOrConstant)) & 1;
            ones += f;
            Assert.Equal(1.0, s[x | (f << n)].Magnitude, 12);
        }
        Assert.True(constant ? ones is 0 or 8 or 16 : ones == 1 << (n - 1));
        double pZeros = Simulator.Branches(Algorithms.DeutschJozsa(oracle)).Where(b => b.BitString == new string('0', n)).Sum(b => b.Probability);
        Assert.Equal(constant ? 1.0 : 0.0, pZeros, 12);
    }

    [Fact]
    public void TeleportationDeliversRandomStatesOnEveryBranch()
    {
        const int seed = 2024;
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        for (int trial = 0; trial < 10; trial++)
        {
            var prep = new UGate(Math.PI * rng.NextDouble(), 2 * Math.PI * rng.NextDouble(), 2 * Math.PI * rng.NextDouble());
            var psi = prep.Matrix;   // column 0 is prep|0⟩
            var branches = Simulator.Branches(Algorithms.Teleportation(prep));
            Assert.Equal(4, branches.Count);
            Assert.Equal(["00", "01", "10", "11"], branches.Select(b => b.BitString).Order());
            foreach (var b in branches)
            {
                Assert.Equal(0.25, b.Probability, 12);
                var rho = ReducedOnQubit2(b.State);
                for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++)
                    Assert.True((rho[i, j] - psi[i, 0] * Complex.Conjugate(psi[j, 0])).Magnitude < Tolerance);
            }
            var deferred = ReducedOnQubit2(Simulator.Statevector(Algorithms.TeleportationDeferred(prep)));
            for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++)
                Assert.True((deferred[i, j] - psi[i, 0] * Complex.Conjugate(psi[j, 0])).Magnitude < Tolerance);
        }
        var c = Algorithms.Teleportation(new HGate());
        Assert.Equal(2, c.Instructions.Count(i => i.Condition is not null));
    }

    /// <summary>The 2×2 reduced density matrix of qubit 2 of a 3-qubit state, by plain loops.</summary>
    private static Complex[,] ReducedOnQubit2(StateVector s)
    {
        var a = s.ToArray();
        var rho = new Complex[2, 2];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) for (int rest = 0; rest < 4; rest++)
            rho[i, j] += a[(i << 2) | rest] * Complex.Conjugate(a[(j << 2) | rest]);
        return rho;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(9)]
    public void GhzAndWStatesHaveTheirExactAmplitudes(int n)
    {
        var ghz = Simulator.Statevector(Algorithms.Ghz(n)).ToArray();
        var w = Simulator.Statevector(Algorithms.WState(n)).ToArray();
        for (int i = 0; i < 1 << n; i++)
        {
            double g = i == 0 || i == (1 << n) - 1 ? 1 / Math.Sqrt(2) : 0;
            if (n == 1) g = 1 / Math.Sqrt(2);
            Assert.True((ghz[i] - g).Magnitude < Tolerance, $"GHZ amplitude {i}");
            double e = int.PopCount(i) == 1 ? 1 / Math.Sqrt(n) : 0;
            Assert.True((w[i] - e).Magnitude < Tolerance, $"W amplitude {i}: {w[i]} vs {e}");
        }
        Assert.Equal(n, Algorithms.Ghz(n).Depth());
        Assert.Equal(2 * (n - 1) + 1, Algorithms.WState(n).Size);
    }

    [Theory]
    [InlineData(2, new long[] { 3 })]
    [InlineData(3, new long[] { 5 })]
    [InlineData(4, new long[] { 0, 9 })]
    [InlineData(5, new long[] { 1, 2, 30 })]
    [InlineData(6, new long[] { 7 })]
    [InlineData(7, new long[] { 100, 3, 64, 12 })]
    [InlineData(3, new long[] { 0, 1, 2, 3, 4, 5, 6, 7 })]
    public void GroverSuccessProbabilityEqualsTheFormula(int n, long[] marked)
    {
        int k = Algorithms.GroverIterations(n, marked.Length);
        double theta = Math.Asin(Math.Sqrt(marked.Length / Math.Pow(2, n)));
        Assert.Equal((int)Math.Floor(Math.PI / (4 * theta)), k);
        var p = Simulator.Statevector(Algorithms.Grover(n, marked)).Probabilities();
        double success = marked.Sum(m => p[m]);
        double formula = Math.Pow(Math.Sin((2 * k + 1) * theta), 2);
        output.WriteLine($"n={n} M={marked.Length} k={k} P={success} formula={formula}");
        Assert.Equal(formula, success, 9);
        Assert.Equal(formula, Algorithms.GroverSuccessProbability(n, marked.Length, k), 15);
        // Marked states share the success probability equally; so do the unmarked ones.
        foreach (long m in marked) Assert.Equal(success / marked.Length, p[m], 9);
        // Size: n H, then per iteration one multi-controlled Z with its X gates per marked state, and the diffuser.
        var circuit = Algorithms.Grover(n, marked);
        int xs = marked.Sum(m => 2 * (n - int.PopCount((int)m)));
        Assert.Equal(n + k * (marked.Length + xs + 4 * n + 1), circuit.Size);
        // Other iteration counts follow the same formula.
        for (int j = 0; j <= k + 1; j++)
        {
            var pj = Simulator.Statevector(Algorithms.Grover(n, marked, j)).Probabilities();
            Assert.Equal(Algorithms.GroverSuccessProbability(n, marked.Length, j), marked.Sum(m => pj[m]), 9);
        }
    }

    [Fact]
    public void GroverOracleAndDiffuserAreTheReflections()
    {
        const int n = 3;
        int d = 1 << n;
        var oracle = Algorithms.GroverOracle(n, [2, 5]).ToMatrix();
        var diffuser = Algorithms.GroverDiffuser(n).ToMatrix();
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++)
        {
            Complex o = i == j ? (i is 2 or 5 ? -1 : 1) : 0;
            Complex s = 2.0 / d - (i == j ? 1 : 0);
            Assert.True((oracle[i, j] - o).Magnitude < Tolerance);
            Assert.True((diffuser[i, j] - s).Magnitude < Tolerance);
        }
        Assert.Throws<ArgumentException>(() => Algorithms.GroverOracle(n, [8]));
        Assert.Throws<ArgumentException>(() => Algorithms.GroverOracle(n, [1, 1]));
    }

    [Theory]
    [InlineData(0.0, 4)]
    [InlineData(0.25, 3)]
    [InlineData(0.625, 3)]
    [InlineData(13.0 / 32, 5)]
    [InlineData(0.9375, 4)]
    public void PhaseEstimationIsExactForBinaryPhases(double phase, int t)
    {
        var dist = Distribution(Algorithms.PhaseEstimationOfPhaseGate(phase, t), t);
        long expected = (long)Math.Round(phase * (1 << t));
        Assert.Equal(1.0, dist[expected], 9);
    }

    [Theory]
    [InlineData(0.1, 4)]
    [InlineData(1.0 / 3, 5)]
    [InlineData(0.7071, 6)]
    public void PhaseEstimationPeaksAtTheNearestFractionsWithTheTextbookProbability(double phase, int t)
    {
        var dist = Distribution(Algorithms.PhaseEstimationOfPhaseGate(phase, t), t);
        int size = 1 << t;
        for (int y = 0; y < size; y++)
            Assert.Equal(Algorithms.PhaseEstimationProbability(phase, t, y), dist[y], 9);
        // The two nearest t-bit fractions carry the most weight, together at least 8/π².
        long lo = (long)Math.Floor(phase * size), hi = (lo + 1) % size;
        var top2 = dist.Select((p, y) => (p, y)).OrderByDescending(v => v.p).Take(2).Select(v => (long)v.y).Order().ToArray();
        Assert.Equal(new[] { lo, hi }.Order(), top2);
        Assert.True(dist[lo] + dist[hi] >= 8 / (Math.PI * Math.PI) - 1e-12);
    }

    [Fact]
    public void PhaseEstimationOfATwoQubitCircuit()
    {
        // U = CP(2π·3/8) on two qubits: eigenstate |11⟩ has phase 3/8; |01⟩ has phase 0.
        var u = new Circuit(2).CP(2 * Math.PI * 3 / 8, 0, 1);
        var d11 = Distribution(Algorithms.PhaseEstimation(u, 3, new Circuit(2).X(0).X(1)), 3);
        Assert.Equal(1.0, d11[3], 9);
        var d01 = Distribution(Algorithms.PhaseEstimation(u, 3, new Circuit(2).X(0)), 3);
        Assert.Equal(1.0, d01[0], 9);
        // t H, t controlled powers, the inverse QFT (t H, t(t−1)/2 CP, ⌊t/2⌋ swaps), t measurements, the preparation.
        const int t = 6;
        var qpe = Algorithms.PhaseEstimation(u, t, new Circuit(2).X(0).X(1));
        Assert.Equal(t + t + (t + t * (t - 1) / 2 + t / 2) + t + 2, qpe.Size);
        Assert.Equal(t, qpe.Instructions.Count(i => i.Gate is ControlledGate { BaseGate: UnitaryGate }));
        Assert.Equal(["cU", "cU^2", "cU^4"], qpe.Instructions.Where(i => i.Gate is ControlledGate { BaseGate: UnitaryGate }).Take(3).Select(i => i.Name));
    }

    /// <summary>The exact distribution of the count register from the measurement branches.</summary>
    private static double[] Distribution(Circuit c, int t)
    {
        var dist = new double[1 << t];
        foreach (var b in Simulator.Branches(c)) dist[Convert.ToInt32(b.BitString, 2)] += b.Probability;
        Assert.Equal(1.0, dist.Sum(), 12);
        return dist;
    }
}
