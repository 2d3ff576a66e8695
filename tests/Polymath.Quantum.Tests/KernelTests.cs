using System.Numerics;
using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Quantum.Tests;

/// <summary>
/// The specialised kernels (in-vector 2×2, general 2×2, monomial, dense; controlled; complex128 and complex64),
/// gate fusion and cache blocking, the chunked reductions and the one-sweep sampler, each against plain references.
/// </summary>
public class KernelTests(ITestOutputHelper output)
{
    public static TheoryData<Precision> Precisions => new() { Precision.Complex128, Precision.Complex64 };

    // float64: a few dozen rounded multiply-adds; float32: the same at 2⁻²⁴ relative, over states of norm 1.
    private static double Tolerance(Precision p) => p == Precision.Complex128 ? 1e-11 : 2e-5;

    [Theory]
    [MemberData(nameof(Precisions))]
    public void EveryKernelShapeMatchesDense(Precision precision)
    {
        const int seed = 2024, n = 7;
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        for (int trial = 0; trial < 120; trial++)
        {
            int k = 1 + rng.Next(3), nc = rng.Next(3);
            // Low qubits (inside one vector) are drawn often: they take different kernels.
            var qs = Enumerable.Range(0, n).OrderBy(q => rng.Next(q < 3 ? 4 : 10)).Take(k + nc).ToArray();
            int[] targets = qs[..k], controls = qs[k..];
            var u = (trial % 4) switch
            {
                0 => RandomMatrices.Unitary(k, rng),
                1 => RandomMatrices.DiagonalUnitary(k, rng),
                2 => RandomMatrices.MonomialUnitary(k, rng),
                _ => RandomMatrices.Unitary(k, rng),
            };
            var v = Dense.RandomState(n, rng);
            var s = StateVector.FromAmplitudes(v, precision);
            s.ApplyUnitary(u, targets, controls);
            var full = Dense.Embed(MatrixUtil.Controlled(u, nc), [.. controls, .. targets], n);
            double diff = Dense.MaxDiff(Dense.MulVec(full, v), s.ToArray());
            Assert.True(diff < Tolerance(precision), $"trial {trial}: k={k} targets=[{string.Join(",", targets)}] controls=[{string.Join(",", controls)}] diff {diff:G3}");
        }
    }

    [Theory]
    [MemberData(nameof(Precisions))]
    public void GatesInsideOneVectorMatchDense(Precision precision)
    {
        // Targets below the vector width take the in-vector kernels (permutes instead of strided pairs).
        var rng = new Random(12);
        int[][] targetSets = [[0], [1], [2], [1, 0], [0, 1], [0, 2], [2, 0, 1]];
        foreach (var targets in targetSets)
            foreach (int[] controls in new[] { Array.Empty<int>(), [5], [4, 6] })
            {
                var u = RandomMatrices.Unitary(targets.Length, rng);
                var v = Dense.RandomState(7, rng);
                var s = StateVector.FromAmplitudes(v, precision);
                s.ApplyUnitary(u, targets, controls);
                var full = Dense.Embed(MatrixUtil.Controlled(u, controls.Length), [.. controls, .. targets], 7);
                double diff = Dense.MaxDiff(Dense.MulVec(full, v), s.ToArray());
                Assert.True(diff < Tolerance(precision), $"targets [{string.Join(",", targets)}] controls [{string.Join(",", controls)}]: diff {diff:G3}");
            }
    }

    [Theory]
    [MemberData(nameof(Precisions))]
    public void FusedAndBlockedProgramEqualsGateByGate(Precision precision)
    {
        const int seed = 77, n = 9;
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        var c = RandomCircuit(n, 300, rng);
        var v = Dense.RandomState(n, rng);
        var reference = Dense.MulVec(c.ToMatrix(), v);

        var oneByOne = StateVector.FromAmplitudes(v, precision);
        foreach (var ins in c.Instructions) oneByOne.Apply(ins.Gate!, [.. ins.Qubits]);
        var fusedBlocked = StateVector.FromAmplitudes(v, precision);
        fusedBlocked.ApplyGates(c.Instructions.Select(i => (i.Gate!, i.Qubits.ToArray())), fuse: true, blockQubits: 5);
        var fusedOnly = StateVector.FromAmplitudes(v, precision);
        fusedOnly.ApplyGates(c.Instructions.Select(i => (i.Gate!, i.Qubits.ToArray())), fuse: true, blockQubits: n);

        double tol = precision == Precision.Complex128 ? 1e-10 : 1e-4;   // 300 gates of float32 round-off
        Assert.True(Dense.MaxDiff(reference, oneByOne.ToArray()) < tol);
        Assert.True(Dense.MaxDiff(reference, fusedBlocked.ToArray()) < tol);
        Assert.True(Dense.MaxDiff(reference, fusedOnly.ToArray()) < tol);
    }

