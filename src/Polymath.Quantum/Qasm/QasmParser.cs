using System.Globalization;
using Polymath.Quantum.OpenQasm;

namespace Polymath.Quantum
{
    /// <summary>
    /// OpenQASM 2.0 import and export. <see cref="Parse"/> reads a program (header, <c>include "qelib1.inc"</c>,
    /// <c>qreg</c>/<c>creg</c>, gate calls with register broadcast, user <c>gate</c> definitions, <c>measure</c>,
    /// <c>reset</c>, <c>barrier</c>, <c>if</c>) into a <see cref="Circuit"/>; <see cref="ToQasm"/> writes one out.
    /// </summary>
    public static class Qasm
    {
        /// <summary>
        /// Parses an OpenQASM 2.0 program. Registers become the circuit's registers (same names) and map to flat indices
        /// in declaration order (first <c>qreg</c>'s qubits first); <c>measure</c>, <c>reset</c> and <c>barrier</c> broadcast
        /// over registers; <c>if(creg==n) op</c> conditions a gate call (every gate of a user gate's body), a measure or a
        /// reset. <c>opaque</c> and includes other than qelib1.inc are rejected.
        /// </summary>
        /// <exception cref="QasmException">Any error; the message gives the line and column and what was expected.</exception>
        public static Circuit Parse(string text)
        {
            ArgumentNullException.ThrowIfNull(text);
            return new QasmParser(QasmLexer.Tokenize(text)).ParseProgram();
        }

        /// <summary>Reads and parses the OpenQASM 2.0 file at <paramref name="path"/>.</summary>
        /// <exception cref="QasmException">Any error in the program.</exception>
        public static Circuit Load(string path) => Parse(File.ReadAllText(path));

        /// <summary>
        /// Writes <paramref name="circuit"/> as OpenQASM 2.0: header, include, one <c>qreg</c>/<c>creg</c> per register (its
        /// name kept), gates with qelib1 names (parameters in round-trip "R" format, invariant culture), measurements,
        /// resets, barriers and <c>if(creg==n)</c> conditions.
        /// Gates without a qelib1 name are written as their decomposition. OpenQASM 2.0 has no global phase, so
        /// <see cref="Circuit.GlobalPhase"/> and the global phases of decompositions are dropped.
        /// </summary>
        /// <exception cref="InvalidOperationException">A parameter is unbound or not finite.</exception>
        /// <exception cref="NotSupportedException">A gate cannot be decomposed (multi-qubit <see cref="UnitaryGate"/>), or a condition is not
        /// on a whole classical register (OpenQASM 2.0 cannot compare a single bit of a larger register).</exception>
        public static string ToQasm(Circuit circuit) => QasmWriter.Write(circuit);
    }
}

namespace Polymath.Quantum.OpenQasm
{
    internal sealed class QasmParser(List<Token> tokens)
    {
        private sealed record Spec(string Name, int NumParams, int NumQubits, Func<double[], Gate> Make);

        private sealed record Call(Token Name, Func<Dictionary<string, double>, double>[] Params, Token[] Args);

        private sealed record GateDef(string Name, string[] Params, string[] Qubits, List<Call> Body);

        /// <summary>A condition as written: <c>if(Register==Value)</c>.</summary>
        private sealed record Cond(string Register, long Value);

        private abstract record Op(Cond? Condition);
        private sealed record GateOp(Gate Gate, int[] Qubits, Cond? Condition) : Op(Condition);
        private sealed record MeasureOp(int Qubit, int Clbit, Cond? Condition) : Op(Condition);
        private sealed record ResetOp(int Qubit, Cond? Condition) : Op(Condition);
        private sealed record BarrierOp(int[] Qubits) : Op((Cond?)null);

        private static readonly Dictionary<string, Spec> Builtins = new Spec[]
        {
            new("U", 3, 1, p => new UGate(p[0], p[1], p[2])),
            new("CX", 0, 2, _ => new CXGate()),
        }.ToDictionary(s => s.Name, StringComparer.Ordinal);

