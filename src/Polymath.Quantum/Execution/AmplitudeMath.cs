using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// Whole-state reductions and updates over interleaved (re, im) amplitudes of <typeparamref name="T"/>, on all
/// threads. Sums run over fixed chunks added in order, so results do not depend on the thread count, and they
/// accumulate in float64 for both precisions.
/// </summary>
internal static unsafe class AmplitudeMath<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const long MinPerThread = 1L << 15;

    public static double NormSquared(T* p, long dim) => ProbabilitySum(p, dim, 0, 0);

    /// <summary>Σ |a_i|² over indices i with (i &amp; mask) == value.</summary>
    public static double ProbabilitySum(T* p, long dim, long mask, long value)
    {
        nint basePtr = (nint)p;
        return QuantumThreads.Sum(dim, (i0, i1) =>
        {
            T* a = (T*)basePtr;
            double s = 0;
            for (long i = i0; i < i1; i++)
            {
                if ((i & mask) != value) continue;
                double re = double.CreateTruncating(a[2 * i]), im = double.CreateTruncating(a[2 * i + 1]);
                s += re * re + im * im;
            }
            return s;
        });
    }

    public static void Probabilities(T* p, double[] dest)
    {
        nint basePtr = (nint)p;
        QuantumThreads.For(dest.LongLength, MinPerThread, 64, (i0, i1) =>
        {
            T* a = (T*)basePtr;
            for (long i = i0; i < i1; i++)
            {
                double re = double.CreateTruncating(a[2 * i]), im = double.CreateTruncating(a[2 * i + 1]);
                dest[i] = re * re + im * im;
            }
        });
    }

    /// <summary>Sets a_i ← a_i·keepScale where (i &amp; mask) == value, else 0 (projective collapse).</summary>
    public static void Project(T* p, long dim, long mask, long value, double keepScale)
    {
        nint basePtr = (nint)p;
        T s = T.CreateTruncating(keepScale);
        QuantumThreads.For(dim, MinPerThread, 64, (i0, i1) =>
        {
            T* a = (T*)basePtr;
            for (long i = i0; i < i1; i++)
            {
                bool keep = (i & mask) == value;
                a[2 * i] = keep ? a[2 * i] * s : T.Zero;
                a[2 * i + 1] = keep ? a[2 * i + 1] * s : T.Zero;
            }
        });
    }

    /// <summary>a_i ← f·a_i.</summary>
    public static void Scale(T* p, long dim, Complex f)
    {
        nint basePtr = (nint)p;
        T fr = T.CreateTruncating(f.Real), fi = T.CreateTruncating(f.Imaginary);
        QuantumThreads.For(dim, MinPerThread, 64, (i0, i1) =>
        {
            T* a = (T*)basePtr;
            for (long i = i0; i < i1; i++)
            {
                T re = a[2 * i], im = a[2 * i + 1];
                a[2 * i] = fr * re - fi * im;
                a[2 * i + 1] = fr * im + fi * re;
            }
        });
    }

    /// <summary>Σ_i conj(a_{i⊕x}) a_i (−1)^{|i∧z|}: ⟨ψ|P|ψ⟩ up to the i^{#Y} phase.</summary>
    public static Complex PauliSum(T* p, long dim, long x, long z)
    {
        nint basePtr = (nint)p;
        double re = QuantumThreads.Sum(dim, (i0, i1) => PauliPartial((T*)basePtr, i0, i1, x, z, real: true));
        double im = QuantumThreads.Sum(dim, (i0, i1) => PauliPartial((T*)basePtr, i0, i1, x, z, real: false));
        return new Complex(re, im);
    }

    private static double PauliPartial(T* a, long i0, long i1, long x, long z, bool real)
    {
        double s = 0;
        for (long i = i0; i < i1; i++)
        {
            long j = i ^ x;
            double ar = double.CreateTruncating(a[2 * i]), ai = double.CreateTruncating(a[2 * i + 1]);
            double br = double.CreateTruncating(a[2 * j]), bi = double.CreateTruncating(a[2 * j + 1]);
            // conj(b)·a
            double t = real ? br * ar + bi * ai : br * ai - bi * ar;
            s += (BitOperations.PopCount((ulong)(i & z)) & 1) == 0 ? t : -t;
        }
        return s;
    }

    /// <summary>Σ_i conj(a_i)·b_i.</summary>
    public static Complex Inner(T* a, T* b, long dim)
    {
        nint pa = (nint)a, pb = (nint)b;
        double re = QuantumThreads.Sum(dim, (i0, i1) =>
        {
            T* x = (T*)pa, y = (T*)pb;
            double s = 0;
            for (long i = i0; i < i1; i++)
                s += double.CreateTruncating(x[2 * i]) * double.CreateTruncating(y[2 * i]) + double.CreateTruncating(x[2 * i + 1]) * double.CreateTruncating(y[2 * i + 1]);
            return s;
        });
        double im = QuantumThreads.Sum(dim, (i0, i1) =>
        {
            T* x = (T*)pa, y = (T*)pb;
            double s = 0;
            for (long i = i0; i < i1; i++)
                s += double.CreateTruncating(x[2 * i]) * double.CreateTruncating(y[2 * i + 1]) - double.CreateTruncating(x[2 * i + 1]) * double.CreateTruncating(y[2 * i]);
            return s;
        });
        return new Complex(re, im);
    }

    /// <summary>
    /// Maps each of <paramref name="u"/> (uniforms scaled to the total probability) to the first basis index whose
    /// cumulative probability exceeds it, in one sweep: chunk sums first, then a cumulative walk through only the
    /// chunks that some draw lands in. Never returns a zero-probability index.
    /// </summary>
    public static long[] Sample(T* p, long dim, double[] u)
    {
        const long chunk = 1L << 16;
        long chunks = (dim + chunk - 1) / chunk;
        var chunkSum = new double[chunks];
        nint basePtr = (nint)p;
        QuantumThreads.For(chunks, 4, 1, (c0, c1) =>
        {
            for (long c = c0; c < c1; c++)
                chunkSum[c] = ProbabilityRange((T*)basePtr, c * chunk, Math.Min(dim, (c + 1) * chunk));
        });
        long lastNonZero = dim - 1;
        while (lastNonZero > 0 && Prob(p, lastNonZero) == 0) lastNonZero--;

        var order = new int[u.Length];
        for (int s = 0; s < order.Length; s++) order[s] = s;
        var keys = (double[])u.Clone();
        Array.Sort(keys, order);
        var result = new long[u.Length];
        long chunkIndex = 0, i = 0;
        double before = 0;          // cumulative probability before chunk `chunkIndex`
        double cum = 0;             // cumulative probability through index i (inside the current chunk)
        bool inChunk = false;
        long lastSeen = -1;         // last index with non-zero probability the walk has passed
        for (int k = 0; k < keys.Length; k++)
        {
            double target = keys[k];
            while (chunkIndex < chunks - 1 && before + chunkSum[chunkIndex] <= target)
            {
                before += chunkSum[chunkIndex++];
                inChunk = false;
            }
            if (!inChunk)
            {
                i = chunkIndex * chunk;
                double pi = Prob(p, i);
                cum = before + pi;
                if (pi > 0) lastSeen = i;
                inChunk = true;
            }
            long end = Math.Min(dim, (chunkIndex + 1) * chunk);
            while (cum <= target && i + 1 < end)
            {
                double pi = Prob(p, ++i);
                cum += pi;
                if (pi > 0) lastSeen = i;
            }
            // Round-off can leave the last draws just past the running sum: they belong to the last non-zero entry.
            result[order[k]] = cum > target && Prob(p, i) > 0 ? i : lastSeen >= 0 && cum > target ? lastSeen : lastNonZero;
        }
        return result;
    }

    private static double Prob(T* a, long i)
    {
        double re = double.CreateTruncating(a[2 * i]), im = double.CreateTruncating(a[2 * i + 1]);
        return re * re + im * im;
    }

    private static double ProbabilityRange(T* a, long i0, long i1)
    {
        double s = 0;
        for (long i = i0; i < i1; i++) s += Prob(a, i);
        return s;
    }
}