    [Theory]
    [MemberData(nameof(Precisions))]
    public void DiagonalRunsInOneSweepEqualGateByGate(Precision precision)
    {
        // 14 qubits: beyond the 12 low bits the diagonal run factors over, with a 4-qubit cache block so every
        // run reaches above it. Low-only, high-only and mixed gates, controlled and multi-controlled phases.
        const int n = 14;
        var rng = new Random(5);
        var c = new Circuit(n);
        for (int layer = 0; layer < 3; layer++)
        {
            c.H(rng.Next(n));
            c.CP(0.3, 13, 2).CZ(12, 5).RZ(0.7, 13).T(1).P(1.1, 12).RZZ(0.4, 3, 13).CP(0.9, 2, 6).RZZ(0.2, 12, 13);
            c.Append(new PhaseGate(0.5).Control(2), 12, 13, 0);   // two high controls, one low target
            c.Append(new ZGate().Control(2), 1, 2, 3);              // all low
            c.Append(new PhaseGate(0.25).Control(2), 0, 1, 13);     // two low, one high: breaks the run
            c.CP(rng.NextDouble(), rng.Next(12), 12 + rng.Next(2));
        }
        var v = Dense.RandomState(n, rng);
        var reference = StateVector.FromAmplitudes(v);
        foreach (var ins in c.Instructions) reference.Apply(ins.Gate!, [.. ins.Qubits]);
        var s = StateVector.FromAmplitudes(v, precision);
        s.ApplyGates(c.Instructions.Select(i => (i.Gate!, i.Qubits.ToArray())), fuse: true, blockQubits: 4);
        Assert.True(Dense.MaxDiff(reference.ToArray(), s.ToArray()) < (precision == Precision.Complex128 ? 1e-12 : 1e-5));
        var program = new GateProgram<double>(c.Instructions.Select(i => GateOp.FromGate(i.Gate!, [.. i.Qubits])), n, fuse: true, blockQubits: 4);
        Assert.True(program.DiagonalRuns >= 3, $"{program.DiagonalRuns} diagonal runs");
    }

    [Fact]
    public void FusionMergesSingleQubitRunsIntoPairs()
    {
        var c = new Circuit(4).H(0).RZ(0.3, 0).H(1).CX(0, 1).RY(0.2, 1).X(3).T(3).CZ(2, 3).CZ(2, 3).CCX(0, 1, 2);
        var ops = c.Instructions.Select(i => GateOp.FromGate(i.Gate!, [.. i.Qubits]));
        var fused = GateFusion.Fuse(ops, 4);
        // H·RZ·H absorbed into CX(0,1), RY(1) absorbed after it; X·T absorbed into CZ(2,3), the second CZ merged; CCX stays.
        Assert.Equal(3, fused.Count);
        Assert.Equal([0, 1], fused[0].Targets);
        Assert.Equal([2, 3], fused[1].Targets);
        Assert.Equal(3, fused[2].Qubits.Length);
        var v = Dense.RandomState(4, new Random(1));
        var s = StateVector.FromAmplitudes(v);
        s.ApplyGates(c.Instructions.Select(i => (i.Gate!, i.Qubits.ToArray())));
        Assert.True(Dense.MaxDiff(Dense.MulVec(c.ToMatrix(), v), s.ToArray()) < 1e-12);
    }

    [Fact]
    public void SamplerDrawsExactlyWhatABinarySearchOverTheFullCdfDraws()
    {
        const int seed = 11, n = 18, shots = 20000;
        var rng = new Random(seed);
        var v = Dense.RandomState(n, rng);
        v[5] = 0; v[1 << 17] = 0;                        // zero-probability entries must never be drawn
        var s = StateVector.FromAmplitudes(v);
        long[] drawn = s.SampleIndices(shots, seed);

        double[] cdf = v.Select(a => a.Real * a.Real + a.Imaginary * a.Imaginary).ToArray();
        double total = 0;
        for (int i = 0; i < cdf.Length; i++) { total += cdf[i]; cdf[i] = total; }
        var r = new Random(seed);
        int mismatches = 0;
        for (int k = 0; k < shots; k++)
        {
            double u = r.NextDouble() * s.NormSquared();
            int lo = 0, hi = cdf.Length - 1;
            while (lo < hi) { int mid = (lo + hi) >>> 1; if (cdf[mid] > u) hi = mid; else lo = mid + 1; }
            if (lo != drawn[k]) mismatches++;
        }
        // The two sum the probabilities in different orders, so a draw within ~1e-16 of a boundary may differ.
        Assert.True(mismatches <= 1, $"{mismatches} draws differ");
        Assert.DoesNotContain(5L, drawn);
        Assert.DoesNotContain(1L << 17, drawn);
    }

