using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Polymath.Bench;

/// <summary>Achievable memory bandwidth of this machine, measured in the same run by managed streaming kernels.</summary>
/// <param name="TriadGBs">STREAM-style triad a = b + s*c, counted as 12 bytes per element (best of several runs).</param>
/// <param name="CopyGBs">Parallel Span copy a = b, counted as 8 bytes per element (best of several runs).</param>
/// <param name="ReadGBs">Parallel read-only sum of b, 4 bytes per element (best of several runs).</param>
/// <param name="StreamCGBs">Best kernel of the C STREAM-style program bench/stream_c (OpenMP, -O3 -march=native), when it ran.</param>
public readonly record struct BandwidthResult(double TriadGBs, double CopyGBs, double ReadGBs, double? StreamCGBs = null)
{
    /// <summary>The largest of all: the reference used for "fraction_of_bandwidth".</summary>
    public double BestGBs => Math.Max(StreamCGBs ?? 0, Math.Max(ReadGBs, Math.Max(TriadGBs, CopyGBs)));
}

/// <summary>Measures memory bandwidth with a multithreaded Vector512/Vector256 triad and a parallel copy.</summary>
public static class MemoryBandwidth
{
    /// <param name="elements">Floats per array (three arrays are used); default 32M = 128 MiB each.</param>
    /// <param name="threads">Worker threads.</param>
    /// <param name="runs">Timed runs of each kernel; the best is reported.</param>
    public static BandwidthResult Measure(int elements, int threads, int runs)
    {
        var a = GC.AllocateUninitializedArray<float>(elements);
        var b = GC.AllocateUninitializedArray<float>(elements);
        var c = GC.AllocateUninitializedArray<float>(elements);
        // First touch in parallel, so pages land where the workers run.
        ForChunks(elements, threads, (s, e) =>
        {
            a.AsSpan(s, e - s).Fill(0f);
            b.AsSpan(s, e - s).Fill(1f);
            c.AsSpan(s, e - s).Fill(2f);
        });
        double bestTriad = 0, bestCopy = 0, bestRead = 0;
        var partial = new float[Math.Max(1, threads)];
        for (int r = 0; r < runs + 1; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            ForChunks(elements, threads, (s, e) => Triad(a, b, c, 0.5f, s, e));
            double t = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (r > 0)
                bestTriad = Math.Max(bestTriad, 12.0 * elements / t / 1e9);
            t0 = Stopwatch.GetTimestamp();
            ForChunks(elements, threads, (s, e) => b.AsSpan(s, e - s).CopyTo(a.AsSpan(s, e - s)));
            t = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (r > 0)
                bestCopy = Math.Max(bestCopy, 8.0 * elements / t / 1e9);
            t0 = Stopwatch.GetTimestamp();
            ForChunks(elements, threads, (s, e) => partial[s / Math.Max(1, ChunkSize(elements, threads))] = Sum(b, s, e));
            t = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (r > 0)
                bestRead = Math.Max(bestRead, 4.0 * elements / t / 1e9);
        }
        GC.KeepAlive(a);
        GC.KeepAlive(partial);
        return new BandwidthResult(bestTriad, bestCopy, bestRead);
    }

    private static int ChunkSize(int n, int threads) => (n / Math.Max(1, threads) + 63) & ~63; // whole cache lines

    private static void ForChunks(int n, int threads, Action<int, int> body)
    {
        int chunks = Math.Max(1, threads);
        int per = ChunkSize(n, threads);
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, i =>
        {
            int s = Math.Min(n, i * per);
            int e = i == chunks - 1 ? n : Math.Min(n, s + per);
            if (e > s)
                body(s, e);
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Sum(float[] b, int start, int end) => System.Numerics.Tensors.TensorPrimitives.Sum(b.AsSpan(start, end - start));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Triad(float[] a, float[] b, float[] c, float scalar, int start, int end)
    {
        ref float ra = ref MemoryMarshal.GetArrayDataReference(a);
        ref float rb = ref MemoryMarshal.GetArrayDataReference(b);
        ref float rc = ref MemoryMarshal.GetArrayDataReference(c);
        int i = start;
        if (Vector512.IsHardwareAccelerated)
        {
            var s = Vector512.Create(scalar);
            for (; i <= end - 16; i += 16)
                (Vector512.LoadUnsafe(ref rb, (nuint)i) + s * Vector512.LoadUnsafe(ref rc, (nuint)i)).StoreUnsafe(ref ra, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(scalar);
            for (; i <= end - 8; i += 8)
                (Vector256.LoadUnsafe(ref rb, (nuint)i) + s * Vector256.LoadUnsafe(ref rc, (nuint)i)).StoreUnsafe(ref ra, (nuint)i);
        }
        for (; i < end; i++)
            Unsafe.Add(ref ra, i) = Unsafe.Add(ref rb, i) + scalar * Unsafe.Add(ref rc, i);
    }
}
