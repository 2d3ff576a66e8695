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
