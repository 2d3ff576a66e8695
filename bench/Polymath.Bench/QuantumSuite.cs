using Polymath.Quantum;

namespace Polymath.Bench;

/// <summary>
/// State-vector rows of <c>polymath bench</c> (group "quantum"): one 2×2 gate on a 24-qubit state against one
/// read+write pass at the measured bandwidth, and four circuits (a layer of H, a CNOT ladder, the QFT, a 20-layer
/// random circuit) at n = 20, 24, 26, complex128 and complex64, 1 and 2 threads. Times are printed per circuit and
/// per gate so they can be set beside QuEST's and qsim's figures measured on the same machine.
/// </summary>
public static class QuantumSuite
{
    /// <summary>The quantum rows (quick: n = 20 and 22 only).</summary>
    public static List<BenchCase> Cases(bool quick)
    {
        var cases = new List<BenchCase>();
        var settings = quick ? new MeasureSettings(1, 0.05, 3, 10, 1, 0.05) : new MeasureSettings(1, 0.5, 3, 20, 1, 0.1);
        foreach (var precision in new[] { Precision.Complex128, Precision.Complex64 })
        {
            int n1 = quick ? 22 : 24;
            foreach (int q in new[] { 0, n1 / 2, n1 - 1 })
                cases.Add(Row($"q_gate2x2_q{q}", n1, precision, Environment.ProcessorCount, settings,
                    new Circuit(n1).RX(0.3, q)));
        }
        int[] sizes = quick ? [20, 22] : [20, 24, 26];
        foreach (int n in sizes)
            foreach (var precision in new[] { Precision.Complex128, Precision.Complex64 })
                foreach (int threads in new[] { 1, 2 })
                {
                    cases.Add(Row("q_hlayer", n, precision, threads, settings, HLayer(n)));
                    cases.Add(Row("q_cnot_ladder", n, precision, threads, settings, CnotLadder(n)));
                    cases.Add(Row("q_qft", n, precision, threads, settings, Algorithms.Qft(n)));
                    cases.Add(Row("q_random20", n, precision, threads, settings, RandomCircuit(n, 20, seed: 7)));
                }
        return cases;
    }

    private static BenchCase Row(string kind, int n, Precision precision, int threads, MeasureSettings s, Circuit circuit)
    {
        string p = precision == Precision.Complex128 ? "c128" : "c64";
        double stateBytes = (double)StateVector.MemoryRequiredBytes(n, precision);
        var c = new BenchCase
        {
            Name = $"{kind}_n{n}_{p}_t{threads}",
            Group = "quantum",
            Ours = () => Time(circuit, precision, threads, s),
            Gates = circuit.Size,
            StateBytes = stateBytes,
            Bytes = circuit.Size == 1 ? 2 * stateBytes : null,
        };
        c.Info.Add(new("qubits", n));
        c.Info.Add(new("precision", p));
        c.Info.Add(new("quantum_threads", threads));
        c.Info.Add(new("gates", circuit.Size));
        c.Info.Add(new("depth", circuit.Depth()));
        return c;
    }

    private static Measurement Time(Circuit circuit, Precision precision, int threads, MeasureSettings s)
    {
        int saved = QuantumThreads.Count;
        QuantumThreads.Count = threads;
        try
        {
            var state = new StateVector(circuit.NumQubits, precision);
            // Touch every page first (and in parallel) so the first timed pass does not pay for page faults.
            HLayer(circuit.NumQubits).ApplyTo(state);
            return Harness.Measure(() => circuit.ApplyTo(state), s);
        }
        finally
        {
            QuantumThreads.Count = saved;
        }
    }

    /// <summary>H on every qubit.</summary>
    public static Circuit HLayer(int n)
    {
        var c = new Circuit(n);
        for (int q = 0; q < n; q++) c.H(q);
        return c;
    }

    /// <summary>CX(q, q+1) for q = 0 … n−2.</summary>
    public static Circuit CnotLadder(int n)
    {
        var c = new Circuit(n);
        for (int q = 0; q + 1 < n; q++) c.CX(q, q + 1);
        return c;
    }

    /// <summary>Layers of random RX/RY/RZ rotations on every qubit followed by CZ on alternate pairs (even layers (0,1),(2,3)…, odd layers (1,2),(3,4)…).</summary>
    public static Circuit RandomCircuit(int n, int layers, int seed)
    {
        var rng = new System.Random(seed);
        var c = new Circuit(n);
        for (int l = 0; l < layers; l++)
        {
            for (int q = 0; q < n; q++)
            {
                double a = rng.NextDouble() * 2 * Math.PI;
                switch (rng.Next(3))
                {
                    case 0: c.RX(a, q); break;
                    case 1: c.RY(a, q); break;
                    default: c.RZ(a, q); break;
                }
            }
            for (int q = l % 2; q + 1 < n; q += 2) c.CZ(q, q + 1);
        }
        return c;
    }
}
