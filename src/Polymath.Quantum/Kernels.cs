using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// One amplitude update applied at a base index (all target bits 0, all control bits 1); the shared
/// loop <see cref="Kernels.Run{TOp}"/> visits every base index, in parallel for large states.
/// </summary>
internal unsafe interface IAmplitudeOp
{
    void Apply(Complex* amp, long baseIndex);
}

/// <summary>
/// The complex128 state-vector kernels: a general 2×2, diagonal and X fast paths, a 4×4 and a k-qubit
/// dense update, each an operator struct driven by one loop. A complex64 set would be a second copy of
/// these structs over <c>Complex32*</c>; <see cref="StateVector"/> picks the set by its <see cref="Precision"/>.
/// </summary>
internal static unsafe class Kernels
{
    /// <summary>Base-index count at or above which the loop runs on several threads (tests lower it).</summary>
    internal static long ParallelThreshold = 1L << 14;

    private const long ChunkSize = 1L << 12;

    /// <summary>Inserts a 0 bit at each position of <paramref name="sortedPositions"/> (ascending).</summary>
    internal static long InsertZeros(long i, ReadOnlySpan<int> sortedPositions)
    {
        foreach (int p in sortedPositions)
        {
            long low = i & ((1L << p) - 1);
            i = ((i >> p) << (p + 1)) | low;
        }
        return i;
    }

    /// <summary>
    /// Calls <paramref name="op"/> once per base index of a <paramref name="numQubits"/>-qubit state: every index
    /// whose bits at <paramref name="fixedPositions"/> are 0, with <paramref name="setMask"/> (the control bits) OR-ed in.
    /// </summary>
    internal static void Run<TOp>(Complex* amp, int numQubits, int[] fixedPositions, long setMask, TOp op)
        where TOp : struct, IAmplitudeOp
    {
        var sorted = (int[])fixedPositions.Clone();
        Array.Sort(sorted);
        long count = 1L << (numQubits - sorted.Length);
        if (count < ParallelThreshold)
        {
            for (long i = 0; i < count; i++) op.Apply(amp, InsertZeros(i, sorted) | setMask);
            return;
        }
        nint basePtr = (nint)amp;
        long chunks = (count + ChunkSize - 1) / ChunkSize;
        Parallel.For(0L, chunks, c =>
        {
            var a = (Complex*)basePtr;
            long end = Math.Min(count, (c + 1) * ChunkSize);
            for (long i = c * ChunkSize; i < end; i++) op.Apply(a, InsertZeros(i, sorted) | setMask);
        });
    }

    /// <summary>General 2×2 on the pair (i, i + stride).</summary>
    internal struct Matrix2Op(long stride, Complex m00, Complex m01, Complex m10, Complex m11) : IAmplitudeOp
    {
        public readonly void Apply(Complex* amp, long i)
        {
            Complex a0 = amp[i], a1 = amp[i + stride];
            amp[i] = m00 * a0 + m01 * a1;
            amp[i + stride] = m10 * a0 + m11 * a1;
        }
    }

    /// <summary>Diagonal diag(d0, d1): Z, S, T, P, RZ and their inverses.</summary>
    internal struct DiagonalOp(long stride, Complex d0, Complex d1, bool skipD0) : IAmplitudeOp
    {
        public readonly void Apply(Complex* amp, long i)
        {
            if (!skipD0) amp[i] *= d0;
            amp[i + stride] *= d1;
        }
    }

    /// <summary>The permutation X: swaps the pair.</summary>
    internal struct SwapPairOp(long stride) : IAmplitudeOp
    {
        public readonly void Apply(Complex* amp, long i) => (amp[i], amp[i + stride]) = (amp[i + stride], amp[i]);
    }

    /// <summary>Dense 2ᵏ×2ᵏ update on the amplitudes at base + offsets[m]; k = 2 is the 4×4 case.</summary>
    internal struct DenseOp(long[] offsets, Complex[] matrix) : IAmplitudeOp
    {
        [ThreadStatic] private static Complex[]? t_scratch;

        public readonly void Apply(Complex* amp, long i)
        {
            int d = offsets.Length;
            if (d == 4)
            {
                Complex a0 = amp[i + offsets[0]], a1 = amp[i + offsets[1]], a2 = amp[i + offsets[2]], a3 = amp[i + offsets[3]];
                for (int r = 0; r < 4; r++)
                    amp[i + offsets[r]] = matrix[4 * r] * a0 + matrix[4 * r + 1] * a1 + matrix[4 * r + 2] * a2 + matrix[4 * r + 3] * a3;
                return;
            }
            var v = t_scratch is { } s && s.Length >= d ? s : (t_scratch = new Complex[d]);
            for (int m = 0; m < d; m++) v[m] = amp[i + offsets[m]];
            for (int r = 0; r < d; r++)
            {
                Complex acc = Complex.Zero;
                int row = r * d;
                for (int m = 0; m < d; m++) acc += matrix[row + m] * v[m];
                amp[i + offsets[r]] = acc;
            }
        }
    }
}