        private static readonly Dictionary<string, Spec> Qelib1 = new Spec[]
        {
            new("u3", 3, 1, p => new UGate(p[0], p[1], p[2])),
            new("u", 3, 1, p => new UGate(p[0], p[1], p[2])),
            new("u2", 2, 1, p => new U2Gate(p[0], p[1])),
            new("u1", 1, 1, p => new PhaseGate(p[0])),
            new("p", 1, 1, p => new PhaseGate(p[0])),
            new("u0", 1, 1, _ => new IGate()),
            new("id", 0, 1, _ => new IGate()),
            new("x", 0, 1, _ => new XGate()),
            new("y", 0, 1, _ => new YGate()),
            new("z", 0, 1, _ => new ZGate()),
            new("h", 0, 1, _ => new HGate()),
            new("s", 0, 1, _ => new SGate()),
            new("sdg", 0, 1, _ => new SdgGate()),
            new("t", 0, 1, _ => new TGate()),
            new("tdg", 0, 1, _ => new TdgGate()),
            new("sx", 0, 1, _ => new SXGate()),
            new("sxdg", 0, 1, _ => new SXdgGate()),
            new("rx", 1, 1, p => new RXGate(p[0])),
            new("ry", 1, 1, p => new RYGate(p[0])),
            new("rz", 1, 1, p => new RZGate(p[0])),
            new("cx", 0, 2, _ => new CXGate()),
            new("cy", 0, 2, _ => new CYGate()),
            new("cz", 0, 2, _ => new CZGate()),
            new("ch", 0, 2, _ => new CHGate()),
            new("swap", 0, 2, _ => new SwapGate()),
            new("csx", 0, 2, _ => new SXGate().Control(1)),
            new("crx", 1, 2, p => new CRXGate(p[0])),
            new("cry", 1, 2, p => new CRYGate(p[0])),
            new("crz", 1, 2, p => new CRZGate(p[0])),
            new("cu1", 1, 2, p => new CPhaseGate(p[0])),
            new("cp", 1, 2, p => new CPhaseGate(p[0])),
            new("cu3", 3, 2, p => new CUGate(p[0], p[1], p[2], 0)),
            new("cu", 4, 2, p => new CUGate(p[0], p[1], p[2], p[3])),
            new("rxx", 1, 2, p => new RXXGate(p[0])),
            new("rzz", 1, 2, p => new RZZGate(p[0])),
            new("ccx", 0, 3, _ => new CCXGate()),
            new("cswap", 0, 3, _ => new CSwapGate()),
            new("c3x", 0, 4, _ => new MCXGate(3)),
            new("c4x", 0, 5, _ => new MCXGate(4)),
        }.ToDictionary(s => s.Name, StringComparer.Ordinal);

        private static readonly Dictionary<string, Func<double, double>> Functions = new(StringComparer.Ordinal)
        {
            ["sin"] = Math.Sin, ["cos"] = Math.Cos, ["tan"] = Math.Tan,
            ["exp"] = Math.Exp, ["ln"] = Math.Log, ["sqrt"] = Math.Sqrt,
        };

        private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
        {
            "OPENQASM", "include", "qreg", "creg", "gate", "opaque", "measure", "reset", "barrier", "if", "pi", "U", "CX",
            "sin", "cos", "tan", "exp", "ln", "sqrt",
        };

        private readonly List<Token> _t = tokens;
        private int _pos;
        private bool _qelib;
        private readonly Dictionary<string, (int Start, int Size)> _qregs = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (int Start, int Size)> _cregs = new(StringComparer.Ordinal);
        private readonly Dictionary<string, GateDef> _user = new(StringComparer.Ordinal);
        private readonly List<Op> _ops = [];
        private readonly List<(bool Quantum, string Name, int Size)> _declared = [];
        private int _nq, _nc;
        private Cond? _condition;   // set while the operation after an 'if' is parsed

        private Token Peek => _t[_pos];

        private Token Next() => _pos < _t.Count - 1 ? _t[_pos++] : _t[_pos];

        private static QasmException Error(Token at, string message) => new(message, at.Line, at.Column);

        private Token Expect(string symbol, string context)
        {
            var t = Peek;
            if (!t.Is(symbol)) throw Error(t, $"expected '{symbol}' {context}, found {t.Describe()}");
            return Next();
        }

        private Token ExpectKind(TokenKind kind, string what)
        {
            var t = Peek;
            if (t.Kind != kind) throw Error(t, $"expected {what}, found {t.Describe()}");
            return Next();
        }

        private Token ExpectIdentifier(string what)
        {
            var t = ExpectKind(TokenKind.Id, what);
            if (Keywords.Contains(t.Text)) throw Error(t, $"expected {what}, found keyword '{t.Text}'");
            return t;
        }

        private int ExpectInt(string what)
        {
            var t = ExpectKind(TokenKind.Int, what);
            if (!int.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int v))
                throw Error(t, $"integer '{t.Text}' is too large");
            return v;
        }

