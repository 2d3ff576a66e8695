namespace Polymath.NN;

/// <summary>
/// Transposed 2-D convolution (the gradient of <see cref="Conv2d"/> with respect to its input, sometimes called
/// deconvolution) over input [N, C_in, H, W] giving [N, C_out, H_out, W_out] with
/// H_out = (H − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1, as PyTorch's nn.ConvTranspose2d.
/// weight is [C_in, C_out/groups, k, k]; initialised as PyTorch: kaiming_uniform with a = √5 on that shape (so
/// fan_in = C_out/groups·k², PyTorch's convention) and bias U(±1/√fan_in).
/// </summary>
public sealed class ConvTranspose2d : ConvBase
{
    /// <summary>Creates the layer; <paramref name="dtype"/> sets the parameters' type.</summary>
    /// <exception cref="ArgumentException">A non-positive size, negative padding, channel counts not divisible by groups,
    /// or output_padding not smaller than stride or dilation.</exception>
    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1,
        bool bias = true, int dilation = 1, DType dtype = DType.Float32, Generator? generator = null)
        : base(inChannels, outChannels, groups, [inChannels, Checked(inChannels, outChannels, kernelSize, stride, padding, outputPadding, dilation, groups), kernelSize, kernelSize], bias, dtype, generator)
    {
        (KernelSize, Stride, Padding, OutputPadding, Dilation) = (kernelSize, stride, padding, outputPadding, dilation);
    }

    // Validates before the base constructor allocates the weight; returns C_out/groups.
    private static int Checked(int inChannels, int outChannels, int k, int s, int p, int outputPadding, int d, int groups)
    {
        ConvCheck.Arguments("ConvTranspose2d", inChannels, outChannels, groups, k, k, s, s, p, p, d, d);
        if (outputPadding < 0 || (outputPadding >= s && outputPadding >= d))
            throw new ArgumentException($"ConvTranspose2d: output_padding ({outputPadding}) must be non-negative and smaller than either stride ({s}) or dilation ({d}).");
        return outChannels / groups;
    }

    /// <summary>Kernel height and width.</summary>
    public int KernelSize { get; }

    /// <summary>Stride of the convolution this transposes.</summary>
    public int Stride { get; }

    /// <summary>Padding of the convolution this transposes (trimmed from each side of the output).</summary>
    public int Padding { get; }

    /// <summary>Extra rows/columns added on one side of the output to pick among the sizes a strided conv maps to the same input.</summary>
    public int OutputPadding { get; }

    /// <summary>Spacing between kernel taps.</summary>
    public int Dilation { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not [N, C_in, H, W] or [C_in, H, W].</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank is not (3 or 4) || input.Size(-3) != InChannels)
            throw new ArgumentException($"ConvTranspose2d: expected input [N, {InChannels}, H, W] or [{InChannels}, H, W], got {LayerUtil.Shape(input)}.");
        return Functional.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size=({KernelSize}, {KernelSize}), stride=({Stride}, {Stride})" +
        (Padding != 0 ? $", padding=({Padding}, {Padding})" : "") + (OutputPadding != 0 ? $", output_padding=({OutputPadding}, {OutputPadding})" : "") +
        (Dilation != 1 ? $", dilation=({Dilation}, {Dilation})" : "") + GroupsAndBiasRepr();
}
