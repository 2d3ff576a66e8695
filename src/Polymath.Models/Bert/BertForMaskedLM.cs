namespace Polymath.Models.Bert;

/// <summary>
/// BERT with the masked-language-model head, laid out as Hugging Face's <c>BertForMaskedLM</c>: <c>bert.embeddings.*</c>,
/// <c>bert.encoder.layer.N.attention.self.{query,key,value}.*</c>, <c>…attention.output.{dense,LayerNorm}.*</c>,
/// <c>…intermediate.dense.*</c>, <c>…output.{dense,LayerNorm}.*</c>, <c>cls.predictions.transform.{dense,LayerNorm}.*</c>
/// and <c>cls.predictions.bias</c>; the decoder is the word embedding (tied), so <c>cls.predictions.decoder.weight</c>
/// is not a separate parameter. Like HF's class it has no pooler unless asked for one (checkpoints of
/// <c>BertForPreTraining</c>, such as bert-base-uncased, carry <c>bert.pooler.*</c>).
/// </summary>
public sealed class BertForMaskedLM : Module
{
    /// <summary>Creates a randomly initialised model.</summary>
    /// <exception cref="ArgumentException">An inconsistent configuration.</exception>
    public BertForMaskedLM(BertConfig config, bool addPoolingLayer = false, Generator? generator = null)
    {
        Bert = RegisterModule("bert", new BertModel(config, addPoolingLayer, generator));
        Cls = RegisterModule("cls", new BertOnlyMLMHead(config, Bert.Embeddings.WordEmbeddings, generator));
        BertInit.Apply(Cls, config, generator);
    }

    /// <summary>The configuration.</summary>
    public BertConfig Config => Bert.Config;

    /// <summary>The encoder.</summary>
    public BertModel Bert { get; }

    /// <summary>The MLM head.</summary>
    public BertOnlyMLMHead Cls { get; }

    /// <inheritdoc/>
    public override string TypeName => "BertForMaskedLM";

    /// <summary>Ids [B, T] (with optional attention mask and segment ids, see <see cref="BertModel"/>) → logits [B, T, vocab].</summary>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null) =>
        Cls.Predictions.Forward(Bert.Forward(inputIds, attentionMask, tokenTypeIds).LastHiddenState);

    /// <summary>
    /// Mean cross-entropy (nats per masked token) of the predictions at the positions whose label is not −100 (HF's
    /// convention). Only those positions go through the head, which gives the same loss as HF's full logits at a
    /// fraction of the cost (15% of the tokens are labelled in pretraining).
    /// </summary>
    /// <exception cref="ArgumentException">Labels not int64 of the ids' shape, or no labelled position at all.</exception>
    public Tensor Loss(Tensor inputIds, Tensor labels, Tensor? attentionMask = null, Tensor? tokenTypeIds = null) =>
        MaskedPredictions(inputIds, labels, attentionMask, tokenTypeIds).Loss;

    /// <summary>
    /// The loss of <see cref="Loss"/> together with the logits [N, vocab] and the targets [N] of the N labelled
    /// positions (in row-major order), for accuracy.
    /// </summary>
    /// <exception cref="ArgumentException">Labels not int64 of the ids' shape, or no labelled position at all.</exception>
    public (Tensor Loss, Tensor Logits, long[] Targets) MaskedPredictions(Tensor inputIds, Tensor labels, Tensor? attentionMask = null, Tensor? tokenTypeIds = null)
    {
        if (labels.DType != DType.Int64 || !labels.Shape.SequenceEqual(inputIds.Shape))
            throw new ArgumentException($"BERT MLM: labels must be int64 of the ids' shape [{string.Join(",", inputIds.Shape)}], got [{string.Join(",", labels.Shape)}] {labels.DType}.");
        var flat = labels.Contiguous().ToArray<long>();
        var positions = new List<long>();
        var targets = new List<long>();
        for (int i = 0; i < flat.Length; i++)
            if (flat[i] != Losses.DefaultIgnoreIndex)
            {
                if ((ulong)flat[i] >= (ulong)Config.VocabSize)
                    throw new ArgumentException($"BERT MLM: label {flat[i]} at flat position {i} is outside 0..{Config.VocabSize - 1} (and is not the ignore index -100).");
                positions.Add(i);
                targets.Add(flat[i]);
            }
        if (positions.Count == 0)
            throw new ArgumentException("BERT MLM: no position is labelled (every label is -100), so the loss is undefined.");
        var hidden = Bert.Forward(inputIds, attentionMask, tokenTypeIds).LastHiddenState;
        var picked = hidden.Reshape(-1, Config.HiddenSize).IndexSelect(0, Tensor.From(positions.ToArray(), positions.Count));
        var logits = Cls.Predictions.Forward(picked);
        long[] t = [.. targets];
        return (Losses.CrossEntropy(logits, Tensor.From(t, t.Length)), logits, t);
    }

    /// <summary>Number of parameters (the tied decoder counted once).</summary>
    public long ParameterCount() => Parameters().Sum(p => p.Numel);
}