        public Circuit ParseProgram()
        {
            var h = Peek;
            if (!h.Is("OPENQASM")) throw Error(h, $"expected the header 'OPENQASM 2.0;', found {h.Describe()}");
            Next();
            var v = Peek;
            if ((v.Kind != TokenKind.Real && v.Kind != TokenKind.Int) || QasmLexer.ParseNumber(v) != 2.0)
                throw Error(v, $"expected version 2.0 after 'OPENQASM', found {v.Describe()}");
            Next();
            Expect(";", "after 'OPENQASM 2.0'");
            while (Peek.Kind != TokenKind.End) Statement();
            var c = new Circuit(0);
            var cregs = new Dictionary<string, ClassicalRegister>(StringComparer.Ordinal);
            foreach (var (quantum, name, size) in _declared)
            {
                if (quantum) c.AddQuantumRegister(name, size);
                else cregs[name] = c.AddClassicalRegister(name, size);
            }
            foreach (var op in _ops)
            {
                var cond = op.Condition is { } k ? Condition.Equal(cregs[k.Register], k.Value) : null;
                switch (op)
                {
                    case GateOp g: c.Append(g.Gate, g.Qubits, cond); break;
                    case MeasureOp m: if (cond is null) c.Measure(m.Qubit, m.Clbit); else c.If(cond, b => b.Measure(m.Qubit, m.Clbit)); break;
                    case ResetOp r: if (cond is null) c.Reset(r.Qubit); else c.If(cond, b => b.Reset(r.Qubit)); break;
                    case BarrierOp b: c.Barrier(b.Qubits); break;
                }
            }
            return c;
        }

        private void Statement()
        {
            var t = Peek;
            if (t.Kind != TokenKind.Id) throw Error(t, $"expected a statement, found {t.Describe()}");
            switch (t.Text)
            {
                case "OPENQASM": throw Error(t, "the 'OPENQASM' header may appear only once, at the start");
                case "include": Include(); break;
                case "qreg": case "creg": Register(); break;
                case "gate": GateDefinition(); break;
                case "opaque": throw Error(t, "'opaque' gate declarations are not supported: an opaque gate has no definition to simulate");
                case "measure": Measure(); break;
                case "reset": Reset(); break;
                case "if": If(); break;
                case "barrier": Barrier(); break;
                default: GateCall(); break;
            }
        }

        private void Include()
        {
            Next();
            var f = ExpectKind(TokenKind.String, "a file name string after 'include'");
            if (f.Text != "qelib1.inc") throw Error(f, $"only include \"qelib1.inc\" is supported, found \"{f.Text}\"");
            Expect(";", "after include");
            _qelib = true;
        }

        private void Register()
        {
            var kw = Next();
            var name = ExpectIdentifier("a register name");
            if (_qregs.ContainsKey(name.Text) || _cregs.ContainsKey(name.Text))
                throw Error(name, $"register '{name.Text}' is already declared");
            Expect("[", "after the register name");
            var st = Peek;
            int size = ExpectInt("a register size");
            if (size <= 0) throw Error(st, $"register size must be positive, found {size}");
            Expect("]", "after the register size");
            Expect(";", "after the register declaration");
            if ((long)(kw.Text == "qreg" ? _nq : _nc) + size > int.MaxValue)
                throw Error(st, $"register '{name.Text}' makes the total number of {(kw.Text == "qreg" ? "qubits" : "bits")} exceed {int.MaxValue}");
            if (kw.Text == "qreg") { _qregs[name.Text] = (_nq, size); _nq += size; }
            else { _cregs[name.Text] = (_nc, size); _nc += size; }
            _declared.Add((kw.Text == "qreg", name.Text, size));
        }

        private Spec? Lookup(string name) =>
            Builtins.TryGetValue(name, out var b) ? b : _qelib && Qelib1.TryGetValue(name, out var q) ? q : null;

        private string UnknownGate(string name) =>
            !_qelib && Qelib1.ContainsKey(name) ? $"unknown gate '{name}' (it is in qelib1.inc: add include \"qelib1.inc\";)" : $"unknown gate '{name}'";

        // ---------- gate definitions ----------

