namespace Polymath.NN;

/// <summary>
/// 2-D convolution over input [N, C_in, H, W] (or [C_in, H, W]) giving [N, C_out, H_out, W_out], as PyTorch's
/// nn.Conv2d, with weight [C_out, C_in/groups, kH, kW] and bias [C_out]. Initialised as PyTorch: weight by
/// kaiming_uniform with a = √5 (U(±1/√fan_in), fan_in = C_in/groups·kH·kW) and bias U(±1/√fan_in).
/// </summary>
public sealed class Conv2d : Module<Tensor, Tensor>
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
    {
        ConvCheck.Arguments("Conv2d", inChannels, outChannels, groups, kernelSize.H, kernelSize.W, stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W);
        (InChannels, OutChannels, KernelSize, Stride, Padding, Dilation, Groups) = (inChannels, outChannels, kernelSize, stride, padding, dilation, groups);
        var w = Tensor.Zeros([outChannels, inChannels / groups, kernelSize.H, kernelSize.W], dtype);
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
    public (int H, int W) KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public (int H, int W) Stride { get; }

    /// <summary>Zeros added on each side.</summary>
    public (int H, int W) Padding { get; }

    /// <summary>Spacing between kernel taps.</summary>
    public (int H, int W) Dilation { get; }

    /// <summary>Number of blocked connections from input to output channels.</summary>
    public int Groups { get; }

    /// <summary>[C_out, C_in/groups, kH, kW].</summary>
    public Tensor Weight { get; private set; }

    /// <summary>[C_out], or null without bias.</summary>
    public Tensor? Bias { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not [N, C_in, H, W] or [C_in, H, W], or is smaller than the kernel.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank is not (3 or 4) || input.Size(-3) != InChannels)
            throw new ArgumentException($"Conv2d: expected input [N, {InChannels}, H, W] or [{InChannels}, H, W], got {LayerUtil.Shape(input)}.");
        return Functional.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
    }

    /// <inheritdoc/>
    protected override void OnParameterReplaced(string name, Tensor value)
    {
        if (name == "weight") Weight = value;
        else if (name == "bias") Bias = value;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size={LayerUtil.Pair(KernelSize)}, stride={LayerUtil.Pair(Stride)}" +
        (Padding != (0, 0) ? $", padding={LayerUtil.Pair(Padding)}" : "") + (Dilation != (1, 1) ? $", dilation={LayerUtil.Pair(Dilation)}" : "") +
        (Groups != 1 ? $", groups={Groups}" : "") + (Bias is null ? ", bias=False" : "");
}
