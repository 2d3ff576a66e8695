namespace Polymath.NN;

/// <summary>
/// Transposed 2-D convolution (the gradient of <see cref="Conv2d"/> with respect to its input, sometimes called
/// deconvolution) over input [N, C_in, H, W] giving [N, C_out, H_out, W_out] with
/// H_out = (H − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1, as PyTorch's nn.ConvTranspose2d.
/// weight is [C_in, C_out/groups, k, k]; initialised as PyTorch: kaiming_uniform with a = √5 on that shape (so
/// fan_in = C_out/groups·k², PyTorch's convention) and bias U(±1/√fan_in).
/// </summary>
public sealed class ConvTranspose2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer; <paramref name="dtype"/> sets the parameters' type.</summary>
    /// <exception cref="ArgumentException">A non-positive size, negative padding, channel counts not divisible by groups,
    /// or output_padding not smaller than stride or dilation.</exception>
    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1,
        bool bias = true, int dilation = 1, DType dtype = DType.Float32, Generator? generator = null)
    {
        ConvCheck.Arguments("ConvTranspose2d", inChannels, outChannels, groups, kernelSize, kernelSize, stride, stride, padding, padding, dilation, dilation);
        if (outputPadding < 0 || (outputPadding >= stride && outputPadding >= dilation))
            throw new ArgumentException($"ConvTranspose2d: output_padding ({outputPadding}) must be non-negative and smaller than either stride ({stride}) or dilation ({dilation}).");
        (InChannels, OutChannels, KernelSize, Stride, Padding, OutputPadding, Groups, Dilation) = (inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, dilation);
        var w = Tensor.Zeros([inChannels, outChannels / groups, kernelSize, kernelSize], dtype);
        Weight = RegisterParameter("weight", Init.KaimingUniform(w, a: Math.Sqrt(5), generator: generator));
        if (bias)
            Bias = RegisterParameter("bias", LayerUtil.InitBias(Tensor.Zeros([outChannels], dtype), Weight, generator));
        else
            RegisterNullParameter("bias");
    }

    /// <summary>Channels expected in the input.</summary>
    public int InChannels { get; }

    /// <summary>Channels produced.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel height and width.</summary>
    public int KernelSize { get; }

    /// <summary>Stride of the convolution this transposes.</summary>
    public int Stride { get; }

    /// <summary>Padding of the convolution this transposes (trimmed from each side of the output).</summary>
    public int Padding { get; }

    /// <summary>Extra rows/columns added on one side of the output to pick among the sizes a strided conv maps to the same input.</summary>
    public int OutputPadding { get; }

    /// <summary>Number of blocked connections from input to output channels.</summary>
    public int Groups { get; }

    /// <summary>Spacing between kernel taps.</summary>
    public int Dilation { get; }

    /// <summary>[C_in, C_out/groups, k, k].</summary>
    public Tensor Weight { get; private set; }

    /// <summary>[C_out], or null without bias.</summary>
    public Tensor? Bias { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not [N, C_in, H, W] or [C_in, H, W].</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank is not (3 or 4) || input.Size(-3) != InChannels)
            throw new ArgumentException($"ConvTranspose2d: expected input [N, {InChannels}, H, W] or [{InChannels}, H, W], got {LayerUtil.Shape(input)}.");
        return Functional.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation);
    }

    /// <inheritdoc/>
    protected override void OnParameterReplaced(string name, Tensor value)
    {
        if (name == "weight") Weight = value;
        else if (name == "bias") Bias = value;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size=({KernelSize}, {KernelSize}), stride=({Stride}, {Stride})" +
        (Padding != 0 ? $", padding=({Padding}, {Padding})" : "") + (OutputPadding != 0 ? $", output_padding=({OutputPadding}, {OutputPadding})" : "") +
        (Dilation != 1 ? $", dilation=({Dilation}, {Dilation})" : "") + (Groups != 1 ? $", groups={Groups}" : "") + (Bias is null ? ", bias=False" : "");
}
