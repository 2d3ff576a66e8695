namespace Polymath.NN;

/// <summary>log of the softmax along <see cref="Dim"/>, computed stably as x_i − logsumexp(x) (PyTorch's nn.LogSoftmax). No parameters.</summary>
public sealed class LogSoftmax : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer over dim <paramref name="dim"/> (negative counts from the end).</summary>
    public LogSoftmax(int dim) => Dim = dim;

    /// <summary>The dim normalised over.</summary>
    public int Dim { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The dim is out of range for the input.</exception>
    public override Tensor Forward(Tensor input) => input.LogSoftmax(Dim);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"dim={Dim}";
}
