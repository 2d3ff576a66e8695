namespace Polymath.Quantum;

/// <summary>
/// A circuit flattened with its noise: gates, channels (inserted by the <see cref="NoiseModel"/>) and measurements with
/// their read-out errors. Both noisy simulators run this list, so they see exactly the same noise. Instruction kinds other
/// than gates and measurements are refused here, in <see cref="Classify"/>, the one place that knows them.
/// </summary>
internal sealed class NoisyProgram
{
    internal enum StepKind { Gate, Channel, Measure }

    internal sealed record Step(StepKind Kind, int[] Qubits, Gate? Gate = null, QuantumChannel? Channel = null, int Clbit = -1, ReadoutError? Readout = null)
    {
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
            switch (Classify(ins, idx))
            {
                case StepKind.Gate:
                    if (ins.Gate!.IsParameterized)
                        throw new InvalidOperationException($"instruction {idx} '{ins.Gate}' has unbound parameters; bind them before simulating");
                    steps.Add(new Step(StepKind.Gate, [.. ins.Qubits], Gate: ins.Gate));
                    if (noise is not null)
                        foreach (var (ch, qs) in noise.ErrorsAfterGate(ins.Gate.Name, ins.Qubits))
                            steps.Add(new Step(StepKind.Channel, qs, Channel: ch));
                    break;
                case StepKind.Measure:
                    int q = ins.Qubits[0];
                    if (noise is not null)
                        foreach (var (ch, qs) in noise.ErrorsBeforeMeasure(q))
                            steps.Add(new Step(StepKind.Channel, qs, Channel: ch));
                    steps.Add(new Step(StepKind.Measure, [q], Clbit: ins.Clbits[0], Readout: noise?.ReadoutErrorFor(q)));
                    break;
            }
        }
        MarkFinalMeasurements(steps);
        return new NoisyProgram(circuit.NumQubits, circuit.NumClbits, steps);
    }

    /// <summary>Gate or measurement; anything else (reset, barrier, conditions once the circuit model has them) is refused.</summary>
    private static StepKind Classify(Instruction ins, int index)
    {
        if (ins.IsMeasurement && ins.Name == "measure" && ins.Qubits.Count == 1 && ins.Clbits.Count == 1) return StepKind.Measure;
        if (!ins.IsMeasurement && ins.Gate is not null && ins.Clbits.Count == 0 && ins.Name == ins.Gate.Name) return StepKind.Gate;
        throw new NotSupportedException($"noisy simulation: instruction {index} '{ins}' ({ins.Name}) is not a gate or a measurement; it is not supported yet");
    }

    private static void MarkFinalMeasurements(List<Step> steps)
    {
        long touchedLater = 0, writtenLater = 0;
        for (int i = steps.Count - 1; i >= 0; i--)
        {
            var s = steps[i];
            if (s.Kind == StepKind.Measure)
            {
                long qb = 1L << s.Qubits[0], cb = 1L << s.Clbit;
                s.IsFinal = (touchedLater & qb) == 0 && (writtenLater & cb) == 0;
                writtenLater |= cb;
            }
            foreach (int q in s.Qubits) touchedLater |= 1L << q;
        }
    }
}
