using System.Globalization;

namespace Polymath.Models.Gpt;

/// <summary>The body of a GPT (Hugging Face's <c>GPT2Model</c>, the <c>transformer.</c> prefix): wte, wpe, blocks <c>h.N</c>, ln_f.</summary>
public sealed class GptTransformer : Module
{
    private readonly GptConfig _config;
    private readonly Generator? _generator;

    /// <summary>Creates the body; embeddings start ~ N(0, 0.02²) (GPT-2's initialisation).</summary>
    public GptTransformer(GptConfig config, Generator? generator = null)
    {
        _config = config;
        _generator = generator;
        Wte = RegisterModule("wte", new Embedding(config.VocabSize, config.EmbeddingDim, generator: generator));
        using (Tensor.NoGrad())
            Wte.Weight.NormalInPlace(0, 0.02, generator);
        if (config.Positions == PositionEncoding.Learned)
        {
            Wpe = RegisterModule("wpe", new Embedding(config.ContextLength, config.EmbeddingDim, generator: generator));
            using (Tensor.NoGrad())
                Wpe.Weight.NormalInPlace(0, 0.02, generator);
        }
        else
            Rotary = new RotaryEmbedding(config.EmbeddingDim / config.Heads, config.ContextLength);
        H = RegisterModule("h", new ModuleList<GptBlock>());
        for (int i = 0; i < config.Layers; i++)
            H.Append(new GptBlock(config, Rotary, generator));
        LnF = RegisterModule("ln_f", new LayerNorm(config.EmbeddingDim, config.LayerNormEps));
    }

    /// <summary>Token embedding [vocab, embd].</summary>
    public Embedding Wte { get; }

    /// <summary>Position embedding [context, embd] (null with rotary positions).</summary>
    public Embedding? Wpe { get; }

    /// <summary>Rotary angles (null with learned positions).</summary>
    public RotaryEmbedding? Rotary { get; }

    /// <summary>The blocks.</summary>
    public ModuleList<GptBlock> H { get; }

    /// <summary>Final layer norm.</summary>
    public LayerNorm LnF { get; }

    /// <summary>Token ids [B, T] (int64) → hidden states [B, T, C]. With a cache, the ids continue the cached sequence.</summary>
    /// <exception cref="ArgumentException">Not [B, T] int64, or the sequence (with the cache) is longer than the context.</exception>
    public Tensor Forward(Tensor ids, GptKvCache? cache = null)
    {
        if (ids.Rank != 2 || ids.DType != DType.Int64)
            throw new ArgumentException($"GPT: expected token ids [B, T] int64, got [{string.Join(",", ids.Shape)}] {ids.DType}.");
        int t = ids.Size(1), past = cache?.Length ?? 0;
        if (past + t > _config.ContextLength)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"GPT: sequence of {past + t} tokens ({past} cached + {t} new) is longer than the context of {_config.ContextLength}."));
        var x = Wte.Call(ids);
        if (Wpe is not null)
            x = x + Wpe.Call(Tensor.Arange(past, past + t));
        if (Training && _config.Dropout > 0)
            x = Functional.Dropout(x, _config.Dropout, true, _generator);
        for (int i = 0; i < H.Count; i++)
            x = H[i].Forward(x, cache, i, past);
        return LnF.Call(x);
    }
}
