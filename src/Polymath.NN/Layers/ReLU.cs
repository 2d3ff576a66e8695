namespace Polymath.NN;

/// <summary>max(0, x) elementwise (PyTorch's nn.ReLU). No parameters.</summary>
public sealed class ReLU : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Relu();
}
