using System.Collections.Concurrent;

namespace Polymath;

/// <summary>
/// Recycles the large arrays behind tensors. Fresh large .NET arrays land on the large-object heap:
/// each one costs page faults on first touch and pushes the GC towards full collections, which made a
/// 16M-element add several times slower than the add itself. A dead tensor's storage is finalized by the
/// GC and its array comes back here; the next tensor of that exact length reuses it, already paged in.
/// Small arrays are left to the GC, whose gen-0 allocation is cheaper than any pool.
/// </summary>
internal static class BufferPool
{
    /// <summary>Arrays of at least this many bytes are pooled (the large-object-heap threshold is 85,000).</summary>
    public const int MinPooledBytes = 64 * 1024;

    // Pooled memory is capped so an idle pool never holds more than a fraction of the machine.
    private static readonly long s_capacityBytes = Math.Min(4L << 30, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 8);
    private static long s_pooledBytes;

    /// <summary>Off when the environment variable POLYMATH_POOL is "0".</summary>
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("POLYMATH_POOL") != "0";

    public static bool IsPooledSize(long bytes) => bytes >= MinPooledBytes;

    public static long PooledBytes => Interlocked.Read(ref s_pooledBytes);

    // A dead storage returns its array only once the GC has run its finalizer, and large-object-heap
    // collections are rare when most arrays come from the pool. So after this many bytes have been handed
    // out, a miss triggers a collection that brings back everything that died since the last one.
    // Young collections are cheap (tens of microseconds for a heap of tensor headers) and find the storages of
    // short-lived temporaries; every eighth one is a full collection for storages that lived longer.
    private const long CollectEveryBytes = 32L << 20;
    private const int FullCollectionEvery = 8;
    private static long s_bytesSinceCollect;
    private static int s_collections;
    private static readonly object s_collectGate = new();

    /// <summary>An array of exactly <paramref name="length"/> elements: pooled when one is free, else new.</summary>
    public static T[] Rent<T>(int length, bool zeroed) where T : unmanaged
    {
        long bytes = (long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        long handedOut = Interlocked.Add(ref s_bytesSinceCollect, bytes);
        var array = TryRent<T>(length);
        if (array is null && handedOut > CollectEveryBytes)
        {
            lock (s_collectGate)
            {
                if (Interlocked.Read(ref s_bytesSinceCollect) > CollectEveryBytes)
                {
                    Interlocked.Exchange(ref s_bytesSinceCollect, 0);
                    int generation = ++s_collections % FullCollectionEvery == 0 ? 2 : 1;
                    GC.Collect(generation, GCCollectionMode.Forced, blocking: true, compacting: false);
                    GC.WaitForPendingFinalizers();
                }
            }
            array = TryRent<T>(length);
        }
        if (array is null)
            return zeroed ? new T[length] : GC.AllocateUninitializedArray<T>(length);
        if (zeroed)
            Array.Clear(array);
        return array;
    }

    public static T[]? TryRent<T>(int length) where T : unmanaged
    {
        if (!Bucket<T>.ByLength.TryGetValue(length, out var stack) || !stack.TryPop(out var array))
            return null;
        Interlocked.Add(ref s_pooledBytes, -(long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        return array;
    }

    public static void Return<T>(T[] array) where T : unmanaged
    {
        long bytes = (long)array.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (Interlocked.Add(ref s_pooledBytes, bytes) > s_capacityBytes)
        {
            Interlocked.Add(ref s_pooledBytes, -bytes);
            return;
        }
        Bucket<T>.ByLength.GetOrAdd(array.Length, _ => new ConcurrentStack<T[]>()).Push(array);
    }

    /// <summary>Drops every pooled array (for tests and for callers that want the memory back now).</summary>
    public static void Clear()
    {
        Bucket<float>.ByLength.Clear();
        Bucket<double>.ByLength.Clear();
        Bucket<long>.ByLength.Clear();
        Bucket<bool>.ByLength.Clear();
        Interlocked.Exchange(ref s_pooledBytes, 0);
    }

    private static class Bucket<T> where T : unmanaged
    {
        public static readonly ConcurrentDictionary<int, ConcurrentStack<T[]>> ByLength = new();
    }
}
