namespace Polymath.NN;

/// <summary>
/// 2-D max pooling over input [N, C, H, W] (or [C, H, W]), as PyTorch's nn.MaxPool2d: each output is the maximum of
/// a kernel_size × kernel_size window; the gradient flows to the position of that maximum. No parameters.
/// </summary>
public sealed class MaxPool2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer; <paramref name="stride"/> defaults to <paramref name="kernelSize"/>.</summary>
    /// <exception cref="ArgumentException">A non-positive kernel size, stride or dilation, or padding over half the kernel.</exception>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    {
        int s = stride ?? kernelSize;
        if (kernelSize <= 0 || s <= 0 || dilation <= 0)
            throw new ArgumentException($"MaxPool2d: kernel_size, stride and dilation must be positive, got kernel {kernelSize}, stride {s}, dilation {dilation}.");
        if (padding < 0 || padding > kernelSize / 2)
            throw new ArgumentException($"MaxPool2d: padding must be between 0 and half the kernel size ({kernelSize / 2}), got {padding}.");
        (KernelSize, Stride, Padding, Dilation, CeilMode) = (kernelSize, s, padding, dilation, ceilMode);
    }

    /// <summary>Window height and width.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Implicit −∞ padding on each side.</summary>
    public int Padding { get; }

    /// <summary>Spacing between window elements.</summary>
    public int Dilation { get; }

    /// <summary>Use ceil rather than floor when computing the output size.</summary>
    public bool CeilMode { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.MaxPool2d(input, KernelSize, Stride, Padding, Dilation, CeilMode);

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}, dilation={Dilation}, ceil_mode={LayerUtil.Bool(CeilMode)}";
}
