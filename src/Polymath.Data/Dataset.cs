namespace Polymath.Data;

/// <summary>
/// A map-style data set: <see cref="Count"/> items addressed by index, like PyTorch's
/// <c>torch.utils.data.Dataset</c> with <c>__len__</c> and <c>__getitem__</c>.
/// </summary>
/// <typeparam name="T">The item type, e.g. <c>(Tensor Image, Tensor Label)</c>.</typeparam>
/// <remarks>
/// A <see cref="DataLoader{T, TBatch}"/> with worker threads calls the indexer from several threads at once,
/// so implementations must be safe for concurrent reads (the built-in ones are).
/// </remarks>
public abstract class Dataset<T>
{
    /// <summary>Number of items.</summary>
    public abstract int Count { get; }

    /// <summary>The item at <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is out of range.</exception>
    public abstract T this[int index] { get; }

    /// <summary>A data set whose item i is <paramref name="map"/>(this[i]), computed on access (like a transform).</summary>
    public Dataset<TOut> Map<TOut>(Func<T, TOut> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return new MappedDataset<T, TOut>(this, map);
    }

    /// <summary>Concatenates two data sets (<c>a + b</c> in PyTorch).</summary>
    public static ConcatDataset<T> operator +(Dataset<T> a, Dataset<T> b) => new(a, b);

    /// <summary>Throws the standard out-of-range error for <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Always when out of range.</exception>
    protected void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{GetType().Name}: index {index} is out of range for a data set of {Count} items.");
    }
}

/// <summary>
/// An iterable-style data set: a stream of items without random access (PyTorch's <c>IterableDataset</c>),
/// for data generated on the fly or read sequentially.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public abstract class IterableDataset<T> : IEnumerable<T>
{
    /// <summary>Starts a new pass over the items.</summary>
    public abstract IEnumerator<T> GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>An iterable data set over a sequence factory (called once per pass).</summary>
    public static IterableDataset<T> From(Func<IEnumerable<T>> source) => new FuncIterableDataset<T>(source);
}

internal sealed class FuncIterableDataset<T>(Func<IEnumerable<T>> source) : IterableDataset<T>
{
    public override IEnumerator<T> GetEnumerator() => source().GetEnumerator();
}

internal sealed class MappedDataset<TIn, TOut>(Dataset<TIn> source, Func<TIn, TOut> map) : Dataset<TOut>
{
    public override int Count => source.Count;

    public override TOut this[int index] => map(source[index]);
}

/// <summary>A data set over a list in memory.</summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class ListDataset<T>(IReadOnlyList<T> items) : Dataset<T>
{
    /// <inheritdoc/>
    public override int Count => items.Count;

    /// <inheritdoc/>
    public override T this[int index]
    {
        get
        {
            CheckIndex(index);
            return items[index];
        }
    }
}

/// <summary>
/// Item i is the i-th slice along dim 0 of each tensor (PyTorch's <c>TensorDataset</c>).
/// Items are views, not copies.
/// </summary>
public sealed class TensorDataset : Dataset<Tensor[]>
{
    private readonly Tensor[] _tensors;

    /// <summary>Wraps tensors that all have the same size in dim 0.</summary>
    /// <exception cref="ArgumentException">No tensors, a 0-d tensor, or sizes in dim 0 differ.</exception>
    public TensorDataset(params Tensor[] tensors)
    {
        if (tensors.Length == 0)
            throw new ArgumentException("TensorDataset: needs at least one tensor.");
        for (int i = 0; i < tensors.Length; i++)
        {
            if (tensors[i].Rank == 0)
                throw new ArgumentException($"TensorDataset: tensor {i} is 0-d; every tensor needs a dim 0 to index.");
            if (tensors[i].Size(0) != tensors[0].Size(0))
                throw new ArgumentException($"TensorDataset: size mismatch in dim 0: tensor 0 has {tensors[0].Size(0)} rows, tensor {i} has {tensors[i].Size(0)} ({Fmt(tensors[0].Shape)} vs {Fmt(tensors[i].Shape)}).");
        }
        _tensors = (Tensor[])tensors.Clone();
    }

    /// <summary>The wrapped tensors.</summary>
    public IReadOnlyList<Tensor> Tensors => _tensors;

    /// <inheritdoc/>
    public override int Count => _tensors[0].Size(0);

    /// <inheritdoc/>
    public override Tensor[] this[int index]
    {
        get
        {
            CheckIndex(index);
            var item = new Tensor[_tensors.Length];
            for (int i = 0; i < item.Length; i++)
                item[i] = _tensors[i].Select(0, index);
            return item;
        }
    }

    internal static string Fmt(int[] shape) => "[" + string.Join(",", shape) + "]";
}

