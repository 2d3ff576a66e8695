namespace Polymath.Models.Bert;

/// <summary>
/// HF <c>BertForSequenceClassification</c>: the pooled [CLS] state (<c>bert.pooler</c>) → dropout → <c>classifier</c>
/// (Linear hidden → num_labels). Start it from a pretrained encoder with <see cref="BertPretrained.LoadEncoder"/>.
/// </summary>
public sealed class BertForSequenceClassification : Module
{
    private readonly Generator? _generator;

    /// <summary>Creates a randomly initialised classifier with <see cref="BertConfig.NumLabels"/> classes.</summary>
    /// <exception cref="ArgumentException">An inconsistent configuration.</exception>
    public BertForSequenceClassification(BertConfig config, Generator? generator = null)
    {
        _generator = generator;
        Bert = RegisterModule("bert", new BertModel(config, addPoolingLayer: true, generator));
        Classifier = RegisterModule("classifier", new Linear(config.HiddenSize, config.NumLabels, generator: generator));
        BertInit.Apply(Classifier, config, generator);
    }

    /// <summary>The configuration.</summary>
    public BertConfig Config => Bert.Config;

    /// <summary>The encoder with its pooler.</summary>
    public BertModel Bert { get; }

    /// <summary>The output layer.</summary>
    public Linear Classifier { get; }

    /// <inheritdoc/>
    public override string TypeName => "BertForSequenceClassification";

    /// <summary>Ids [B, T] (with optional attention mask and segment ids) → class logits [B, num_labels].</summary>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null)
    {
        var pooled = Bert.Forward(inputIds, attentionMask, tokenTypeIds).PoolerOutput!;
        double p = Config.HiddenDropoutProb;
        if (Training && p > 0)
            pooled = Functional.Dropout(pooled, p, true, _generator);
        return Classifier.Call(pooled);
    }

    /// <summary>Mean cross-entropy of the class logits against labels [B] int64.</summary>
    public Tensor Loss(Tensor inputIds, Tensor labels, Tensor? attentionMask = null, Tensor? tokenTypeIds = null) =>
        Losses.CrossEntropy(Forward(inputIds, attentionMask, tokenTypeIds), labels);
}
