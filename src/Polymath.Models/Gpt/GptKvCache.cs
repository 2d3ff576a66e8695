namespace Polymath.Models.Gpt;

/// <summary>
/// Keys and values of the positions a <see cref="GptModel"/> has already seen, per layer ([B, H, S, head]), so
/// generation feeds only the new token each step instead of the whole sequence.
/// </summary>
public sealed class GptKvCache
{
    private readonly Tensor?[] _keys, _values;

    /// <summary>An empty cache for <paramref name="layers"/> blocks.</summary>
    public GptKvCache(int layers)
    {
        _keys = new Tensor?[layers];
        _values = new Tensor?[layers];
    }

    /// <summary>Positions held (the same for every layer once a forward pass has finished).</summary>
    public int Length { get; private set; }

    /// <summary>
    /// A cache that starts with given keys and values per layer, [B, H, P, head] each: prefix tuning feeds its learned
    /// prefixes this way (gradients flow into them through the attention). Every layer must hold the same number of positions.
    /// </summary>
    /// <exception cref="ArgumentException">Counts or shapes disagree.</exception>
    public static GptKvCache FromPrefix(IReadOnlyList<Tensor> keys, IReadOnlyList<Tensor> values)
    {
        if (keys.Count == 0 || keys.Count != values.Count)
            throw new ArgumentException($"GptKvCache.FromPrefix: need one key and one value tensor per layer, got {keys.Count} keys and {values.Count} values.");
        var cache = new GptKvCache(keys.Count);
        for (int i = 0; i < keys.Count; i++)
        {
            if (keys[i].Rank != 4 || !keys[i].Shape.SequenceEqual(values[i].Shape) || !keys[i].Shape.SequenceEqual(keys[0].Shape))
                throw new ArgumentException($"GptKvCache.FromPrefix: layer {i}: keys [{string.Join(",", keys[i].Shape)}] and values [{string.Join(",", values[i].Shape)}] must both be [B, H, P, head] like layer 0's [{string.Join(",", keys[0].Shape)}].");
            cache._keys[i] = keys[i];
            cache._values[i] = values[i];
        }
        cache.Length = keys[0].Size(2);
        return cache;
    }

    /// <summary>The keys cached for <paramref name="layer"/>, [B, H, S, head], or null before the first forward pass.</summary>
    public Tensor? Keys(int layer) => _keys[layer];

    /// <summary>The values cached for <paramref name="layer"/>, [B, H, S, head], or null before the first forward pass.</summary>
    public Tensor? Values(int layer) => _values[layer];

    /// <summary>Appends one layer's new keys and values; returns all of them.</summary>
    internal (Tensor K, Tensor V) Append(int layer, Tensor k, Tensor v)
    {
        var old = _keys[layer];
        _keys[layer] = old is null ? k : Tensor.Cat([old, k], 2);
        _values[layer] = _values[layer] is { } ov ? Tensor.Cat([ov, v], 2) : v;
        if (layer == _keys.Length - 1)
            Length = _keys[layer]!.Size(2);
        return (_keys[layer]!, _values[layer]!);
    }

    /// <summary>Empties the cache.</summary>
    public void Clear()
    {
        Array.Clear(_keys);
        Array.Clear(_values);
        Length = 0;
    }
}
