using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// A circuit flattened with its noise: gates, channels (inserted by the <see cref="NoiseModel"/>) and measurements with
/// their read-out errors, resets; classically conditioned steps keep their condition (a conditioned gate's noise is
/// conditioned with it). Barriers are dropped. Both noisy simulators run this list, so they see exactly the same noise.
/// </summary>
internal sealed class NoisyProgram
{
    internal enum StepKind { Gate, Channel, Measure, Reset }

    /// <summary>A gate's matrix (the base matrix for controlled gates), its conjugate, targets and controls, built once per run.</summary>
    internal sealed record PreparedGate(Complex[,] Matrix, Complex[,] Conjugate, int[] Targets, int[] Controls)
    {
        internal static PreparedGate From(Gate gate, int[] qubits)
        {
            var (m, targets, controls) = gate is ControlledGate cg
                ? (cg.BaseGate.Matrix, qubits[cg.NumControls..], qubits[..cg.NumControls])
                : (gate.Matrix, qubits, Array.Empty<int>());
            var conj = new Complex[m.GetLength(0), m.GetLength(1)];
            for (int i = 0; i < m.GetLength(0); i++) for (int j = 0; j < m.GetLength(1); j++) conj[i, j] = Complex.Conjugate(m[i, j]);
            return new PreparedGate(m, conj, targets, controls);
        }
    }

    internal sealed record Step(StepKind Kind, int[] Qubits, PreparedGate? Gate = null, QuantumChannel? Channel = null, int Clbit = -1, ReadoutError? Readout = null, string? Source = null, Condition? Condition = null)
    {
        /// <summary>True when the step runs for the classical bits <paramref name="bits"/> (bit i of the word is classical bit i).</summary>
        public bool RunsFor(long bits, int numClbits)
        {
            if (Condition is null) return true;
            Span<bool> b = stackalloc bool[numClbits];
            for (int i = 0; i < numClbits; i++) b[i] = (bits >> i & 1) != 0;
            return Condition.IsSatisfied(b);
        }

        /// <summary>For a measurement: true when nothing later touches its qubit or writes its classical bit, so it may be sampled at the end.</summary>
        public bool IsFinal { get; set; }
    }

    private NoisyProgram(int numQubits, int numClbits, List<Step> steps)
    {
        NumQubits = numQubits;
        NumClbits = numClbits;
        Steps = steps;
    }

    internal int NumQubits { get; }
    internal int NumClbits { get; }
    internal List<Step> Steps { get; }

    /// <summary>
    /// Index of the first step of the trailing run of final measurements (Steps.Count when there is none): from there a
    /// trajectory draws one basis index from |ψ|² instead of collapsing qubit by qubit.
    /// </summary>
    internal int FinalMeasurementsStart { get; private set; }

    /// <summary>True when some measurement is followed by operations on its qubit or a rewrite of its bit.</summary>
    internal bool HasMidCircuitMeasurement => Steps.Any(s => s.Kind == StepKind.Measure && !s.IsFinal);

