namespace Polymath.Quantum;

/// <summary>Runs circuits on a <see cref="StateVector"/>.</summary>
public static partial class Simulator
{
    /// <summary>The final state of a unitary circuit started from |0…0⟩.</summary>
    public static StateVector Statevector(Circuit circuit)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        var s = new StateVector(circuit.NumQubits);
        circuit.ApplyTo(s);
        return s;
    }

    /// <summary>
    /// Runs <paramref name="shots"/> seeded shots and counts classical-bit strings (classical bit 0 rightmost).
    /// When every measurement is final (no gate touches a qubit after it is measured), the state is simulated
    /// once and the shots are sampled from it; otherwise each shot is simulated with collapse.
    /// </summary>
    public static Dictionary<string, int> Run(Circuit circuit, int shots, int seed)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentOutOfRangeException.ThrowIfNegative(shots);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var measured = new HashSet<int>();
        bool terminal = true;
        foreach (var ins in circuit.Instructions)
        {
            if (ins.IsMeasurement) measured.Add(ins.Qubits[0]);
            else if (ins.Qubits.Any(measured.Contains)) { terminal = false; break; }
        }
        var rng = new Random(seed);
        if (terminal)
        {
            var state = new StateVector(circuit.NumQubits);
            state.ApplyGates(circuit.Instructions.Where(i => !i.IsMeasurement).Select(i => (i.Gate!, i.Qubits.ToArray())));
            var measures = circuit.Instructions.Where(i => i.IsMeasurement).ToList();
            foreach (long idx in state.SampleIndices(shots, seed))
            {
                long bits = 0;
                foreach (var m in measures)
                {
                    long b = 1L << m.Clbits[0];
                    bits = (idx >> m.Qubits[0] & 1) != 0 ? bits | b : bits & ~b;
                }
                Add(counts, StateVector.ToBitString(bits, circuit.NumClbits));
            }
            return counts;
        }
        for (int s = 0; s < shots; s++)
        {
            var state = new StateVector(circuit.NumQubits);
            long bits = 0;
            foreach (var ins in circuit.Instructions)
            {
                if (!ins.IsMeasurement) { state.Apply(ins.Gate!, [.. ins.Qubits]); continue; }
                long b = 1L << ins.Clbits[0];
                bits = state.Measure(ins.Qubits[0], rng) == 1 ? bits | b : bits & ~b;
            }
            Add(counts, StateVector.ToBitString(bits, circuit.NumClbits));
        }
        return counts;
    }

    private static void Add(Dictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
}
