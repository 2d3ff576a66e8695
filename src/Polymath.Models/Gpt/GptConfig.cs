namespace Polymath.Models.Gpt;

/// <summary>How positions enter a GPT: a learned table added to the token embeddings (GPT-2) or rotary embeddings applied to queries and keys (RoFormer).</summary>
public enum PositionEncoding
{
    /// <summary>A learned [context, embd] table, <c>transformer.wpe.weight</c>, as GPT-2.</summary>
    Learned,

    /// <summary>Rotary position embeddings (Su et al. 2021) on queries and keys, half-split layout; no position table.</summary>
    Rotary,
}

/// <summary>The shape and regularisation of a <see cref="GptModel"/>; names follow Hugging Face's GPT2Config.</summary>
public sealed record GptConfig
{
    /// <summary>Number of token ids (<c>vocab_size</c>).</summary>
    public int VocabSize { get; init; } = 50257;

    /// <summary>Longest sequence the model sees at once (<c>n_positions</c>, nanoGPT's block_size).</summary>
    public int ContextLength { get; init; } = 1024;

    /// <summary>Width of the residual stream (<c>n_embd</c>).</summary>
    public int EmbeddingDim { get; init; } = 768;

    /// <summary>Transformer blocks (<c>n_layer</c>).</summary>
    public int Layers { get; init; } = 12;

    /// <summary>Attention heads per block (<c>n_head</c>); must divide <see cref="EmbeddingDim"/>.</summary>
    public int Heads { get; init; } = 12;

    /// <summary>Dropout after the embeddings, on attention weights and on each residual branch (0 for inference).</summary>
    public double Dropout { get; init; }

    /// <summary>Learned or rotary positions.</summary>
    public PositionEncoding Positions { get; init; } = PositionEncoding.Learned;

    /// <summary>Share the token embedding with the output projection (GPT-2 does).</summary>
    public bool TieWeights { get; init; } = true;

    /// <summary>Layer-norm epsilon (<c>layer_norm_epsilon</c>).</summary>
    public double LayerNormEps { get; init; } = 1e-5;

    /// <summary>Hidden width of each MLP (<c>n_inner</c>; 4 × embd when null).</summary>
    public int? InnerDim { get; init; }

    /// <summary>GPT-2 small (124M): the defaults.</summary>
    public static GptConfig Gpt2Small { get; } = new();

    /// <summary>Throws when the sizes do not fit together.</summary>
    /// <exception cref="ArgumentException">A size is not positive, heads do not divide the width, dropout outside [0, 1), or rotary with an odd head size.</exception>
    public void Validate()
    {
        if (VocabSize <= 0 || ContextLength <= 0 || EmbeddingDim <= 0 || Layers <= 0 || Heads <= 0 || InnerDim is <= 0)
            throw new ArgumentException($"GptConfig: sizes must be positive (vocab {VocabSize}, context {ContextLength}, embd {EmbeddingDim}, layers {Layers}, heads {Heads}, inner {InnerDim}).");
        if (EmbeddingDim % Heads != 0)
            throw new ArgumentException($"GptConfig: {Heads} heads do not divide the embedding width {EmbeddingDim}.");
        if (Dropout is < 0 or >= 1)
            throw new ArgumentException($"GptConfig: dropout must be in [0, 1), got {Dropout}.");
        if (Positions == PositionEncoding.Rotary && (EmbeddingDim / Heads) % 2 != 0)
            throw new ArgumentException($"GptConfig: rotary positions need an even head size, got {EmbeddingDim / Heads}.");
    }
}
