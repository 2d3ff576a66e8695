namespace Polymath.Models.Gpt;

/// <summary>
/// Hugging Face's GPT-2 <c>Conv1D</c>: a linear layer whose weight is stored [in, out] (transposed with respect to
/// <see cref="Linear"/>), y = x W + b. Kept in this layout so GPT-2 checkpoints load as they are; the weight gradient
/// xᵀ g comes out in the same layout.
/// </summary>
public sealed class Conv1D : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer with weight ~ N(0, <paramref name="std"/>²) and zero bias.</summary>
    public Conv1D(int inFeatures, int outFeatures, double std = 0.02, Generator? generator = null)
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Tensor.Zeros(inFeatures, outFeatures).NormalInPlace(0, std, generator));
        Bias = RegisterParameter("bias", Tensor.Zeros(outFeatures));
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>[in, out].</summary>
    public Tensor Weight { get; private set; }

    /// <summary>[out].</summary>
    public Tensor Bias { get; private set; }

    /// <summary>x [..., in] → [..., out].</summary>
    /// <exception cref="ArgumentException">The last dim of x is not in_features.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank == 0 || input.Size(-1) != InFeatures)
            throw new ArgumentException($"Conv1D: expected input [..., {InFeatures}], got [{string.Join(",", input.Shape)}].");
        var shape = input.Shape;
        shape[^1] = OutFeatures;
        return (input.Reshape(-1, InFeatures).MatMul(Weight) + Bias).Reshape(shape);
    }

    /// <inheritdoc/>
    protected override void OnParameterReplaced(string name, Tensor value)
    {
        if (name == "weight") Weight = value;
        else if (name == "bias") Bias = value;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"nf={OutFeatures}, nx={InFeatures}";
}
