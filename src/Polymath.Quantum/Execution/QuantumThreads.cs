namespace Polymath.Quantum;

/// <summary>
/// How many threads the simulator's kernels use. Defaults to <c>POLYMATH_NUM_THREADS</c> when set, else the
/// processor count. Results do not depend on it: every reduction sums fixed chunks in a fixed order.
/// </summary>
public static class QuantumThreads
{
    private static int s_count = Default();

    /// <summary>Thread count for state-vector kernels (at least 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1.</exception>
    public static int Count
    {
        get => s_count;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            s_count = value;
        }
    }

    private static int Default()
    {
        var env = Environment.GetEnvironmentVariable("POLYMATH_NUM_THREADS");
        return int.TryParse(env, out int n) && n >= 1 ? n : Environment.ProcessorCount;
    }

    /// <summary>
    /// Runs <paramref name="body"/> on [0, <paramref name="count"/>) split into contiguous ranges, one per
    /// task, each a multiple of <paramref name="align"/> long except the last. Serial when one thread suffices.
    /// </summary>
    internal static void For(long count, long minPerThread, long align, Action<long, long> body)
    {
        int threads = (int)Math.Min(Count, Math.Max(1, count / Math.Max(1, minPerThread)));
        if (threads <= 1)
        {
            body(0, count);
            return;
        }
        // A few ranges per thread absorb uneven progress without many scheduling round trips.
        long parts = threads * 4L;
        long size = (count + parts - 1) / parts;
        size = (size + align - 1) / align * align;
        parts = (count + size - 1) / size;
        Parallel.For(0L, parts, new ParallelOptions { MaxDegreeOfParallelism = threads }, p =>
        {
            long start = p * size;
            body(start, Math.Min(count, start + size));
        });
    }

    /// <summary>
    /// Σ over [0, <paramref name="count"/>) of <paramref name="partial"/>(start, end), summed over fixed chunks in
    /// chunk order so the result is the same for any thread count.
    /// </summary>
    internal static double Sum(long count, Func<long, long, double> partial)
    {
        const long chunk = 1L << 16;
        long chunks = (count + chunk - 1) / chunk;
        if (chunks <= 1) return partial(0, count);
        var sums = new double[chunks];
        For(chunks, 4, 1, (c0, c1) =>
        {
            for (long c = c0; c < c1; c++) sums[c] = partial(c * chunk, Math.Min(count, (c + 1) * chunk));
        });
        double s = 0;
        foreach (double v in sums) s += v;
        return s;
    }
}
