using System.Numerics;
using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Quantum.Tests;

/// <summary>Allocation checks, unitarity checks, and the kernels (controlled, dense k-qubit, parallel) vs dense references.</summary>
public class StateVectorTests(ITestOutputHelper output)
{
    // float64 round-off on a handful of multiply-adds per amplitude.
    private const double AmplitudeTolerance = 1e-10;

    [Fact]
    public void SixtyQubitsAreRefusedBeforeAllocating()
    {
        // Per-thread counter: other tests allocating in parallel do not move it.
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InsufficientMemoryException>(() => new StateVector(60));
        output.WriteLine(e.Message);
        Assert.Contains("18,446,744,073,709,551,616 bytes", e.Message);   // 16 · 2⁶⁰
        Assert.Contains("available", e.Message);
        Assert.Contains(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes.ToString("N0"), e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Equal((UInt128)16 << 60, StateVector.MemoryRequiredBytes(60));
    }

    [Fact]
    public void NonUnitaryMatrixIsRejectedNamingItsDeviation()
    {
        var m = new Complex[,] { { 1, 0 }, { 0, 1.5 } };
        var e = Assert.Throws<ArgumentException>(() => new UnitaryGate(m));
        Assert.Contains("not unitary", e.Message);
        Assert.Contains("1.25", e.Message);          // |1.5² − 1|
        var s = new StateVector(2);
        var e2 = Assert.Throws<ArgumentException>(() => s.ApplyUnitary(Scale(Dense.Eye(4), 1.01), [0, 1]));
        Assert.Contains("0.0201", e2.Message);
        Assert.Throws<ArgumentException>(() => s.ApplyUnitary(Dense.Eye(2), [0, 1]));   // wrong shape
        Assert.Throws<ArgumentException>(() => s.ApplyX(0, 0));                         // target is also a control
        Assert.Throws<ArgumentException>(() => s.ApplyX(2));                            // out of range
    }

    private static Complex[,] Scale(Complex[,] m, double f)
    {
        for (int i = 0; i < m.GetLength(0); i++) for (int j = 0; j < m.GetLength(1); j++) m[i, j] *= f;
        return m;
    }

    [Fact]
    public void ControlledAndDenseKernelsMatchDense()
    {
        const int seed = 31337, n = 6;
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        for (int trial = 0; trial < 20; trial++)
        {
            int k = 1 + rng.Next(3), nc = rng.Next(3);
            var qs = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).Take(k + nc).ToArray();
            int[] targets = qs[..k], controls = qs[k..];
            var u = RandomUnitary(k, rng);
            var v = Dense.RandomState(n, rng);
            var s = StateVector.FromAmplitudes(v);
            s.ApplyUnitary(u, targets, controls);
            var full = Dense.Embed(Polymath.Quantum.MatrixUtil.Controlled(u, nc), [.. controls, .. targets], n);
            Assert.True(Dense.MaxDiff(Dense.MulVec(full, v), s.ToArray()) < AmplitudeTolerance, $"trial {trial}");
        }
    }

    [Fact]
    public void ParallelPathEqualsSequentialPath()
    {
        const int seed = 5, n = 12;
        output.WriteLine($"seed {seed}");
        var v = Dense.RandomState(n, new Random(seed));
        var gates = new Circuit(n).H(3).CX(3, 11).RZ(0.3, 0).MCX([1, 2, 4], 9).Unitary(RandomUnitary(3, new Random(seed)), 5, 0, 10).RXX(0.2, 7, 8);
        var seq = StateVector.FromAmplitudes(v);
        var par = StateVector.FromAmplitudes(v);
        long saved = GateRunner<double>.ParallelThreshold;
        try
        {
            GateRunner<double>.ParallelThreshold = long.MaxValue; gates.ApplyTo(seq);
            GateRunner<double>.ParallelThreshold = 1; gates.ApplyTo(par);
        }
        finally { GateRunner<double>.ParallelThreshold = saved; }
        Assert.Equal(seq.ToArray(), par.ToArray());   // bit-identical: each amplitude is updated by one thread
    }

    private static Complex[,] RandomUnitary(int k, Random rng) => RandomMatrices.Unitary(k, rng);
}
