namespace Polymath.Models.Bert;

/// <summary>
/// HF <c>BertLMPredictionHead</c> (<c>cls.predictions</c>): <c>transform</c>, then the decoder whose weight is the word
/// embedding (tied, so not a parameter of its own) plus the output <c>bias</c> [vocab].
/// </summary>
public sealed class BertLMPredictionHead : Module
{
    private readonly Embedding _wordEmbeddings;

    /// <summary>Creates the head over <paramref name="wordEmbeddings"/>; the bias starts at zero.</summary>
    public BertLMPredictionHead(BertConfig config, Embedding wordEmbeddings, Generator? generator = null)
    {
        _wordEmbeddings = wordEmbeddings;
        Transform = RegisterModule("transform", new BertPredictionHeadTransform(config, generator));
        Bias = RegisterParameter("bias", Tensor.Zeros(config.VocabSize));
    }

    /// <summary>Dense, GELU, LayerNorm.</summary>
    public BertPredictionHeadTransform Transform { get; }

    /// <summary>Output bias [vocab].</summary>
    public Tensor Bias { get; private set; }

    /// <summary>Hidden states [..., hidden] → logits [..., vocab].</summary>
    public Tensor Forward(Tensor hidden) => Functional.Linear(Transform.Call(hidden), _wordEmbeddings.Weight, Bias);

    /// <inheritdoc/>
    protected override void OnParameterReplaced(string name, Tensor value)
    {
        if (name == "bias") Bias = value;
    }
}
