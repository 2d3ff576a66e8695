namespace Polymath.Models.Gpt;

/// <summary>
/// GPT-2 masked multi-head self-attention: one <see cref="Conv1D"/> (<c>c_attn</c>) makes queries, keys and values,
/// each position attends to itself and earlier positions only, and <c>c_proj</c> mixes the heads. With a
/// <see cref="GptKvCache"/> the new positions also attend to the cached ones.
/// </summary>
public sealed class CausalSelfAttention : Module
{
    private readonly GptConfig _config;
    private readonly RotaryEmbedding? _rotary;
    private readonly Generator? _generator;

    /// <summary>Creates the layer; <c>c_proj</c> starts with std 0.02/√(2·layers), as GPT-2 scales residual projections.</summary>
    public CausalSelfAttention(GptConfig config, RotaryEmbedding? rotary, Generator? generator = null)
    {
        _config = config;
        _rotary = rotary;
        _generator = generator;
        CAttn = RegisterModule("c_attn", new Conv1D(config.EmbeddingDim, 3 * config.EmbeddingDim, generator: generator));
        CProj = RegisterModule("c_proj", new Conv1D(config.EmbeddingDim, config.EmbeddingDim, 0.02 / Math.Sqrt(2 * config.Layers), generator));
    }

    /// <summary>Query, key and value projection, [embd, 3·embd].</summary>
    public Conv1D CAttn { get; }

    /// <summary>Output projection, [embd, embd].</summary>
    public Conv1D CProj { get; }

    /// <summary>x [B, T, C] → [B, T, C]; positions start at <paramref name="past"/> (the cache length).</summary>
    public Tensor Forward(Tensor x, GptKvCache? cache, int layer, int past)
    {
        int b = x.Size(0), t = x.Size(1), c = x.Size(2), h = _config.Heads, d = c / h;
        var qkv = CAttn.Call(x);
        Tensor Heads(int i) => qkv.Narrow(2, i * c, c).Reshape(b, t, h, d).Transpose(1, 2); // [B, H, T, d]
        Tensor q = Heads(0), k = Heads(1), v = Heads(2);
        if (_rotary is not null)
        {
            q = _rotary.Apply(q, past);
            k = _rotary.Apply(k, past);
        }
        if (cache is not null)
            (k, v) = cache.Append(layer, k, v);
        double dropout = Training ? _config.Dropout : 0;
        Tensor y;
        if (past == 0 || t == 1)
            y = Attention.ScaledDotProductAttention(q, k, v, dropoutP: dropout, isCausal: t > 1, generator: _generator);
        else
            y = Attention.ScaledDotProductAttention(q, k, v, OffsetCausalMask(t, past), dropout, generator: _generator);
        y = y.Transpose(1, 2).Reshape(b, t, c);
        y = CProj.Call(y);
        return Training && _config.Dropout > 0 ? Functional.Dropout(y, _config.Dropout, true, _generator) : y;
    }

    /// <summary>Bool [t, past + t], true where query i (absolute position past + i) may see key j, i.e. j ≤ past + i.</summary>
    private static Tensor OffsetCausalMask(int t, int past)
    {
        int s = past + t;
        var allowed = new bool[t * s];
        for (int i = 0; i < t; i++)
            for (int j = 0; j <= past + i; j++)
                allowed[i * s + j] = true;
        return Tensor.From(allowed, t, s);
    }
}
