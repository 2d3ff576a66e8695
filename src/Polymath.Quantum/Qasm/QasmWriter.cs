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
        if (circuit.NumQubits > 0) sb.Append("qreg q[").Append(circuit.NumQubits).Append("];\n");
        if (circuit.NumClbits > 0) sb.Append("creg c[").Append(circuit.NumClbits).Append("];\n");
        foreach (var ins in circuit.Instructions)
        {
            if (ins.Gate is null) sb.Append("measure q[").Append(ins.Qubits[0]).Append("] -> c[").Append(ins.Clbits[0]).Append("];\n");
            else WriteGate(sb, ins.Gate, [.. ins.Qubits], 0);
        }
        return sb.ToString();
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

    private static void WriteGate(StringBuilder sb, Gate gate, int[] qubits, int depth)
    {
        if (Qelib1Name(gate) is { } q)
        {
            sb.Append(q.Name);
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
                sb.Append("q[").Append(qubits[i]).Append(']');
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
            WriteGate(sb, sub.Gate!, sub.Qubits.Select(x => qubits[x]).ToArray(), depth + 1);
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