        private void GateDefinition()
        {
            Next();
            var name = ExpectIdentifier("a gate name after 'gate'");
            if (Lookup(name.Text) is not null || _user.ContainsKey(name.Text))
                throw Error(name, $"gate '{name.Text}' is already defined");
            var ps = new List<string>();
            if (Peek.Is("("))
            {
                Next();
                if (!Peek.Is(")"))
                {
                    while (true)
                    {
                        var p = ExpectIdentifier("a parameter name");
                        if (ps.Contains(p.Text)) throw Error(p, $"parameter '{p.Text}' is declared twice");
                        ps.Add(p.Text);
                        if (Peek.Is(",")) { Next(); continue; }
                        break;
                    }
                }
                Expect(")", "to close the parameter list");
            }
            var qs = new List<string>();
            while (true)
            {
                var q = ExpectIdentifier("a qubit argument name");
                if (qs.Contains(q.Text) || ps.Contains(q.Text)) throw Error(q, $"argument '{q.Text}' is declared twice");
                qs.Add(q.Text);
                if (Peek.Is(",")) { Next(); continue; }
                break;
            }
            Expect("{", "to open the gate body");
            var body = new List<Call>();
            var allowed = new HashSet<string>(ps, StringComparer.Ordinal);
            while (!Peek.Is("}"))
            {
                var t = Peek;
                if (t.Kind == TokenKind.End) throw Error(t, $"expected '}}' to close the body of gate '{name.Text}', found end of input");
                if (t.Is("barrier"))
                {
                    Next();
                    do { var a = ExpectIdentifier("a qubit argument"); CheckBodyArg(a, qs); } while (Peek.Is(",") && Next().Is(","));
                    Expect(";", "after barrier arguments");
                    continue;
                }
                if (t.Kind != TokenKind.Id || t.Text is "measure" or "reset" or "if" or "gate" or "opaque" or "qreg" or "creg")
                    throw Error(t, $"expected a gate call in the body of gate '{name.Text}', found {t.Describe()}");
                Next();
                var prm = Peek.Is("(") ? ParamList(allowed) : [];
                var args = new List<Token>();
                do
                {
                    var a = ExpectIdentifier("a qubit argument");
                    if (Peek.Is("[")) throw Error(Peek, "indexed arguments are not allowed inside a gate body: expected a plain argument name");
                    CheckBodyArg(a, qs);
                    if (args.Any(x => x.Text == a.Text)) throw Error(a, $"qubit argument '{a.Text}' used twice in '{t.Text}'");
                    args.Add(a);
                } while (Peek.Is(",") && Next().Is(","));
                Expect(";", $"after the call of '{t.Text}'");
                CheckSignature(t, prm.Length, args.Count);
                body.Add(new Call(t, prm, [.. args]));
            }
            Next();
            _user[name.Text] = new GateDef(name.Text, [.. ps], [.. qs], body);
        }

        private static void CheckBodyArg(Token a, List<string> qs)
        {
            if (!qs.Contains(a.Text)) throw Error(a, $"unknown qubit argument '{a.Text}': expected one of {string.Join(", ", qs)}");
        }

        private void CheckSignature(Token name, int nParams, int nQubits)
        {
            int wantP, wantQ;
            if (_user.TryGetValue(name.Text, out var d)) { wantP = d.Params.Length; wantQ = d.Qubits.Length; }
            else if (Lookup(name.Text) is { } s) { wantP = s.NumParams; wantQ = s.NumQubits; }
            else throw Error(name, UnknownGate(name.Text));
            if (nParams != wantP) throw Error(name, $"gate '{name.Text}' expects {wantP} parameter(s), found {nParams}");
            if (nQubits != wantQ) throw Error(name, $"gate '{name.Text}' expects {wantQ} qubit argument(s), found {nQubits}");
        }

        // ---------- top-level operations ----------

        private Func<Dictionary<string, double>, double>[] ParamList(HashSet<string> allowed)
        {
            Expect("(", "to open the parameter list");
            var list = new List<Func<Dictionary<string, double>, double>>();
            if (!Peek.Is(")"))
            {
                while (true)
                {
                    list.Add(Expression(allowed));
                    if (Peek.Is(",")) { Next(); continue; }
                    break;
                }
            }
            Expect(")", "to close the parameter list");
            return [.. list];
        }

        private List<(Token Tok, int[] Indices, bool IsRegister)> ArgumentList(bool classical = false)
        {
            var list = new List<(Token, int[], bool)>();
            do list.Add(Argument(classical)); while (Peek.Is(",") && Next().Is(","));
            return list;
        }

