using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// A quantum circuit: an ordered list of <see cref="Instruction"/>s (gates, measurements, resets, barriers, each possibly
/// classically conditioned) on <see cref="NumQubits"/> qubits and <see cref="NumClbits"/> classical bits, built fluently
/// (<c>c.H(0).CX(0, 1).RZ(new Parameter("theta"), 1).Measure(0, 0)</c>). Qubits and bits are grouped into named
/// registers (<see cref="QuantumRegisters"/>, <see cref="ClassicalRegisters"/>) whose elements get consecutive flat
/// indices in declaration order; instructions use the flat indices. Qubit 0 is the least significant bit (Qiskit's order).
/// </summary>
public sealed class Circuit
{
    private readonly List<Instruction> _instructions = [];
    private readonly List<QuantumRegister> _qregs = [];
    private readonly List<ClassicalRegister> _cregs = [];

    /// <summary>A circuit with one quantum register "q" of <paramref name="numQubits"/> qubits and one classical register "c" of <paramref name="numClbits"/> bits (each only when not empty).</summary>
    public Circuit(int numQubits, int numClbits = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numQubits);
        ArgumentOutOfRangeException.ThrowIfNegative(numClbits);
        if (numQubits > 0) AddQuantumRegister("q", numQubits);
        if (numClbits > 0) AddClassicalRegister("c", numClbits);
    }

    /// <summary>An empty circuit with the same registers as <paramref name="template"/> (no instructions).</summary>
    private Circuit(Circuit template)
    {
        _qregs.AddRange(template._qregs);
        _cregs.AddRange(template._cregs);
        NumQubits = template.NumQubits;
        NumClbits = template.NumClbits;
    }

    /// <summary>Number of qubits (all quantum registers together).</summary>
    public int NumQubits { get; private set; }

    /// <summary>Number of classical bits (all classical registers together).</summary>
    public int NumClbits { get; private set; }

    /// <summary>The quantum registers in declaration order.</summary>
    public IReadOnlyList<QuantumRegister> QuantumRegisters => _qregs;

    /// <summary>The classical registers in declaration order.</summary>
    public IReadOnlyList<ClassicalRegister> ClassicalRegisters => _cregs;

    /// <summary>Global phase φ: the circuit's unitary is e^{iφ} times the product of its gates.</summary>
    public ParameterExpression GlobalPhase { get; set; } = 0.0;

    /// <summary>The instructions in order.</summary>
    public IReadOnlyList<Instruction> Instructions => _instructions;

    /// <summary>Number of operations: instructions other than barriers (Qiskit's <c>size()</c>).</summary>
    public int Size => _instructions.Count(i => i.Kind != InstructionKind.Barrier);

    /// <summary>Adds a quantum register of <paramref name="size"/> qubits after the existing ones; its qubits get the next flat indices.</summary>
    /// <exception cref="ArgumentException">The name is not an identifier or is already used by a register of this circuit.</exception>
    public QuantumRegister AddQuantumRegister(string name, int size)
    {
        CheckNewRegister(name, size);
        var r = new QuantumRegister(name, NumQubits, size);
        _qregs.Add(r);
        NumQubits += size;
        return r;
    }

    /// <summary>Adds a classical register of <paramref name="size"/> bits after the existing ones; its bits get the next flat indices.</summary>
    /// <exception cref="ArgumentException">The name is not an identifier or is already used by a register of this circuit.</exception>
    public ClassicalRegister AddClassicalRegister(string name, int size)
    {
        CheckNewRegister(name, size);
        var r = new ClassicalRegister(name, NumClbits, size);
        _cregs.Add(r);
        NumClbits += size;
        return r;
    }

    private void CheckNewRegister(string name, int size)
    {
        Register.CheckName(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (_qregs.Any(r => r.Name == name) || _cregs.Any(r => r.Name == name))
            throw new ArgumentException($"a register named '{name}' already exists in this circuit", nameof(name));
    }

    /// <summary>The register holding flat qubit <paramref name="qubit"/>.</summary>
    public QuantumRegister QuantumRegisterOf(int qubit) =>
        _qregs.FirstOrDefault(r => r.Contains(qubit)) ?? throw new ArgumentOutOfRangeException(nameof(qubit), $"qubit {qubit} outside [0, {NumQubits})");

    /// <summary>The register holding flat classical bit <paramref name="clbit"/>.</summary>
    public ClassicalRegister ClassicalRegisterOf(int clbit) =>
        _cregs.FirstOrDefault(r => r.Contains(clbit)) ?? throw new ArgumentOutOfRangeException(nameof(clbit), $"classical bit {clbit} outside [0, {NumClbits})");

    /// <summary>Appends <paramref name="gate"/> with its qubit j on <paramref name="qubits"/>[j].</summary>
    /// <exception cref="ArgumentException">Wrong count, out-of-range or repeated qubit.</exception>
    public Circuit Append(Gate gate, params int[] qubits) => Append(gate, qubits, null);

    /// <summary>Appends <paramref name="gate"/> on <paramref name="qubits"/>, run only when <paramref name="condition"/> holds (null: always).</summary>
    /// <exception cref="ArgumentException">Wrong count, out-of-range or repeated qubit, or a condition bit outside the circuit.</exception>
    public Circuit Append(Gate gate, int[] qubits, Condition? condition)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(qubits);
        if (qubits.Length != gate.NumQubits)
            throw new ArgumentException($"gate '{gate.Name}' acts on {gate.NumQubits} qubit(s) but {qubits.Length} were given");
        CheckQubits(qubits, gate.Name);
        CheckCondition(condition, gate.Name);
        _instructions.Add(new Instruction(InstructionKind.Gate, gate, (int[])qubits.Clone(), [], condition));
        return this;
    }

    /// <summary>Measures <paramref name="qubit"/> into classical bit <paramref name="clbit"/>.</summary>
    public Circuit Measure(int qubit, int clbit)
    {
        CheckQubits([qubit], "measure");
        CheckClbit(clbit, "measure");
        _instructions.Add(new Instruction(InstructionKind.Measure, null, [qubit], [clbit]));
        return this;
    }

    /// <summary>Measures each qubit of <paramref name="qreg"/> into the same-index bit of <paramref name="creg"/> (registers of equal size).</summary>
    public Circuit Measure(QuantumRegister qreg, ClassicalRegister creg)
    {
        ArgumentNullException.ThrowIfNull(qreg);
        ArgumentNullException.ThrowIfNull(creg);
        if (qreg.Size != creg.Size) throw new ArgumentException($"measure: register '{qreg.Name}' has {qreg.Size} qubits but '{creg.Name}' has {creg.Size} bits");
        for (int i = 0; i < qreg.Size; i++) Measure(qreg[i], creg[i]);
        return this;
    }

    /// <summary>
    /// Measures every qubit (Qiskit's <c>measure_all</c>): adds a classical register "meas" of <see cref="NumQubits"/> bits,
    /// a barrier on all qubits, and measures qubit i into meas[i].
    /// </summary>
    public Circuit MeasureAll()
    {
        var meas = AddClassicalRegister("meas", NumQubits);
        Barrier();
        for (int q = 0; q < NumQubits; q++) Measure(q, meas[q]);
        return this;
    }

    /// <summary>Resets each of <paramref name="qubits"/> to |0⟩ (one reset instruction per qubit).</summary>
    public Circuit Reset(params int[] qubits)
    {
        ArgumentNullException.ThrowIfNull(qubits);
        foreach (int q in qubits)
        {
            CheckQubits([q], "reset");
            _instructions.Add(new Instruction(InstructionKind.Reset, null, [q], []));
        }
        return this;
    }

    /// <summary>A barrier on <paramref name="qubits"/>, or on every qubit when none are given. It does nothing to the state.</summary>
    public Circuit Barrier(params int[] qubits)
    {
        ArgumentNullException.ThrowIfNull(qubits);
        if (qubits.Length == 0) qubits = Enumerable.Range(0, NumQubits).ToArray();
        CheckQubits(qubits, "barrier");
        _instructions.Add(new Instruction(InstructionKind.Barrier, null, (int[])qubits.Clone(), []));
        return this;
    }

    /// <summary>
    /// Runs <paramref name="body"/> on this circuit and conditions every gate, measurement and reset it appends on
    /// <paramref name="condition"/> (OpenQASM 2's <c>if</c>); barriers it appends stay unconditioned.
    /// Example: <c>c.If(Condition.Equal(creg, 3), b => b.X(0).Z(1))</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A condition bit is outside the circuit, or the body appends an already conditioned instruction.</exception>
    public Circuit If(Condition condition, Action<Circuit> body)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(body);
        CheckCondition(condition, "if");
        int from = _instructions.Count;
        body(this);
        for (int i = from; i < _instructions.Count; i++)
        {
            var ins = _instructions[i];
            if (ins.Kind == InstructionKind.Barrier) continue;
            if (ins.Condition is not null) throw new ArgumentException($"if({condition}): instruction {i} '{ins}' is already conditioned; nested conditions are not supported");
            _instructions[i] = ins.WithCondition(condition);
        }
        return this;
    }

    /// <summary>Conditions what <paramref name="body"/> appends on register <paramref name="creg"/> == <paramref name="value"/> (see <see cref="If(Condition, Action{Circuit})"/>).</summary>
    public Circuit If(ClassicalRegister creg, long value, Action<Circuit> body) => If(Condition.Equal(creg, value), body);

    /// <summary>Conditions what <paramref name="body"/> appends on classical bit <paramref name="clbit"/> == <paramref name="value"/> (0 or 1).</summary>
    public Circuit If(int clbit, int value, Action<Circuit> body) => If(Condition.Bit(clbit, value), body);

    private void CheckQubits(int[] qubits, string name)
    {
        for (int i = 0; i < qubits.Length; i++)
        {
            if ((uint)qubits[i] >= (uint)NumQubits) throw new ArgumentException($"{name}: qubit {qubits[i]} outside [0, {NumQubits})");
            for (int j = 0; j < i; j++)
                if (qubits[j] == qubits[i]) throw new ArgumentException($"{name}: qubit {qubits[i]} used twice");
        }
    }

    private void CheckClbit(int clbit, string name)
    {
        if ((uint)clbit >= (uint)NumClbits) throw new ArgumentException($"{name}: classical bit {clbit} outside [0, {NumClbits})");
    }

    private void CheckCondition(Condition? condition, string name)
    {
        if (condition is null) return;
        if (condition.Register is { } r && !_cregs.Contains(r))
            throw new ArgumentException($"{name}: condition register '{r.Name}' does not belong to this circuit");
        foreach (int b in condition.Clbits) CheckClbit(b, $"{name} condition {condition}");
    }

    /// <summary>Identity on <paramref name="q"/>.</summary>
    public Circuit I(int q) => Append(new IGate(), q);
    /// <summary>Pauli X on <paramref name="q"/>.</summary>
    public Circuit X(int q) => Append(new XGate(), q);
    /// <summary>Pauli Y on <paramref name="q"/>.</summary>
    public Circuit Y(int q) => Append(new YGate(), q);
    /// <summary>Pauli Z on <paramref name="q"/>.</summary>
    public Circuit Z(int q) => Append(new ZGate(), q);
    /// <summary>Hadamard on <paramref name="q"/>.</summary>
    public Circuit H(int q) => Append(new HGate(), q);
    /// <summary>S on <paramref name="q"/>.</summary>
    public Circuit S(int q) => Append(new SGate(), q);
    /// <summary>S† on <paramref name="q"/>.</summary>
    public Circuit Sdg(int q) => Append(new SdgGate(), q);
    /// <summary>T on <paramref name="q"/>.</summary>
    public Circuit T(int q) => Append(new TGate(), q);
    /// <summary>T† on <paramref name="q"/>.</summary>
    public Circuit Tdg(int q) => Append(new TdgGate(), q);
    /// <summary>√X on <paramref name="q"/>.</summary>
    public Circuit SX(int q) => Append(new SXGate(), q);
    /// <summary>√X† on <paramref name="q"/>.</summary>
    public Circuit SXdg(int q) => Append(new SXdgGate(), q);
    /// <summary>RX(θ) on <paramref name="q"/>.</summary>
    public Circuit RX(ParameterExpression theta, int q) => Append(new RXGate(theta), q);
    /// <summary>RY(θ) on <paramref name="q"/>.</summary>
    public Circuit RY(ParameterExpression theta, int q) => Append(new RYGate(theta), q);
    /// <summary>RZ(θ) on <paramref name="q"/>.</summary>
    public Circuit RZ(ParameterExpression theta, int q) => Append(new RZGate(theta), q);
    /// <summary>Phase P(λ) on <paramref name="q"/>.</summary>
    public Circuit P(ParameterExpression lambda, int q) => Append(new PhaseGate(lambda), q);
    /// <summary>U(θ, φ, λ) on <paramref name="q"/>.</summary>
    public Circuit U(ParameterExpression theta, ParameterExpression phi, ParameterExpression lambda, int q) => Append(new UGate(theta, phi, lambda), q);
    /// <summary>U2(φ, λ) on <paramref name="q"/>.</summary>
    public Circuit U2(ParameterExpression phi, ParameterExpression lambda, int q) => Append(new U2Gate(phi, lambda), q);
    /// <summary>CX with control <paramref name="control"/>.</summary>
    public Circuit CX(int control, int target) => Append(new CXGate(), control, target);
    /// <summary>CY.</summary>
    public Circuit CY(int control, int target) => Append(new CYGate(), control, target);
    /// <summary>CZ.</summary>
    public Circuit CZ(int control, int target) => Append(new CZGate(), control, target);
    /// <summary>Controlled Hadamard.</summary>
    public Circuit CH(int control, int target) => Append(new CHGate(), control, target);
    /// <summary>Controlled phase CP(λ).</summary>
    public Circuit CP(ParameterExpression lambda, int control, int target) => Append(new CPhaseGate(lambda), control, target);
    /// <summary>Controlled RX(θ).</summary>
    public Circuit CRX(ParameterExpression theta, int control, int target) => Append(new CRXGate(theta), control, target);
    /// <summary>Controlled RY(θ).</summary>
    public Circuit CRY(ParameterExpression theta, int control, int target) => Append(new CRYGate(theta), control, target);
    /// <summary>Controlled RZ(θ).</summary>
    public Circuit CRZ(ParameterExpression theta, int control, int target) => Append(new CRZGate(theta), control, target);
    /// <summary>Controlled e^{iγ}U(θ, φ, λ).</summary>
    public Circuit CU(ParameterExpression theta, ParameterExpression phi, ParameterExpression lambda, ParameterExpression gamma, int control, int target) =>
        Append(new CUGate(theta, phi, lambda, gamma), control, target);
    /// <summary>SWAP.</summary>
    public Circuit Swap(int a, int b) => Append(new SwapGate(), a, b);
    /// <summary>iSWAP.</summary>
    public Circuit ISwap(int a, int b) => Append(new ISwapGate(), a, b);
    /// <summary>RXX(θ).</summary>
    public Circuit RXX(ParameterExpression theta, int a, int b) => Append(new RXXGate(theta), a, b);
    /// <summary>RYY(θ).</summary>
    public Circuit RYY(ParameterExpression theta, int a, int b) => Append(new RYYGate(theta), a, b);
    /// <summary>RZZ(θ).</summary>
    public Circuit RZZ(ParameterExpression theta, int a, int b) => Append(new RZZGate(theta), a, b);
    /// <summary>Toffoli.</summary>
    public Circuit CCX(int c0, int c1, int target) => Append(new CCXGate(), c0, c1, target);
    /// <summary>Fredkin (controlled SWAP).</summary>
    public Circuit CSwap(int control, int a, int b) => Append(new CSwapGate(), control, a, b);
    /// <summary>X on <paramref name="target"/> controlled on all of <paramref name="controls"/>.</summary>
    public Circuit MCX(int[] controls, int target) => Append(new XGate().Control(controls.Length), [.. controls, target]);
    /// <summary>An arbitrary unitary on <paramref name="qubits"/> (matrix little-endian in them).</summary>
    public Circuit Unitary(Complex[,] matrix, params int[] qubits) => Append(new UnitaryGate(matrix), qubits);

    /// <summary>Names of the free parameters, sorted.</summary>
    public IReadOnlyList<string> Parameters =>
        _instructions.Where(i => i.Gate is not null).SelectMany(i => i.Gate!.Params).SelectMany(p => p.Parameters)
            .Concat(GlobalPhase.Parameters).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>True when some instruction is a reset or carries a condition (the circuit needs per-shot simulation).</summary>
    public bool HasDynamics => _instructions.Any(i => i.Kind == InstructionKind.Reset || i.Condition is not null);

    /// <summary>A copy with <paramref name="values"/> substituted; parameters not given stay free.</summary>
    public Circuit Bind(IReadOnlyDictionary<string, double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var c = new Circuit(this) { GlobalPhase = GlobalPhase.Bind(values) };
        foreach (var ins in _instructions)
            c._instructions.Add(ins.Gate is null ? ins : new Instruction(InstructionKind.Gate, ins.Gate.Bind(values), [.. ins.Qubits], [], ins.Condition));
        return c;
    }

    /// <summary>
    /// Longest path through the circuit counted in operations. Qubits and classical bits both link steps (a measurement
    /// writes its bit, a condition reads its bits); barriers do not count and do not link.
    /// </summary>
    public int Depth()
    {
        var level = new int[NumQubits + NumClbits];
        int depth = 0;
        var wires = new List<int>();
        foreach (var ins in _instructions)
        {
            if (ins.Kind == InstructionKind.Barrier) continue;
            wires.Clear();
            wires.AddRange(ins.Qubits);
            foreach (int b in ins.Clbits) wires.Add(NumQubits + b);
            if (ins.Condition is { } cond) foreach (int b in cond.Clbits) wires.Add(NumQubits + b);
            int l = 0;
            foreach (int w in wires) l = Math.Max(l, level[w]);
            l++;
            foreach (int w in wires) level[w] = l;
            depth = Math.Max(depth, l);
        }
        return depth;
    }

    /// <summary>How many times each operation name occurs ("measure", "reset" and "barrier" included).</summary>
    public IReadOnlyDictionary<string, int> CountOps()
    {
        var d = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var ins in _instructions) d[ins.Name] = d.GetValueOrDefault(ins.Name) + 1;
        return d;
    }

    /// <summary>The inverse circuit: gates reversed and inverted, barriers kept in reverse order, global phase negated.</summary>
    /// <exception cref="InvalidOperationException">The circuit measures, resets or has a conditioned instruction (none of them is invertible); the message names the first.</exception>
    public Circuit Inverse()
    {
        var c = new Circuit(this) { GlobalPhase = -GlobalPhase };
        for (int i = _instructions.Count - 1; i >= 0; i--)
        {
            var ins = _instructions[i];
            if (ins.Kind is InstructionKind.Measure or InstructionKind.Reset)
                throw new InvalidOperationException($"cannot invert a circuit with a {ins.Name} (instruction {i}: {ins}): it is not unitary");
            if (ins.Condition is not null)
                throw new InvalidOperationException($"cannot invert a circuit with a classically conditioned instruction (instruction {i}: {ins})");
            c._instructions.Add(ins.Kind == InstructionKind.Barrier ? ins : new Instruction(InstructionKind.Gate, ins.Gate!.Inverse(), [.. ins.Qubits], []));
        }
        return c;
    }

    /// <summary>
    /// This circuit followed by <paramref name="other"/>, whose qubit j maps to <paramref name="qubits"/>[j]
    /// (default: the same indices) and classical bit j to <paramref name="clbits"/>[j] (conditions are mapped too;
    /// a condition whose bits land exactly on a register of this circuit refers to that register). Returns a new
    /// circuit with this circuit's registers.
    /// </summary>
    public Circuit Compose(Circuit other, int[]? qubits = null, int[]? clbits = null)
    {
        ArgumentNullException.ThrowIfNull(other);
        qubits ??= Enumerable.Range(0, other.NumQubits).ToArray();
        clbits ??= Enumerable.Range(0, other.NumClbits).ToArray();
        if (qubits.Length != other.NumQubits || clbits.Length != other.NumClbits)
            throw new ArgumentException($"compose: mapping gives {qubits.Length} qubits / {clbits.Length} clbits for a circuit of {other.NumQubits} / {other.NumClbits}");
        CheckQubits(qubits, "compose");
        if (clbits.Distinct().Count() != clbits.Length) throw new ArgumentException("compose: a classical bit is mapped twice");
        // Only the bits other's instructions use must exist here (a declared but unused register may be left unmapped).
        foreach (var ins in other._instructions)
            foreach (int b in ins.Clbits.Concat(ins.Condition?.Clbits ?? []))
                CheckClbit(clbits[b], "compose");
        var c = new Circuit(this) { GlobalPhase = GlobalPhase + other.GlobalPhase };
        c._instructions.AddRange(_instructions);
        foreach (var ins in other._instructions)
            c._instructions.Add(ins.Remap(qubits, clbits, ins.Condition?.Remap(clbits, _cregs)));
        return c;
    }

    /// <summary>
    /// Each gate replaced by its one-level <see cref="Gate.Decompose"/> (basis gates stay; a conditioned gate's parts keep
    /// its condition); measurements, resets and barriers stay; global phases summed.
    /// </summary>
    public Circuit Decompose()
    {
        var c = new Circuit(this) { GlobalPhase = GlobalPhase };
        foreach (var ins in _instructions)
        {
            if (ins.Gate is null || ins.Gate.IsBasis) { c._instructions.Add(ins); continue; }
            var d = ins.Gate.Decompose();
            // A global phase is only global when the gate always runs; under a condition it is a relative phase
            // between branches of a mixture, which cannot be observed, so dropping it there is exact too.
            if (ins.Condition is null) c.GlobalPhase += d.GlobalPhase;
            foreach (var sub in d._instructions)
                c._instructions.Add(sub.Remap(ins.Qubits, [], ins.Condition));
        }
        return c;
    }

    /// <summary>Runs the gates on <paramref name="state"/> in place (global phase included); barriers are skipped.</summary>
    /// <exception cref="InvalidOperationException">The circuit measures, resets or has a conditioned instruction (use <see cref="Simulator.Run"/>), or has unbound parameters.</exception>
    public void ApplyTo(StateVector state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.NumQubits != NumQubits) throw new ArgumentException($"a {NumQubits}-qubit circuit cannot run on a {state.NumQubits}-qubit state");
        for (int i = 0; i < _instructions.Count; i++)
        {
            var ins = _instructions[i];
            if (ins.Kind != InstructionKind.Barrier && !ins.IsUnitary)
                throw new InvalidOperationException($"ApplyTo runs unitary circuits only; instruction {i} is '{ins}' (use Simulator.Run or Simulator.Branches)");
        }
        double phase = GlobalPhase.Value;
        state.ApplyGates(_instructions.Where(i => i.Kind == InstructionKind.Gate).Select(i => (i.Gate!, i.Qubits.ToArray())));
        state.ApplyGlobalPhase(phase);
    }

    /// <summary>The circuit's 2ⁿ×2ⁿ unitary (little-endian), by running it on each basis state; for small unitary circuits.</summary>
    /// <exception cref="InvalidOperationException">More than 12 qubits, or the circuit is not unitary (see <see cref="ApplyTo"/>).</exception>
    public Complex[,] ToMatrix()
    {
        if (NumQubits > 12) throw new InvalidOperationException($"ToMatrix is for at most 12 qubits; this circuit has {NumQubits}");
        int d = 1 << NumQubits;
        var m = new Complex[d, d];
        for (int col = 0; col < d; col++)
        {
            var s = StateVector.Basis(NumQubits, col);
            ApplyTo(s);
            for (int row = 0; row < d; row++) m[row, col] = s[row];
        }
        return m;
    }

    /// <summary>
    /// A text drawing of the circuit (see <see cref="CircuitDrawer"/>): one wire per qubit and per classical bit; with
    /// <paramref name="fold"/> &gt; 0, pages of at most that many characters per line.
    /// </summary>
    public string Draw(int fold = 0) => CircuitDrawer.Draw(this, fold);

    /// <inheritdoc/>
    public override string ToString() => string.Join(Environment.NewLine, _instructions);
}
