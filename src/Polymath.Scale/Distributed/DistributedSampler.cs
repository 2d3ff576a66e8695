using Polymath.Data;
using Polymath.Training;

namespace Polymath.Scale.Distributed;

/// <summary>
/// Splits a data set's items between the ranks of a data-parallel run, a new split each epoch (PyTorch's
/// <c>DistributedSampler</c>): epoch e shuffles all N items with a generator keyed by (seed, e), the same on every rank,
/// and rank r takes positions r, r + W, r + 2W, ... of that order (W ranks). The shards never overlap; when N is not a
/// multiple of W the order is padded with its first items so every rank gets the same number of items (and so the
/// same number of batches), or, with dropLast, cut to a multiple of W.
/// </summary>
/// <remarks>
/// The order is the one <see cref="DataLoader{T, TBatch}"/> uses with the same seed, so batch k of rank r with batch size
/// B holds items r, r + W, ... of the slice [k·W·B, (k+1)·W·B) of that order: the ranks' batches together are exactly the
/// batch a single process with batch size W·B and the same seed would take. Use <see cref="Shard{T}"/> as the
/// loader's data set (with shuffle off) and set <see cref="Epoch"/> before each epoch (a <see cref="Trainer"/> does it
/// through <see cref="EpochCallback"/>).
/// </remarks>
public sealed class DistributedSampler
{
    private readonly object _lock = new();
    private int _epoch;
    private (int Epoch, int[] Indices)? _cache;

    /// <summary>A sampler for rank <paramref name="rank"/> of <paramref name="worldSize"/> over <paramref name="count"/> items.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative count, worldSize &lt; 1, a rank outside [0, worldSize), or dropLast leaving nothing.</exception>
    public DistributedSampler(int count, int rank, int worldSize, bool shuffle = true, ulong seed = 0, bool dropLast = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (worldSize < 1)
            throw new ArgumentOutOfRangeException(nameof(worldSize), $"DistributedSampler: worldSize must be at least 1, got {worldSize}.");
        if ((uint)rank >= (uint)worldSize)
            throw new ArgumentOutOfRangeException(nameof(rank), $"DistributedSampler: rank {rank} is outside a world of {worldSize}.");
        if (count > 0 && dropLast && count < worldSize)
            throw new ArgumentOutOfRangeException(nameof(count), $"DistributedSampler: {count} items cannot be split between {worldSize} ranks with dropLast (each would get none).");
        (Count, Rank, WorldSize, Shuffle, Seed, DropLast) = (count, rank, worldSize, shuffle, seed, dropLast);
        NumSamples = dropLast ? count / worldSize : (count + worldSize - 1) / worldSize;
    }

    /// <summary>A sampler for this communicator's rank, after checking that every rank has the same number of items.</summary>
    /// <exception cref="CommunicatorException">The ranks' data sets differ in size.</exception>
    public static DistributedSampler For(ICommunicator comm, int count, bool shuffle = true, ulong seed = 0, bool dropLast = false)
    {
        comm.AgreeOn(count, "the number of training items");
        comm.AgreeOn((long)seed, "the sampler seed");
        return new DistributedSampler(count, comm.Rank, comm.Size, shuffle, seed, dropLast);
    }

    /// <summary>Items in the whole data set.</summary>
    public int Count { get; }

    /// <summary>This rank.</summary>
    public int Rank { get; }

    /// <summary>Number of ranks.</summary>
    public int WorldSize { get; }

    /// <summary>Whether each epoch has a new order.</summary>
    public bool Shuffle { get; }

    /// <summary>Seed of the order (the same on every rank).</summary>
    public ulong Seed { get; }

    /// <summary>Whether the tail that does not fill every rank is dropped instead of padded.</summary>
    public bool DropLast { get; }

    /// <summary>Items this rank visits per epoch (the same on every rank).</summary>
    public int NumSamples { get; }

    /// <summary>The epoch whose order <see cref="Shard{T}"/> follows.</summary>
    public int Epoch
    {
        get => Volatile.Read(ref _epoch);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _epoch, value);
        }
    }

    /// <summary>The item indices this rank visits in epoch <paramref name="epoch"/>, in order.</summary>
    public int[] IndicesForEpoch(int epoch)
    {
        lock (_lock)
        {
            if (_cache is { } c && c.Epoch == epoch)
                return c.Indices;
        }
        var order = new int[Count];
        if (Shuffle && Count > 0)
        {
            // The DataLoader's permutation for (seed, epoch): one rank with batch W·B sees the same batches as W ranks with B.
            var perm = new long[Count];
            new Generator(SampleRandom.Mix(Seed, 0x5348554646UL /* "SHUFF" */, (ulong)epoch)).Randperm(perm);
            for (int i = 0; i < Count; i++) order[i] = (int)perm[i];
        }
        else
            for (int i = 0; i < Count; i++) order[i] = i;
        var mine = new int[NumSamples];
        for (int k = 0; k < NumSamples; k++)
            mine[k] = order[(int)(((long)k * WorldSize + Rank) % Math.Max(1, Count))];
        lock (_lock)
            _cache = (epoch, mine);
        return mine;
    }

    /// <summary>A view of <paramref name="dataset"/> holding this rank's items of the current <see cref="Epoch"/>.</summary>
    /// <exception cref="ArgumentException">The data set's size differs from <see cref="Count"/>.</exception>
    public Dataset<T> Shard<T>(Dataset<T> dataset)
    {
        if (dataset.Count != Count)
            throw new ArgumentException($"DistributedSampler.Shard: the data set has {dataset.Count} items, the sampler was made for {Count}.");
        return new ShardDataset<T>(dataset, this);
    }

    /// <summary>A trainer callback that keeps <see cref="Epoch"/> equal to the epoch being trained (resumed runs included).</summary>
    public ITrainerCallback EpochCallback => new SetEpoch(this);

    private sealed class SetEpoch(DistributedSampler sampler) : ITrainerCallback
    {
        public void OnTrainBegin(TrainerContext context) => sampler.Epoch = context.Epoch;

        public void OnEpochEnd(TrainerContext context, EpochRecord record) => sampler.Epoch = record.Epoch;
    }

    private sealed class ShardDataset<T>(Dataset<T> source, DistributedSampler sampler) : Dataset<T>
    {
        public override int Count => sampler.NumSamples;

        public override T this[int index]
        {
            get
            {
                if ((uint)index >= (uint)Count)
                    throw new ArgumentOutOfRangeException(nameof(index), $"DistributedSampler shard: index {index} is outside the {Count} items of rank {sampler.Rank}.");
                return source[sampler.IndicesForEpoch(sampler.Epoch)[index]];
            }
        }
    }
}
