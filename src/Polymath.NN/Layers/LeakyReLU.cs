namespace Polymath.NN;

/// <summary>x for x ≥ 0, negative_slope·x otherwise, elementwise (PyTorch's nn.LeakyReLU). No parameters.</summary>
public sealed class LeakyReLU : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer with the slope used for negative inputs.</summary>
    public LeakyReLU(double negativeSlope = 0.01) => NegativeSlope = negativeSlope;

    /// <summary>Slope for negative inputs.</summary>
    public double NegativeSlope { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.LeakyRelu(NegativeSlope);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"negative_slope={LayerUtil.Num(NegativeSlope)}";
}
