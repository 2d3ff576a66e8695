namespace Polymath.Quantum;

/// <summary>
/// Where noise strikes in a circuit. After a gate named g on qubits Q, the simulators apply, in this order:
/// <list type="number">
/// <item>gate errors for g (<see cref="AddGateError"/>): the ones restricted to exactly Q (same qubits, same order) when
/// any exist, else the unrestricted ones (Qiskit's rule: qubit-specific errors replace the all-qubit error of that gate);</item>
/// <item>errors for every gate (<see cref="AddAllGatesError"/>): those whose size equals |Q|, on Q; when none has that
/// size, the 1-qubit ones on each qubit of Q (so a 1- and a 2-qubit depolarizing error together cover 1- and 2-qubit gates,
/// and larger gates get the 1-qubit one on each qubit);</item>
/// <item>qubit errors (<see cref="AddQubitError"/>, <see cref="AddAllQubitsError"/>), 1-qubit channels on each qubit of Q in
/// ascending order: those for all qubits, then those added for that qubit.</item>
/// </list>
/// Gate errors registered under the name "measure" are applied just before a measurement of that qubit. Read-out errors
/// (<see cref="AddReadoutError(ReadoutError)"/>) act on the recorded classical bit. <see cref="Parse"/> reads the short
/// command-line form such as <c>depolarizing:0.001,readout:0.02</c>.
/// </summary>
public sealed partial class NoiseModel
{
    private readonly List<(string Name, int[]? Qubits, QuantumChannel Channel)> _gateErrors = [];
    private readonly List<QuantumChannel> _allGatesErrors = [];
    private readonly List<QuantumChannel> _allQubitsErrors = [];
    private readonly Dictionary<int, List<QuantumChannel>> _qubitErrors = [];
    private readonly Dictionary<int, ReadoutError> _readout = [];
    private ReadoutError? _allReadout;

    /// <summary>True when the model holds no error at all.</summary>
    public bool IsIdeal => _gateErrors.Count == 0 && _allGatesErrors.Count == 0 && _allQubitsErrors.Count == 0 &&
                           _qubitErrors.Count == 0 && _readout.Count == 0 && _allReadout is null;