/// <summary>The items of <see cref="Dataset"/> at the given <see cref="Indices"/> (PyTorch's <c>Subset</c>).</summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class Subset<T> : Dataset<T>
{
    private readonly int[] _indices;

    /// <summary>A view of <paramref name="dataset"/> restricted to <paramref name="indices"/> (in that order).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the data set.</exception>
    public Subset(Dataset<T> dataset, IEnumerable<int> indices)
    {
        Dataset = dataset ?? throw new ArgumentNullException(nameof(dataset));
        _indices = indices.ToArray();
        for (int i = 0; i < _indices.Length; i++)
            if ((uint)_indices[i] >= (uint)dataset.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Subset: index {_indices[i]} (position {i}) is out of range for a data set of {dataset.Count} items.");
    }

    /// <summary>The underlying data set.</summary>
    public Dataset<T> Dataset { get; }

    /// <summary>Indices into <see cref="Dataset"/>.</summary>
    public IReadOnlyList<int> Indices => _indices;

    /// <inheritdoc/>
    public override int Count => _indices.Length;

    /// <inheritdoc/>
    public override T this[int index]
    {
        get
        {
            CheckIndex(index);
            return Dataset[_indices[index]];
        }
    }
}

/// <summary>Several data sets one after another (PyTorch's <c>ConcatDataset</c>).</summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class ConcatDataset<T> : Dataset<T>
{
    private readonly Dataset<T>[] _parts;
    private readonly int[] _ends; // cumulative sizes

    /// <summary>Concatenates <paramref name="datasets"/> in order.</summary>
    /// <exception cref="ArgumentException">No data sets given, or the total exceeds int.MaxValue items.</exception>
    public ConcatDataset(params Dataset<T>[] datasets)
    {
        if (datasets.Length == 0)
            throw new ArgumentException("ConcatDataset: needs at least one data set.");
        _parts = (Dataset<T>[])datasets.Clone();
        _ends = new int[_parts.Length];
        long total = 0;
        for (int i = 0; i < _parts.Length; i++)
        {
            total += _parts[i].Count;
            if (total > int.MaxValue)
                throw new ArgumentException($"ConcatDataset: {total} items is more than int.MaxValue.");
            _ends[i] = (int)total;
        }
    }

    /// <summary>The concatenated data sets.</summary>
    public IReadOnlyList<Dataset<T>> Datasets => _parts;

    /// <summary>Cumulative item counts: <c>CumulativeSizes[i]</c> is the number of items in parts 0..i.</summary>
    public IReadOnlyList<int> CumulativeSizes => _ends;

    /// <inheritdoc/>
    public override int Count => _ends[^1];

    /// <inheritdoc/>
    public override T this[int index]
    {
        get
        {
            CheckIndex(index);
            int lo = 0, hi = _ends.Length - 1; // find the first part whose end is > index
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (_ends[mid] > index) hi = mid;
                else lo = mid + 1;
            }
            int part = lo;
            int start = part == 0 ? 0 : _ends[part - 1];
            return _parts[part][index - start];
        }
    }
}

/// <summary>Functions over data sets.</summary>
public static class Datasets
{
    /// <summary>
    /// Splits <paramref name="dataset"/> into non-overlapping random subsets of the given
    /// <paramref name="lengths"/> (PyTorch's <c>random_split</c>). The permutation is drawn from
    /// <paramref name="generator"/> (or <see cref="Random.Default"/>), so a fixed seed gives the same split.
    /// </summary>
    /// <exception cref="ArgumentException">A negative length, or the lengths do not sum to the data set's size.</exception>
    public static Subset<T>[] RandomSplit<T>(Dataset<T> dataset, IReadOnlyList<int> lengths, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        long sum = 0;
        foreach (int l in lengths)
        {
            if (l < 0)
                throw new ArgumentException($"RandomSplit: lengths must be non-negative, got [{string.Join(", ", lengths)}].");
            sum += l;
        }
        if (sum != dataset.Count)
            throw new ArgumentException($"RandomSplit: the lengths [{string.Join(", ", lengths)}] sum to {sum}, but the data set has {dataset.Count} items.");
        var perm = new long[dataset.Count];
        (generator ?? Random.Default).Randperm(perm);
        var result = new Subset<T>[lengths.Count];
        int offset = 0;
        for (int i = 0; i < result.Length; i++)
        {
            var idx = new int[lengths[i]];
            for (int k = 0; k < idx.Length; k++)
                idx[k] = (int)perm[offset + k];
            result[i] = new Subset<T>(dataset, idx);
            offset += lengths[i];
        }
        return result;
    }

    /// <summary>
    /// Splits by fractions that sum to 1, e.g. <c>[0.8, 0.2]</c>: each part gets floor(fraction × count) items and
    /// the remainder is handed out one item at a time from the first part on, as PyTorch does.
    /// </summary>
    /// <exception cref="ArgumentException">A fraction outside [0, 1], or the fractions do not sum to 1 (± 1e-6).</exception>
    public static Subset<T>[] RandomSplit<T>(Dataset<T> dataset, IReadOnlyList<double> fractions, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        double total = 0;
        foreach (double f in fractions)
        {
            if (!(f >= 0 && f <= 1))
                throw new ArgumentException($"RandomSplit: fractions must lie in [0, 1], got [{string.Join(", ", fractions)}].");
            total += f;
        }
        if (Math.Abs(total - 1) > 1e-6)
            throw new ArgumentException($"RandomSplit: fractions [{string.Join(", ", fractions)}] sum to {total}, not 1.");
        var lengths = new int[fractions.Count];
        int assigned = 0;
        for (int i = 0; i < lengths.Length; i++)
        {
            lengths[i] = (int)Math.Floor(dataset.Count * fractions[i]);
            assigned += lengths[i];
        }
        for (int i = 0; assigned < dataset.Count; i = (i + 1) % lengths.Length, assigned++)
            lengths[i]++;
        return RandomSplit(dataset, lengths, generator);
    }
}
