using System.Globalization;

namespace Polymath.NN;

/// <summary>
/// What the encoder and decoder blocks share: their configuration, the attention and norm factories, and the
/// feed-forward network (linear1 → activation → dropout → linear2). Subclasses register their submodules in
/// PyTorch's order (the feed-forward modules via <see cref="RegisterFeedForward"/>) so state-dict keys match.
/// </summary>
public abstract class TransformerLayerBase<TIn> : Module<TIn, Tensor>
{
    private Linear? _linear1;
    private Dropout? _dropoutFf;
    private Linear? _linear2;

    /// <summary>Stores the configuration shared by both blocks.</summary>
    /// <exception cref="ArgumentException">Unknown activation.</exception>
    private protected TransformerLayerBase(string layer, int dModel, int nhead, int dimFeedforward, double dropout, string activation,
        double layerNormEps, bool batchFirst, bool normFirst, bool bias, DType dtype, Generator? generator)
    {
        if (activation is not ("relu" or "gelu"))
            throw new ArgumentException($"{layer}: activation must be \"relu\" or \"gelu\", got '{activation}'.", nameof(activation));
        (DModel, NHead, DimFeedforward, DropoutP, Activation) = (dModel, nhead, dimFeedforward, dropout, activation);
        (LayerNormEps, BatchFirst, NormFirst, HasBias, ParameterType, Generator) = (layerNormEps, batchFirst, normFirst, bias, dtype, generator);
    }

    /// <summary>E: features of the input and output.</summary>
    public int DModel { get; }

    /// <summary>Attention heads.</summary>
    public int NHead { get; }

    /// <summary>Hidden features of the feed-forward network.</summary>
    public int DimFeedforward { get; }

    /// <summary>Dropout probability.</summary>
    public double DropoutP { get; }

    /// <summary>"relu" or "gelu".</summary>
    public string Activation { get; }

    /// <summary>Layer norm epsilon.</summary>
    public double LayerNormEps { get; }

    /// <summary>Inputs and output are batch-first.</summary>
    public bool BatchFirst { get; }

    /// <summary>Pre-norm when true, post-norm when false.</summary>
    public bool NormFirst { get; }

    /// <summary>Whether the sublayers have biases.</summary>
    public bool HasBias { get; }

    /// <summary>First feed-forward layer, E → dim_feedforward.</summary>
    public Linear Linear1 => _linear1!;

    /// <summary>Dropout inside the feed-forward network (<c>dropout</c>).</summary>
    public Dropout DropoutFf => _dropoutFf!;

    /// <summary>Second feed-forward layer, dim_feedforward → E.</summary>
    public Linear Linear2 => _linear2!;

    private protected DType ParameterType { get; }

    private protected Generator? Generator { get; }

    private protected MultiheadAttention RegisterAttention(string name) =>
        RegisterModule(name, new MultiheadAttention(DModel, NHead, DropoutP, HasBias, batchFirst: BatchFirst, dtype: ParameterType, generator: Generator));

    private protected LayerNorm RegisterNorm(string name) =>
        RegisterModule(name, new LayerNorm(DModel, LayerNormEps, bias: HasBias, dtype: ParameterType));

    private protected Dropout RegisterDropout(string name) => RegisterModule(name, new Dropout(DropoutP, Generator));

    /// <summary>Registers linear1, dropout and linear2 (call it where PyTorch registers them).</summary>
    private protected void RegisterFeedForward()
    {
        _linear1 = RegisterModule("linear1", new Linear(DModel, DimFeedforward, HasBias, ParameterType, Generator));
        _dropoutFf = RegisterDropout("dropout");
        _linear2 = RegisterModule("linear2", new Linear(DimFeedforward, DModel, HasBias, ParameterType, Generator));
    }

    /// <summary>linear2(dropout(activation(linear1(h)))), without the branch's residual dropout.</summary>
    private protected Tensor FeedForward(Tensor h)
    {
        var hidden = Linear1.Call(h);
        hidden = Activation == "gelu" ? hidden.Gelu() : hidden.Relu();
        return Linear2.Call(DropoutFf.Call(hidden));
    }

    /// <summary>Copies this block's parameters and mode into <paramref name="copy"/>, a freshly built block of the same configuration.</summary>
    private protected T CopyInto<T>(T copy) where T : Module
    {
        copy.LoadStateDict(StateDict());
        copy.Train(Training);
        return copy;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        string.Create(CultureInfo.InvariantCulture, $"d_model={DModel}, nhead={NHead}, dim_feedforward={DimFeedforward}, activation={Activation}, norm_first={NormFirst}");
}
