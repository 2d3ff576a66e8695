namespace Polymath.Quantum;

/// <summary>What an <see cref="Instruction"/> does.</summary>
public enum InstructionKind
{
    /// <summary>A unitary <see cref="Quantum.Gate"/> on <see cref="Instruction.Qubits"/>.</summary>
    Gate,

    /// <summary>A Z-basis measurement of <see cref="Instruction.Qubits"/>[0] into <see cref="Instruction.Clbits"/>[0] (the state collapses).</summary>
    Measure,

    /// <summary>A reset of <see cref="Instruction.Qubits"/>[0] to |0⟩: the channel ρ ↦ |0⟩⟨0|⊗Tr_q ρ (not unitary).</summary>
    Reset,

    /// <summary>A barrier on <see cref="Instruction.Qubits"/>: no effect on the state; kept for drawing, export and to separate layers.</summary>
    Barrier,
}

/// <summary>
/// One step of a <see cref="Circuit"/>: a gate, a measurement, a reset or a barrier (<see cref="Kind"/>), possibly
/// conditioned on classical bits (<see cref="Condition"/>: it then runs only when the condition holds). Immutable.
/// Qubit and classical-bit indices are the circuit's flat indices.
/// </summary>
public sealed class Instruction
{
    internal Instruction(InstructionKind kind, Gate? gate, int[] qubits, int[] clbits, Condition? condition = null)
    {
        if ((kind == InstructionKind.Gate) != (gate is not null)) throw new ArgumentException($"a {kind} instruction {(gate is null ? "needs" : "has no")} gate");
        Kind = kind;
        Gate = gate;
        Qubits = qubits;
        Clbits = clbits;
        Condition = condition;
    }

    /// <summary>Gate, measurement, reset or barrier.</summary>
    public InstructionKind Kind { get; }

    /// <summary>The gate (<see cref="InstructionKind.Gate"/> only), else null.</summary>
    public Gate? Gate { get; }

    /// <summary>True for a measurement.</summary>
    public bool IsMeasurement => Kind == InstructionKind.Measure;

    /// <summary>True for an unconditioned gate: the instructions a unitary circuit is made of (barriers aside).</summary>
    public bool IsUnitary => Kind == InstructionKind.Gate && Condition is null;

    /// <summary>Circuit qubits: gate qubit j acts on Qubits[j]; one qubit for measure and reset; any number for a barrier.</summary>
    public IReadOnlyList<int> Qubits { get; }

    /// <summary>Classical bits written: one for a measurement, none otherwise (the bits a condition reads are in <see cref="Condition"/>).</summary>
    public IReadOnlyList<int> Clbits { get; }

    /// <summary>The classical condition, or null when the instruction always runs.</summary>
    public Condition? Condition { get; }

    /// <summary>"measure", "reset", "barrier" or the gate's name.</summary>
    public string Name => Kind switch
    {
        InstructionKind.Gate => Gate!.Name,
        InstructionKind.Measure => "measure",
        InstructionKind.Reset => "reset",
        _ => "barrier",
    };

    /// <summary>The same instruction with its condition replaced (null removes it).</summary>
    internal Instruction WithCondition(Condition? condition) => new(Kind, Gate, [.. Qubits], [.. Clbits], condition);

    /// <summary>The same instruction on other qubits and bits (indices mapped through the arrays).</summary>
    internal Instruction Remap(IReadOnlyList<int> qubitMap, IReadOnlyList<int> clbitMap, Condition? condition) =>
        new(Kind, Gate, Qubits.Select(q => qubitMap[q]).ToArray(), Clbits.Select(b => clbitMap[b]).ToArray(), condition);

    /// <inheritdoc/>
    public override string ToString()
    {
        string body = Kind switch
        {
            InstructionKind.Gate => $"{Gate} q[{string.Join(", ", Qubits)}]",
            InstructionKind.Measure => $"measure q[{Qubits[0]}] -> c[{Clbits[0]}]",
            InstructionKind.Reset => $"reset q[{Qubits[0]}]",
            _ => $"barrier q[{string.Join(", ", Qubits)}]",
        };
        return Condition is null ? body : $"if({Condition}) {body}";
    }
}
