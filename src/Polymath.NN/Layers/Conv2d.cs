namespace Polymath.NN;

/// <summary>
/// 2-D convolution over input [N, C_in, H, W] (or [C_in, H, W]) giving [N, C_out, H_out, W_out], as PyTorch's
/// nn.Conv2d, with weight [C_out, C_in/groups, kH, kW] and bias [C_out]. Initialised as PyTorch: weight by
/// kaiming_uniform with a = √5 (U(±1/√fan_in), fan_in = C_in/groups·kH·kW) and bias U(±1/√fan_in).
/// </summary>
public sealed class Conv2d : ConvBase
{
    /// <summary>Creates the layer with a square kernel and equal height/width stride, padding and dilation.</summary>
    /// <exception cref="ArgumentException">A non-positive size, negative padding, or channel counts not divisible by groups.</exception>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (dilation, dilation), groups, bias, dtype, generator)
    {
    }

    /// <summary>Creates the layer with separate height and width sizes.</summary>
    /// <exception cref="ArgumentException">A non-positive size, negative padding, or channel counts not divisible by groups.</exception>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation,
        int groups = 1, bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
        : base(inChannels, outChannels, groups, [outChannels, Checked(inChannels, outChannels, kernelSize, stride, padding, dilation, groups), kernelSize.H, kernelSize.W], bias, dtype, generator)
    {
        (KernelSize, Stride, Padding, Dilation) = (kernelSize, stride, padding, dilation);
    }

    // Validates before the base constructor allocates the weight; returns C_in/groups.
    private static int Checked(int inChannels, int outChannels, (int H, int W) k, (int H, int W) s, (int H, int W) p, (int H, int W) d, int groups)
    {
        ConvCheck.Arguments("Conv2d", inChannels, outChannels, groups, k.H, k.W, s.H, s.W, p.H, p.W, d.H, d.W);
        return inChannels / groups;
    }

    /// <summary>Kernel height and width.</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public (int H, int W) Stride { get; }

    /// <summary>Zeros added on each side.</summary>
    public (int H, int W) Padding { get; }

    /// <summary>Spacing between kernel taps.</summary>
    public (int H, int W) Dilation { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not [N, C_in, H, W] or [C_in, H, W], or is smaller than the kernel.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank is not (3 or 4) || input.Size(-3) != InChannels)
            throw new ArgumentException($"Conv2d: expected input [N, {InChannels}, H, W] or [{InChannels}, H, W], got {LayerUtil.Shape(input)}.");
        return Functional.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size={LayerUtil.Pair(KernelSize)}, stride={LayerUtil.Pair(Stride)}" +
        (Padding != (0, 0) ? $", padding={LayerUtil.Pair(Padding)}" : "") + (Dilation != (1, 1) ? $", dilation={LayerUtil.Pair(Dilation)}" : "") +
        GroupsAndBiasRepr();
}