    [Fact]
    public void SampledFrequenciesPassAChiSquareTest()
    {
        const int seed = 3, n = 8, shots = 200_000;
        var s = StateVector.FromAmplitudes(Dense.RandomState(n, new Random(seed)), Precision.Complex64);
        var p = s.Probabilities();
        var counts = new long[1 << n];
        foreach (long i in s.SampleIndices(shots, seed)) counts[i]++;
        double chi2 = 0;
        for (int i = 0; i < counts.Length; i++) { double e = shots * p[i]; chi2 += (counts[i] - e) * (counts[i] - e) / e; }
        int df = counts.Length - 1;
        output.WriteLine($"chi2 {chi2:F1} for {df} degrees of freedom");
        Assert.InRange(chi2, df - 6 * Math.Sqrt(2 * df), df + 6 * Math.Sqrt(2 * df));
    }

    [Fact]
    public void ReductionsDoNotDependOnTheThreadCountAndMatchPlainSums()
    {
        const int n = 19;
        var v = Dense.RandomState(n, new Random(9));
        var s = StateVector.FromAmplitudes(v);
        int saved = QuantumThreads.Count;
        double norm1, norm2, z1, z2, p1, p2;
        try
        {
            QuantumThreads.Count = 1;
            (norm1, z1, p1) = (s.NormSquared(), s.ExpectationPauli("Z" + new string('I', n - 2) + "X"), s.ProbabilityOfOne(7));
            QuantumThreads.Count = 3;
            (norm2, z2, p2) = (s.NormSquared(), s.ExpectationPauli("Z" + new string('I', n - 2) + "X"), s.ProbabilityOfOne(7));
        }
        finally { QuantumThreads.Count = saved; }
        Assert.Equal(norm1, norm2);
        Assert.Equal(z1, z2);
        Assert.Equal(p1, p2);
        Assert.Equal(1.0, norm1, 12);
        double plain = 0;
        for (int i = 0; i < v.Length; i++) if ((i >> 7 & 1) != 0) plain += v[i].Magnitude * v[i].Magnitude;
        Assert.Equal(plain, p1, 12);
    }

    [Fact]
    public void Complex64HalvesTheMemoryAndTracksComplex128()
    {
        Assert.Equal((UInt128)8 << 30, StateVector.MemoryRequiredBytes(30, Precision.Complex64));
        Assert.Equal((UInt128)16 << 30, StateVector.MemoryRequiredBytes(30, Precision.Complex128));
        var c = Algorithms.Qft(12);
        var a = new StateVector(12);
        var b = new StateVector(12, Precision.Complex64);
        new Circuit(12).X(0).X(5).Compose(c).ApplyTo(a);
        new Circuit(12).X(0).X(5).Compose(c).ApplyTo(b);
        Assert.Equal(Precision.Complex64, b.Precision);
        Assert.True(Dense.MaxDiff(a.ToArray(), b.ToArray()) < 1e-6);
        Assert.Equal(1.0, b.NormSquared(), 5);
        Assert.Equal(1.0, a.InnerProduct(b).Magnitude, 5);
    }

    [Fact]
    public void MeasurementCollapsesBothPrecisions()
    {
        foreach (var precision in new[] { Precision.Complex128, Precision.Complex64 })
        {
            var s = new StateVector(3, precision);
            s.Apply(new HGate(), 0);
            s.Apply(new CXGate(), 0, 2);
            int outcome = s.Measure(0, new Random(4));
            Assert.Equal(1.0, s.NormSquared(), 5);
            Assert.Equal(outcome, s.ProbabilityOfOne(2), 5);   // GHZ-like pair: qubit 2 follows qubit 0
        }
    }

    private static Circuit RandomCircuit(int n, int gates, Random rng)
    {
        var c = new Circuit(n);
        for (int g = 0; g < gates; g++)
        {
            var q = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).Take(3).ToArray();
            double a = rng.NextDouble() * 6;
            switch (rng.Next(12))
            {
                case 0: c.H(q[0]); break;
                case 1: c.RX(a, q[0]); break;
                case 2: c.RZ(a, q[0]); break;
                case 3: c.CX(q[0], q[1]); break;
                case 4: c.CZ(q[0], q[1]); break;
                case 5: c.CP(a, q[0], q[1]); break;
                case 6: c.Swap(q[0], q[1]); break;
                case 7: c.CCX(q[0], q[1], q[2]); break;
                case 8: c.RXX(a, q[0], q[1]); break;
                case 9: c.U(a, a / 2, a / 3, q[0]); break;
                case 10: c.Unitary(RandomMatrices.Unitary(2, rng), q[0], q[1]); break;
                default: c.T(q[0]); break;
            }
        }
        return c;
    }
}
