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
        (_cAttnCall, _cProjCall) = (CAttn, CProj);
    }

    /// <summary>Query, key and value projection, [embd, 3·embd]. A wrapper put in its place (LoRA) keeps it as its base and is what the forward pass calls.</summary>
    public Conv1D CAttn { get; private set; }

    /// <summary>Output projection, [embd, embd] (see <see cref="CAttn"/> about wrappers).</summary>
    public Conv1D CProj { get; private set; }

    // What Forward calls: the Conv1D itself, or whatever module ReplaceModule put under c_attn / c_proj.
    private Module<Tensor, Tensor> _cAttnCall, _cProjCall;

    /// <inheritdoc/>
    protected override void OnModuleReplacing(string name, Module old, Module replacement)
    {
        if (replacement is not Module<Tensor, Tensor> call)
            throw new ArgumentException($"CausalSelfAttention: '{name}' must be replaced by a Tensor → Tensor module, got {replacement.TypeName}.");
        if (name == "c_attn") { _cAttnCall = call; if (replacement is Conv1D c) CAttn = c; }
        else if (name == "c_proj") { _cProjCall = call; if (replacement is Conv1D c) CProj = c; }
    }

    /// <summary>x [B, T, C] → [B, T, C]; positions start at <paramref name="past"/> (the cache length).</summary>
    public Tensor Forward(Tensor x, GptKvCache? cache, int layer, int past)
    {
        int b = x.Size(0), t = x.Size(1), c = x.Size(2), h = _config.Heads, d = c / h;
        var qkv = _cAttnCall.Call(x);
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
        // One new position sees everything cached: no mask. Otherwise an additive 0/−∞ mask, which costs about half of
        // what the bool isCausal path (mask rebuilt, masked_fill forward and backward) does on these shapes.
        var y = Attention.ScaledDotProductAttention(q, k, v, t == 1 ? null : CausalMask(t, past), dropout, generator: _generator);
        y = y.Transpose(1, 2).Reshape(b, t, c);
        y = _cProjCall.Call(y);
        return Training && _config.Dropout > 0 ? Functional.Dropout(y, _config.Dropout, true, _generator) : y;
    }

    /// <summary>Float [t, past + t]: 0 where query i (absolute position past + i) may see key j (j ≤ past + i), −∞ elsewhere. The last one is kept, as training asks for the same shape every step.</summary>
    private Tensor CausalMask(int t, int past)
    {
        if (_mask is { } m && m.T == t && m.Past == past)
            return m.Mask;
        int s = past + t;
        var data = new float[t * s];
        for (int i = 0; i < t; i++)
            for (int j = past + i + 1; j < s; j++)
                data[i * s + j] = float.NegativeInfinity;
        var mask = Tensor.From(data, t, s);
        _mask = (t, past, mask);
        return mask;
    }

    private (int T, int Past, Tensor Mask)? _mask;
}