        private (Token Tok, int[] Indices, bool IsRegister) Argument(bool classical)
        {
            var regs = classical ? _cregs : _qregs;
            string kind = classical ? "classical" : "quantum";
            var name = ExpectIdentifier($"a {kind} register name");
            if (!regs.TryGetValue(name.Text, out var reg))
            {
                var other = classical ? _qregs : _cregs;
                throw Error(name, other.ContainsKey(name.Text)
                    ? $"'{name.Text}' is a {(classical ? "quantum" : "classical")} register; expected a {kind} register"
                    : $"undeclared {kind} register '{name.Text}'");
            }
            if (!Peek.Is("[")) return (name, Enumerable.Range(reg.Start, reg.Size).ToArray(), true);
            Next();
            var it = Peek;
            int idx = ExpectInt("an index");
            if (idx >= reg.Size) throw Error(it, $"index {idx} out of range for register '{name.Text}' of size {reg.Size}");
            Expect("]", "after the index");
            return (name, [reg.Start + idx], false);
        }

        private void Measure()
        {
            var kw = Next();
            var q = Argument(false);
            Expect("->", "after the measured qubit");
            var c = Argument(true);
            Expect(";", "after measure");
            if (q.IsRegister != c.IsRegister || q.Indices.Length != c.Indices.Length)
                throw Error(kw, $"measure needs a qubit and a bit, or two registers of the same size; found {q.Indices.Length} qubit(s) and {c.Indices.Length} bit(s)");
            for (int i = 0; i < q.Indices.Length; i++) _ops.Add(new MeasureOp(q.Indices[i], c.Indices[i], _condition));
        }

        private void Reset()
        {
            Next();
            var q = Argument(false);
            Expect(";", "after reset");
            foreach (int qubit in q.Indices) _ops.Add(new ResetOp(qubit, _condition));
        }

        private void Barrier()
        {
            Next();
            var args = ArgumentList();
            Expect(";", "after barrier arguments");
            // A qubit listed twice ("barrier q[0], q;") is kept once, as Qiskit does: a barrier has no effect to repeat.
            _ops.Add(new BarrierOp(args.SelectMany(a => a.Indices).Distinct().ToArray()));
        }

