using System.Collections;
using System.Collections.Concurrent;

namespace Polymath.Data;

/// <summary>
/// Batches a data set: <c>foreach (var (x, y) in loader)</c> runs one epoch (PyTorch's <c>DataLoader</c>).
/// </summary>
/// <typeparam name="T">The item type of the data set.</typeparam>
/// <typeparam name="TBatch">The batch type the collate function makes.</typeparam>
/// <remarks>
/// <para><b>Order.</b> Without shuffling, epochs visit items 0..N-1. With shuffling, epoch e visits a permutation
/// drawn from a Philox generator keyed by (<see cref="Seed"/>, e): the same seed gives the same orders, every
/// epoch gets a new one, and <see cref="Epoch"/> can be set to resume at epoch k with the order an uninterrupted
/// run would have had.</para>
/// <para><b>Workers.</b> With <see cref="NumWorkers"/> &gt; 0, background threads build batches ahead of the
/// consumer; at most <c>NumWorkers × PrefetchFactor</c> batches are in flight. Batches are handed out in batch
/// order whatever the worker count, so results do not depend on it. Random transforms that draw from
/// <see cref="SampleRandom.Current"/> get a generator keyed by (seed, epoch, item index) for every item, so
/// augmentation is reproducible for any worker count too.</para>
/// <para><b>Errors.</b> An exception thrown while loading batch b reaches the consumer as a
/// <see cref="DataLoaderException"/> naming b, when the consumer reaches batch b (earlier batches still arrive).
/// Cancellation stops the workers and throws <see cref="OperationCanceledException"/>. Leaving the loop early
/// (break) stops the workers too.</para>
/// </remarks>
public sealed class DataLoader<T, TBatch> : IEnumerable<TBatch>
{
    private readonly Dataset<T>? _dataset;
    private readonly IterableDataset<T>? _iterable;
    private readonly Func<IReadOnlyList<T>, TBatch> _collate;
    private int _epoch;

    /// <summary>A loader over a map-style data set.</summary>
    /// <param name="dataset">The items.</param>
    /// <param name="collate">Turns a list of items into a batch (see <see cref="Collate"/>).</param>
    /// <param name="batchSize">Items per batch (≥ 1).</param>
    /// <param name="shuffle">Visit the items in a new random order each epoch.</param>
    /// <param name="dropLast">Drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="seed">Seed of the shuffle and of per-item random transforms; null draws one from <see cref="Random.Default"/>.</param>
    /// <param name="numWorkers">Background threads that build batches (0: build them on the consumer's thread).</param>
    /// <param name="prefetchFactor">Batches in flight per worker.</param>
    /// <exception cref="ArgumentException">batchSize &lt; 1, numWorkers &lt; 0 or prefetchFactor &lt; 1.</exception>
    public DataLoader(Dataset<T> dataset, Func<IReadOnlyList<T>, TBatch> collate, int batchSize = 1, bool shuffle = false,
        bool dropLast = false, ulong? seed = null, int numWorkers = 0, int prefetchFactor = 2)
    {
        _dataset = dataset ?? throw new ArgumentNullException(nameof(dataset));
        _collate = collate ?? throw new ArgumentNullException(nameof(collate));
        Check(batchSize, numWorkers, prefetchFactor);
        (BatchSize, Shuffle, DropLast, NumWorkers, PrefetchFactor) = (batchSize, shuffle, dropLast, numWorkers, prefetchFactor);
        Seed = seed ?? Random.Default.NextUInt64();
    }

    /// <summary>
    /// A loader over an iterable data set: items are batched in stream order (no shuffling). With
    /// <paramref name="numWorkers"/> &gt; 0 one background thread reads and collates ahead of the consumer
    /// (a stream cannot be split between threads without changing its order).
    /// </summary>
    /// <exception cref="ArgumentException">batchSize &lt; 1, numWorkers &lt; 0 or prefetchFactor &lt; 1.</exception>
    public DataLoader(IterableDataset<T> dataset, Func<IReadOnlyList<T>, TBatch> collate, int batchSize = 1,
        bool dropLast = false, ulong? seed = null, int numWorkers = 0, int prefetchFactor = 2)
    {
        _iterable = dataset ?? throw new ArgumentNullException(nameof(dataset));
        _collate = collate ?? throw new ArgumentNullException(nameof(collate));
        Check(batchSize, numWorkers, prefetchFactor);
        (BatchSize, DropLast, NumWorkers, PrefetchFactor) = (batchSize, dropLast, numWorkers, prefetchFactor);
        Seed = seed ?? Random.Default.NextUInt64();
    }

