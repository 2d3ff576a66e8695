using System.Text.Json.Serialization;

namespace Polymath.Models.Bert;

/// <summary>
/// The shape and regularisation of a BERT encoder. Property names are .NET spellings of Hugging Face's
/// <c>BertConfig</c>; the JSON names are HF's own, so a <c>config.json</c> of a BERT checkpoint deserialises directly.
/// </summary>
public sealed record BertConfig
{
    /// <summary>Number of token ids (<c>vocab_size</c>).</summary>
    [JsonPropertyName("vocab_size")]
    public int VocabSize { get; init; } = 30522;

    /// <summary>Width of every hidden state (<c>hidden_size</c>).</summary>
    [JsonPropertyName("hidden_size")]
    public int HiddenSize { get; init; } = 768;

    /// <summary>Encoder layers (<c>num_hidden_layers</c>).</summary>
    [JsonPropertyName("num_hidden_layers")]
    public int NumHiddenLayers { get; init; } = 12;

    /// <summary>Attention heads per layer (<c>num_attention_heads</c>); must divide <see cref="HiddenSize"/>.</summary>
    [JsonPropertyName("num_attention_heads")]
    public int NumAttentionHeads { get; init; } = 12;

    /// <summary>Width of the feed-forward layer (<c>intermediate_size</c>).</summary>
    [JsonPropertyName("intermediate_size")]
    public int IntermediateSize { get; init; } = 3072;

    /// <summary>Longest sequence (<c>max_position_embeddings</c>): rows of the position table.</summary>
    [JsonPropertyName("max_position_embeddings")]
    public int MaxPositionEmbeddings { get; init; } = 512;

    /// <summary>Number of segment ids (<c>type_vocab_size</c>).</summary>
    [JsonPropertyName("type_vocab_size")]
    public int TypeVocabSize { get; init; } = 2;

    /// <summary>Dropout after the embeddings and on each residual branch (<c>hidden_dropout_prob</c>).</summary>
    [JsonPropertyName("hidden_dropout_prob")]
    public double HiddenDropoutProb { get; init; } = 0.1;

    /// <summary>Dropout on the attention weights (<c>attention_probs_dropout_prob</c>).</summary>
    [JsonPropertyName("attention_probs_dropout_prob")]
    public double AttentionProbsDropoutProb { get; init; } = 0.1;

    /// <summary>Layer-norm epsilon (<c>layer_norm_eps</c>).</summary>
    [JsonPropertyName("layer_norm_eps")]
    public double LayerNormEps { get; init; } = 1e-12;

    /// <summary>Standard deviation of the normal initialisation of weights and embeddings (<c>initializer_range</c>).</summary>
    [JsonPropertyName("initializer_range")]
    public double InitializerRange { get; init; } = 0.02;

    /// <summary>Id of the padding token (<c>pad_token_id</c>): its embedding row starts at zero and is not trained.</summary>
    [JsonPropertyName("pad_token_id")]
    public int PadTokenId { get; init; }

    /// <summary>Classes of <see cref="BertForSequenceClassification"/> (<c>num_labels</c>).</summary>
    [JsonPropertyName("num_labels")]
    public int NumLabels { get; init; } = 2;

    /// <summary>BERT-base, uncased (110M): the defaults.</summary>
    public static BertConfig BertBase { get; } = new();

    /// <summary>Size of one attention head.</summary>
    [JsonIgnore]
    public int HeadSize => HiddenSize / NumAttentionHeads;

    /// <summary>Throws when the sizes do not fit together.</summary>
    /// <exception cref="ArgumentException">A size is not positive, heads do not divide the width, a dropout outside [0, 1), or the pad id outside the vocabulary.</exception>
    public void Validate()
    {
        if (VocabSize <= 0 || HiddenSize <= 0 || NumHiddenLayers <= 0 || NumAttentionHeads <= 0 || IntermediateSize <= 0
            || MaxPositionEmbeddings <= 0 || TypeVocabSize <= 0 || NumLabels <= 0)
            throw new ArgumentException($"BertConfig: sizes must be positive (vocab_size {VocabSize}, hidden_size {HiddenSize}, num_hidden_layers {NumHiddenLayers}, " +
                $"num_attention_heads {NumAttentionHeads}, intermediate_size {IntermediateSize}, max_position_embeddings {MaxPositionEmbeddings}, " +
                $"type_vocab_size {TypeVocabSize}, num_labels {NumLabels}).");
        if (HiddenSize % NumAttentionHeads != 0)
            throw new ArgumentException($"BertConfig: {NumAttentionHeads} heads do not divide hidden_size {HiddenSize}.");
        if (HiddenDropoutProb is < 0 or >= 1 || AttentionProbsDropoutProb is < 0 or >= 1)
            throw new ArgumentException($"BertConfig: dropout must be in [0, 1), got hidden {HiddenDropoutProb}, attention {AttentionProbsDropoutProb}.");
        if (PadTokenId < 0 || PadTokenId >= VocabSize)
            throw new ArgumentException($"BertConfig: pad_token_id {PadTokenId} is outside 0..{VocabSize - 1}.");
        if (!(LayerNormEps > 0) || !(InitializerRange >= 0))
            throw new ArgumentException($"BertConfig: layer_norm_eps must be positive and initializer_range non-negative, got {LayerNormEps} and {InitializerRange}.");
    }
}
