namespace Polymath.NN;

/// <summary>
/// 2-D average pooling over input [N, C, H, W] (or [C, H, W]), as PyTorch's nn.AvgPool2d: each output is the mean of
/// a kernel_size × kernel_size window (zero padding counted unless <see cref="CountIncludePad"/> is false). No parameters.
/// </summary>
public sealed class AvgPool2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer; <paramref name="stride"/> defaults to <paramref name="kernelSize"/>.</summary>
    /// <exception cref="ArgumentException">A non-positive kernel size, stride or divisor, or padding over half the kernel.</exception>
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null)
    {
        int s = stride ?? kernelSize;
        if (kernelSize <= 0 || s <= 0)
            throw new ArgumentException($"AvgPool2d: kernel_size and stride must be positive, got kernel {kernelSize}, stride {s}.");
        if (padding < 0 || padding > kernelSize / 2)
            throw new ArgumentException($"AvgPool2d: padding must be between 0 and half the kernel size ({kernelSize / 2}), got {padding}.");
        if (divisorOverride is <= 0)
            throw new ArgumentException($"AvgPool2d: divisor_override must be positive, got {divisorOverride}.");
        (KernelSize, Stride, Padding, CeilMode, CountIncludePad, DivisorOverride) = (kernelSize, s, padding, ceilMode, countIncludePad, divisorOverride);
    }

    /// <summary>Window height and width.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Implicit zero padding on each side.</summary>
    public int Padding { get; }

    /// <summary>Use ceil rather than floor when computing the output size.</summary>
    public bool CeilMode { get; }

    /// <summary>Whether padded zeros count in the divisor.</summary>
    public bool CountIncludePad { get; }

    /// <summary>A fixed divisor replacing the window size, or null.</summary>
    public int? DivisorOverride { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.AvgPool2d(input, KernelSize, Stride, Padding, CeilMode, CountIncludePad, DivisorOverride);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}";
}
