using System.Globalization;

namespace Polymath.Models.Seq2Seq;

/// <summary>How <see cref="TransformerTranslator"/> tells the model where each token is.</summary>
public enum TranslationPositions
{
    /// <summary>The fixed sine/cosine table of "Attention Is All You Need" (no parameters).</summary>
    Sinusoidal,

    /// <summary>A learned table of <see cref="TranslationConfig.MaxLength"/> vectors (<c>pos_embed.weight</c>).</summary>
    Learned,
}

/// <summary>The shape and training constants of a <see cref="TransformerTranslator"/>.</summary>
public sealed record TranslationConfig
{
    /// <summary>Source vocabulary size.</summary>
    public int SourceVocabSize { get; init; }

    /// <summary>Target vocabulary size (equal to the source's when <see cref="ShareEmbeddings"/>).</summary>
    public int TargetVocabSize { get; init; }

    /// <summary>Width of every layer (d_model).</summary>
    public int DModel { get; init; } = 256;

    /// <summary>Attention heads (must divide <see cref="DModel"/>).</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Encoder blocks.</summary>
    public int EncoderLayers { get; init; } = 3;

    /// <summary>Decoder blocks.</summary>
    public int DecoderLayers { get; init; } = 3;

    /// <summary>Hidden width of the feed-forward networks.</summary>
    public int FeedForward { get; init; } = 1024;

    /// <summary>Dropout on embeddings, attention weights and residual branches (training only).</summary>
    public double Dropout { get; init; } = 0.1;

    /// <summary>"relu" or "gelu".</summary>
    public string Activation { get; init; } = "relu";

    /// <summary>Position encoding.</summary>
    public TranslationPositions Positions { get; init; } = TranslationPositions.Sinusoidal;

    /// <summary>Longest source or target sequence (tokens, BOS and EOS included) the model accepts.</summary>
    public int MaxLength { get; init; } = 256;

    /// <summary>Pre-norm blocks (layer norm before each sublayer, plus a final norm): trains stably without a long warm-up.</summary>
    public bool NormFirst { get; init; } = true;

    /// <summary>One embedding table for source and target (needs a joint vocabulary).</summary>
    public bool ShareEmbeddings { get; init; } = true;

    /// <summary>The output projection is the target embedding (transposed).</summary>
    public bool TieOutput { get; init; } = true;

    /// <summary>ε of the label-smoothed cross-entropy used by <see cref="TransformerTranslator.Loss"/>.</summary>
    public double LabelSmoothing { get; init; } = 0.1;

    /// <summary>Padding token id (ignored by the loss and masked in attention).</summary>
    public int PadId { get; init; }

    /// <summary>Beginning-of-sentence id: the first decoder input.</summary>
    public int BosId { get; init; } = 1;

    /// <summary>End-of-sentence id: ends every source and target.</summary>
    public int EosId { get; init; } = 2;

    /// <summary>Throws when the configuration is inconsistent; the message names the field.</summary>
    /// <exception cref="ArgumentException">A size that is not positive, heads that do not divide the width, and so on.</exception>
    public void Validate()
    {
        static string S(FormattableString f) => f.ToString(CultureInfo.InvariantCulture);
        if (SourceVocabSize <= 0 || TargetVocabSize <= 0)
            throw new ArgumentException(S($"TranslationConfig: vocabulary sizes must be positive, got source {SourceVocabSize}, target {TargetVocabSize}."));
        if (DModel <= 0 || Heads <= 0 || DModel % Heads != 0)
            throw new ArgumentException(S($"TranslationConfig: DModel ({DModel}) must be positive and divisible by Heads ({Heads})."));
        if (EncoderLayers <= 0 || DecoderLayers <= 0 || FeedForward <= 0)
            throw new ArgumentException(S($"TranslationConfig: EncoderLayers ({EncoderLayers}), DecoderLayers ({DecoderLayers}) and FeedForward ({FeedForward}) must be positive."));
        if (Dropout is < 0 or >= 1 || double.IsNaN(Dropout))
            throw new ArgumentException(S($"TranslationConfig: Dropout must be in [0, 1), got {Dropout}."));
        if (LabelSmoothing is < 0 or >= 1 || double.IsNaN(LabelSmoothing))
            throw new ArgumentException(S($"TranslationConfig: LabelSmoothing must be in [0, 1), got {LabelSmoothing}."));
        if (MaxLength < 2)
            throw new ArgumentException(S($"TranslationConfig: MaxLength must be at least 2, got {MaxLength}."));
        if (Activation is not ("relu" or "gelu"))
            throw new ArgumentException($"TranslationConfig: Activation must be \"relu\" or \"gelu\", got '{Activation}'.");
        if (ShareEmbeddings && SourceVocabSize != TargetVocabSize)
            throw new ArgumentException(S($"TranslationConfig: ShareEmbeddings needs one joint vocabulary, got source {SourceVocabSize} and target {TargetVocabSize}."));
        foreach (var (name, id) in new[] { ("PadId", PadId), ("BosId", BosId), ("EosId", EosId) })
            if (id < 0 || id >= TargetVocabSize || id >= SourceVocabSize)
                throw new ArgumentException(S($"TranslationConfig: {name} {id} is outside the vocabularies (source {SourceVocabSize}, target {TargetVocabSize})."));
        if (PadId == BosId || PadId == EosId || BosId == EosId)
            throw new ArgumentException(S($"TranslationConfig: PadId ({PadId}), BosId ({BosId}) and EosId ({EosId}) must differ."));
    }
}
