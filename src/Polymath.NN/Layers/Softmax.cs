namespace Polymath.NN;

/// <summary>exp(x_i) / Σ_j exp(x_j) along <see cref="Dim"/> (PyTorch's nn.Softmax), so each slice along that dim sums to 1. No parameters.</summary>
public sealed class Softmax : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer over dim <paramref name="dim"/> (negative counts from the end).</summary>
    public Softmax(int dim) => Dim = dim;

    /// <summary>The dim normalised over.</summary>
    public int Dim { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The dim is out of range for the input.</exception>
    public override Tensor Forward(Tensor input) => input.Softmax(Dim);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"dim={Dim}";
}
