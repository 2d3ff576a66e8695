namespace Polymath.NN;

/// <summary>
/// The base of the two-input losses (PyTorch's <c>_Loss</c>): <c>loss.Call(input, target)</c> returns a scalar tensor
/// (or per-element losses with <see cref="Reduction.None"/>). Class weights are registered as buffers, so they follow
/// <see cref="Module.To"/> and appear in the state dict as in PyTorch.
/// </summary>
public abstract class Loss : Module
{
    /// <summary>Stores the reduction.</summary>
    protected Loss(Reduction reduction) => Reduction = reduction;

    /// <summary>How per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>; see each subclass for shapes.</summary>
    public abstract Tensor Forward(Tensor input, Tensor target);

    /// <summary>PyTorch's <c>loss_fn(input, target)</c>: runs <see cref="Forward"/>.</summary>
    public Tensor Call(Tensor input, Tensor target) => Forward(input, target);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"reduction={Reduction.ToString().ToLowerInvariant()}";
}

/// <summary>Cross entropy on logits (<c>nn.CrossEntropyLoss</c>); see <see cref="Losses.CrossEntropy"/> for shapes.</summary>
public sealed class CrossEntropyLoss : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="weight">Optional per-class weight [C].</param>
    /// <param name="ignoreIndex">A class-index target value to skip.</param>
    /// <param name="reduction">Mean (default), Sum or None.</param>
    /// <param name="labelSmoothing">ε in [0, 1].</param>
    /// <exception cref="ArgumentException">ε outside [0, 1] or an unsupported reduction.</exception>
    public CrossEntropyLoss(Tensor? weight = null, long ignoreIndex = Losses.DefaultIgnoreIndex, Reduction reduction = Reduction.Mean, double labelSmoothing = 0)
        : base(reduction)
    {
        Losses.CheckReduction("CrossEntropyLoss", reduction);
        if (labelSmoothing is < 0 or > 1 || double.IsNaN(labelSmoothing))
            throw new ArgumentException($"CrossEntropyLoss: label_smoothing must be in [0, 1], got {labelSmoothing}.");
        if (weight is not null)
            RegisterBuffer("weight", weight);
        IgnoreIndex = ignoreIndex;
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>The per-class weight [C], or null.</summary>
    public Tensor? Weight => GetBuffer("weight");

    /// <summary>The skipped target value.</summary>
    public long IgnoreIndex { get; }

    /// <summary>The label smoothing ε.</summary>
    public double LabelSmoothing { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Losses.CrossEntropy(input, target, Weight, IgnoreIndex, Reduction, LabelSmoothing);
}

/// <summary>Negative log-likelihood on log-probabilities (<c>nn.NLLLoss</c>); see <see cref="Losses.Nll"/>.</summary>
public sealed class NLLLoss : Loss
{
    /// <summary>Creates the loss with an optional per-class weight [C] and ignored target value.</summary>
    public NLLLoss(Tensor? weight = null, long ignoreIndex = Losses.DefaultIgnoreIndex, Reduction reduction = Reduction.Mean) : base(reduction)
    {
        Losses.CheckReduction("NLLLoss", reduction);
        if (weight is not null)
            RegisterBuffer("weight", weight);
        IgnoreIndex = ignoreIndex;
    }

    /// <summary>The per-class weight [C], or null.</summary>
    public Tensor? Weight => GetBuffer("weight");

    /// <summary>The skipped target value.</summary>
    public long IgnoreIndex { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Losses.Nll(input, target, Weight, IgnoreIndex, Reduction);
}

/// <summary>Binary cross entropy on probabilities (<c>nn.BCELoss</c>); see <see cref="Losses.BinaryCrossEntropy"/>.</summary>
public sealed class BCELoss : Loss
{
    /// <summary>Creates the loss with an optional weight broadcastable to the input.</summary>
    public BCELoss(Tensor? weight = null, Reduction reduction = Reduction.Mean) : base(reduction)
    {
        Losses.CheckReduction("BCELoss", reduction);
        if (weight is not null)
            RegisterBuffer("weight", weight);
    }

    /// <summary>The rescaling weight, or null.</summary>
    public Tensor? Weight => GetBuffer("weight");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Losses.BinaryCrossEntropy(input, target, Weight, Reduction);
}

/// <summary>Sigmoid + binary cross entropy, numerically stable (<c>nn.BCEWithLogitsLoss</c>); see <see cref="Losses.BinaryCrossEntropyWithLogits"/>.</summary>
public sealed class BCEWithLogitsLoss : Loss
{
    /// <summary>Creates the loss with an optional weight and positive-class weight (both broadcastable to the input).</summary>
    public BCEWithLogitsLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? posWeight = null) : base(reduction)
    {
        Losses.CheckReduction("BCEWithLogitsLoss", reduction);
        if (weight is not null)
            RegisterBuffer("weight", weight);
        if (posWeight is not null)
            RegisterBuffer("pos_weight", posWeight);
    }

    /// <summary>The rescaling weight, or null.</summary>
    public Tensor? Weight => GetBuffer("weight");

    /// <summary>The positive-example weight, or null.</summary>
    public Tensor? PosWeight => GetBuffer("pos_weight");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Losses.BinaryCrossEntropyWithLogits(input, target, Weight, PosWeight, Reduction);
}

/// <summary>Mean squared error (<c>nn.MSELoss</c>); input and target of the same shape.</summary>
public sealed class MSELoss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Losses.Mse(input, target, Reduction);
}

