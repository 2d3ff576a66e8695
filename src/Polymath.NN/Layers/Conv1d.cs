namespace Polymath.NN;

/// <summary>
/// 1-D convolution over input [N, C_in, L] (or [C_in, L]) giving [N, C_out, L_out], as PyTorch's nn.Conv1d, with
/// weight [C_out, C_in/groups, K] and bias [C_out]. Initialised as PyTorch: weight by kaiming_uniform with a = √5
/// (U(±1/√fan_in), fan_in = C_in/groups·K) and bias U(±1/√fan_in).
/// </summary>
public sealed class Conv1d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer; <paramref name="dtype"/> sets the parameters' type.</summary>
    /// <exception cref="ArgumentException">A non-positive size, negative padding, or channel counts not divisible by groups.</exception>
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
    {
        ConvCheck.Arguments("Conv1d", inChannels, outChannels, groups, kernelSize, kernelSize, stride, stride, padding, padding, dilation, dilation);
        (InChannels, OutChannels, KernelSize, Stride, Padding, Dilation, Groups) = (inChannels, outChannels, kernelSize, stride, padding, dilation, groups);
        var w = Tensor.Zeros([outChannels, inChannels / groups, kernelSize], dtype);
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

    /// <summary>Kernel length.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Zeros added on both ends.</summary>
    public int Padding { get; }

    /// <summary>Spacing between kernel taps.</summary>
    public int Dilation { get; }

    /// <summary>Number of blocked connections from input to output channels.</summary>
    public int Groups { get; }

    /// <summary>[C_out, C_in/groups, K].</summary>
    public Tensor Weight { get; private set; }

    /// <summary>[C_out], or null without bias.</summary>
    public Tensor? Bias { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not [N, C_in, L] or [C_in, L], or is too short for the kernel.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank is not (2 or 3) || input.Size(-2) != InChannels)
            throw new ArgumentException($"Conv1d: expected input [N, {InChannels}, L] or [{InChannels}, L], got {LayerUtil.Shape(input)}.");
        return Functional.Conv1d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
    }

    /// <inheritdoc/>
    protected override void OnParameterReplaced(string name, Tensor value)
    {
        if (name == "weight") Weight = value;
        else if (name == "bias") Bias = value;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size=({KernelSize},), stride=({Stride},)" +
        (Padding != 0 ? $", padding=({Padding},)" : "") + (Dilation != 1 ? $", dilation=({Dilation},)" : "") +
        (Groups != 1 ? $", groups={Groups}" : "") + (Bias is null ? ", bias=False" : "");
}

/// <summary>Argument checks shared by the convolution layers.</summary>
internal static class ConvCheck
{
    public static void Arguments(string layer, int inChannels, int outChannels, int groups, int kH, int kW, int sH, int sW, int pH, int pW, int dH, int dW)
    {
        if (inChannels <= 0 || outChannels <= 0 || groups <= 0)
            throw new ArgumentException($"{layer}: in_channels, out_channels and groups must be positive, got in={inChannels}, out={outChannels}, groups={groups}.");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"{layer}: in_channels ({inChannels}) and out_channels ({outChannels}) must both be divisible by groups ({groups}).");
        if (kH <= 0 || kW <= 0 || sH <= 0 || sW <= 0 || dH <= 0 || dW <= 0)
            throw new ArgumentException($"{layer}: kernel size, stride and dilation must be positive, got kernel ({kH},{kW}), stride ({sH},{sW}), dilation ({dH},{dW}).");
        if (pH < 0 || pW < 0)
            throw new ArgumentException($"{layer}: padding must be non-negative, got ({pH},{pW}).");
    }
}
