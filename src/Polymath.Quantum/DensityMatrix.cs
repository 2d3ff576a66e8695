using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// The mixed state of <c>n</c> qubits as a 2ⁿ×2ⁿ complex128 density matrix ρ. Stored as a 2n-qubit vector: ρ[r, c] sits at
/// index r + c·2ⁿ, so the low n "qubits" are the row index and the high n the column index. A gate U on qubit q is then
/// U on vector qubit q and conj(U) on vector qubit q + n (ρ ↦ UρU†), run by the state-vector kernels, controls included;
/// a channel is its 4ᵏ×4ᵏ superoperator on vector qubits (q…, q+n…). Qubit order is little-endian as everywhere.
/// Memory is 16·4ⁿ bytes (13 qubits: 1 GiB), checked before allocating.
/// </summary>
public sealed unsafe class DensityMatrix
{
    private readonly StateVector _vec;

    /// <summary>The pure state |0…0⟩⟨0…0| of <paramref name="numQubits"/> qubits.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numQubits"/> is negative.</exception>
    /// <exception cref="InsufficientMemoryException">16·4ⁿ bytes exceed what the process may use; the message gives both and nothing was allocated.</exception>
    public DensityMatrix(int numQubits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numQubits);
        EnsureMemory(numQubits);
        NumQubits = numQubits;
        Dimension = 1L << numQubits;
        _vec = new StateVector(2 * numQubits);     // amplitude 0 = ρ[0, 0] = 1
    }

    private DensityMatrix(StateVector vec, int numQubits)
    {
        _vec = vec;
        NumQubits = numQubits;
        Dimension = 1L << numQubits;
    }

    /// <summary>Number of qubits n.</summary>
    public int NumQubits { get; }

    /// <summary>Matrix dimension 2ⁿ.</summary>
    public long Dimension { get; }

    /// <summary>Bytes a density matrix of <paramref name="numQubits"/> qubits needs: 16·4ⁿ (exact, no overflow).</summary>
    public static UInt128 MemoryRequiredBytes(int numQubits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numQubits);
        return numQubits > 60 ? UInt128.MaxValue : StateVector.MemoryRequiredBytes(2 * numQubits);
    }

    private static void EnsureMemory(int numQubits)
    {
        UInt128 need = MemoryRequiredBytes(numQubits);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (numQubits > 31 || need > (UInt128)available)
            throw new InsufficientMemoryException(
                $"DensityMatrix of {numQubits} qubits needs 16·4^{numQubits} = {need:N0} bytes ({(double)need / (1L << 30):0.##} GiB) " +
                $"but only {available:N0} bytes are available to this process; nothing was allocated. " +
                "Use Monte-Carlo trajectories on a StateVector (NoiseMethod.Trajectories) for more qubits.");
    }

    /// <summary>|ψ⟩⟨ψ| for a pure state (ψ is not renormalised).</summary>
    public static DensityMatrix FromStateVector(StateVector state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var rho = new DensityMatrix(state.NumQubits);
        var a = state.ToArray();                      // any precision; at most 2¹³ amplitudes here
        var p = rho._vec.AmplitudePointer;
        long d = rho.Dimension;
        for (long c = 0; c < d; c++)
        {
            Complex ac = Complex.Conjugate(a[c]);
            for (long r = 0; r < d; r++) p[r + c * d] = a[r] * ac;
        }
        GC.KeepAlive(rho);
        return rho;
    }

    /// <summary>A density matrix holding a copy of <paramref name="matrix"/> (2ⁿ×2ⁿ; not checked for positivity or unit trace).</summary>
    /// <exception cref="ArgumentException">The matrix is not square with a power-of-two side.</exception>
    public static DensityMatrix FromMatrix(Complex[,] matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int d = matrix.GetLength(0);
        if (d != matrix.GetLength(1) || d == 0 || (d & (d - 1)) != 0)
            throw new ArgumentException($"a density matrix must be 2^n×2^n, got {matrix.GetLength(0)}×{matrix.GetLength(1)}", nameof(matrix));
        var rho = new DensityMatrix(BitOperations.Log2((uint)d));
        var p = rho._vec.AmplitudePointer;
        for (int r = 0; r < d; r++) for (int c = 0; c < d; c++) p[r + (long)c * d] = matrix[r, c];
        GC.KeepAlive(rho);
        return rho;
    }

    /// <summary>The maximally mixed state I/2ⁿ.</summary>
    public static DensityMatrix MaximallyMixed(int numQubits)
    {
        var rho = new DensityMatrix(numQubits);
        var p = rho._vec.AmplitudePointer;
        p[0] = Complex.Zero;
        for (long i = 0; i < rho.Dimension; i++) p[i * (rho.Dimension + 1)] = 1.0 / rho.Dimension;
        GC.KeepAlive(rho);
        return rho;
    }

    /// <summary>An independent copy.</summary>
    public DensityMatrix Clone() => new(_vec.Clone(), NumQubits);

    /// <summary>The entry ρ[row, col] = ⟨row|ρ|col⟩ (little-endian indices).</summary>
    public Complex this[long row, long col]
    {
        get { CheckIndex(row, col); return _vec[row + col * Dimension]; }
        set { CheckIndex(row, col); _vec[row + col * Dimension] = value; }
    }

    private void CheckIndex(long row, long col)
    {
        if ((ulong)row >= (ulong)Dimension || (ulong)col >= (ulong)Dimension)
            throw new ArgumentOutOfRangeException(nameof(row), $"entry ({row}, {col}) outside a {Dimension}×{Dimension} density matrix");
    }

    /// <summary>ρ as a managed 2ⁿ×2ⁿ array (at most 2¹⁴ per side).</summary>
    public Complex[,] ToArray()
    {
        if (NumQubits > 14) throw new InvalidOperationException($"a {NumQubits}-qubit density matrix is too large for one Complex[,]");
        int d = (int)Dimension;
        var m = new Complex[d, d];
        var p = _vec.AmplitudePointer;
        for (int r = 0; r < d; r++) for (int c = 0; c < d; c++) m[r, c] = p[r + (long)c * d];
        GC.KeepAlive(this);
        return m;
    }

    // ---------- evolution ----------

    /// <summary>Applies <paramref name="gate"/> (ρ ↦ UρU†) with its qubit j on <paramref name="qubits"/>[j]; controlled gates use the controlled kernels.</summary>
    /// <exception cref="ArgumentException">Wrong qubit count, or a qubit out of range or repeated.</exception>
    /// <exception cref="InvalidOperationException">The gate has unbound parameters.</exception>
    public void Apply(Gate gate, params int[] qubits)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(qubits);
        if (qubits.Length != gate.NumQubits)
            throw new ArgumentException($"gate '{gate.Name}' acts on {gate.NumQubits} qubit(s) but {qubits.Length} were given");
        CheckQubits(qubits, gate.Name);
        if (gate is ControlledGate cg)
            ApplyBothSides(cg.BaseGate.Matrix, qubits[cg.NumControls..], qubits[..cg.NumControls]);
        else
            ApplyBothSides(gate.Matrix, qubits, []);
    }

    /// <summary>Applies a unitary (checked) on <paramref name="targets"/> where all <paramref name="controls"/> are 1: ρ ↦ UρU†.</summary>
    /// <exception cref="ArgumentException">Shape mismatch, non-unitary matrix, or bad qubits.</exception>
    public void ApplyUnitary(Complex[,] matrix, int[] targets, params int[] controls)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(targets);
        int d = 1 << targets.Length;
        if (matrix.GetLength(0) != d || matrix.GetLength(1) != d)
            throw new ArgumentException($"a {matrix.GetLength(0)}×{matrix.GetLength(1)} matrix cannot act on {targets.Length} qubit(s); expected {d}×{d}", nameof(matrix));
        MatrixUtil.EnsureUnitary(matrix, "DensityMatrix.ApplyUnitary");
        CheckQubits([.. targets, .. controls], "unitary");
        ApplyBothSides(matrix, targets, controls);
    }

    /// <summary>A gate whose matrices were built once (noisy runs); qubits were checked when the circuit was built.</summary>
    internal void ApplyPrepared(NoisyProgram.PreparedGate g)
    {
        _vec.ApplyUnchecked(g.Matrix, g.Targets, g.Controls);
        _vec.ApplyUnchecked(g.Conjugate, Shift(g.Targets), Shift(g.Controls));
    }

    private void ApplyBothSides(Complex[,] u, int[] targets, int[] controls)
    {
        _vec.ApplyUnchecked(u, targets, controls);
        _vec.ApplyUnchecked(Conjugate(u), Shift(targets), Shift(controls));
    }

    /// <summary>Applies <paramref name="channel"/> (ρ ↦ Σ KᵢρKᵢ†) with channel qubit j on <paramref name="qubits"/>[j], as one superoperator pass.</summary>
    /// <exception cref="ArgumentException">The qubit count differs from the channel's, or a qubit is out of range or repeated.</exception>
    public void ApplyChannel(QuantumChannel channel, params int[] qubits)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(qubits);
        if (qubits.Length != channel.NumQubits)
            throw new ArgumentException($"channel '{channel.Name}' acts on {channel.NumQubits} qubit(s) but {qubits.Length} were given");
        CheckQubits(qubits, $"channel '{channel.Name}'");
        _vec.ApplyUnchecked(channel.CachedSuperOperator, [.. qubits, .. Shift(qubits)], []);
    }

    /// <summary>Applies a single operator K (not necessarily unitary or trace preserving): ρ ↦ KρK†. Measurement projectors, for instance.</summary>
    /// <exception cref="ArgumentException">Shape mismatch, or bad qubits.</exception>
    public void ApplyOperator(Complex[,] matrix, params int[] targets)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(targets);
        int d = 1 << targets.Length;
        if (targets.Length == 0 || matrix.GetLength(0) != d || matrix.GetLength(1) != d)
            throw new ArgumentException($"a {matrix.GetLength(0)}×{matrix.GetLength(1)} matrix cannot act on {targets.Length} qubit(s); expected {d}×{d}", nameof(matrix));
        CheckQubits(targets, "operator");
        ApplyBothSides(matrix, targets, []);
    }

    /// <summary>Multiplies every entry by <paramref name="factor"/> (for unnormalised branches).</summary>
    public void Scale(double factor) => _vec.MultiplyAmplitudes(factor);

    /// <summary>Adds <paramref name="weight"/>·<paramref name="other"/> to this matrix entry by entry.</summary>
    /// <exception cref="ArgumentException">The qubit counts differ.</exception>
    public void AddScaled(DensityMatrix other, double weight = 1)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.NumQubits != NumQubits) throw new ArgumentException($"cannot add a {other.NumQubits}-qubit density matrix to a {NumQubits}-qubit one");
        var p = _vec.AmplitudePointer;
        var q = other._vec.AmplitudePointer;
        long len = Dimension * Dimension;
        for (long i = 0; i < len; i++) p[i] += weight * q[i];
        GC.KeepAlive(this); GC.KeepAlive(other);
    }

    // ---------- read-out ----------

    /// <summary>Tr ρ (1 for a normalised state).</summary>
    public double Trace()
    {
        var p = _vec.AmplitudePointer;
        double s = 0;
        for (long i = 0; i < Dimension; i++) s += p[i * (Dimension + 1)].Real;
        GC.KeepAlive(this);
        return s;
    }

    /// <summary>Purity Tr ρ² = Σᵢⱼ |ρᵢⱼ|² (1 for pure states, 2⁻ⁿ for the maximally mixed state).</summary>
    public double Purity() => _vec.NormSquared();

    /// <summary>The diagonal ρᵢᵢ: outcome probabilities of measuring every qubit (little-endian index), at most 2³⁰.</summary>
    public double[] Probabilities()
    {
        if (Dimension > Array.MaxLength) throw new InvalidOperationException($"{Dimension} probabilities do not fit in one .NET array");
        var r = new double[Dimension];
        var p = _vec.AmplitudePointer;
        for (long i = 0; i < Dimension; i++) r[i] = p[i * (Dimension + 1)].Real;
        GC.KeepAlive(this);
        return r;
    }

    /// <summary>The probability that measuring <paramref name="qubit"/> gives 1 (relative to Tr ρ).</summary>
    public double ProbabilityOfOne(int qubit)
    {
        CheckQubits([qubit], "probability");
        var p = _vec.AmplitudePointer;
        long bit = 1L << qubit;
        double p1 = 0, all = 0;
        for (long i = 0; i < Dimension; i++)
        {
            double v = p[i * (Dimension + 1)].Real;
            all += v;
            if ((i & bit) != 0) p1 += v;
        }
        GC.KeepAlive(this);
        return all > 0 ? p1 / all : 0;
    }

    /// <summary>
    /// Tr(ρP) for a Pauli string such as "XZIY" (qubit 0 the rightmost letter, as <see cref="StateVector.ExpectationPauli"/>):
    /// Tr(ρP) = i^{#Y} Σⱼ (−1)^{|j ∧ z|} ρ[j, j ⊕ x], no matrix built.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong length or a letter other than I, X, Y, Z.</exception>
    public double ExpectationPauli(string pauli)
    {
        ArgumentNullException.ThrowIfNull(pauli);
        if (pauli.Length != NumQubits) throw new ArgumentException($"Pauli string '{pauli}' has {pauli.Length} letters for {NumQubits} qubits");
        var (x, z, ny) = PauliMasks.Parse(pauli);
        var p = _vec.AmplitudePointer;
        Complex sum = Complex.Zero;
        for (long j = 0; j < Dimension; j++)
        {
            Complex t = p[j + (j ^ x) * Dimension];
            sum += (BitOperations.PopCount((ulong)(j & z)) & 1) == 0 ? t : -t;
        }
        GC.KeepAlive(this);
        Complex phase = (ny & 3) switch { 0 => 1, 1 => Complex.ImaginaryOne, 2 => -1, _ => -Complex.ImaginaryOne };
        return (phase * sum).Real;
    }

    /// <summary>⟨ψ|ρ|ψ⟩ (the fidelity with a pure state when both are normalised).</summary>
    /// <exception cref="ArgumentException">The qubit counts differ.</exception>
    public double ExpectationOfState(StateVector psi)
    {
        ArgumentNullException.ThrowIfNull(psi);
        if (psi.NumQubits != NumQubits) throw new ArgumentException($"a {psi.NumQubits}-qubit state against a {NumQubits}-qubit density matrix");
        var a = psi.ToArray();
        var p = _vec.AmplitudePointer;
        Complex s = Complex.Zero;
        for (long c = 0; c < Dimension; c++)
        {
            if (a[c] == Complex.Zero) continue;
            Complex row = Complex.Zero;
            for (long r = 0; r < Dimension; r++) row += Complex.Conjugate(a[r]) * p[r + c * Dimension];
            s += row * a[c];
        }
        GC.KeepAlive(this);
        return s.Real;
    }

    /// <summary>
    /// Tr over <paramref name="qubitsToTraceOut"/>: the reduced state of the other qubits, renumbered 0, 1, … in ascending order
    /// of their old indices (Qiskit's <c>partial_trace</c>).
    /// </summary>
    /// <exception cref="ArgumentException">A qubit is out of range or repeated.</exception>
    public DensityMatrix PartialTrace(params int[] qubitsToTraceOut)
    {
        ArgumentNullException.ThrowIfNull(qubitsToTraceOut);
        if (qubitsToTraceOut.Length > 0) CheckQubits(qubitsToTraceOut, "partial trace");
        var traced = qubitsToTraceOut.Order().ToArray();
        var keep = Enumerable.Range(0, NumQubits).Except(traced).ToArray();
        var result = new DensityMatrix(keep.Length);
        var dst = result._vec.AmplitudePointer;
        dst[0] = Complex.Zero;
        var src = _vec.AmplitudePointer;
        long dk = result.Dimension, envCount = 1L << traced.Length;
        var keepSorted = keep;                     // ascending already
        var spreadKeep = new long[dk];
        for (long m = 0; m < dk; m++)
            for (int j = 0; j < keep.Length; j++)
                if ((m >> j & 1) != 0) spreadKeep[m] |= 1L << keepSorted[j];
        var spreadEnv = new long[envCount];
        for (long e = 0; e < envCount; e++)
            for (int j = 0; j < traced.Length; j++)
                if ((e >> j & 1) != 0) spreadEnv[e] |= 1L << traced[j];
        for (long c = 0; c < dk; c++)
            for (long r = 0; r < dk; r++)
            {
                Complex s = Complex.Zero;
                for (long e = 0; e < envCount; e++)
                    s += src[(spreadKeep[r] | spreadEnv[e]) + (spreadKeep[c] | spreadEnv[e]) * Dimension];
                dst[r + c * dk] = s;
            }
        GC.KeepAlive(this); GC.KeepAlive(result);
        return result;
    }

    /// <summary>
    /// Measures <paramref name="qubit"/> in the Z basis: draws the outcome m from <paramref name="rng"/> with probability
    /// Tr(Pₘρ), then collapses ρ ↦ PₘρPₘ / Tr(Pₘρ). Returns m.
    /// </summary>
    public int Measure(int qubit, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        double p1 = ProbabilityOfOne(qubit);
        int outcome = rng.NextDouble() < p1 ? 1 : 0;
        double trace = Trace();
        Project(qubit, outcome);
        double keep = outcome == 1 ? p1 : 1 - p1;
        if (keep > 0) Scale(1 / (keep * trace));
        return outcome;
    }

    /// <summary>ρ ↦ PₘρPₘ with Pₘ = |m⟩⟨m| on <paramref name="qubit"/>, not renormalised (the trace becomes the outcome's probability).</summary>
    public void Project(int qubit, int outcome)
    {
        CheckQubits([qubit], "project");
        if (outcome is not (0 or 1)) throw new ArgumentOutOfRangeException(nameof(outcome), $"outcome {outcome} is not 0 or 1");
        Complex d0 = outcome == 0 ? Complex.One : Complex.Zero, d1 = Complex.One - d0;
        _vec.ApplyMatrix2(qubit, d0, Complex.Zero, Complex.Zero, d1);
        _vec.ApplyMatrix2(qubit + NumQubits, d0, Complex.Zero, Complex.Zero, d1);
    }

    /// <summary>Resets <paramref name="qubit"/> to |0⟩ deterministically: ρ ↦ K₀ρK₀† + K₁ρK₁† with K₀ = |0⟩⟨0|, K₁ = |0⟩⟨1|.</summary>
    public void Reset(int qubit) => ApplyChannel(ResetChannel, qubit);

    private static readonly QuantumChannel ResetChannel = QuantumChannel.FromKraus(
        [new Complex[,] { { 1, 0 }, { 0, 0 } }, new Complex[,] { { 0, 1 }, { 0, 0 } }], "reset");

    /// <summary>Draws <paramref name="shots"/> basis indices from the diagonal of ρ (seeded; one cumulative distribution and a binary search per shot).</summary>
    public long[] SampleIndices(int shots, int seed) => NoiseSampling.SampleIndices(Probabilities(), shots, seed);

    /// <summary>Counts of <paramref name="shots"/> seeded samples of all qubits, keyed by bit string (qubit 0 rightmost).</summary>
    public Dictionary<string, int> SampleCounts(int shots, int seed)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (long i in SampleIndices(shots, seed))
        {
            string key = StateVector.ToBitString(i, NumQubits);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }

    // ---------- helpers ----------

    private int[] Shift(int[] qubits)
    {
        var r = new int[qubits.Length];
        for (int i = 0; i < r.Length; i++) r[i] = qubits[i] + NumQubits;
        return r;
    }

    private static Complex[,] Conjugate(Complex[,] m)
    {
        var r = new Complex[m.GetLength(0), m.GetLength(1)];
        for (int i = 0; i < m.GetLength(0); i++) for (int j = 0; j < m.GetLength(1); j++) r[i, j] = Complex.Conjugate(m[i, j]);
        return r;
    }

    private void CheckQubits(int[] qubits, string what)
    {
        long seen = 0;
        foreach (int q in qubits)
        {
            if ((uint)q >= (uint)NumQubits) throw new ArgumentException($"{what}: qubit {q} outside [0, {NumQubits})");
            if ((seen >> q & 1) != 0) throw new ArgumentException($"{what}: qubit {q} used twice");
            seen |= 1L << q;
        }
    }
}
