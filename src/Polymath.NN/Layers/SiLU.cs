namespace Polymath.NN;

/// <summary>x·σ(x) elementwise, also called swish (PyTorch's nn.SiLU). No parameters.</summary>
public sealed class SiLU : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Silu();
}
