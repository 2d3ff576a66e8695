namespace Polymath.NN;

/// <summary>Returns its input unchanged (PyTorch's nn.Identity), e.g. to replace a layer without changing the model's structure. No parameters.</summary>
public sealed class Identity : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input;
}
