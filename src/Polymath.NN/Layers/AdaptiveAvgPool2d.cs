namespace Polymath.NN;

/// <summary>
/// Average pooling to a fixed output size (H_out, W_out) whatever the input size, as PyTorch's nn.AdaptiveAvgPool2d:
/// output (i, j) averages rows ⌊i·H/H_out⌋ … ⌈(i+1)·H/H_out⌉ − 1 and likewise for columns. No parameters.
/// </summary>
public sealed class AdaptiveAvgPool2d : Module<Tensor, Tensor>
{
    /// <summary>Pools to a square <paramref name="outputSize"/> × <paramref name="outputSize"/>.</summary>
    /// <exception cref="ArgumentException">A non-positive output size.</exception>
    public AdaptiveAvgPool2d(int outputSize)
        : this((outputSize, outputSize))
    {
    }

    /// <summary>Pools to <paramref name="outputSize"/> (height, width).</summary>
    /// <exception cref="ArgumentException">A non-positive output size.</exception>
    public AdaptiveAvgPool2d((int H, int W) outputSize)
    {
        if (outputSize.H <= 0 || outputSize.W <= 0)
            throw new ArgumentException($"AdaptiveAvgPool2d: output size must be positive, got {LayerUtil.Pair(outputSize)}.");
        OutputSize = outputSize;
    }

    /// <summary>Output height and width.</summary>
    public (int H, int W) OutputSize { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.AdaptiveAvgPool2d(input, OutputSize);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"output_size={(OutputSize.H == OutputSize.W ? OutputSize.H.ToString(System.Globalization.CultureInfo.InvariantCulture) : LayerUtil.Pair(OutputSize))}";
}
