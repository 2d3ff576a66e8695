namespace Polymath.NN;

/// <summary>
/// y = x Wᵀ + b for x [..., in_features], weight [out_features, in_features], bias [out_features]. Initialised as
/// PyTorch does: weight and bias uniform in ±1/√in_features (kaiming_uniform with a = √5).
/// </summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer; <paramref name="dtype"/> sets the parameters' type.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A feature count is not positive.</exception>
    public Linear(int inFeatures, int outFeatures, bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Linear: feature counts must be positive, got in={inFeatures}, out={outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        double bound = 1.0 / Math.Sqrt(inFeatures);
        Weight = RegisterParameter("weight", Tensor.Zeros([outFeatures, inFeatures], dtype).UniformInPlace(-bound, bound, generator));
        if (bias)
            Bias = RegisterParameter("bias", Tensor.Zeros([outFeatures], dtype).UniformInPlace(-bound, bound, generator));
        else
            RegisterNullParameter("bias");
    }

    /// <summary>Size of each input sample.</summary>
    public int InFeatures { get; }

    /// <summary>Size of each output sample.</summary>
    public int OutFeatures { get; }

    /// <summary>[out_features, in_features].</summary>
    public Tensor Weight { get; private set; }

    /// <summary>[out_features], or null without bias.</summary>
    public Tensor? Bias { get; private set; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank == 0 || input.Size(-1) != InFeatures)
            throw new ArgumentException($"Linear: expected input [..., {InFeatures}], got [{string.Join(",", input.Shape)}].");
        return Functional.Linear(input, Weight, Bias);
    }

    /// <inheritdoc/>
    protected override void OnParameterReplaced(string name, Tensor value)
    {
        if (name == "weight") Weight = value;
        else if (name == "bias") Bias = value;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={(Bias is not null ? "True" : "False")}";
}
