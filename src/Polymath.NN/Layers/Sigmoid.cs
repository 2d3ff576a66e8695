namespace Polymath.NN;

/// <summary>σ(x) = 1/(1 + e⁻ˣ) elementwise (PyTorch's nn.Sigmoid). No parameters.</summary>
public sealed class Sigmoid : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Sigmoid();
}
