namespace Polymath.NN;

/// <summary>tanh(x) elementwise (PyTorch's nn.Tanh). No parameters.</summary>
public sealed class Tanh : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Tanh();
}