/// <summary>Mean absolute error (<c>nn.L1Loss</c>); input and target of the same shape.</summary>
public sealed class L1Loss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Losses.L1(input, target, Reduction);
}

/// <summary>Smooth L1 with threshold β (<c>nn.SmoothL1Loss</c>); see <see cref="Losses.SmoothL1"/>.</summary>
public sealed class SmoothL1Loss(Reduction reduction = Reduction.Mean, double beta = 1.0) : Loss(reduction)
{
    /// <summary>The threshold β between the quadratic and linear pieces.</summary>
    public double Beta { get; } = beta;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Losses.SmoothL1(input, target, Reduction, Beta);
}

/// <summary>Huber loss with threshold δ (<c>nn.HuberLoss</c>); see <see cref="Losses.Huber"/>.</summary>
public sealed class HuberLoss(Reduction reduction = Reduction.Mean, double delta = 1.0) : Loss(reduction)
{
    /// <summary>The threshold δ between the quadratic and linear pieces.</summary>
    public double Delta { get; } = delta;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Losses.Huber(input, target, Reduction, Delta);
}

/// <summary>KL divergence with log-probability input (<c>nn.KLDivLoss</c>); see <see cref="Losses.KLDiv"/>. Accepts <see cref="Reduction.BatchMean"/>.</summary>
public sealed class KLDivLoss(Reduction reduction = Reduction.Mean, bool logTarget = false) : Loss(reduction)
{
    /// <summary>True when the target is given as log-probabilities.</summary>
    public bool LogTarget { get; } = logTarget;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Losses.KLDiv(input, target, Reduction, LogTarget);
}

/// <summary>
/// Cosine embedding loss (<c>nn.CosineEmbeddingLoss</c>), a three-input loss: <c>Call(x1, x2, y)</c>;
/// see <see cref="Losses.CosineEmbedding"/>.
/// </summary>
public sealed class CosineEmbeddingLoss : Module
{
    /// <summary>Creates the loss; <paramref name="margin"/> should lie in [−1, 1] (0 to 0.5 is typical).</summary>
    public CosineEmbeddingLoss(double margin = 0, Reduction reduction = Reduction.Mean)
    {
        Losses.CheckReduction("CosineEmbeddingLoss", reduction);
        Margin = margin;
        Reduction = reduction;
    }

    /// <summary>The margin applied to dissimilar pairs.</summary>
    public double Margin { get; }

    /// <summary>How per-pair losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>The loss of pairs (x1[n], x2[n]) labelled y[n] = 1 (similar) or −1 (dissimilar).</summary>
    public Tensor Forward(Tensor input1, Tensor input2, Tensor target) => Losses.CosineEmbedding(input1, input2, target, Margin, Reduction);

    /// <summary>PyTorch's <c>loss_fn(x1, x2, y)</c>.</summary>
    public Tensor Call(Tensor input1, Tensor input2, Tensor target) => Forward(input1, input2, target);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"margin={Margin}, reduction={Reduction.ToString().ToLowerInvariant()}";
}
