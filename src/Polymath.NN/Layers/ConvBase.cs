namespace Polymath.NN;

/// <summary>
/// What the convolution layers share (PyTorch's _ConvNd): channel counts, groups, the weight and optional bias with
/// PyTorch's default initialisation (weight kaiming_uniform with a = √5, bias U(±1/√fan_in)), and the fields that
/// follow the registered parameters when they are replaced.
/// </summary>
public abstract class ConvBase : Module<Tensor, Tensor>
{
    /// <summary>Registers the weight of <paramref name="weightShape"/> and, when <paramref name="bias"/>, a bias of <paramref name="outChannels"/>.</summary>
    private protected ConvBase(int inChannels, int outChannels, int groups, int[] weightShape, bool bias, DType dtype, Generator? generator)
    {
        (InChannels, OutChannels, Groups) = (inChannels, outChannels, groups);
        Weight = RegisterParameter("weight", Init.KaimingUniform(Tensor.Zeros(weightShape, dtype), a: Math.Sqrt(5), generator: generator));
        if (bias)
            Bias = RegisterParameter("bias", LayerUtil.InitBias(Tensor.Zeros([outChannels], dtype), Weight, generator));
        else
            RegisterNullParameter("bias");
    }

    /// <summary>Channels expected in the input.</summary>
    public int InChannels { get; }

    /// <summary>Channels produced.</summary>
    public int OutChannels { get; }

    /// <summary>Number of blocked connections from input to output channels.</summary>
    public int Groups { get; }

    /// <summary>The kernel: [C_out, C_in/groups, k…] for a convolution, [C_in, C_out/groups, k…] for a transposed one.</summary>
    public Tensor Weight { get; private set; }

    /// <summary>[C_out], or null without bias.</summary>
    public Tensor? Bias { get; private set; }

    /// <inheritdoc/>
    protected override void OnParameterReplaced(string name, Tensor value)
    {
        if (name == "weight") Weight = value;
        else if (name == "bias") Bias = value;
    }

    /// <summary>The ", groups=…, bias=False" tail of the printed form, as PyTorch shows it.</summary>
    private protected string GroupsAndBiasRepr() => (Groups != 1 ? $", groups={Groups}" : "") + (Bias is null ? ", bias=False" : "");
}
