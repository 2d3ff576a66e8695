namespace Polymath.Models.Bert;

/// <summary>
/// One post-norm BERT encoder layer (HF <c>BertLayer</c>): <c>attention</c>, then <c>intermediate.dense</c> (hidden →
/// intermediate) with exact (erf) GELU, then <c>output</c> (dense back to hidden, dropout, LayerNorm with the residual).
/// </summary>
public sealed class BertLayer : Module
{
    /// <summary>Creates the layer.</summary>
    public BertLayer(BertConfig config, Generator? generator = null)
    {
        Attention = RegisterModule("attention", new BertAttention(config, generator));
        Intermediate = RegisterModule("intermediate", new BertIntermediate(config, generator));
        Output = RegisterModule("output", new BertOutput(config.IntermediateSize, config, generator));
    }

    /// <summary>Self-attention sub-layer.</summary>
    public BertAttention Attention { get; }

    /// <summary>Feed-forward expansion.</summary>
    public BertIntermediate Intermediate { get; }

    /// <summary>Feed-forward projection and post-norm.</summary>
    public BertOutput Output { get; }

    /// <summary>x [B, T, C] → [B, T, C].</summary>
    public Tensor Forward(Tensor x, Tensor? additiveMask)
    {
        var a = Attention.Forward(x, additiveMask);
        return Output.Forward(Intermediate.Call(a), a);
    }
}
