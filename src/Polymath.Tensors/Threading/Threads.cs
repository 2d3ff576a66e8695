namespace Polymath;

/// <summary>
/// The number of threads Polymath's CPU kernels use. Defaults to all cores, or to the
/// <c>POLYMATH_NUM_THREADS</c> environment variable when it is set to a positive integer.
/// </summary>
public static class Threads
{
    /// <summary>Name of the environment variable read at start-up.</summary>
    public const string EnvironmentVariable = "POLYMATH_NUM_THREADS";

    private static int s_count = ReadDefault();

    // Set on threads running a chunk of Threads.For, so kernels called from inside a parallel
    // region (e.g. one small GEMM per batch item) run single-threaded instead of oversubscribing.
    [ThreadStatic] private static bool t_inParallelRegion;

    /// <summary>True on a thread that is running one chunk of a parallel loop.</summary>
    internal static bool InParallelRegion => t_inParallelRegion;

    /// <summary>Threads a kernel started from the current thread may use: 1 inside a parallel region.</summary>
    internal static int Available => t_inParallelRegion ? 1 : s_count;

    /// <summary>Threads used by kernels (at least 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value below 1.</exception>
    public static int Count
    {
        get => s_count;
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(value), value, "Threads.Count must be at least 1.");
            s_count = value;
        }
    }

    private static int ReadDefault()
    {
        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (env is not null && int.TryParse(env, out int n) && n > 0)
            return n;
        if (!string.IsNullOrWhiteSpace(env))
            Console.Error.WriteLine($"polymath: ignoring {EnvironmentVariable}='{env}' (expected a positive integer); using {Environment.ProcessorCount} threads.");
        return Environment.ProcessorCount;
    }

    /// <summary>
    /// Runs <paramref name="body"/>(start, end) over [0, <paramref name="count"/>) split into at most
    /// <see cref="Count"/> contiguous chunks, each at least <paramref name="minChunk"/> long.
    /// The split depends only on count, minChunk and the thread count, so results are reproducible.
    /// </summary>
    internal static void For(long count, long minChunk, Action<long, long> body)
    {
        if (count <= 0)
            return;
        long chunks = Math.Min(Available, Math.Max(1, count / Math.Max(1, minChunk)));
        if (chunks <= 1)
        {
            body(0, count);
            return;
        }
        long per = (count + chunks - 1) / chunks;
        if (WorkerPool.TryRun(count, per, (int)chunks, body))
            return;
        // Another thread is using the workers: share the .NET thread pool instead.
        System.Threading.Tasks.Parallel.For(0, (int)chunks, new ParallelOptions { MaxDegreeOfParallelism = (int)chunks }, c =>
        {
            long start = c * per;
            long end = Math.Min(count, start + per);
            if (start >= end)
                return;
            bool outer = EnterParallelRegion();
            try { body(start, end); }
            finally { ExitParallelRegion(outer); }
        });
    }

    internal static bool EnterParallelRegion()
    {
        bool outer = t_inParallelRegion;
        t_inParallelRegion = true;
        return outer;
    }

    internal static void ExitParallelRegion(bool outer) => t_inParallelRegion = outer;
}