    /// <summary>
    /// Applies <paramref name="channel"/> after every gate named <paramref name="gateName"/> ("h", "cx", … or "measure": before
    /// the measurement), only where its qubits are exactly <paramref name="qubits"/> when some are given. The channel must act
    /// on as many qubits as the gate, or on 1 qubit (then it is applied to each of the gate's qubits).
    /// </summary>
    /// <exception cref="ArgumentException">An empty name, a negative or repeated qubit, or a channel size that cannot match the qubits given.</exception>
    public NoiseModel AddGateError(QuantumChannel channel, string gateName, params int[] qubits)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentException.ThrowIfNullOrWhiteSpace(gateName);
        ArgumentNullException.ThrowIfNull(qubits);
        foreach (int q in qubits) if (q < 0) throw new ArgumentException($"gate error for '{gateName}': qubit {q} is negative", nameof(qubits));
        if (qubits.Distinct().Count() != qubits.Length) throw new ArgumentException($"gate error for '{gateName}': a qubit is listed twice", nameof(qubits));
        if (qubits.Length > 0 && channel.NumQubits != 1 && channel.NumQubits != qubits.Length)
            throw new ArgumentException($"gate error for '{gateName}': channel '{channel.Name}' acts on {channel.NumQubits} qubits, the restriction names {qubits.Length}", nameof(channel));
        _gateErrors.Add((gateName, qubits.Length == 0 ? null : (int[])qubits.Clone(), channel));
        return this;
    }

    /// <summary>Applies <paramref name="channel"/> after every gate whose size equals the channel's (see the class summary for 1-qubit channels on larger gates).</summary>
    public NoiseModel AddAllGatesError(QuantumChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        _allGatesErrors.Add(channel);
        return this;
    }

    /// <summary>Applies the 1-qubit <paramref name="channel"/> to <paramref name="qubit"/> after every gate acting on it.</summary>
    /// <exception cref="ArgumentException">The channel is not a 1-qubit channel, or the qubit is negative.</exception>
    public NoiseModel AddQubitError(QuantumChannel channel, int qubit)
    {
        CheckOneQubit(channel);
        if (qubit < 0) throw new ArgumentException($"qubit error: qubit {qubit} is negative", nameof(qubit));
        if (!_qubitErrors.TryGetValue(qubit, out var list)) _qubitErrors[qubit] = list = [];
        list.Add(channel);
        return this;
    }

    /// <summary>Applies the 1-qubit <paramref name="channel"/> to each qubit a gate acts on, after every gate (T1/T2-style idle noise).</summary>
    /// <exception cref="ArgumentException">The channel is not a 1-qubit channel.</exception>
    public NoiseModel AddAllQubitsError(QuantumChannel channel)
    {
        CheckOneQubit(channel);
        _allQubitsErrors.Add(channel);
        return this;
    }

    /// <summary>Sets the read-out error of every measured qubit (a qubit with its own error keeps that one).</summary>
    public NoiseModel AddReadoutError(ReadoutError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        _allReadout = error;
        return this;
    }

    /// <summary>Sets the read-out error of measurements of <paramref name="qubit"/>.</summary>
    public NoiseModel AddReadoutError(ReadoutError error, int qubit)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (qubit < 0) throw new ArgumentException($"read-out error: qubit {qubit} is negative", nameof(qubit));
        _readout[qubit] = error;
        return this;
    }

    /// <summary>The read-out error applied when <paramref name="qubit"/> is measured, or null.</summary>
    public ReadoutError? ReadoutErrorFor(int qubit) => _readout.TryGetValue(qubit, out var e) ? e : _allReadout;

    /// <summary>The channels applied after gate <paramref name="gateName"/> on <paramref name="qubits"/>, each with the circuit qubits it acts on, in order.</summary>
    public IReadOnlyList<(QuantumChannel Channel, int[] Qubits)> ErrorsAfterGate(string gateName, IReadOnlyList<int> qubits)
    {
        ArgumentNullException.ThrowIfNull(gateName);
        ArgumentNullException.ThrowIfNull(qubits);
        return Resolve(gateName, qubits, namedOnly: false);
    }

    /// <summary>The channels applied just before measuring <paramref name="qubit"/>: only gate errors registered under "measure".</summary>
    public IReadOnlyList<(QuantumChannel Channel, int[] Qubits)> ErrorsBeforeMeasure(int qubit) => Resolve("measure", [qubit], namedOnly: true);

    private List<(QuantumChannel Channel, int[] Qubits)> Resolve(string gateName, IReadOnlyList<int> qubits, bool namedOnly)
    {
        var result = new List<(QuantumChannel, int[])>();
        int[] q = [.. qubits];

        var named = _gateErrors.Where(e => e.Name == gateName).ToList();
        var specific = named.Where(e => e.Qubits is not null && e.Qubits.SequenceEqual(q)).ToList();
        foreach (var e in specific.Count > 0 ? specific : named.Where(e => e.Qubits is null))
            AddSized(result, e.Channel, q, gateName);
        if (namedOnly) return result;

        var sameSize = _allGatesErrors.Where(c => c.NumQubits == q.Length).ToList();
        if (sameSize.Count > 0) foreach (var c in sameSize) result.Add((c, q));
        else foreach (var c in _allGatesErrors.Where(c => c.NumQubits == 1)) foreach (int x in q) result.Add((c, [x]));

        foreach (int x in q.Order())
        {
            foreach (var c in _allQubitsErrors) result.Add((c, [x]));
            if (_qubitErrors.TryGetValue(x, out var list)) foreach (var c in list) result.Add((c, [x]));
        }
        return result;
    }

    private static void AddSized(List<(QuantumChannel, int[])> result, QuantumChannel c, int[] q, string gateName)
    {
        if (c.NumQubits == q.Length) result.Add((c, q));
        else if (c.NumQubits == 1) foreach (int x in q) result.Add((c, [x]));
        else throw new InvalidOperationException($"noise model: channel '{c.Name}' on {c.NumQubits} qubits is attached to gate '{gateName}', which acts on {q.Length}");
    }

    private static void CheckOneQubit(QuantumChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (channel.NumQubits != 1) throw new ArgumentException($"qubit errors must be 1-qubit channels; '{channel.Name}' acts on {channel.NumQubits}", nameof(channel));
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        if (IsIdeal) return "NoiseModel(ideal)";
        var parts = new List<string>();
        foreach (var e in _gateErrors) parts.Add($"{e.Channel.Name} after '{e.Name}'" + (e.Qubits is null ? "" : $" on [{string.Join(", ", e.Qubits)}]"));
        foreach (var c in _allGatesErrors) parts.Add($"{c.Name}({c.NumQubits}q) after every gate");
        foreach (var c in _allQubitsErrors) parts.Add($"{c.Name} on every qubit after each gate");
        foreach (var (q, l) in _qubitErrors.OrderBy(kv => kv.Key)) foreach (var c in l) parts.Add($"{c.Name} on qubit {q}");
        if (_allReadout is not null) parts.Add($"{_allReadout} on every qubit");
        foreach (var (q, r) in _readout.OrderBy(kv => kv.Key)) parts.Add($"{r} on qubit {q}");
        return "NoiseModel(" + string.Join("; ", parts) + ")";
    }
}
