using System.Numerics;
using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Quantum.Tests;

/// <summary>Registers, reset, barrier, classical conditions: the circuit model, the simulator and the exact branch enumeration.</summary>
public class DynamicCircuitTests(ITestOutputHelper output)
{
    // Amplitudes of these few-gate circuits are exact to float64 round-off.
    private const double Tolerance = 1e-10;

    [Fact]
    public void RegistersGetConsecutiveFlatIndices()
    {
        var c = new Circuit(2, 1);
        Assert.Equal(["q"], c.QuantumRegisters.Select(r => r.Name));
        Assert.Equal(["c"], c.ClassicalRegisters.Select(r => r.Name));
        var anc = c.AddQuantumRegister("anc", 3);
        var m = c.AddClassicalRegister("m", 2);
        Assert.Equal((5, 3), (c.NumQubits, c.NumClbits));
        Assert.Equal([2, 3, 4], anc.Indices);
        Assert.Equal(4, anc[2]);
        Assert.Equal(2, m[1]);
        Assert.Same(anc, c.QuantumRegisterOf(3));
        Assert.Same(m, c.ClassicalRegisterOf(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => anc[3]);
        Assert.Contains("already exists", Assert.Throws<ArgumentException>(() => c.AddClassicalRegister("anc", 1)).Message);
        Assert.Contains("not an identifier", Assert.Throws<ArgumentException>(() => c.AddQuantumRegister("2x", 1)).Message);
        Assert.Empty(new Circuit(0).QuantumRegisters);
    }

    [Fact]
    public void ResetReturnsAnEntangledQubitToZeroAndLeavesItsPartnerMixed()
    {
        // Bell pair, reset q0: the exact ensemble is ½|00⟩⟨00| + ½|10⟩⟨10|.
        var c = new Circuit(2).H(0).CX(0, 1).Reset(0);
        var branches = Simulator.Branches(c);
        Assert.Equal(2, branches.Count);
        var rho = DensityMatrix(branches, 2);
        var expected = new Complex[4, 4];
        expected[0, 0] = 0.5; expected[2, 2] = 0.5;
        Assert.True(Dense.MaxDiff(expected, rho) < Tolerance);
        // Sampled: q0 always reads 0, q1 half the time 1.
        var counts = Simulator.Run(new Circuit(2, 2).H(0).CX(0, 1).Reset(0).Measure(0, 0).Measure(1, 1), 4000, 11);
        Assert.Equal(["00", "10"], counts.Keys.Order());
        Assert.InRange(counts["10"], 2000 - 5 * 32, 2000 + 5 * 32);   // 5 binomial standard errors (√(4000/4) ≈ 32)
    }

    [Fact]
    public void ResetOnAStateVectorIsMeasureThenFlip()
    {
        var s = Simulator.Statevector(new Circuit(1).RY(2.0, 0));
        int outcome = s.Reset(0, new Random(3));
        Assert.InRange(outcome, 0, 1);
        Assert.True((s[0].Magnitude - 1) < Tolerance && s[1].Magnitude < Tolerance);
        var t = Simulator.Statevector(new Circuit(2).H(0).RY(0.4, 1));
        double p1 = Math.Pow(Math.Sin(0.2), 2);
        Assert.Equal(1 - p1, t.Project(1, 0), 12);
        Assert.Equal(1.0, t.NormSquared(), 12);
        Assert.Equal([0.5, 0.5, 0, 0], t.Probabilities().Select(p => Math.Round(p, 12)));
        Assert.Throws<InvalidOperationException>(() => t.Project(1, 1));
    }

    [Fact]
    public void BarrierDoesNothingAndIsKept()
    {
        var c = new Circuit(3).H(0).Barrier().H(1).Barrier(0, 2).CX(0, 2);
        Assert.Equal(5, c.Instructions.Count);
        Assert.Equal(3, c.Size);
        Assert.Equal(2, c.CountOps()["barrier"]);
        Assert.Equal([0, 1, 2], c.Instructions[1].Qubits);
        Assert.Equal(2, c.Depth());   // barriers neither count nor link: H(0), H(1) in layer 1, CX in layer 2
        Assert.True(Dense.MaxDiff(new Circuit(3).H(0).H(1).CX(0, 2).ToMatrix(), c.ToMatrix()) < Tolerance);
        var inv = c.Inverse();
        Assert.Equal(InstructionKind.Barrier, inv.Instructions[1].Kind);
        Assert.Equal(InstructionKind.Barrier, inv.Instructions[3].Kind);
        Assert.True(Simulator.HasOnlyTerminalMeasurements(c));
    }

    [Fact]
    public void ConditionedGateFollowsTheMeasuredBit()
    {
        // q1 copies the measured q0 through a classically controlled X: only 00 and 11.
        var c = new Circuit(2, 2).H(0).Measure(0, 0).If(0, 1, b => b.X(1)).Measure(1, 1);
        Assert.False(Simulator.HasOnlyTerminalMeasurements(c));
        Assert.True(c.HasDynamics);
        const int seed = 21;
        output.WriteLine($"seed {seed}");
        var counts = Simulator.Run(c, 2000, seed);
        Assert.Equal(["00", "11"], counts.Keys.Order());
        Assert.Equal(counts, Simulator.Run(c, 2000, seed));
        var branches = Simulator.Branches(c);
        Assert.Equal(["00", "11"], branches.Select(b => b.BitString).Order());
        Assert.All(branches, b => Assert.Equal(0.5, b.Probability, 12));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RegisterConditionComparesTheWholeInteger(int value)
    {
        // Write `value` into register m with X gates and measurements, then flip the target only if m == 2.
        var c = new Circuit(3);
        var m = c.AddClassicalRegister("m", 2);
        var o = c.AddClassicalRegister("o", 1);
        if ((value & 1) != 0) c.X(0);
        if ((value & 2) != 0) c.X(1);
        c.Measure(0, m[0]).Measure(1, m[1]).If(m, 2, b => b.X(2)).Measure(2, o[0]);
        var counts = Simulator.Run(c, 10, 1);
        string expected = (value == 2 ? "1" : "0") + StateVector.ToBitString(value, 2);
        Assert.Equal(new Dictionary<string, int> { [expected] = 10 }, counts);
    }

    [Fact]
    public void ConditionsAreValidated()
    {
        var c = new Circuit(1, 1);
        Assert.Throws<ArgumentException>(() => c.If(3, 1, b => b.X(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Condition.Bit(0, 2));
        var other = new Circuit(1, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => Condition.Equal(other.ClassicalRegisters[0], 4));
        Assert.Contains("does not belong", Assert.Throws<ArgumentException>(() => c.If(other.ClassicalRegisters[0], 1, b => b.X(0))).Message);
        Assert.Contains("already conditioned", Assert.Throws<ArgumentException>(() => c.If(0, 1, b => b.If(0, 0, d => d.X(0)))).Message);
    }

    [Fact]
    public void DepthLinksConditionBits()
    {
        // Without the condition X(1) could run in layer 1; the condition reads clbit 0, written by the measure.
        Assert.Equal(1, new Circuit(2, 1).Measure(0, 0).X(1).Depth());
        Assert.Equal(2, new Circuit(2, 1).Measure(0, 0).If(0, 1, b => b.X(1)).Depth());
        var ops = new Circuit(2, 1).Measure(0, 0).Reset(0).If(0, 1, b => b.X(1)).Barrier().CountOps();
        Assert.Equal(new Dictionary<string, int> { ["barrier"] = 1, ["measure"] = 1, ["reset"] = 1, ["x"] = 1 }, ops);
    }

    [Fact]
    public void InverseRejectsNonUnitarySteps()
    {
        Assert.Contains("reset", Assert.Throws<InvalidOperationException>(() => new Circuit(1).H(0).Reset(0).Inverse()).Message);
        Assert.Contains("measure", Assert.Throws<InvalidOperationException>(() => new Circuit(1, 1).Measure(0, 0).Inverse()).Message);
        Assert.Contains("conditioned", Assert.Throws<InvalidOperationException>(() => new Circuit(1, 1).If(0, 1, b => b.X(0)).Inverse()).Message);
        Assert.Contains("instruction 1", Assert.Throws<InvalidOperationException>(() => new Circuit(1).H(0).Reset(0).ToMatrix()).Message);
    }

    [Fact]
    public void ComposeMapsClassicalBitsAndConditions()
    {
        var inner = new Circuit(1, 1).Measure(0, 0);
        inner.If(inner.ClassicalRegisters[0], 1, b => b.X(0));
        var outer = new Circuit(2);
        var a = outer.AddClassicalRegister("a", 2);
        var flag = outer.AddClassicalRegister("flag", 1);
        var composed = outer.Compose(inner, [1], [flag[0]]);
        var cond = composed.Instructions[1].Condition!;
        Assert.Equal([2], cond.Clbits);
        Assert.Same(flag, cond.Register);
        Assert.Equal([2], composed.Instructions[0].Clbits);
        var intoA = outer.Compose(inner, [0], [a[1]]);
        Assert.Null(intoA.Instructions[1].Condition!.Register);   // one bit of a two-bit register
        Assert.Equal(["a", "flag"], composed.ClassicalRegisters.Select(r => r.Name));
        // Unused classical bits of the other circuit need no room here; used ones do.
        Assert.Equal(1, new Circuit(2, 2).Compose(new Circuit(2, 5).H(0)).Size);
        Assert.Contains("classical bit 4", Assert.Throws<ArgumentException>(() => new Circuit(2, 2).Compose(new Circuit(2, 5).Measure(0, 4))).Message);
    }

    [Fact]
    public void DecomposeAndBindKeepConditions()
    {
        var theta = new Parameter("t");
        var c = new Circuit(3, 1).Measure(0, 0).If(0, 1, b => b.CCX(0, 1, 2).RZ(theta, 1));
        var d = c.Decompose();
        Assert.True(d.Size > 3);
        Assert.All(d.Instructions.Skip(1), i => Assert.Equal([0], i.Condition!.Clbits));
        var bound = c.Bind(new Dictionary<string, double> { ["t"] = 0.5 });
        Assert.Equal(0.5, bound.Instructions[2].Gate!.Params[0].Value);
        Assert.NotNull(bound.Instructions[2].Condition);
    }

    [Fact]
    public void FastPathSamplesOneSimulation()
    {
        // Terminal measurements: Run must equal sampling the final state once with the same seed.
        var c = new Circuit(3, 3).RY(0.9, 0).H(1).CX(1, 2).RX(1.7, 2).Barrier().Measure(0, 0).Measure(1, 1).Measure(2, 2);
        Assert.True(Simulator.HasOnlyTerminalMeasurements(c));
        const int shots = 3000, seed = 8;
        var unitary = new Circuit(3).RY(0.9, 0).H(1).CX(1, 2).RX(1.7, 2);
        Assert.Equal(Simulator.Statevector(unitary).SampleCounts(shots, seed), Simulator.Run(c, shots, seed));
    }

    [Fact]
    public void MeasureAllAddsARegisterAfterTheExistingBits()
    {
        var c = new Circuit(2, 1).X(1).MeasureAll();
        Assert.Equal(["c", "meas"], c.ClassicalRegisters.Select(r => r.Name));
        Assert.Equal(InstructionKind.Barrier, c.Instructions[1].Kind);
        Assert.Equal(new Dictionary<string, int> { ["100"] = 5 }, Simulator.Run(c, 5, 1));
        Assert.Equal(new Dictionary<string, int> { ["10"] = 5 }, Simulator.Marginal(Simulator.Run(c, 5, 1), 1, 2));
    }

    [Fact]
    public void PerShotRunEqualsRepeatedSingleShots()
    {
        // Run simulates the unitary prefix once and continues each shot from a copy; that must not change any draw.
        var c = new Circuit(3, 2).H(0).RY(0.8, 1).CX(0, 2).Measure(0, 0).If(0, 1, b => b.H(1)).Reset(2).CX(1, 2).Measure(2, 1);
        const int shots = 500, seed = 31;
        var rng = new Random(seed);
        var expected = new Dictionary<string, int>();
        for (int s = 0; s < shots; s++)
        {
            string key = Simulator.RunShot(c, rng).Clbits.Select(b => b ? '1' : '0').Reverse().Aggregate("", (acc, ch) => acc + ch);
            expected[key] = expected.GetValueOrDefault(key) + 1;
        }
        Assert.Equal(expected, Simulator.Run(c, shots, seed));
    }

    [Fact]
    public void MarginalCountsKeepTheChosenBits()
    {
        var counts = new Dictionary<string, int> { ["101"] = 3, ["001"] = 2, ["110"] = 1 };
        Assert.Equal(new Dictionary<string, int> { ["1"] = 5, ["0"] = 1 }, Simulator.Marginal(counts, 0));
        Assert.Equal(new Dictionary<string, int> { ["11"] = 3, ["10"] = 2, ["01"] = 1 }, Simulator.Marginal(counts, 2, 0));
        Assert.Throws<ArgumentException>(() => Simulator.Marginal(counts, 3));
    }

    [Fact]
    public void BranchesMatchSampledFrequencies()
    {
        var c = new Circuit(2, 2).RY(1.1, 0).Measure(0, 0).If(0, 1, b => b.H(1)).Measure(1, 1).Reset(1);
        var branches = Simulator.Branches(c);
        Assert.Equal(1.0, branches.Sum(b => b.Probability), 12);
        double p1 = Math.Pow(Math.Sin(0.55), 2);
        Assert.Equal(1 - p1, branches.Where(b => b.BitString == "00").Sum(b => b.Probability), 12);
        Assert.Equal(p1 / 2, branches.Where(b => b.BitString == "11").Sum(b => b.Probability), 12);
        Assert.All(branches, b => Assert.Equal(0.0, b.State.Probabilities()[2] + b.State.Probabilities()[3], 12));
        const int shots = 20000, seed = 5;
        output.WriteLine($"seed {seed}");
        var counts = Simulator.Run(c, shots, seed);
        foreach (var key in new[] { "00", "01", "11" })
        {
            double p = branches.Where(b => b.BitString == key).Sum(b => b.Probability);
            double se = Math.Sqrt(p * (1 - p) / shots);
            Assert.InRange(counts.GetValueOrDefault(key) / (double)shots, p - 5 * se, p + 5 * se);
        }
    }

    /// <summary>ρ = Σ p |ψ⟩⟨ψ| by plain loops.</summary>
    internal static Complex[,] DensityMatrix(IEnumerable<Branch> branches, int n)
    {
        int d = 1 << n;
        var rho = new Complex[d, d];
        foreach (var b in branches)
        {
            var a = b.State.ToArray();
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) rho[i, j] += b.Probability * a[i] * Complex.Conjugate(a[j]);
        }
        return rho;
    }
}
