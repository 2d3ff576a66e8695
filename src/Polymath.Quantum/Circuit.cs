using System.Numerics;

namespace Polymath.Quantum;

/// <summary>One step of a circuit: a gate on qubits, or a measurement of one qubit into one classical bit.</summary>
public sealed class Instruction
{
    internal Instruction(Gate? gate, int[] qubits, int[] clbits)
    {
        Gate = gate;
        Qubits = qubits;
        Clbits = clbits;
    }

    /// <summary>The gate, or null for a measurement.</summary>
    public Gate? Gate { get; }

    /// <summary>True for a measurement.</summary>
    public bool IsMeasurement => Gate is null;

    /// <summary>Circuit qubits: gate qubit j acts on Qubits[j].</summary>
    public IReadOnlyList<int> Qubits { get; }

    /// <summary>Classical bits written (measurements only).</summary>
    public IReadOnlyList<int> Clbits { get; }

    /// <summary>"measure" or the gate's name.</summary>
    public string Name => Gate?.Name ?? "measure";

    /// <inheritdoc/>
    public override string ToString() =>
        IsMeasurement ? $"measure q[{Qubits[0]}] -> c[{Clbits[0]}]" : $"{Gate} q[{string.Join(", ", Qubits)}]";
}

/// <summary>
/// A quantum circuit: an ordered list of gates and measurements on <see cref="NumQubits"/> qubits and
/// <see cref="NumClbits"/> classical bits, built fluently (<c>c.H(0).CX(0, 1).RZ(new Parameter("theta"), 1).Measure(0, 0)</c>).
/// Qubit 0 is the least significant bit (Qiskit's order).
/// </summary>
public sealed class Circuit
{
    private readonly List<Instruction> _instructions = [];

