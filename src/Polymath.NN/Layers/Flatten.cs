namespace Polymath.NN;

/// <summary>Flattens dims <c>start_dim</c> … <c>end_dim</c> into one (PyTorch's nn.Flatten; by default all but the batch dim: [N, C, H, W] → [N, C·H·W]).</summary>
public sealed class Flatten : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer; negative dims count from the end.</summary>
    public Flatten(int startDim = 1, int endDim = -1) => (StartDim, EndDim) = (startDim, endDim);

    /// <summary>First dim to flatten.</summary>
    public int StartDim { get; }

    /// <summary>Last dim to flatten (inclusive).</summary>
    public int EndDim { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The dims are out of range for the input or start after end.</exception>
    public override Tensor Forward(Tensor input)
    {
        int rank = Math.Max(input.Rank, 1);
        int s = StartDim < 0 ? StartDim + rank : StartDim, e = EndDim < 0 ? EndDim + rank : EndDim;
        if (s < 0 || s >= rank || e < 0 || e >= rank || s > e)
            throw new ArgumentException($"Flatten: start_dim={StartDim} and end_dim={EndDim} do not select a range of dims of input {LayerUtil.Shape(input)}.");
        return input.Flatten(StartDim, EndDim);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"start_dim={StartDim}, end_dim={EndDim}";
}
