namespace Polymath.Quantum;

/// <summary>Runs circuits on a <see cref="StateVector"/>.</summary>
public static partial class Simulator
{
    /// <summary>The final state of a unitary circuit started from |0…0⟩ (barriers are skipped).</summary>
    /// <exception cref="InvalidOperationException">The circuit measures, resets or is conditioned (use <see cref="Run"/> or <see cref="Branches"/>).</exception>
    public static StateVector Statevector(Circuit circuit)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        var s = new StateVector(circuit.NumQubits);
        circuit.ApplyTo(s);
        return s;
    }

    /// <summary>
    /// True when the circuit can be sampled from one simulation: no reset, no condition, and no gate or reset touches a
    /// qubit after it has been measured (barriers ignored).
    /// </summary>
    public static bool HasOnlyTerminalMeasurements(Circuit circuit)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        var measured = new HashSet<int>();
        foreach (var ins in circuit.Instructions)
        {
            if (ins.Condition is not null || ins.Kind == InstructionKind.Reset) return false;
            if (ins.Kind == InstructionKind.Measure) measured.Add(ins.Qubits[0]);
            else if (ins.Kind == InstructionKind.Gate && ins.Qubits.Any(measured.Contains)) return false;
        }
        return true;
    }

    /// <summary>
    /// Runs <paramref name="shots"/> seeded shots and counts classical-bit strings (classical bit 0 rightmost; bits never
    /// written read 0). When every measurement is terminal (<see cref="HasOnlyTerminalMeasurements"/>), the state is
    /// simulated once and the shots are sampled from it; otherwise the gates before the first measurement, reset or
    /// condition are simulated once and each shot continues from a copy with collapse: measurements draw an outcome,
    /// resets measure and flip back to |0⟩, conditioned instructions run only when their condition holds on the bits
    /// written so far. Same seed, same counts. <paramref name="precision"/> picks the state's storage.
    /// </summary>
    public static Dictionary<string, int> Run(Circuit circuit, int shots, int seed, Precision precision = Precision.Complex128)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentOutOfRangeException.ThrowIfNegative(shots);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        if (HasOnlyTerminalMeasurements(circuit))
        {
            var state = new StateVector(circuit.NumQubits, precision);
            state.ApplyGates(circuit.Instructions.Where(i => i.Kind == InstructionKind.Gate).Select(i => (i.Gate!, i.Qubits.ToArray())));
            var measures = circuit.Instructions.Where(i => i.IsMeasurement).ToList();
            var bits = new bool[circuit.NumClbits];
            foreach (long idx in state.SampleIndices(shots, seed))
            {
                Array.Clear(bits);
                foreach (var m in measures) bits[m.Clbits[0]] = (idx >> m.Qubits[0] & 1) != 0;
                Add(counts, BitString(bits));
            }
            return counts;
        }
        // The gates before the first measurement, reset or condition are the same in every shot: simulate them once.
        var instructions = circuit.Instructions;
        int prefix = 0;
        while (prefix < instructions.Count && instructions[prefix].Kind is InstructionKind.Gate or InstructionKind.Barrier && instructions[prefix].Condition is null) prefix++;
        var start = new StateVector(circuit.NumQubits, precision);
        Continue(circuit, start, new bool[circuit.NumClbits], 0, prefix, null);
        var rng = new Random(seed);
        for (int s = 0; s < shots; s++)
        {
            var bits = new bool[circuit.NumClbits];
            Continue(circuit, start.Clone(), bits, prefix, instructions.Count, rng);
            Add(counts, BitString(bits));
        }
        return counts;
    }

    /// <summary>
    /// One shot of <paramref name="circuit"/> with collapse: the final state and the classical bits (indexed by flat
    /// classical index). Draws come from <paramref name="rng"/>, so a seeded generator makes the shot reproducible.
    /// </summary>
    public static (StateVector State, bool[] Clbits) RunShot(Circuit circuit, Random rng)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(rng);
        var state = new StateVector(circuit.NumQubits);
        var bits = new bool[circuit.NumClbits];
        Continue(circuit, state, bits, 0, circuit.Instructions.Count, rng);
        state.ApplyGlobalPhase(circuit.GlobalPhase.Value);
        return (state, bits);
    }

    /// <summary>Runs instructions [<paramref name="from"/>, <paramref name="to"/>) with collapse (<paramref name="rng"/> is only drawn from by measurements and resets).</summary>
    private static void Continue(Circuit circuit, StateVector state, bool[] bits, int from, int to, Random? rng)
    {
        // Runs of unconditioned gates go to the state as one fused program.
        var gates = new List<(Gate, int[])>();
        void Flush()
        {
            if (gates.Count == 0) return;
            state.ApplyGates(gates);
            gates.Clear();
        }
        for (int i = from; i < to; i++)
        {
            var ins = circuit.Instructions[i];
            if (ins.Kind == InstructionKind.Gate && ins.Condition is null) { gates.Add((ins.Gate!, [.. ins.Qubits])); continue; }
            if (ins.Kind == InstructionKind.Barrier) continue;
            Flush();
            if (ins.Condition is { } cond && !cond.IsSatisfied(bits)) continue;
            switch (ins.Kind)
            {
                case InstructionKind.Gate: state.Apply(ins.Gate!, [.. ins.Qubits]); break;
                case InstructionKind.Measure: bits[ins.Clbits[0]] = state.Measure(ins.Qubits[0], rng!) == 1; break;
                case InstructionKind.Reset: state.Reset(ins.Qubits[0], rng!); break;
            }
        }
        Flush();
    }

    /// <summary>The bit string of <paramref name="bits"/>, bit 0 rightmost.</summary>
    internal static string BitString(ReadOnlySpan<bool> bits)
    {
        var chars = new char[bits.Length];
        for (int b = 0; b < bits.Length; b++) chars[bits.Length - 1 - b] = bits[b] ? '1' : '0';
        return new string(chars);
    }

    /// <summary>
    /// Counts over a subset of classical bits: each key of <paramref name="counts"/> (bit 0 rightmost, as <see cref="Run"/>
    /// writes them) is cut down to the bits <paramref name="clbits"/>, written with <paramref name="clbits"/>[0] rightmost,
    /// and equal keys are summed (Qiskit's <c>marginal_counts</c>).
    /// </summary>
    /// <exception cref="ArgumentException">A key is not a bit string, or a bit index is outside a key.</exception>
    public static Dictionary<string, int> Marginal(IReadOnlyDictionary<string, int> counts, params int[] clbits)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(clbits);
        var r = new Dictionary<string, int>(StringComparer.Ordinal);
        var chars = new char[clbits.Length];
        foreach (var (key, n) in counts)
        {
            for (int i = 0; i < clbits.Length; i++)
            {
                int b = clbits[i];
                if ((uint)b >= (uint)key.Length) throw new ArgumentException($"marginal: classical bit {b} outside the {key.Length}-bit key '{key}'");
                char ch = key[key.Length - 1 - b];
                if (ch is not ('0' or '1')) throw new ArgumentException($"marginal: key '{key}' is not a bit string");
                chars[clbits.Length - 1 - i] = ch;
            }
            string k = new(chars);
            r[k] = r.GetValueOrDefault(k) + n;
        }
        return r;
    }

    private static void Add(Dictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
}
