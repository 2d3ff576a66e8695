namespace Polymath.Models.Bert;

/// <summary>
/// The BERT encoder (Hugging Face <c>BertModel</c>): <c>embeddings</c>, <c>encoder.layer.N</c>, and optionally <c>pooler</c>.
/// Inputs: token ids [B, T] int64, an attention mask [B, T] (1 or true = a real token, 0 or false = padding; all real
/// when null) and segment ids [B, T] (all 0 when null). Padded keys get the most negative finite score, as HF does, so
/// they receive no attention; the hidden states at padded positions are computed but mean nothing.
/// </summary>
public sealed class BertModel : Module
{
    /// <summary>Creates a randomly initialised encoder (BERT's initialisation: N(0, initializer_range²), biases 0).</summary>
    /// <exception cref="ArgumentException">An inconsistent configuration.</exception>
    public BertModel(BertConfig config, bool addPoolingLayer = true, Generator? generator = null)
    {
        config.Validate();
        Config = config;
        Embeddings = RegisterModule("embeddings", new BertEmbeddings(config, generator));
        Encoder = RegisterModule("encoder", new BertEncoder(config, generator));
        if (addPoolingLayer)
            Pooler = RegisterModule("pooler", new BertPooler(config, generator));
        BertInit.Apply(this, config, generator);
    }

    /// <summary>The configuration.</summary>
    public BertConfig Config { get; }

    /// <summary>Word, position and segment embeddings.</summary>
    public BertEmbeddings Embeddings { get; }

    /// <summary>The layers.</summary>
    public BertEncoder Encoder { get; }

    /// <summary>The [CLS] pooler (null when built without one, as HF's BertForMaskedLM).</summary>
    public BertPooler? Pooler { get; }

    /// <summary>Ids [B, T] → last hidden states [B, T, hidden] and, with a pooler, the pooled [CLS] state [B, hidden].</summary>
    /// <exception cref="ArgumentException">Ids, mask or segment ids of the wrong shape or type, or a sequence longer than the position table.</exception>
    public BertModelOutput Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null)
    {
        var x = Embeddings.Forward(inputIds, tokenTypeIds);
        var mask = attentionMask is null ? null : ExtendedAttentionMask(attentionMask, inputIds.Shape, x.DType);
        x = Encoder.Forward(x, mask);
        return new BertModelOutput(x, Pooler?.Call(x));
    }

    /// <summary>
    /// A [B, T] attention mask (int64 / floating 1 or 0, or bool true/false; true = attend) → the additive mask
    /// [B, 1, 1, T]: 0 for real tokens, the most negative finite value of <paramref name="dtype"/> for padding (HF's
    /// <c>get_extended_attention_mask</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The mask's shape differs from the ids'.</exception>
    public static Tensor ExtendedAttentionMask(Tensor attentionMask, int[] idsShape, DType dtype)
    {
        if (!attentionMask.Shape.SequenceEqual(idsShape))
            throw new ArgumentException($"BERT: attention mask [{string.Join(",", attentionMask.Shape)}] must have the ids' shape [{string.Join(",", idsShape)}].");
        double min = dtype == DType.Float64 ? double.MinValue : float.MinValue;
        var keep = attentionMask.To(dtype);
        return ((1.0 - keep) * min).Reshape(idsShape[0], 1, 1, idsShape[1]);
    }

    /// <summary>Number of parameters.</summary>
    public long ParameterCount() => Parameters().Sum(p => p.Numel);
}

/// <summary>What <see cref="BertModel.Forward"/> returns (HF's <c>last_hidden_state</c> and <c>pooler_output</c>).</summary>
/// <param name="LastHiddenState">[B, T, hidden].</param>
/// <param name="PoolerOutput">[B, hidden], or null without a pooler.</param>
public sealed record BertModelOutput(Tensor LastHiddenState, Tensor? PoolerOutput);
