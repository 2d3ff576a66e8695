namespace Polymath.Models.Bert;

/// <summary>HF <c>BertPredictionHeadTransform</c>: <c>dense</c> (hidden → hidden), exact GELU, <c>LayerNorm</c>.</summary>
public sealed class BertPredictionHeadTransform : Module<Tensor, Tensor>
{
    /// <summary>Creates the transform.</summary>
    public BertPredictionHeadTransform(BertConfig config, Generator? generator = null)
    {
        Dense = RegisterModule("dense", new Linear(config.HiddenSize, config.HiddenSize, generator: generator));
        LayerNorm = RegisterModule("LayerNorm", new LayerNorm(config.HiddenSize, config.LayerNormEps));
    }

    /// <summary>The projection.</summary>
    public Linear Dense { get; }

    /// <summary>The norm.</summary>
    public LayerNorm LayerNorm { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => LayerNorm.Call(Dense.Call(input).Gelu());
}