    internal static NoisyProgram Compile(Circuit circuit, NoiseModel? noise)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        if (circuit.NumClbits > 62) throw new NotSupportedException($"noisy simulation keeps classical bits in a 64-bit word; this circuit has {circuit.NumClbits}");
        var steps = new List<Step>();
        for (int idx = 0; idx < circuit.Instructions.Count; idx++)
        {
            var ins = circuit.Instructions[idx];
            var cond = ins.Condition;
            switch (Classify(ins, idx))
            {
                case StepKind.Gate:
                    if (ins.Gate!.IsParameterized)
                        throw new InvalidOperationException($"instruction {idx} '{ins.Gate}' has unbound parameters; bind them before simulating");
                    steps.Add(new Step(StepKind.Gate, [.. ins.Qubits], Gate: PreparedGate.From(ins.Gate, [.. ins.Qubits]), Source: ins.Gate.ToString(), Condition: cond));
                    if (noise is not null)
                        foreach (var (ch, qs) in noise.ErrorsAfterGate(ins.Gate.Name, ins.Qubits))
                            steps.Add(new Step(StepKind.Channel, qs, Channel: ch, Condition: cond));
                    break;
                case StepKind.Measure:
                    int q = ins.Qubits[0];
                    if (noise is not null)
                        foreach (var (ch, qs) in noise.ErrorsBeforeMeasure(q))
                            steps.Add(new Step(StepKind.Channel, qs, Channel: ch, Condition: cond));
                    steps.Add(new Step(StepKind.Measure, [q], Clbit: ins.Clbits[0], Readout: noise?.ReadoutErrorFor(q), Condition: cond));
                    break;
                case StepKind.Reset:
                    steps.Add(new Step(StepKind.Reset, [ins.Qubits[0]], Condition: cond));
                    break;
            }
        }
        MarkFinalMeasurements(steps);
        int start = steps.Count;
        while (start > 0 && steps[start - 1].Kind == StepKind.Measure && steps[start - 1].IsFinal) start--;
        return new NoisyProgram(circuit.NumQubits, circuit.NumClbits, steps) { FinalMeasurementsStart = start };
    }

    /// <summary>
    /// The steps for a density-matrix run: a gate on at most two qubits followed by channels on its own qubits becomes one
    /// channel (gate then noise, as a single superoperator pass over ρ instead of one pass each) where that costs fewer
    /// multiply-adds. Fused channels are shared between steps with the same gate matrix, qubit pattern and noise.
    /// </summary>
    internal List<Step> FusedForDensityMatrix()
    {
        var result = new List<Step>();
        var cache = new Dictionary<string, QuantumChannel>(StringComparer.Ordinal);
        var channelIds = new Dictionary<QuantumChannel, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < Steps.Count; i++)
        {
            var step = Steps[i];
            int j = i + 1;
            if (step.Kind == StepKind.Gate && step.Qubits.Length <= 2 && step.Condition is null)
                while (j < Steps.Count && Steps[j].Kind == StepKind.Channel && Steps[j].Condition is null && Steps[j].Qubits.All(step.Qubits.Contains)) j++;
            // Passes over ρ cost about (matrix side) multiply-adds per entry: a gate is two passes with a 2ᵏ matrix, a channel
            // one with 4ᵏ', the fused superoperator one with 4ᵏ. Fuse only where that is cheaper.
            int k = step.Qubits.Length;
            long separate = 2L << k, fusedCost = 1L << (2 * k);
            for (int t = i + 1; t < j; t++) separate += 1L << (2 * Steps[t].Qubits.Length);
            if (j == i + 1 || fusedCost >= separate) { result.Add(step); continue; }
            var gate = step.Gate!;
            var followers = Steps.GetRange(i + 1, j - i - 1);
            var positions = followers.Select(f => f.Qubits.Select(q => Array.IndexOf(step.Qubits, q)).ToArray()).ToList();
            var full = FullMatrix(gate);
            string key = MatrixKey(full) + "|" + string.Join(";", followers.Select((f, t) =>
            {
                if (!channelIds.TryGetValue(f.Channel!, out int id)) channelIds[f.Channel!] = id = channelIds.Count;
                return $"{id}@{string.Join(",", positions[t])}";
            }));
            if (!cache.TryGetValue(key, out var fused))
            {
                fused = QuantumChannel.MixedUnitary([1.0], [full], step.Source ?? "gate");
                for (int t = 0; t < followers.Count; t++)
                    fused = fused.Compose(followers[t].Channel!.Expand(positions[t], step.Qubits.Length));
                cache[key] = fused;
            }
            result.Add(new Step(StepKind.Channel, step.Qubits, Channel: fused));
            i = j - 1;
        }
        return result;
    }

    /// <summary>The exact bits of every entry: equal keys mean equal matrices (no rounding of printed parameters).</summary>
    private static string MatrixKey(Complex[,] m)
    {
        var sb = new System.Text.StringBuilder().Append(m.GetLength(0)).Append(':');
        foreach (var z in m) sb.Append(BitConverter.DoubleToInt64Bits(z.Real).ToString("x")).Append(',').Append(BitConverter.DoubleToInt64Bits(z.Imaginary).ToString("x")).Append(' ');
        return sb.ToString();
    }

    /// <summary>The whole gate matrix (controls included) in the gate's qubit order.</summary>
    private static Complex[,] FullMatrix(PreparedGate g)
    {
        if (g.Controls.Length == 0) return g.Matrix;
        int nc = g.Controls.Length, d = g.Matrix.GetLength(0), cm = (1 << nc) - 1, size = d << nc;
        var r = new Complex[size, size];
        for (int i = 0; i < size; i++)
        {
            if ((i & cm) != cm) { r[i, i] = Complex.One; continue; }
            for (int k = 0; k < d; k++) r[i, (k << nc) | cm] = g.Matrix[i >> nc, k];
        }
        return r;
    }

    /// <summary>The step kind of an instruction; null for a barrier (no effect on simulation).</summary>
    private static StepKind? Classify(Instruction ins, int index) => ins.Kind switch
    {
        InstructionKind.Measure => StepKind.Measure,
        InstructionKind.Gate => StepKind.Gate,
        InstructionKind.Reset => StepKind.Reset,
        InstructionKind.Barrier => null,
        _ => throw new NotSupportedException($"noisy simulation: instruction {index} '{ins}' has an unknown kind {ins.Kind}"),
    };

    private static void MarkFinalMeasurements(List<Step> steps)
    {
        long touchedLater = 0, writtenLater = 0, readLater = 0;
        for (int i = steps.Count - 1; i >= 0; i--)
        {
            var s = steps[i];
            if (s.Kind == StepKind.Measure)
            {
                long qb = 1L << s.Qubits[0], cb = 1L << s.Clbit;
                // A bit a later condition reads must be known before that step: not a final measurement.
                s.IsFinal = (touchedLater & qb) == 0 && (writtenLater & cb) == 0 && (readLater & cb) == 0 && s.Condition is null;
                writtenLater |= cb;
            }
            if (s.Condition is { } c) foreach (int b in c.Clbits) readLater |= 1L << b;
            foreach (int q in s.Qubits) touchedLater |= 1L << q;
        }
    }
}
