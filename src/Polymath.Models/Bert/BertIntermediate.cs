namespace Polymath.Models.Bert;

/// <summary>HF <c>BertIntermediate</c>: <c>dense</c> (hidden → intermediate) then exact GELU, x·Φ(x) with erf (HF's "gelu").</summary>
public sealed class BertIntermediate : Module<Tensor, Tensor>
{
    /// <summary>Creates the expansion.</summary>
    public BertIntermediate(BertConfig config, Generator? generator = null) =>
        Dense = RegisterModule("dense", new Linear(config.HiddenSize, config.IntermediateSize, generator: generator));

    /// <summary>The expansion.</summary>
    public Linear Dense { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Dense.Call(input).Gelu();
}