        /// <summary><c>if ( creg == n ) qop</c>, where qop is a gate call, measure or reset (OpenQASM 2.0 §3.5).</summary>
        private void If()
        {
            Next();
            Expect("(", "after 'if'");
            var name = ExpectIdentifier("a classical register name in the condition");
            if (!_cregs.TryGetValue(name.Text, out var r))
                throw Error(name, _qregs.ContainsKey(name.Text)
                    ? $"'{name.Text}' is a quantum register; a condition compares a classical register"
                    : $"undeclared classical register '{name.Text}' in the condition");
            if (Peek.Is("[")) throw Error(Peek, "OpenQASM 2.0 conditions compare a whole classical register: expected '==', found '['");
            Expect("==", "in the condition");
            var vt = Peek;
            var vk = ExpectKind(TokenKind.Int, "an integer after '=='");
            if (!long.TryParse(vk.Text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || r.Size > 63 || value >> r.Size != 0)
                throw Error(vt, $"condition value {vk.Text} does not fit register '{name.Text}' of {r.Size} bit(s): expected 0 to {(r.Size > 62 ? long.MaxValue : (1L << r.Size) - 1)}");
            Expect(")", "to close the condition");
            var op = Peek;
            if (op.Kind != TokenKind.Id || op.Text is "if" or "barrier" or "qreg" or "creg" or "gate" or "opaque" or "include" or "OPENQASM")
                throw Error(op, $"expected a gate call, measure or reset after the condition, found {op.Describe()}");
            _condition = new Cond(name.Text, value);
            try
            {
                if (op.Text == "measure") Measure();
                else if (op.Text == "reset") Reset();
                else GateCall();
            }
            finally { _condition = null; }
        }

        private void GateCall()
        {
            var name = Next();
            if (Keywords.Contains(name.Text) && Lookup(name.Text) is null) throw Error(name, $"expected a statement, found keyword '{name.Text}'");
            var prm = Peek.Is("(") ? ParamList([]) : [];
            var args = ArgumentList();
            Expect(";", $"after the call of '{name.Text}'");
            CheckSignature(name, prm.Length, args.Count);
            var values = prm.Select(f => f([])).ToArray();
            CheckFinite(name, values);
            int width = 1;
            foreach (var a in args)
            {
                if (!a.IsRegister) continue;
                if (width != 1 && a.Indices.Length != width)
                    throw Error(a.Tok, $"register '{a.Tok.Text}' has size {a.Indices.Length} but an earlier register argument has size {width}: broadcast needs equal sizes");
                width = a.Indices.Length;
            }
            for (int k = 0; k < width; k++)
            {
                var qubits = args.Select(a => a.IsRegister ? a.Indices[k] : a.Indices[0]).ToArray();
                for (int i = 0; i < qubits.Length; i++)
                    for (int j = 0; j < i; j++)
                        if (qubits[i] == qubits[j]) throw Error(args[i].Tok, $"gate '{name.Text}' uses the same qubit twice (argument {j + 1} and {i + 1})");
                Apply(name, values, qubits, 0);
            }
        }

        private static void CheckFinite(Token at, double[] values)
        {
            for (int i = 0; i < values.Length; i++)
                if (!double.IsFinite(values[i])) throw Error(at, $"parameter {i + 1} of '{at.Text}' evaluates to {values[i].ToString(CultureInfo.InvariantCulture)}; expected a finite number");
        }

        private void Apply(Token name, double[] values, int[] qubits, int depth)
        {
            if (depth > 1000) throw Error(name, "gate definitions nested too deeply");
            if (_user.TryGetValue(name.Text, out var def))
            {
                var env = new Dictionary<string, double>(StringComparer.Ordinal);
                for (int i = 0; i < def.Params.Length; i++) env[def.Params[i]] = values[i];
                foreach (var call in def.Body)
                {
                    var v = call.Params.Select(f => f(env)).ToArray();
                    CheckFinite(call.Name, v);
                    var q = call.Args.Select(a => qubits[Array.IndexOf(def.Qubits, a.Text)]).ToArray();
                    Apply(call.Name, v, q, depth + 1);
                }
                return;
            }
            var spec = Lookup(name.Text) ?? throw Error(name, UnknownGate(name.Text));
            _ops.Add(new GateOp(spec.Make(values), qubits, _condition));
        }

        // ---------- expressions ----------

        private Func<Dictionary<string, double>, double> Expression(HashSet<string> vars)
        {
            var left = Term(vars);
            while (Peek.Is("+") || Peek.Is("-"))
            {
                bool plus = Next().Text == "+";
                var l = left; var r = Term(vars);
                left = plus ? e => l(e) + r(e) : e => l(e) - r(e);
            }
            return left;
        }

        private Func<Dictionary<string, double>, double> Term(HashSet<string> vars)
        {
            var left = Unary(vars);
            while (Peek.Is("*") || Peek.Is("/"))
            {
                bool mul = Next().Text == "*";
                var l = left; var r = Unary(vars);
                left = mul ? e => l(e) * r(e) : e => l(e) / r(e);
            }
            return left;
        }

        private Func<Dictionary<string, double>, double> Unary(HashSet<string> vars)
        {
            if (Peek.Is("-")) { Next(); var u = Unary(vars); return e => -u(e); }
            if (Peek.Is("+")) { Next(); return Unary(vars); }
            var b = Primary(vars);
            if (!Peek.Is("^")) return b;
            Next();
            var x = Unary(vars);
            return e => Math.Pow(b(e), x(e));
        }

        private Func<Dictionary<string, double>, double> Primary(HashSet<string> vars)
        {
            var t = Peek;
            if (t.Kind is TokenKind.Real or TokenKind.Int)
            {
                Next();
                double v = QasmLexer.ParseNumber(t);
                return _ => v;
            }
            if (t.Is("("))
            {
                Next();
                var inner = Expression(vars);
                Expect(")", "to close the parenthesised expression");
                return inner;
            }
            if (t.Kind == TokenKind.Id)
            {
                Next();
                if (t.Text == "pi") return _ => Math.PI;
                if (Functions.TryGetValue(t.Text, out var f))
                {
                    Expect("(", $"after the function '{t.Text}'");
                    var arg = Expression(vars);
                    Expect(")", $"to close the argument of '{t.Text}'");
                    return e => f(arg(e));
                }
                if (vars.Contains(t.Text)) { string n = t.Text; return e => e[n]; }
                throw Error(t, $"unknown identifier '{t.Text}' in expression: expected a number, pi, a function (sin, cos, tan, exp, ln, sqrt){(vars.Count > 0 ? " or a parameter (" + string.Join(", ", vars) + ")" : "")}");
            }
            throw Error(t, $"expected an expression, found {t.Describe()}");
        }
    }
}
