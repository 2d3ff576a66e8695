namespace Polymath.Models.Bert;

/// <summary>
/// The residual sub-layer end used twice in each BERT layer (HF <c>BertSelfOutput</c> after attention, with input width
/// hidden, and <c>BertOutput</c> after the feed-forward layer, with input width intermediate): <c>dense</c>, dropout, then
/// <c>LayerNorm</c>(result + residual). Post-norm, as the original BERT.
/// </summary>
public sealed class BertOutput : Module
{
    private readonly double _dropout;
    private readonly Generator? _generator;

    /// <summary>Creates dense [inFeatures → hidden] and the norm.</summary>
    public BertOutput(int inFeatures, BertConfig config, Generator? generator = null)
    {
        _dropout = config.HiddenDropoutProb;
        _generator = generator;
        Dense = RegisterModule("dense", new Linear(inFeatures, config.HiddenSize, generator: generator));
        LayerNorm = RegisterModule("LayerNorm", new LayerNorm(config.HiddenSize, config.LayerNormEps));
    }

    /// <summary>Projection to the hidden width.</summary>
    public Linear Dense { get; }

    /// <summary>Norm of the residual sum.</summary>
    public LayerNorm LayerNorm { get; }

    /// <summary>LayerNorm(dropout(dense(x)) + residual).</summary>
    public Tensor Forward(Tensor x, Tensor residual)
    {
        var y = Dense.Call(x);
        if (Training && _dropout > 0)
            y = Functional.Dropout(y, _dropout, true, _generator);
        return LayerNorm.Call(y + residual);
    }
}