    private static void Check(int batchSize, int numWorkers, int prefetchFactor)
    {
        if (batchSize < 1)
            throw new ArgumentException($"DataLoader: batchSize must be at least 1, got {batchSize}.", nameof(batchSize));
        if (numWorkers < 0)
            throw new ArgumentException($"DataLoader: numWorkers must be non-negative, got {numWorkers}.", nameof(numWorkers));
        if (prefetchFactor < 1)
            throw new ArgumentException($"DataLoader: prefetchFactor must be at least 1, got {prefetchFactor}.", nameof(prefetchFactor));
    }

    /// <summary>Items per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch visits the items in a new random order.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether a last, smaller batch is dropped.</summary>
    public bool DropLast { get; }

    /// <summary>Seed of the shuffle and of the per-item generators.</summary>
    public ulong Seed { get; }

    /// <summary>Background threads building batches (0: none).</summary>
    public int NumWorkers { get; }

    /// <summary>Batches in flight per worker.</summary>
    public int PrefetchFactor { get; }

    /// <summary>The map-style data set, or null for an iterable one.</summary>
    public Dataset<T>? Dataset => _dataset;

    /// <summary>
    /// The epoch the next <c>foreach</c> runs (0 at first; each enumeration takes the current value and adds 1).
    /// Set it to resume: epoch k then has the order it had in an uninterrupted run.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value.</exception>
    public int Epoch
    {
        get => Volatile.Read(ref _epoch);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _epoch, value);
        }
    }

    /// <summary>Batches per epoch (PyTorch's <c>len(loader)</c>).</summary>
    /// <exception cref="NotSupportedException">The data set is iterable and has no length.</exception>
    public int Count => _dataset is null
        ? throw new NotSupportedException("DataLoader: an iterable data set has no length, so the number of batches is unknown.")
        : DropLast ? _dataset.Count / BatchSize : (_dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>The item indices epoch <paramref name="epoch"/> visits, in order (before batching).</summary>
    /// <exception cref="NotSupportedException">The data set is iterable.</exception>
    public int[] IndicesForEpoch(int epoch)
    {
        if (_dataset is null)
            throw new NotSupportedException("DataLoader: an iterable data set has no indices.");
        int n = _dataset.Count;
        var order = new int[n];
        if (!Shuffle)
        {
            for (int i = 0; i < n; i++) order[i] = i;
            return order;
        }
        var perm = new long[n];
        new Generator(SampleRandom.Mix(Seed, 0x5348554646UL /* "SHUFF" */, (ulong)epoch)).Randperm(perm);
        for (int i = 0; i < n; i++) order[i] = (int)perm[i];
        return order;
    }

    /// <summary>Runs the next epoch (see <see cref="Epoch"/>).</summary>
    public IEnumerator<TBatch> GetEnumerator() => Iterate(CancellationToken.None).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Runs the next epoch, stopping with <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.</summary>
    /// <exception cref="DataLoaderException">Loading or collating a batch failed (thrown during enumeration).</exception>
    /// <exception cref="OperationCanceledException">Cancelled (thrown during enumeration).</exception>
    public IEnumerable<TBatch> Iterate(CancellationToken cancellationToken)
    {
        // Take the epoch number eagerly: two enumerations started one after the other get consecutive epochs.
        int epoch = Interlocked.Increment(ref _epoch) - 1;
        return _dataset is not null ? IterateMap(epoch, cancellationToken) : IterateStream(epoch, cancellationToken);
    }

    private IEnumerable<TBatch> IterateMap(int epoch, CancellationToken ct)
    {
        var order = IndicesForEpoch(epoch);
        int batches = DropLast ? order.Length / BatchSize : (order.Length + BatchSize - 1) / BatchSize;
        if (NumWorkers == 0)
        {
            for (int b = 0; b < batches; b++)
            {
                ct.ThrowIfCancellationRequested();
                yield return LoadBatch(order, b, epoch, worker: -1);
            }
            yield break;
        }
        using var run = new ParallelEpoch(this, order, batches, epoch, ct);
        for (int b = 0; b < batches; b++)
            yield return run.Take(b);
    }

    private TBatch LoadBatch(int[] order, int batch, int epoch, int worker)
    {
        int start = batch * BatchSize;
        int count = Math.Min(BatchSize, order.Length - start);
        try
        {
            var items = new T[count];
            var gen = SampleRandom.ThreadGenerator;
            var previous = SampleRandom.Current;
            SampleRandom.Current = gen;
            try
            {
                for (int i = 0; i < count; i++)
                {
                    int index = order[start + i];
                    gen.ManualSeed(SampleRandom.Mix(Seed, (ulong)epoch, (ulong)index));
                    items[i] = _dataset![index];
                }
            }
            finally
            {
                SampleRandom.Current = previous;
            }
            return _collate(items);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new DataLoaderException(batch, epoch, worker, start, count, e);
        }
    }

    private IEnumerable<TBatch> IterateStream(int epoch, CancellationToken ct)
    {
        if (NumWorkers == 0)
        {
            foreach (var batch in StreamBatches(epoch, -1, ct))
                yield return batch;
            yield break;
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var queue = new BlockingCollection<(TBatch Batch, Exception? Error)>(NumWorkers * PrefetchFactor);
        var producer = new Thread(() =>
        {
            try
            {
                foreach (var batch in StreamBatches(epoch, 0, cts.Token))
                    queue.Add((batch, null), cts.Token);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                try { queue.Add((default!, e), cts.Token); } catch (OperationCanceledException) { }
            }
            finally
            {
                queue.CompleteAdding();
            }
        }) { IsBackground = true, Name = "DataLoader stream worker" };
        producer.Start();
        try
        {
            foreach (var (batch, error) in queue.GetConsumingEnumerable(ct))
            {
                if (error is not null)
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
                yield return batch;
            }
            ct.ThrowIfCancellationRequested();
        }
        finally
        {
            cts.Cancel();
            producer.Join();
        }
    }

    private IEnumerable<TBatch> StreamBatches(int epoch, int worker, CancellationToken ct)
    {
        var buffer = new List<T>(BatchSize);
        int batch = 0;
        var gen = SampleRandom.ThreadGenerator;
        using var e = _iterable!.GetEnumerator();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            bool more;
            var previous = SampleRandom.Current;
            try
            {
                SampleRandom.Current = gen;
                gen.ManualSeed(SampleRandom.Mix(Seed, (ulong)epoch, (ulong)(batch * (long)BatchSize + buffer.Count)));
                more = e.MoveNext();
                if (more) buffer.Add(e.Current);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new DataLoaderException(batch, epoch, worker, batch * BatchSize, buffer.Count + 1, ex);
            }
            finally
            {
                SampleRandom.Current = previous;
            }
            if (buffer.Count == BatchSize || (!more && buffer.Count > 0 && !DropLast))
            {
                TBatch result;
                try
                {
                    result = _collate(buffer.ToArray());
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    throw new DataLoaderException(batch, epoch, worker, batch * BatchSize, buffer.Count, ex);
                }
                buffer.Clear();
                batch++;
                yield return result;
            }
            if (!more) yield break;
        }
    }

    /// <summary>One epoch run by worker threads, with a bounded window of batches in flight.</summary>
    private sealed class ParallelEpoch : IDisposable
    {
        private readonly DataLoader<T, TBatch> _loader;
        private readonly int[] _order;
        private readonly int _batches;
        private readonly int _epoch;
        private readonly CancellationToken _ct;
        private readonly CancellationTokenSource _stop;
        private readonly CancellationTokenRegistration _wake;
        private readonly SemaphoreSlim _slots;
        private readonly Dictionary<int, (TBatch Batch, Exception? Error)> _ready = new();
        private readonly Thread[] _threads;
        private int _next = -1;
        private int _alive;

        public ParallelEpoch(DataLoader<T, TBatch> loader, int[] order, int batches, int epoch, CancellationToken ct)
        {
            (_loader, _order, _batches, _epoch, _ct) = (loader, order, batches, epoch, ct);
            _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            // The window: a worker takes a slot before it takes a batch number, the consumer frees it after
            // taking that batch, so batches in flight never exceed NumWorkers × PrefetchFactor.
            _slots = new SemaphoreSlim(loader.NumWorkers * loader.PrefetchFactor);
            _wake = ct.Register(() => { lock (_ready) Monitor.PulseAll(_ready); });
            int workers = Math.Min(loader.NumWorkers, Math.Max(1, batches));
            _threads = new Thread[workers];
            _alive = workers;
            for (int w = 0; w < workers; w++)
            {
                int id = w;
                _threads[w] = new Thread(() => Work(id)) { IsBackground = true, Name = $"DataLoader worker {id}" };
                _threads[w].Start();
            }
        }

        private void Work(int id)
        {
            try
            {
                while (true)
                {
                    _slots.Wait(_stop.Token);
                    int b = Interlocked.Increment(ref _next);
                    if (b >= _batches)
                        return;
                    (TBatch, Exception?) result;
                    try
                    {
                        result = (_loader.LoadBatch(_order, b, _epoch, id), null);
                    }
                    catch (Exception e)
                    {
                        result = (default!, e);
                    }
                    lock (_ready)
                    {
                        _ready[b] = result;
                        Monitor.PulseAll(_ready);
                    }
                    if (result.Item2 is not null)
                        return; // the consumer stops at this batch; later ones are not needed
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                lock (_ready)
                {
                    _alive--;
                    Monitor.PulseAll(_ready);
                }
            }
        }

        public TBatch Take(int b)
        {
            _ct.ThrowIfCancellationRequested();
            (TBatch Batch, Exception? Error) r;
            lock (_ready)
            {
                while (!_ready.Remove(b, out r))
                {
                    _ct.ThrowIfCancellationRequested();
                    if (_alive == 0)
                        throw new InvalidOperationException($"DataLoader: all workers stopped before batch {b} of epoch {_epoch} was built.");
                    Monitor.Wait(_ready);
                }
            }
            _slots.Release();
            if (r.Error is not null)
            {
                if (r.Error is OperationCanceledException)
                    _ct.ThrowIfCancellationRequested();
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(r.Error);
            }
            return r.Batch;
        }

        public void Dispose()
        {
            _stop.Cancel();
            foreach (var t in _threads)
                t.Join();
            _wake.Dispose();
            _stop.Dispose();
            _slots.Dispose();
        }
    }
}

/// <summary>Factories that pick the default collate function for common item types.</summary>
public static class DataLoader
{
    /// <summary>A loader for a data set of tensors; batches are [B, ...].</summary>
    /// <inheritdoc cref="DataLoader{T, TBatch}(Dataset{T}, Func{IReadOnlyList{T}, TBatch}, int, bool, bool, ulong?, int, int)" path="/param"/>
    public static DataLoader<Tensor, Tensor> Create(Dataset<Tensor> dataset, int batchSize = 1, bool shuffle = false,
        bool dropLast = false, ulong? seed = null, int numWorkers = 0, int prefetchFactor = 2) =>
        new(dataset, Collate.Default, batchSize, shuffle, dropLast, seed, numWorkers, prefetchFactor);

    /// <summary>A loader for a <see cref="TensorDataset"/>-like data set; batch field k stacks item field k.</summary>
    /// <inheritdoc cref="DataLoader{T, TBatch}(Dataset{T}, Func{IReadOnlyList{T}, TBatch}, int, bool, bool, ulong?, int, int)" path="/param"/>
    public static DataLoader<Tensor[], Tensor[]> Create(Dataset<Tensor[]> dataset, int batchSize = 1, bool shuffle = false,
        bool dropLast = false, ulong? seed = null, int numWorkers = 0, int prefetchFactor = 2) =>
        new(dataset, Collate.Default, batchSize, shuffle, dropLast, seed, numWorkers, prefetchFactor);

    /// <summary>A loader for (input, target) items; batches are (inputs [B, ...], targets [B, ...]).</summary>
    /// <inheritdoc cref="DataLoader{T, TBatch}(Dataset{T}, Func{IReadOnlyList{T}, TBatch}, int, bool, bool, ulong?, int, int)" path="/param"/>
    public static DataLoader<(Tensor, Tensor), (Tensor, Tensor)> Create(Dataset<(Tensor, Tensor)> dataset, int batchSize = 1,
        bool shuffle = false, bool dropLast = false, ulong? seed = null, int numWorkers = 0, int prefetchFactor = 2) =>
        new(dataset, Collate.Default, batchSize, shuffle, dropLast, seed, numWorkers, prefetchFactor);

    /// <summary>A loader for (input, integer label) items; batches are (inputs [B, ...], labels int64 [B]).</summary>
    /// <inheritdoc cref="DataLoader{T, TBatch}(Dataset{T}, Func{IReadOnlyList{T}, TBatch}, int, bool, bool, ulong?, int, int)" path="/param"/>
    public static DataLoader<(Tensor, long), (Tensor, Tensor)> Create(Dataset<(Tensor, long)> dataset, int batchSize = 1,
        bool shuffle = false, bool dropLast = false, ulong? seed = null, int numWorkers = 0, int prefetchFactor = 2) =>
        new(dataset, Collate.Default, batchSize, shuffle, dropLast, seed, numWorkers, prefetchFactor);

    /// <summary>A loader with a custom collate function.</summary>
    /// <inheritdoc cref="DataLoader{T, TBatch}(Dataset{T}, Func{IReadOnlyList{T}, TBatch}, int, bool, bool, ulong?, int, int)" path="/param"/>
    public static DataLoader<T, TBatch> Create<T, TBatch>(Dataset<T> dataset, Func<IReadOnlyList<T>, TBatch> collate, int batchSize = 1,
        bool shuffle = false, bool dropLast = false, ulong? seed = null, int numWorkers = 0, int prefetchFactor = 2) =>
        new(dataset, collate, batchSize, shuffle, dropLast, seed, numWorkers, prefetchFactor);
}

/// <summary>Loading or collating one batch failed; <see cref="Exception.InnerException"/> is the original error.</summary>
public sealed class DataLoaderException : Exception
{
    internal DataLoaderException(int batch, int epoch, int worker, int firstPosition, int count, Exception inner)
        : base($"DataLoader: batch {batch} of epoch {epoch} (positions {firstPosition}..{firstPosition + count - 1} of the epoch's order) failed "
            + (worker >= 0 ? $"in worker {worker}" : "on the main thread") + $": {inner.GetType().Name}: {inner.Message}", inner)
    {
        (BatchIndex, Epoch, WorkerId) = (batch, epoch, worker);
    }

    /// <summary>The batch (0-based, within the epoch) that failed.</summary>
    public int BatchIndex { get; }

    /// <summary>The epoch it failed in.</summary>
    public int Epoch { get; }

    /// <summary>The worker thread that built it, or -1 for the consumer's thread.</summary>
    public int WorkerId { get; }
}

/// <summary>
/// The generator random transforms should draw from while a <see cref="DataLoader{T, TBatch}"/> loads an item:
/// it is reseeded from (loader seed, epoch, item index) before every item, so augmentation does not depend on
/// which thread loads the item or in what order.
/// </summary>
public static class SampleRandom
{
    [ThreadStatic] private static Generator? _current;
    [ThreadStatic] private static Generator? _threadGenerator;

    /// <summary>The per-item generator on this thread, or null outside a loader.</summary>
    public static Generator? Current
    {
        get => _current;
        internal set => _current = value;
    }

    internal static Generator ThreadGenerator => _threadGenerator ??= new Generator(0);

    /// <summary>Mixes values into one 64-bit seed (SplitMix64 finalizer applied in a chain).</summary>
    public static ulong Mix(ulong a, ulong b, ulong c)
    {
        ulong h = SplitMix(a);
        h = SplitMix(h ^ b);
        return SplitMix(h ^ c);
    }

    private static ulong SplitMix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
