namespace Polymath.NN;

/// <summary>
/// Group normalisation (PyTorch's nn.GroupNorm): the C channels of input [N, C, *] are split into
/// <c>num_groups</c> groups and each (sample, group) is normalised over its channels and spatial positions with the
/// biased variance, then scaled and shifted per channel by weight [C] (ones) and bias [C] (zeros). Independent of
/// the batch size, and the same in training and evaluation.
/// </summary>
public sealed class GroupNorm : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    /// <exception cref="ArgumentException">Non-positive counts, channels not divisible by groups, or negative eps.</exception>
    public GroupNorm(int numGroups, int numChannels, double eps = 1e-5, bool affine = true, DType dtype = DType.Float32)
    {
        if (numGroups <= 0 || numChannels <= 0)
            throw new ArgumentException($"GroupNorm: num_groups and num_channels must be positive, got {numGroups} and {numChannels}.");
        if (numChannels % numGroups != 0)
            throw new ArgumentException($"GroupNorm: num_channels ({numChannels}) must be divisible by num_groups ({numGroups}).");
        if (!(eps >= 0))
            throw new ArgumentException($"GroupNorm: eps must be non-negative, got {eps}.");
        (NumGroups, NumChannels, Eps, Affine) = (numGroups, numChannels, eps, affine);
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones([numChannels], dtype));
            Bias = RegisterParameter("bias", Tensor.Zeros([numChannels], dtype));
        }
        else
        {
            RegisterNullParameter("weight");
            RegisterNullParameter("bias");
        }
    }

    /// <summary>Number of channel groups.</summary>
    public int NumGroups { get; }

    /// <summary>Channels expected in dim 1.</summary>
    public int NumChannels { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public double Eps { get; }

    /// <summary>Whether the layer has a learnable per-channel scale and shift.</summary>
    public bool Affine { get; }

    /// <summary>Per-channel scale [C], or null without affine.</summary>
    public Tensor? Weight { get; private set; }

    /// <summary>Per-channel shift [C], or null without affine.</summary>
    public Tensor? Bias { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not [N, C, *] with C = <see cref="NumChannels"/>.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank < 2 || input.Size(1) != NumChannels)
            throw new ArgumentException($"GroupNorm: expected input [N, {NumChannels}, *], got {LayerUtil.Shape(input)}.");
        var shape = input.Shape;
        var grouped = input.Reshape(shape[0], NumGroups, -1);
        var centered = grouped - grouped.Mean(-1, keepDim: true);
        var variance = centered.Square().Mean(-1, keepDim: true);
        var y = (centered * variance.Add(Eps).Rsqrt()).Reshape(shape);
        var channelShape = Enumerable.Range(0, shape.Length).Select(d => d == 1 ? NumChannels : 1).ToArray();
        if (Weight is not null) y = y * Weight.View(channelShape);
        if (Bias is not null) y = y + Bias.View(channelShape);
        return y;
    }

    /// <inheritdoc/>
    protected override void OnParameterReplaced(string name, Tensor value)
    {
        if (name == "weight") Weight = value;
        else if (name == "bias") Bias = value;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{NumGroups}, {NumChannels}, eps={LayerUtil.Num(Eps)}, affine={LayerUtil.Bool(Affine)}";
}
