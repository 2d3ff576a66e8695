namespace Polymath.NN;

/// <summary>
/// 1-D convolution over input [N, C_in, L] (or [C_in, L]) giving [N, C_out, L_out], as PyTorch's nn.Conv1d, with
/// weight [C_out, C_in/groups, K] and bias [C_out]. Initialised as PyTorch: weight by kaiming_uniform with a = √5
/// (U(±1/√fan_in), fan_in = C_in/groups·K) and bias U(±1/√fan_in).
/// </summary>
public sealed class Conv1d : ConvBase
{
    /// <summary>Creates the layer; <paramref name="dtype"/> sets the parameters' type.</summary>
    /// <exception cref="ArgumentException">A non-positive size, negative padding, or channel counts not divisible by groups.</exception>
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
        : base(inChannels, outChannels, groups, [outChannels, Checked(inChannels, outChannels, kernelSize, stride, padding, dilation, groups), kernelSize], bias, dtype, generator)
    {
        (KernelSize, Stride, Padding, Dilation) = (kernelSize, stride, padding, dilation);
    }

    // Validates before the base constructor allocates the weight; returns C_in/groups.
    private static int Checked(int inChannels, int outChannels, int k, int s, int p, int d, int groups)
    {
        ConvCheck.Arguments("Conv1d", inChannels, outChannels, groups, k, k, s, s, p, p, d, d);
        return inChannels / groups;
    }

    /// <summary>Kernel length.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Zeros added on both ends.</summary>
    public int Padding { get; }

    /// <summary>Spacing between kernel taps.</summary>
    public int Dilation { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not [N, C_in, L] or [C_in, L], or is too short for the kernel.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank is not (2 or 3) || input.Size(-2) != InChannels)
            throw new ArgumentException($"Conv1d: expected input [N, {InChannels}, L] or [{InChannels}, L], got {LayerUtil.Shape(input)}.");
        return Functional.Conv1d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size=({KernelSize},), stride=({Stride},)" +
        (Padding != 0 ? $", padding=({Padding},)" : "") + (Dilation != 1 ? $", dilation=({Dilation},)" : "") +
        GroupsAndBiasRepr();
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
