using System.Globalization;
using System.Text;

namespace Polymath.Quantum.OpenQasm;

/// <summary>Writes a <see cref="Circuit"/> as OpenQASM 2.0 with qelib1 gate names.</summary>
internal static class QasmWriter
{
    private const int MaxDecompositionDepth = 64;

    public static string Write(Circuit circuit)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        var sb = new StringBuilder();
        sb.Append("OPENQASM 2.0;\n");
        sb.Append("include \"qelib1.inc\";\n");
        foreach (var r in circuit.QuantumRegisters) sb.Append("qreg ").Append(r.Name).Append('[').Append(r.Size).Append("];\n");
        foreach (var r in circuit.ClassicalRegisters) sb.Append("creg ").Append(r.Name).Append('[').Append(r.Size).Append("];\n");
        string[] q = Names(circuit.QuantumRegisters, circuit.NumQubits);
        string[] c = Names(circuit.ClassicalRegisters, circuit.NumClbits);
        for (int i = 0; i < circuit.Instructions.Count; i++)
        {
            var ins = circuit.Instructions[i];
            string prefix = ins.Condition is { } cond ? $"if({ConditionRegister(circuit, cond, i).Name}=={cond.Value}) " : "";
            switch (ins.Kind)
            {
                case InstructionKind.Gate: WriteGate(sb, prefix, ins.Gate!, ins.Qubits.Select(x => q[x]).ToArray(), 0); break;
                case InstructionKind.Measure: sb.Append(prefix).Append("measure ").Append(q[ins.Qubits[0]]).Append(" -> ").Append(c[ins.Clbits[0]]).Append(";\n"); break;
                case InstructionKind.Reset: sb.Append(prefix).Append("reset ").Append(q[ins.Qubits[0]]).Append(";\n"); break;
                case InstructionKind.Barrier: sb.Append("barrier ").AppendJoin(',', ins.Qubits.Select(x => q[x])).Append(";\n"); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>"name[i]" for every flat index.</summary>
    private static string[] Names(IEnumerable<Register> registers, int count)
    {
        var names = new string[count];
        foreach (var r in registers)
            for (int i = 0; i < r.Size; i++) names[r.Start + i] = $"{r.Name}[{i}]";
        return names;
    }

    /// <summary>The register a condition compares; OpenQASM 2.0 can only compare whole registers.</summary>
    private static ClassicalRegister ConditionRegister(Circuit circuit, Condition cond, int index)
    {
        var match = circuit.ClassicalRegisters.FirstOrDefault(r =>
            r.Size == cond.Clbits.Count && cond.Clbits.Select((b, i) => b == r.Start + i).All(x => x));
        return match ?? throw new NotSupportedException(
            $"instruction {index}: condition {cond} is not on a whole classical register, which OpenQASM 2.0 cannot express " +
            "(put the bit in a register of its own, or condition on the whole register)");
    }

    /// <summary>The qelib1 name and parameters of <paramref name="gate"/>, or null when it has none.</summary>
    private static (string Name, IReadOnlyList<ParameterExpression> Params)? Qelib1Name(Gate gate)
    {
        var p = gate.Params;
        string? name = gate switch
        {
            IGate => "id", XGate => "x", YGate => "y", ZGate => "z", HGate => "h",
            SGate => "s", SdgGate => "sdg", TGate => "t", TdgGate => "tdg", SXGate => "sx", SXdgGate => "sxdg",
            RXGate => "rx", RYGate => "ry", RZGate => "rz", PhaseGate => "u1", UGate => "u3", U2Gate => "u2",
            CXGate => "cx", CYGate => "cy", CZGate => "cz", CHGate => "ch", CPhaseGate => "cu1",
            CRXGate => "crx", CRYGate => "cry", CRZGate => "crz", SwapGate => "swap", RXXGate => "rxx", RZZGate => "rzz",
            CCXGate => "ccx", CSwapGate => "cswap",
            _ => null,
        };
        if (name is not null) return (name, p);
        if (gate is CUGate)
            return p[3].IsBound && p[3].Value == 0 ? ("cu3", p.Take(3).ToList()) : ("cu", p);
        if (gate is ControlledGate cg)
        {
            if (cg.BaseGate is XGate && cg.NumControls <= 4)
                return (cg.NumControls switch { 1 => "cx", 2 => "ccx", 3 => "c3x", _ => "c4x" }, []);
            if (cg.BaseGate is SXGate && cg.NumControls == 1) return ("csx", []);
        }
        return null;
    }

    private static void WriteGate(StringBuilder sb, string prefix, Gate gate, string[] qubits, int depth)
    {
        if (Qelib1Name(gate) is { } q)
        {
            sb.Append(prefix).Append(q.Name);
            if (q.Params.Count > 0)
            {
                sb.Append('(');
                for (int i = 0; i < q.Params.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    sb.Append(Format(q.Params[i], gate));
                }
                sb.Append(')');
            }
            sb.Append(' ');
            for (int i = 0; i < qubits.Length; i++)
            {
                if (i > 0) sb.Append(',');
                sb.Append(qubits[i]);
            }
            sb.Append(";\n");
            return;
        }
        if (depth >= MaxDecompositionDepth)
            throw new NotSupportedException($"gate '{gate.Name}' has no OpenQASM 2.0 form within {MaxDecompositionDepth} levels of decomposition");
        if (gate.IsParameterized)
            throw new InvalidOperationException($"gate '{gate}' has unbound parameters; bind the circuit before exporting to OpenQASM 2.0");
        var d = gate.Decompose();
        foreach (var sub in d.Instructions)
            WriteGate(sb, prefix, sub.Gate!, sub.Qubits.Select(x => qubits[x]).ToArray(), depth + 1);
    }

    private static string Format(ParameterExpression p, Gate gate)
    {
        if (!p.IsBound)
            throw new InvalidOperationException($"gate '{gate}' has unbound parameter(s) {string.Join(", ", p.Parameters)}; bind the circuit before exporting to OpenQASM 2.0");
        double v = p.Value;
        if (!double.IsFinite(v)) throw new InvalidOperationException($"gate '{gate}' has a non-finite parameter {v.ToString(CultureInfo.InvariantCulture)}");
        return v.ToString("R", CultureInfo.InvariantCulture);
    }
}