    /// <summary>An empty circuit.</summary>
    public Circuit(int numQubits, int numClbits = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numQubits);
        ArgumentOutOfRangeException.ThrowIfNegative(numClbits);
        NumQubits = numQubits;
        NumClbits = numClbits;
    }

    /// <summary>Number of qubits.</summary>
    public int NumQubits { get; }

    /// <summary>Number of classical bits.</summary>
    public int NumClbits { get; }

    /// <summary>Global phase φ: the circuit's unitary is e^{iφ} times the product of its gates.</summary>
    public ParameterExpression GlobalPhase { get; set; } = 0.0;

    /// <summary>The instructions in order.</summary>
    public IReadOnlyList<Instruction> Instructions => _instructions;

    /// <summary>Number of instructions (gates and measurements).</summary>
    public int Size => _instructions.Count;

    /// <summary>Appends <paramref name="gate"/> with its qubit j on <paramref name="qubits"/>[j].</summary>
    /// <exception cref="ArgumentException">Wrong count, out-of-range or repeated qubit.</exception>
    public Circuit Append(Gate gate, params int[] qubits)
    {
        ArgumentNullException.ThrowIfNull(gate);
        if (qubits.Length != gate.NumQubits)
            throw new ArgumentException($"gate '{gate.Name}' acts on {gate.NumQubits} qubit(s) but {qubits.Length} were given");
        CheckQubits(qubits, gate.Name);
        _instructions.Add(new Instruction(gate, (int[])qubits.Clone(), []));
        return this;
    }

    /// <summary>Measures <paramref name="qubit"/> into classical bit <paramref name="clbit"/>.</summary>
    public Circuit Measure(int qubit, int clbit)
    {
        CheckQubits([qubit], "measure");
        if ((uint)clbit >= (uint)NumClbits) throw new ArgumentException($"measure: classical bit {clbit} outside [0, {NumClbits})");
        _instructions.Add(new Instruction(null, [qubit], [clbit]));
        return this;
    }

    private void CheckQubits(int[] qubits, string name)
    {
        for (int i = 0; i < qubits.Length; i++)
        {
            if ((uint)qubits[i] >= (uint)NumQubits) throw new ArgumentException($"{name}: qubit {qubits[i]} outside [0, {NumQubits})");
            for (int j = 0; j < i; j++)
                if (qubits[j] == qubits[i]) throw new ArgumentException($"{name}: qubit {qubits[i]} used twice");
        }
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

    /// <summary>A copy with <paramref name="values"/> substituted; parameters not given stay free.</summary>
    public Circuit Bind(IReadOnlyDictionary<string, double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var c = new Circuit(NumQubits, NumClbits) { GlobalPhase = GlobalPhase.Bind(values) };
        foreach (var ins in _instructions)
            c._instructions.Add(ins.Gate is null ? ins : new Instruction(ins.Gate.Bind(values), [.. ins.Qubits], []));
        return c;
    }

    /// <summary>Longest path through the circuit counted in instructions (qubits and classical bits both link steps).</summary>
    public int Depth()
    {
        var level = new int[NumQubits + NumClbits];
        int depth = 0;
        foreach (var ins in _instructions)
        {
            int l = 0;
            foreach (int q in ins.Qubits) l = Math.Max(l, level[q]);
            foreach (int b in ins.Clbits) l = Math.Max(l, level[NumQubits + b]);
            l++;
            foreach (int q in ins.Qubits) level[q] = l;
            foreach (int b in ins.Clbits) level[NumQubits + b] = l;
            depth = Math.Max(depth, l);
        }
        return depth;
    }

    /// <summary>How many times each operation name occurs.</summary>
    public IReadOnlyDictionary<string, int> CountOps()
    {
        var d = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var ins in _instructions) d[ins.Name] = d.GetValueOrDefault(ins.Name) + 1;
        return d;
    }

    /// <summary>The inverse circuit: gates reversed and inverted, global phase negated.</summary>
    /// <exception cref="InvalidOperationException">The circuit measures.</exception>
    public Circuit Inverse()
    {
        var c = new Circuit(NumQubits, NumClbits) { GlobalPhase = -GlobalPhase };
        for (int i = _instructions.Count - 1; i >= 0; i--)
        {
            var ins = _instructions[i];
            if (ins.Gate is null) throw new InvalidOperationException($"cannot invert a circuit with a measurement (instruction {i})");
            c._instructions.Add(new Instruction(ins.Gate.Inverse(), [.. ins.Qubits], []));
        }
        return c;
    }

    /// <summary>
    /// This circuit followed by <paramref name="other"/>, whose qubit j maps to <paramref name="qubits"/>[j]
    /// (default: the same indices) and classical bit j to <paramref name="clbits"/>[j]. Returns a new circuit.
    /// </summary>
    public Circuit Compose(Circuit other, int[]? qubits = null, int[]? clbits = null)
    {
        ArgumentNullException.ThrowIfNull(other);
        qubits ??= Enumerable.Range(0, other.NumQubits).ToArray();
        clbits ??= Enumerable.Range(0, other.NumClbits).ToArray();
        if (qubits.Length != other.NumQubits || clbits.Length != other.NumClbits)
            throw new ArgumentException($"compose: mapping gives {qubits.Length} qubits / {clbits.Length} clbits for a circuit of {other.NumQubits} / {other.NumClbits}");
        var c = new Circuit(NumQubits, NumClbits) { GlobalPhase = GlobalPhase + other.GlobalPhase };
        c._instructions.AddRange(_instructions);
        foreach (var ins in other._instructions)
        {
            if (ins.Gate is null) c.Measure(qubits[ins.Qubits[0]], clbits[ins.Clbits[0]]);
            else c.Append(ins.Gate, ins.Qubits.Select(q => qubits[q]).ToArray());
        }
        return c;
    }

    /// <summary>Each gate replaced by its one-level <see cref="Gate.Decompose"/> (basis gates stay); global phases summed.</summary>
    public Circuit Decompose()
    {
        var c = new Circuit(NumQubits, NumClbits) { GlobalPhase = GlobalPhase };
        foreach (var ins in _instructions)
        {
            if (ins.Gate is null || ins.Gate.IsBasis) { c._instructions.Add(ins); continue; }
            var d = ins.Gate.Decompose();
            c.GlobalPhase += d.GlobalPhase;
            foreach (var sub in d._instructions)
                c.Append(sub.Gate!, sub.Qubits.Select(q => ins.Qubits[q]).ToArray());
        }
        return c;
    }

    /// <summary>Runs the gates on <paramref name="state"/> in place (global phase included).</summary>
    /// <exception cref="InvalidOperationException">The circuit measures (use <see cref="Simulator.Run"/>) or has unbound parameters.</exception>
    public void ApplyTo(StateVector state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.NumQubits != NumQubits) throw new ArgumentException($"a {NumQubits}-qubit circuit cannot run on a {state.NumQubits}-qubit state");
        if (_instructions.Any(i => i.Gate is null)) throw new InvalidOperationException("ApplyTo runs unitary circuits only; this circuit measures (use Simulator.Run)");
        double phase = GlobalPhase.Value;
        state.ApplyGates(_instructions.Select(i => (i.Gate!, i.Qubits.ToArray())));
        state.ApplyGlobalPhase(phase);
    }

    /// <summary>The circuit's 2ⁿ×2ⁿ unitary (little-endian), by running it on each basis state; for small circuits.</summary>
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

    /// <inheritdoc/>
    public override string ToString() => string.Join(Environment.NewLine, _instructions);
}
