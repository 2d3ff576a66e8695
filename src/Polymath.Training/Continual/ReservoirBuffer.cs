namespace Polymath.Training.Continual;

/// <summary>
/// A fixed-size uniform sample of a stream (reservoir sampling, Vitter's algorithm R): the first <c>capacity</c> items
/// fill the buffer; the n-th item after that replaces a random slot with probability capacity / n. At any time every
/// item offered so far is in the buffer with the same probability, min(1, capacity / seen).
/// </summary>
/// <typeparam name="T">Item type.</typeparam>
public sealed class ReservoirBuffer<T>
{
    private readonly List<T> _items;
    private readonly Generator _generator;

    /// <summary>Creates an empty buffer.</summary>
    /// <param name="capacity">Items kept at most (≥ 1).</param>
    /// <param name="generator">The random source for replacement decisions and draws.</param>
    public ReservoirBuffer(int capacity, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _items = new List<T>(Math.Min(capacity, 1 << 16));
        _generator = generator;
    }

    /// <summary>Items kept at most.</summary>
    public int Capacity { get; }

    /// <summary>Items in the buffer.</summary>
    public int Count => _items.Count;

    /// <summary>Items offered so far.</summary>
    public long Seen { get; private set; }

    /// <summary>The items in the buffer (slot order).</summary>
    public IReadOnlyList<T> Items => _items;

    /// <summary>Offers an item from the stream; returns whether it was kept.</summary>
    public bool Add(T item)
    {
        Seen++;
        if (_items.Count < Capacity)
        {
            _items.Add(item);
            return true;
        }
        long j = _generator.NextLong(0, Seen);
        if (j >= Capacity)
            return false;
        _items[(int)j] = item;
        return true;
    }

    /// <summary>Draws min(<paramref name="count"/>, Count) distinct items uniformly at random (partial Fisher–Yates over the slots).</summary>
    public List<T> Sample(int count)
    {
        int k = Math.Min(Math.Max(count, 0), _items.Count);
        var slots = Enumerable.Range(0, _items.Count).ToArray();
        var result = new List<T>(k);
        for (int i = 0; i < k; i++)
        {
            int j = (int)_generator.NextLong(i, slots.Length);
            (slots[i], slots[j]) = (slots[j], slots[i]);
            result.Add(_items[slots[i]]);
        }
        return result;
    }
}
