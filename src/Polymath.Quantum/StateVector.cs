using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace Polymath.Quantum;

/// <summary>Storage precision of a <see cref="StateVector"/>'s amplitudes.</summary>
public enum Precision
{
    /// <summary>Two float64 per amplitude (16 bytes): the default.</summary>
    Complex128,

    /// <summary>Two float32 per amplitude (8 bytes): half the memory and traffic, about 7 significant digits.</summary>
    Complex64,
}

/// <summary>
/// The pure state of <c>n</c> qubits as 2ⁿ complex amplitudes in complex128 (default) or complex64. Qubit order is
/// Qiskit's little-endian: qubit 0 is the least significant bit of the basis index, so amplitude index 0b01 of a
/// two-qubit state is |q1=0, q0=1⟩, written "01" (qubit 0 rightmost). Indices are 64-bit. The amplitudes live in
/// 64-byte-aligned native memory that the garbage collector frees (no Dispose needed); the bytes needed are computed
/// and checked before allocating. Kernels use AVX-512 where present and <see cref="QuantumThreads.Count"/> threads.
/// </summary>
public sealed unsafe partial class StateVector
{
    private readonly NativeAmplitudes _storage;

    /// <summary>The state |0…0⟩ of <paramref name="numQubits"/> qubits at <paramref name="precision"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numQubits"/> is negative.</exception>
    /// <exception cref="InsufficientMemoryException">2ⁿ amplitudes need more bytes than the process may use; the message gives both, and nothing was allocated.</exception>
    public StateVector(int numQubits, Precision precision = Precision.Complex128)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numQubits);
        EnsureMemory(numQubits, precision);
        NumQubits = numQubits;
        Precision = precision;
        Dimension = 1L << numQubits;
        _storage = new NativeAmplitudes(Dimension * BytesPerAmplitude(precision));
        Set(0, Complex.One);
    }

    /// <summary>Number of qubits n.</summary>
    public int NumQubits { get; }

    /// <summary>Number of amplitudes, 2ⁿ.</summary>
    public long Dimension { get; }

    /// <summary>Storage precision.</summary>
    public Precision Precision { get; }

    private bool IsDouble => Precision == Precision.Complex128;

    private double* D => (double*)_storage.Pointer;

    private float* F => (float*)_storage.Pointer;

    private static int BytesPerAmplitude(Precision precision) => precision switch
    {
        Precision.Complex128 => 16,
        Precision.Complex64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), $"unknown precision {precision}"),
    };

    /// <summary>Bytes that a state of <paramref name="numQubits"/> qubits needs at <paramref name="precision"/> (exact, no overflow).</summary>
    public static UInt128 MemoryRequiredBytes(int numQubits, Precision precision = Precision.Complex128)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numQubits);
        UInt128 bytesPerAmplitude = (UInt128)BytesPerAmplitude(precision);
        if (numQubits > 120) return UInt128.MaxValue;
        return bytesPerAmplitude << numQubits;
    }

    private static void EnsureMemory(int numQubits, Precision precision)
    {
        UInt128 need = MemoryRequiredBytes(numQubits, precision);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (numQubits > 62 || need > (UInt128)available)
            throw new InsufficientMemoryException(
                $"StateVector of {numQubits} qubits ({precision}) needs {need:N0} bytes ({FormatBytes((double)need)}) " +
                $"but only {available:N0} bytes ({FormatBytes(available)}) are available to this process; nothing was allocated.");
    }

    private static string FormatBytes(double b)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];
        int u = 0;
        while (b >= 1024 && u < units.Length - 1) { b /= 1024; u++; }
        return $"{b:0.##} {units[u]}";
    }

    /// <summary>A state holding a copy of <paramref name="amplitudes"/> (length must be a power of two; not normalised for you).</summary>
    /// <exception cref="ArgumentException">The length is not a power of two.</exception>
    public static StateVector FromAmplitudes(ReadOnlySpan<Complex> amplitudes, Precision precision = Precision.Complex128)
    {
        long len = amplitudes.Length;
        if (len == 0 || (len & (len - 1)) != 0)
            throw new ArgumentException($"amplitude count {len} is not a power of two", nameof(amplitudes));
        var s = new StateVector(BitOperations.Log2((ulong)len), precision);
        for (int i = 0; i < amplitudes.Length; i++) s.Set(i, amplitudes[i]);
        GC.KeepAlive(s);
        return s;
    }

    /// <summary>The computational basis state |index⟩ of <paramref name="numQubits"/> qubits.</summary>
    public static StateVector Basis(int numQubits, long index, Precision precision = Precision.Complex128)
    {
        var s = new StateVector(numQubits, precision);
        if ((ulong)index >= (ulong)s.Dimension) throw new ArgumentOutOfRangeException(nameof(index), $"basis index {index} outside [0, {s.Dimension})");
        s.Set(0, Complex.Zero);
        s.Set(index, Complex.One);
        GC.KeepAlive(s);
        return s;
    }

    /// <summary>An independent copy (same precision).</summary>
    public StateVector Clone()
    {
        var s = new StateVector(NumQubits, Precision);
        long bytes = Dimension * BytesPerAmplitude(Precision);
        Buffer.MemoryCopy(_storage.Pointer, s._storage.Pointer, bytes, bytes);
        GC.KeepAlive(this);
        GC.KeepAlive(s);
        return s;
    }

    /// <summary>A copy at <paramref name="precision"/> (rounding to complex64 keeps about 7 digits).</summary>
    public StateVector ToPrecision(Precision precision)
    {
        if (precision == Precision) return Clone();
        var s = new StateVector(NumQubits, precision);
        for (long i = 0; i < Dimension; i++) s.Set(i, Get(i));
        GC.KeepAlive(this);
        GC.KeepAlive(s);
        return s;
    }

    /// <summary>The amplitude ⟨index|ψ⟩ (64-bit index, little-endian bits).</summary>
    public Complex this[long index]
    {
        get { CheckIndex(index); var v = Get(index); GC.KeepAlive(this); return v; }
        set { CheckIndex(index); Set(index, value); GC.KeepAlive(this); }
    }

    private Complex Get(long i) => IsDouble ? new Complex(D[2 * i], D[2 * i + 1]) : new Complex(F[2 * i], F[2 * i + 1]);

    private void Set(long i, Complex v)
    {
        if (IsDouble) { D[2 * i] = v.Real; D[2 * i + 1] = v.Imaginary; }
        else { F[2 * i] = (float)v.Real; F[2 * i + 1] = (float)v.Imaginary; }
    }

    private void CheckIndex(long index)
    {
        if ((ulong)index >= (ulong)Dimension) throw new ArgumentOutOfRangeException(nameof(index), $"amplitude index {index} outside [0, {Dimension})");
    }

    /// <summary>All amplitudes as a managed array (at most 2³⁰ of them).</summary>
    public Complex[] ToArray()
    {
        if (Dimension > Array.MaxLength) throw new InvalidOperationException($"{Dimension} amplitudes do not fit in one .NET array");
        var r = new Complex[Dimension];
        if (IsDouble) new ReadOnlySpan<Complex>(_storage.Pointer, r.Length).CopyTo(r);
        else for (long i = 0; i < Dimension; i++) r[i] = Get(i);
        GC.KeepAlive(this);
        return r;
    }

    /// <summary>|amplitude|² for every basis index (little-endian), at most 2³⁰ of them.</summary>
    public double[] Probabilities()
    {
        if (Dimension > Array.MaxLength) throw new InvalidOperationException($"{Dimension} probabilities do not fit in one .NET array");
        var p = new double[Dimension];
        if (IsDouble) AmplitudeMath<double>.Probabilities(D, p);
        else AmplitudeMath<float>.Probabilities(F, p);
        GC.KeepAlive(this);
        return p;
    }

    /// <summary>The squared norm Σ|aᵢ|² (1 for a normalised state), summed in float64 on all threads.</summary>
    public double NormSquared()
    {
        double s = IsDouble ? AmplitudeMath<double>.NormSquared(D, Dimension) : AmplitudeMath<float>.NormSquared(F, Dimension);
        GC.KeepAlive(this);
        return s;
    }

    /// <summary>Probability that <paramref name="qubit"/> reads 1: Σ |aᵢ|² over indices with that bit set.</summary>
    public double ProbabilityOfOne(int qubit)
    {
        if ((uint)qubit >= (uint)NumQubits) throw new ArgumentOutOfRangeException(nameof(qubit), $"qubit {qubit} outside [0, {NumQubits})");
        long bit = 1L << qubit;
        double p = IsDouble ? AmplitudeMath<double>.ProbabilitySum(D, Dimension, bit, bit) : AmplitudeMath<float>.ProbabilitySum(F, Dimension, bit, bit);
        GC.KeepAlive(this);
        return p;
    }

    /// <summary>⟨this|other⟩.</summary>
    /// <exception cref="ArgumentException">The qubit counts differ.</exception>
    public Complex InnerProduct(StateVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.NumQubits != NumQubits) throw new ArgumentException($"inner product of {NumQubits}- and {other.NumQubits}-qubit states");
        if (other.Precision != Precision) other = other.ToPrecision(Precision);
        Complex s = IsDouble ? AmplitudeMath<double>.Inner(D, other.D, Dimension) : AmplitudeMath<float>.Inner(F, other.F, Dimension);
        GC.KeepAlive(this); GC.KeepAlive(other);
        return s;
    }

    // ---------- gates ----------

    /// <summary>
    /// Applies the 2×2 matrix [[m00, m01], [m10, m11]] to qubit <paramref name="qubit"/>, only where every qubit in
    /// <paramref name="controls"/> is 1 (none: unconditionally). Any matrix is accepted (unitarity is not checked here).
    /// </summary>
    /// <exception cref="ArgumentException">A qubit is out of range or repeated.</exception>
    public void ApplyMatrix2(int qubit, Complex m00, Complex m01, Complex m10, Complex m11, params ReadOnlySpan<int> controls) =>
        ApplyUnchecked(new[,] { { m00, m01 }, { m10, m11 } }, [qubit], controls);

    /// <summary>Multiplies the |1⟩ amplitude of <paramref name="qubit"/> by <paramref name="d1"/> and the |0⟩ one by <paramref name="d0"/> (diagonal gates: Z, S, T, P, RZ), where all <paramref name="controls"/> are 1.</summary>
    public void ApplyDiagonal(int qubit, Complex d0, Complex d1, params ReadOnlySpan<int> controls) =>
        ApplyMatrix2(qubit, d0, Complex.Zero, Complex.Zero, d1, controls);

    /// <summary>Flips <paramref name="qubit"/> (X) where all <paramref name="controls"/> are 1: CX, CCX, MCX.</summary>
    public void ApplyX(int qubit, params ReadOnlySpan<int> controls) =>
        ApplyMatrix2(qubit, Complex.Zero, Complex.One, Complex.One, Complex.Zero, controls);

    /// <summary>
    /// Applies a dense 2ᵏ×2ᵏ unitary to <paramref name="targets"/> (k of them) where all <paramref name="controls"/> are 1.
    /// The matrix is row-major and little-endian in its own qubits: bit j of its row/column index is targets[j].
    /// </summary>
    /// <exception cref="ArgumentException">The shape does not match, a qubit is out of range or repeated, or the matrix is not unitary (the message gives ‖U†U − I‖_max).</exception>
    public void ApplyUnitary(Complex[,] matrix, IReadOnlyList<int> targets, params ReadOnlySpan<int> controls)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        MatrixUtil.EnsureUnitary(matrix, "ApplyUnitary");
        ApplyUnchecked(matrix, targets, controls);
    }

    /// <summary>Applies any 2ᵏ×2ᵏ matrix (unitary or not: Kraus operators, projectors) with the fastest kernel for its shape.</summary>
    internal void ApplyUnchecked(Complex[,] matrix, IReadOnlyList<int> targets, ReadOnlySpan<int> controls)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int k = targets.Count;
        int d = 1 << k;
        if (k == 0 || matrix.GetLength(0) != d || matrix.GetLength(1) != d)
            throw new ArgumentException($"a {matrix.GetLength(0)}×{matrix.GetLength(1)} matrix cannot act on {k} qubit(s); expected {d}×{d}", nameof(matrix));
        CheckQubits(targets, controls);
        int[] t = [.. targets], c = controls.ToArray();
        if (IsDouble) CompiledGate<double>.Compile(t, c, matrix)?.Execute(D, NumQubits, parallel: true);
        else CompiledGate<float>.Compile(t, c, matrix)?.Execute(F, NumQubits, parallel: true);
        GC.KeepAlive(this);
    }

    /// <summary>Applies <paramref name="gate"/> with its qubit j on <paramref name="qubits"/>[j]; controlled gates use the controlled kernels.</summary>
    /// <exception cref="ArgumentException">Wrong qubit count, out-of-range or repeated qubits.</exception>
    /// <exception cref="InvalidOperationException">The gate has unbound parameters.</exception>
    public void Apply(Gate gate, params int[] qubits)
    {
        ArgumentNullException.ThrowIfNull(gate);
        if (qubits.Length != gate.NumQubits)
            throw new ArgumentException($"gate '{gate.Name}' acts on {gate.NumQubits} qubit(s) but {qubits.Length} were given");
        var op = GateOp.FromGate(gate, qubits);
        ApplyUnchecked(op.Matrix, op.Targets, op.Controls);
    }

    /// <summary>
    /// Applies a sequence of gates as one program: fused into fewer, larger gates and run cache block by cache
    /// block where they touch only low qubits (<see cref="GateProgram{T}"/>). Same result as applying them one by one,
    /// up to float round-off.
    /// </summary>
    internal void ApplyGates(IEnumerable<(Gate Gate, int[] Qubits)> gates, bool fuse = true, int? blockQubits = null)
    {
        var ops = new List<GateOp>();
        foreach (var (gate, qubits) in gates)
        {
            if (qubits.Length != gate.NumQubits)
                throw new ArgumentException($"gate '{gate.Name}' acts on {gate.NumQubits} qubit(s) but {qubits.Length} were given");
            var op = GateOp.FromGate(gate, qubits);
            CheckQubits(op.Targets, op.Controls);
            ops.Add(op);
        }
        if (IsDouble) new GateProgram<double>(ops, NumQubits, fuse, blockQubits).Execute(D);
        else new GateProgram<float>(ops, NumQubits, fuse, blockQubits).Execute(F);
        GC.KeepAlive(this);
    }

    /// <summary>Multiplies every amplitude by e^{iφ} (a circuit's global phase).</summary>
    public void ApplyGlobalPhase(double phi)
    {
        if (phi == 0) return;
        Scale(Complex.FromPolarCoordinates(1, phi));
    }

    /// <summary>Multiplies every amplitude by <paramref name="factor"/> (renormalising after a projection or a Kraus operator).</summary>
    public void Scale(Complex factor)
    {
        if (IsDouble) AmplitudeMath<double>.Scale(D, Dimension, factor);
        else AmplitudeMath<float>.Scale(F, Dimension, factor);
        GC.KeepAlive(this);
    }

    private long CheckQubits(IReadOnlyList<int> targets, ReadOnlySpan<int> controls)
    {
        long seen = 0, cmask = 0;
        void Check(int q, string role)
        {
            if ((uint)q >= (uint)NumQubits) throw new ArgumentException($"{role} qubit {q} outside [0, {NumQubits})");
            if ((seen >> q & 1) != 0) throw new ArgumentException($"qubit {q} used twice in one gate");
            seen |= 1L << q;
        }
        foreach (int q in targets) Check(q, "target");
        foreach (int q in controls) { Check(q, "control"); cmask |= 1L << q; }
        return cmask;
    }

    // ---------- read-out ----------

    /// <summary>
    /// ⟨ψ|P|ψ⟩ for a Pauli string such as "XZIY": one letter per qubit, qubit 0 the rightmost letter (Qiskit's order).
    /// Computed directly from P|i⟩ = i^{#Y}(−1)^{|i ∧ z|}|i ⊕ x⟩, without building any matrix, on all threads.
    /// </summary>
    /// <exception cref="ArgumentException">The string's length is not <see cref="NumQubits"/> or holds a letter other than I, X, Y, Z.</exception>
    public double ExpectationPauli(string pauli)
    {
        ArgumentNullException.ThrowIfNull(pauli);
        if (pauli.Length != NumQubits) throw new ArgumentException($"Pauli string '{pauli}' has {pauli.Length} letters for {NumQubits} qubits");
        var (x, z, ny) = PauliMasks.Parse(pauli);
        Complex sum = IsDouble ? AmplitudeMath<double>.PauliSum(D, Dimension, x, z) : AmplitudeMath<float>.PauliSum(F, Dimension, x, z);
        GC.KeepAlive(this);
        Complex phase = (ny & 3) switch { 0 => 1, 1 => Complex.ImaginaryOne, 2 => -1, _ => -Complex.ImaginaryOne };
        return (phase * sum).Real;
    }

    /// <summary>
    /// Draws <paramref name="shots"/> basis indices from |ψ|² with a seeded generator, without re-simulating: one
    /// sweep over the state for chunk sums, then the sorted draws walk the cumulative distribution once. Works for
    /// any state size (no 2³⁰ limit). Same seed, same draws.
    /// </summary>
    public long[] SampleIndices(int shots, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shots);
        double total = NormSquared();
        if (!(total > 0)) throw new InvalidOperationException("cannot sample from a state of zero norm");
        var rng = new Random(seed);
        var u = new double[shots];
        for (int s = 0; s < shots; s++) u[s] = rng.NextDouble() * total;
        long[] r = IsDouble ? AmplitudeMath<double>.Sample(D, Dimension, u) : AmplitudeMath<float>.Sample(F, Dimension, u);
        GC.KeepAlive(this);
        return r;
    }

    /// <summary>Counts of <paramref name="shots"/> seeded samples, keyed by bit string over all qubits (qubit 0 rightmost).</summary>
    public Dictionary<string, int> SampleCounts(int shots, int seed)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (long i in SampleIndices(shots, seed))
        {
            string key = ToBitString(i, NumQubits);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }

    /// <summary>Measures <paramref name="qubit"/> in the Z basis: draws 0 or 1 from <paramref name="rng"/>, collapses and renormalises the state.</summary>
    public int Measure(int qubit, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        double p1 = ProbabilityOfOne(qubit);
        double norm = NormSquared();
        int outcome = rng.NextDouble() * norm < p1 ? 1 : 0;
        Collapse(qubit, outcome, outcome == 1 ? p1 : norm - p1);
        return outcome;
    }

    /// <summary>Projects <paramref name="qubit"/> onto |<paramref name="outcome"/>⟩ and renormalises (the outcome's probability mass is <paramref name="probability"/>).</summary>
    internal void Collapse(int qubit, int outcome, double probability)
    {
        if (!(probability > 0)) throw new InvalidOperationException($"cannot collapse qubit {qubit} onto |{outcome}⟩: that outcome has probability 0");
        long bit = 1L << qubit;
        double scale = 1 / Math.Sqrt(probability);
        if (IsDouble) AmplitudeMath<double>.Project(D, Dimension, bit, outcome == 1 ? bit : 0, scale);
        else AmplitudeMath<float>.Project(F, Dimension, bit, outcome == 1 ? bit : 0, scale);
        GC.KeepAlive(this);
    }

    /// <summary>The bit string of <paramref name="index"/> over <paramref name="width"/> bits, bit 0 rightmost.</summary>
    public static string ToBitString(long index, int width)
    {
        var sb = new StringBuilder(width);
        for (int b = width - 1; b >= 0; b--) sb.Append((index >> b & 1) != 0 ? '1' : '0');
        return sb.ToString();
    }

    /// <summary>Zero-initialised 64-byte-aligned native memory, freed by the finalizer; reports its size to the GC.</summary>
    private sealed class NativeAmplitudes
    {
        private readonly long _bytes;

        public NativeAmplitudes(long bytes)
        {
            _bytes = bytes;
            Pointer = NativeMemory.AlignedAlloc((nuint)_bytes, 64);
            NativeMemory.Clear(Pointer, (nuint)_bytes);
            GC.AddMemoryPressure(_bytes);
        }

        public void* Pointer { get; }

        ~NativeAmplitudes()
        {
            NativeMemory.AlignedFree(Pointer);
            GC.RemoveMemoryPressure(_bytes);
        }
    }
}
