using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// The one loop behind every gate kernel: visits the base indices of a state (target and control bits removed),
/// in runs of consecutive indices below the lowest fixed qubit, on several threads for large states.
/// </summary>
internal static unsafe class GateRunner<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Base-index count from which a gate runs on several threads.</summary>
    internal static long ParallelThreshold = 1L << 14;

    /// <summary>Inserts a 0 bit at each of <paramref name="sortedPositions"/> (ascending) into <paramref name="i"/>.</summary>
    internal static long InsertZeros(long i, int[] sortedPositions)
    {
        foreach (int p in sortedPositions)
        {
            long low = i & ((1L << p) - 1);
            i = ((i >> p) << (p + 1)) | low;
        }
        return i;
    }

    /// <summary>
    /// Calls <paramref name="op"/> on every run of base indices of an <paramref name="numQubits"/>-qubit state with
    /// 0 at <paramref name="sortedFixed"/> and <paramref name="setMask"/> (control bits) OR-ed in.
    /// </summary>
    internal static void Run<TOp>(T* amp, int numQubits, int[] sortedFixed, long setMask, TOp op, bool parallel)
        where TOp : struct, IRunOp<T>
    {
        long count = 1L << (numQubits - sortedFixed.Length);
        long run = sortedFixed.Length == 0 ? count : Math.Min(count, 1L << sortedFixed[0]);
        if (!parallel || count < ParallelThreshold || QuantumThreads.Count == 1)
        {
            RunRange(amp, sortedFixed, setMask, ref op, 0, count, run);
            return;
        }
        nint basePtr = (nint)amp;
        // Ranges are multiples of 64 base indices so vector loops always see whole vectors.
        QuantumThreads.For(count, ParallelThreshold / 2, 64, (b0, b1) =>
        {
            var local = op;
            RunRange((T*)basePtr, sortedFixed, setMask, ref local, b0, b1, run);
        });
    }

    private static void RunRange<TOp>(T* amp, int[] sortedFixed, long setMask, ref TOp op, long b0, long b1, long run)
        where TOp : struct, IRunOp<T>
    {
        // Runs between the lowest fixed qubit p0 and the next one p1 sit at a regular stride of 2^(p0+1) amplitudes:
        // walk such a group by addition, computing the inserted-zeros index once per group (short runs of low
        // qubits would otherwise pay for it on every few amplitudes).
        long group = sortedFixed.Length >= 2 ? 1L << (sortedFixed[1] - 1) : long.MaxValue;
        long stride = 2 * run;
        long b = b0;
        while (b < b1)
        {
            long groupLeft = group == long.MaxValue ? b1 - b : Math.Min(group - (b & (group - 1)), b1 - b);
            long start = InsertZeros(b, sortedFixed) | setMask;
            long end = b + groupLeft;
            while (b < end)
            {
                long len = Math.Min(run - (b & (run - 1)), end - b);
                op.ApplyRun(amp, start, len);
                start += len == run ? stride : len;
                b += len;
            }
        }
    }
}

/// <summary>A gate prepared for one precision: its kernel chosen, its matrix rounded and broadcast once.</summary>
internal abstract unsafe class CompiledGate<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Highest qubit the gate touches: it can run inside any block of more qubits than that.</summary>
    public int MaxQubit { get; init; }

    /// <summary>Applies the gate to a state of <paramref name="numQubits"/> qubits at <paramref name="amp"/>.</summary>
    public abstract void Execute(T* amp, int numQubits, bool parallel);

    /// <summary>
    /// Chooses the kernel for <paramref name="matrix"/> on <paramref name="targets"/> (little-endian in them), applied
    /// where all <paramref name="controls"/> are 1: monomial matrices (diagonal, permutation) move or scale
    /// amplitudes, a 2×2 on a low qubit works inside vectors, anything else is dense. Null for the identity.
    /// </summary>
    public static CompiledGate<T>? Compile(int[] targets, int[] controls, Complex[,] matrix)
    {
        int k = targets.Length, d = 1 << k;
        long setMask = 0;
        foreach (int c in controls) setMask |= 1L << c;
        int maxQubit = targets.Concat(controls).Max();
        int[] sortedAll = [.. targets.Concat(controls).Order()];
        var offsets = new long[d];
        for (int m = 0; m < d; m++)
            for (int j = 0; j < k; j++)
                if ((m >> j & 1) != 0) offsets[m] |= 1L << targets[j];

        if (TryMonomial(matrix, out var source, out var coef))
        {
            bool identity = true;
            for (int r = 0; r < d; r++) identity &= source![r] == r && coef![r] == Complex.One;
            if (identity) return null;
        }

        int logW = BitOperations.Log2((uint)ComplexVector<T>.ComplexPerVector);
        if (k == 1 && ComplexVector<T>.IsSupported && targets[0] < logW && controls.All(c => c >= logW))
            return new Compiled<InVectorMatrix2Op<T>>(new InVectorMatrix2Op<T>(targets[0], matrix), [.. controls.Order()], setMask)
            { MaxQubit = Math.Max(maxQubit, logW) };
        if (k >= 2 && k <= logW && ComplexVector<T>.IsSupported && targets.All(t => t < logW) && controls.All(c => c >= logW))
            return new Compiled<InVectorDenseOp<T>>(new InVectorDenseOp<T>(targets, matrix), [.. controls.Order()], setMask)
            { MaxQubit = Math.Max(maxQubit, logW) };
        if (source is not null)
            return new Compiled<MonomialOp<T>>(new MonomialOp<T>(offsets, source, coef!), sortedAll, setMask) { MaxQubit = maxQubit };
        if (k == 1)
            return new Compiled<Matrix2Op<T>>(new Matrix2Op<T>(1L << targets[0], matrix), sortedAll, setMask) { MaxQubit = maxQubit };
        if (k == 3 && ComplexVector<T>.IsSupported && sortedAll[0] >= logW)
            return new Compiled<Dense8Op<T>>(new Dense8Op<T>(offsets, matrix), sortedAll, setMask) { MaxQubit = maxQubit };
        if (k == 2)
            return new Compiled<Dense4Op<T>>(new Dense4Op<T>(offsets, matrix), sortedAll, setMask) { MaxQubit = maxQubit };
        return new Compiled<DenseOp<T>>(new DenseOp<T>(offsets, matrix), sortedAll, setMask) { MaxQubit = maxQubit };
    }

    /// <summary>One non-zero per row and per column: row r takes column source[r] times coef[r].</summary>
    private static bool TryMonomial(Complex[,] m, out int[]? source, out Complex[]? coef)
    {
        int d = m.GetLength(0);
        source = new int[d];
        coef = new Complex[d];
        var used = new bool[d];
        for (int r = 0; r < d; r++)
        {
            int found = -1;
            for (int c = 0; c < d; c++)
            {
                if (m[r, c] == Complex.Zero) continue;
                if (found >= 0 || used[c]) { source = null; coef = null; return false; }
                found = c;
            }
            if (found < 0) { source = null; coef = null; return false; }
            used[found] = true;
            source[r] = found;
            coef[r] = m[r, found];
        }
        return true;
    }

    private sealed class Compiled<TOp>(TOp op, int[] sortedFixed, long setMask) : CompiledGate<T>
        where TOp : struct, IRunOp<T>
    {
        public override void Execute(T* amp, int numQubits, bool parallel) =>
            GateRunner<T>.Run(amp, numQubits, sortedFixed, setMask, op, parallel);
    }
}
