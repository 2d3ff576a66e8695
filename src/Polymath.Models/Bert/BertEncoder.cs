namespace Polymath.Models.Bert;

/// <summary>HF <c>BertEncoder</c>: the stack <c>layer.0</c> … <c>layer.N-1</c>.</summary>
public sealed class BertEncoder : Module
{
    /// <summary>Creates <see cref="BertConfig.NumHiddenLayers"/> layers.</summary>
    public BertEncoder(BertConfig config, Generator? generator = null)
    {
        Layer = RegisterModule("layer", new ModuleList<BertLayer>());
        for (int i = 0; i < config.NumHiddenLayers; i++)
            Layer.Append(new BertLayer(config, generator));
    }

    /// <summary>The layers.</summary>
    public ModuleList<BertLayer> Layer { get; }

    /// <summary>x [B, T, C] through every layer.</summary>
    public Tensor Forward(Tensor x, Tensor? additiveMask)
    {
        for (int i = 0; i < Layer.Count; i++)
            x = Layer[i].Forward(x, additiveMask);
        return x;
    }
}
