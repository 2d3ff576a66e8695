using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace Polymath.Quantum;

/// <summary>Storage precision of a <see cref="StateVector"/>'s amplitudes.</summary>
public enum Precision
{
    /// <summary>Two float64 per amplitude (<see cref="System.Numerics.Complex"/>, 16 bytes). The only precision implemented so far.</summary>
    Complex128,
}

/// <summary>
/// The pure state of <c>n</c> qubits as 2ⁿ complex128 amplitudes. Qubit order is Qiskit's little-endian:
/// qubit 0 is the least significant bit of the basis index, so amplitude index 0b01 of a two-qubit state is
/// |q1=0, q0=1⟩, written "01" (qubit 0 rightmost). Indices are 64-bit. The amplitudes live in native memory
/// that the garbage collector frees (no Dispose needed); the bytes needed are computed and checked before allocating.
/// </summary>
public sealed unsafe partial class StateVector
{
    private readonly NativeAmplitudes _storage;

    /// <summary>The state |0…0⟩ of <paramref name="numQubits"/> qubits.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numQubits"/> is negative.</exception>
    /// <exception cref="InsufficientMemoryException">2ⁿ amplitudes need more bytes than the process may use; the message gives both, and nothing was allocated.</exception>
    public StateVector(int numQubits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numQubits);
        EnsureMemory(numQubits, Precision.Complex128);
        NumQubits = numQubits;
        Dimension = 1L << numQubits;
        _storage = new NativeAmplitudes(Dimension);
        _storage.Pointer[0] = Complex.One;
    }

    /// <summary>Number of qubits n.</summary>
    public int NumQubits { get; }

    /// <summary>Number of amplitudes, 2ⁿ.</summary>
    public long Dimension { get; }

    /// <summary>Storage precision (complex128 for now).</summary>
    public Precision Precision => Precision.Complex128;

    /// <summary>Bytes that a state of <paramref name="numQubits"/> qubits needs at <paramref name="precision"/> (exact, no overflow).</summary>
    public static UInt128 MemoryRequiredBytes(int numQubits, Precision precision = Precision.Complex128)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numQubits);
        UInt128 bytesPerAmplitude = precision switch { Precision.Complex128 => 16, _ => throw new ArgumentOutOfRangeException(nameof(precision)) };
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
    public static StateVector FromAmplitudes(ReadOnlySpan<Complex> amplitudes)
    {
        long len = amplitudes.Length;
        if (len == 0 || (len & (len - 1)) != 0)
            throw new ArgumentException($"amplitude count {len} is not a power of two", nameof(amplitudes));
        var s = new StateVector(BitOperations.Log2((ulong)len));
        amplitudes.CopyTo(new Span<Complex>(s._storage.Pointer, amplitudes.Length));
        return s;
    }

    /// <summary>The computational basis state |index⟩ of <paramref name="numQubits"/> qubits.</summary>
    public static StateVector Basis(int numQubits, long index)
    {
        var s = new StateVector(numQubits);
        if ((ulong)index >= (ulong)s.Dimension) throw new ArgumentOutOfRangeException(nameof(index), $"basis index {index} outside [0, {s.Dimension})");
        s._storage.Pointer[0] = Complex.Zero;
        s._storage.Pointer[index] = Complex.One;
        return s;
    }

    /// <summary>An independent copy.</summary>
    public StateVector Clone()
    {
        var s = new StateVector(NumQubits);
        Buffer.MemoryCopy(_storage.Pointer, s._storage.Pointer, Dimension * 16, Dimension * 16);
        GC.KeepAlive(this);
        return s;
    }

    /// <summary>The amplitude ⟨index|ψ⟩ (64-bit index, little-endian bits).</summary>
    public Complex this[long index]
    {
        get { CheckIndex(index); var v = _storage.Pointer[index]; GC.KeepAlive(this); return v; }
        set { CheckIndex(index); _storage.Pointer[index] = value; GC.KeepAlive(this); }
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
        new ReadOnlySpan<Complex>(_storage.Pointer, r.Length).CopyTo(r);
        GC.KeepAlive(this);
        return r;
    }

    /// <summary>|amplitude|² for every basis index (little-endian), at most 2³⁰ of them.</summary>
    public double[] Probabilities()
    {
        if (Dimension > Array.MaxLength) throw new InvalidOperationException($"{Dimension} probabilities do not fit in one .NET array");
        var p = new double[Dimension];
        var a = _storage.Pointer;
        for (long i = 0; i < Dimension; i++) p[i] = a[i].Real * a[i].Real + a[i].Imaginary * a[i].Imaginary;
        GC.KeepAlive(this);
        return p;
    }

    /// <summary>The squared norm Σ|aᵢ|² (1 for a normalised state).</summary>
    public double NormSquared()
    {
        double s = 0;
        var a = _storage.Pointer;
        for (long i = 0; i < Dimension; i++) s += a[i].Real * a[i].Real + a[i].Imaginary * a[i].Imaginary;
        GC.KeepAlive(this);
        return s;
    }

    /// <summary>⟨this|other⟩.</summary>
    /// <exception cref="ArgumentException">The qubit counts differ.</exception>
    public Complex InnerProduct(StateVector other)
    {
        if (other.NumQubits != NumQubits) throw new ArgumentException($"inner product of {NumQubits}- and {other.NumQubits}-qubit states");
        Complex s = Complex.Zero;
        for (long i = 0; i < Dimension; i++) s += Complex.Conjugate(_storage.Pointer[i]) * other._storage.Pointer[i];
        GC.KeepAlive(this); GC.KeepAlive(other);
        return s;
    }

    // ---------- kernels ----------

    /// <summary>
    /// Applies the 2×2 matrix [[m00, m01], [m10, m11]] to qubit <paramref name="qubit"/>, only where every qubit in
    /// <paramref name="controls"/> is 1 (none: unconditionally). Diagonal and X-shaped matrices take faster paths.
    /// </summary>
    /// <exception cref="ArgumentException">A qubit is out of range or repeated.</exception>
    public void ApplyMatrix2(int qubit, Complex m00, Complex m01, Complex m10, Complex m11, params ReadOnlySpan<int> controls)
    {
        long cmask = CheckQubits([qubit], controls);
        int[] fixedPos = [qubit, .. controls];
        long stride = 1L << qubit;
        if (m01 == Complex.Zero && m10 == Complex.Zero)
            Kernels.Run(_storage.Pointer, NumQubits, fixedPos, cmask, new Kernels.DiagonalOp(stride, m00, m11, m00 == Complex.One));
        else if (m00 == Complex.Zero && m11 == Complex.Zero && m01 == Complex.One && m10 == Complex.One)
            Kernels.Run(_storage.Pointer, NumQubits, fixedPos, cmask, new Kernels.SwapPairOp(stride));
        else
            Kernels.Run(_storage.Pointer, NumQubits, fixedPos, cmask, new Kernels.Matrix2Op(stride, m00, m01, m10, m11));
        GC.KeepAlive(this);
    }

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
        int k = targets.Count;
        int d = 1 << k;
        if (matrix.GetLength(0) != d || matrix.GetLength(1) != d)
            throw new ArgumentException($"a {matrix.GetLength(0)}×{matrix.GetLength(1)} matrix cannot act on {k} qubit(s); expected {d}×{d}", nameof(matrix));
        MatrixUtil.EnsureUnitary(matrix, "ApplyUnitary");
        ApplyUnchecked(matrix, targets, controls);
    }

    /// <summary>Applies a matrix already known to be unitary (gates): 1-qubit fast paths, else dense.</summary>
    internal void ApplyUnchecked(Complex[,] matrix, IReadOnlyList<int> targets, ReadOnlySpan<int> controls)
    {
        int k = targets.Count;
        if (k == 1)
        {
            ApplyMatrix2(targets[0], matrix[0, 0], matrix[0, 1], matrix[1, 0], matrix[1, 1], controls);
            return;
        }
        long cmask = CheckQubits(targets, controls);
        int d = 1 << k;
        var offsets = new long[d];
        for (int m = 0; m < d; m++)
            for (int j = 0; j < k; j++)
                if ((m >> j & 1) != 0) offsets[m] |= 1L << targets[j];
        var flat = new Complex[d * d];
        for (int r = 0; r < d; r++) for (int c = 0; c < d; c++) flat[r * d + c] = matrix[r, c];
        int[] fixedPos = [.. targets, .. controls];
        Kernels.Run(_storage.Pointer, NumQubits, fixedPos, cmask, new Kernels.DenseOp(offsets, flat));
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
        if (gate is ControlledGate cg)
            ApplyUnchecked(cg.BaseGate.Matrix, qubits[cg.NumControls..], qubits.AsSpan(0, cg.NumControls));
        else
            ApplyUnchecked(gate.Matrix, qubits, []);
    }

    /// <summary>Multiplies every amplitude by e^{iφ} (a circuit's global phase).</summary>
    public void ApplyGlobalPhase(double phi)
    {
        if (phi == 0) return;
        var f = Complex.FromPolarCoordinates(1, phi);
        for (long i = 0; i < Dimension; i++) _storage.Pointer[i] *= f;
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
    /// Computed directly from P|i⟩ = i^{#Y}(−1)^{|i ∧ z|}|i ⊕ x⟩, without building any matrix.
    /// </summary>
    /// <exception cref="ArgumentException">The string's length is not <see cref="NumQubits"/> or holds a letter other than I, X, Y, Z.</exception>
    public double ExpectationPauli(string pauli)
    {
        ArgumentNullException.ThrowIfNull(pauli);
        if (pauli.Length != NumQubits) throw new ArgumentException($"Pauli string '{pauli}' has {pauli.Length} letters for {NumQubits} qubits");
        long x = 0, z = 0;
        int ny = 0;
        for (int c = 0; c < pauli.Length; c++)
        {
            int q = pauli.Length - 1 - c;
            switch (char.ToUpperInvariant(pauli[c]))
            {
                case 'I': break;
                case 'X': x |= 1L << q; break;
                case 'Z': z |= 1L << q; break;
                case 'Y': x |= 1L << q; z |= 1L << q; ny++; break;
                default: throw new ArgumentException($"Pauli string '{pauli}': letter '{pauli[c]}' at position {c} is not I, X, Y or Z");
            }
        }
        var a = _storage.Pointer;
        Complex sum = Complex.Zero;
        for (long i = 0; i < Dimension; i++)
        {
            Complex t = Complex.Conjugate(a[i ^ x]) * a[i];
            sum += (BitOperations.PopCount((ulong)(i & z)) & 1) == 0 ? t : -t;
        }
        GC.KeepAlive(this);
        Complex phase = (ny & 3) switch { 0 => 1, 1 => Complex.ImaginaryOne, 2 => -1, _ => -Complex.ImaginaryOne };
        return (phase * sum).Real;
    }

    /// <summary>
    /// Draws <paramref name="shots"/> basis indices from |ψ|² with a seeded generator, without re-simulating:
    /// one cumulative distribution, then a binary search per shot. Same seed, same draws.
    /// </summary>
    public long[] SampleIndices(int shots, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shots);
        double[] cdf = Probabilities();
        for (int i = 1; i < cdf.Length; i++) cdf[i] += cdf[i - 1];
        double total = cdf[^1];
        var rng = new Random(seed);
        var r = new long[shots];
        for (int s = 0; s < shots; s++)
        {
            double u = rng.NextDouble() * total;
            int lo = 0, hi = cdf.Length - 1;      // first index with cdf > u: never a zero-probability entry
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (cdf[mid] > u) hi = mid; else lo = mid + 1;
            }
            int idx = lo;
            r[s] = Math.Min(idx, cdf.Length - 1);
        }
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
        if ((uint)qubit >= (uint)NumQubits) throw new ArgumentOutOfRangeException(nameof(qubit), $"qubit {qubit} outside [0, {NumQubits})");
        var a = _storage.Pointer;
        long bit = 1L << qubit;
        double p1 = 0;
        for (long i = 0; i < Dimension; i++) if ((i & bit) != 0) p1 += a[i].Real * a[i].Real + a[i].Imaginary * a[i].Imaginary;
        double norm = NormSquared();
        int outcome = rng.NextDouble() * norm < p1 ? 1 : 0;
        double keep = outcome == 1 ? p1 : norm - p1;
        double scale = 1 / Math.Sqrt(keep);
        for (long i = 0; i < Dimension; i++)
            a[i] = ((i & bit) != 0) == (outcome == 1) ? a[i] * scale : Complex.Zero;
        GC.KeepAlive(this);
        return outcome;
    }

    /// <summary>The bit string of <paramref name="index"/> over <paramref name="width"/> bits, bit 0 rightmost.</summary>
    public static string ToBitString(long index, int width)
    {
        var sb = new StringBuilder(width);
        for (int b = width - 1; b >= 0; b--) sb.Append((index >> b & 1) != 0 ? '1' : '0');
        return sb.ToString();
    }

    /// <summary>Zero-initialised native amplitudes, freed by the finalizer; reports its size to the GC.</summary>
    private sealed class NativeAmplitudes
    {
        private readonly long _bytes;

        public NativeAmplitudes(long count)
        {
            _bytes = count * sizeof(Complex);
            Pointer = (Complex*)NativeMemory.AlignedAlloc((nuint)_bytes, 64);
            NativeMemory.Clear(Pointer, (nuint)_bytes);
            GC.AddMemoryPressure(_bytes);
        }

        public Complex* Pointer { get; }

        ~NativeAmplitudes()
        {
            NativeMemory.AlignedFree(Pointer);
            GC.RemoveMemoryPressure(_bytes);
        }
    }
}
