namespace Polymath.NN;

/// <summary>
/// The loss functions in functional form (PyTorch's <c>torch.nn.functional.*_loss</c>), composed from tensor ops so
/// autograd differentiates them. Each validates its shapes and names itself in errors. The module forms
/// (<see cref="CrossEntropyLoss"/>, <see cref="MSELoss"/>, …) hold the options and call these.
/// </summary>
public static class Losses
{
    /// <summary>PyTorch's default <c>ignore_index</c>: a target value that contributes nothing.</summary>
    public const long DefaultIgnoreIndex = -100;

    // PyTorch clamps log(x) and log(1 - x) at -100 in binary_cross_entropy so a saturated input gives a finite loss.
    private const double BceLogFloor = -100;

    // PyTorch's cosine_embedding_loss adds this to each squared magnitude so zero vectors do not divide by zero.
    private const double CosineEpsilon = 1e-12;

    /// <summary>
    /// Cross entropy between logits and targets (<c>F.cross_entropy</c>): log-softmax over the class dim followed by
    /// the negative log-likelihood, computed stably. <paramref name="input"/> is [N, C] or [N, C, d1, ...] (or [C]
    /// unbatched). <paramref name="target"/> is either int64 class indices of shape [N] / [N, d1, ...] (values in
    /// [0, C) or <paramref name="ignoreIndex"/>), or floating class probabilities of the input's shape.
    /// </summary>
    /// <param name="input">Unnormalised scores (logits).</param>
    /// <param name="target">Class indices (int64) or probabilities (same shape and floating type as input).</param>
    /// <param name="weight">Optional per-class weight [C]; with class-index targets and <see cref="Reduction.Mean"/>
    /// the mean is weighted (divided by the sum of the targets' weights), as in PyTorch.</param>
    /// <param name="ignoreIndex">A class-index target value that is skipped (contributes 0 and is left out of the mean).</param>
    /// <param name="reduction">Mean (default), Sum or None (the loss per sample, shape [N, d1, ...]).</param>
    /// <param name="labelSmoothing">ε in [0, 1]: the target becomes (1 − ε)·onehot + ε/C.</param>
    /// <exception cref="ArgumentException">Shapes or dtypes do not fit, a target is out of range, ε is outside [0, 1].</exception>
    public static Tensor CrossEntropy(Tensor input, Tensor target, Tensor? weight = null, long ignoreIndex = DefaultIgnoreIndex,
        Reduction reduction = Reduction.Mean, double labelSmoothing = 0)
    {
        const string op = "cross_entropy";
        CheckReduction(op, reduction);
        if (labelSmoothing is < 0 or > 1 || double.IsNaN(labelSmoothing))
            throw new ArgumentException($"{op}: label_smoothing must be in [0, 1], got {labelSmoothing}.");
        if (!input.DType.IsFloatingPoint())
            throw new ArgumentException($"{op}: input must be floating point, got {input.DType.Name()}.");
        if (input.DType.IsLowPrecision())
            input = input.To(DType.Float32); // losses run in float32 (the autocast policy), whatever the logits' dtype
        if (input.Rank == 1)
        {
            // Unbatched: [C] with a scalar class index or [C] probabilities.
            var r = CrossEntropy(input.Unsqueeze(0), target.Unsqueeze(0), weight, ignoreIndex, reduction, labelSmoothing);
            return reduction == Reduction.None ? r.Squeeze(0) : r;
        }
        if (input.Rank == 0)
            throw new ArgumentException($"{op}: input must be [C], [N, C] or [N, C, d1, ...], got a scalar.");
        int classes = input.Size(1);
        CheckClassWeight(op, weight, classes, input);
        var logp = input.LogSoftmax(1);

        if (target.DType.IsFloatingPoint())
        {
            if (!input.Shape.SequenceEqual(target.Shape))
                throw new ArgumentException($"{op}: probability targets must have the input's shape {Fmt(input)}, got {Fmt(target)}.");
            var probs = labelSmoothing > 0 ? target * (1 - labelSmoothing) + labelSmoothing / classes : target;
            var prod = logp * probs;
            if (weight is not null)
                prod = prod * ClassView(weight, input.Rank);
            return reduction switch
            {
                Reduction.None => prod.Sum(1).Neg(),
                Reduction.Sum => prod.Sum().Neg(),
                _ => prod.Sum().Neg().Div(input.Numel / Math.Max(classes, 1)),
            };
        }

        var targets = ReadClassTargets(op, input, target, classes, ignoreIndex);
        var nll = NllCore(logp, target, targets, weight, reduction);
        if (labelSmoothing == 0)
            return nll;

        // PyTorch's smoothing term: -Σ_c w_c log p_c per sample, zero where ignored, normalised like the NLL term.
        var smooth = (weight is null ? logp : logp * ClassView(weight, input.Rank)).Sum(1).Neg();
        if (targets.AnyIgnored)
            smooth = smooth * targets.KeepMask(logp.DType);
        Tensor smoothReduced = reduction switch
        {
            Reduction.None => smooth,
            Reduction.Sum => smooth.Sum(),
            _ => weight is null ? smooth.Sum().Div(targets.Kept) : smooth.Sum() / targets.WeightOfKept(weight),
        };
        return nll * (1 - labelSmoothing) + smoothReduced * (labelSmoothing / classes);
    }

    /// <summary>
    /// Negative log-likelihood (<c>F.nll_loss</c>): −input[n, target[n]] (times the class weight), for log-probabilities
    /// <paramref name="input"/> [N, C] / [N, C, d1, ...] / [C] and int64 class targets [N] / [N, d1, ...] / [].
    /// </summary>
    /// <param name="input">Log-probabilities (e.g. from <c>LogSoftmax(1)</c>).</param>
    /// <param name="target">Class indices in [0, C), or <paramref name="ignoreIndex"/>.</param>
    /// <param name="weight">Optional per-class weight [C]; the mean is then divided by the sum of the targets' weights.</param>
    /// <param name="ignoreIndex">A target value that is skipped.</param>
    /// <param name="reduction">Mean (default), Sum or None.</param>
    /// <exception cref="ArgumentException">Shapes or dtypes do not fit, or a target is out of range.</exception>
    public static Tensor Nll(Tensor input, Tensor target, Tensor? weight = null, long ignoreIndex = DefaultIgnoreIndex, Reduction reduction = Reduction.Mean)
    {
        const string op = "nll_loss";
        CheckReduction(op, reduction);
        if (!input.DType.IsFloatingPoint())
            throw new ArgumentException($"{op}: input must be floating point, got {input.DType.Name()}.");
        if (input.DType.IsLowPrecision())
            input = input.To(DType.Float32); // losses run in float32 (the autocast policy), whatever the logits' dtype
        if (input.Rank == 1)
        {
            var r = Nll(input.Unsqueeze(0), target.Unsqueeze(0), weight, ignoreIndex, reduction);
            return reduction == Reduction.None ? r.Squeeze(0) : r;
        }
        if (input.Rank == 0)
            throw new ArgumentException($"{op}: input must be [C], [N, C] or [N, C, d1, ...], got a scalar.");
        int classes = input.Size(1);
        CheckClassWeight(op, weight, classes, input);
        var targets = ReadClassTargets(op, input, target, classes, ignoreIndex);
        return NllCore(input, target, targets, weight, reduction);
    }

    /// <summary>
    /// Binary cross entropy on probabilities (<c>F.binary_cross_entropy</c>): −w·(t·log x + (1 − t)·log(1 − x)), with
    /// each log clamped at −100 as PyTorch does. Prefer <see cref="BinaryCrossEntropyWithLogits"/>, which is stable.
    /// </summary>
    /// <param name="input">Probabilities in [0, 1], any shape.</param>
    /// <param name="target">Same shape as input, values in [0, 1].</param>
    /// <param name="weight">Optional rescaling weight broadcastable to the input.</param>
    /// <param name="reduction">Mean (default), Sum or None.</param>
    /// <exception cref="ArgumentException">Shapes differ, or an input value is outside [0, 1].</exception>
    public static Tensor BinaryCrossEntropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean)
    {
        const string op = "binary_cross_entropy";
        CheckReduction(op, reduction);
        CheckSameShape(op, input, target);
        using (Tensor.NoGrad())
            if (input.Lt(0).Any() || input.Gt(1).Any())
                throw new ArgumentException($"{op}: all elements of input should be between 0 and 1 (input {Fmt(input)}).");
        var loss = (target * input.Log().Clamp(min: BceLogFloor) + (1 - target) * (1 - input).Log().Clamp(min: BceLogFloor)).Neg();
        if (weight is not null)
            loss = loss * weight;
        return Reduce(op, loss, reduction);
    }

    /// <summary>
    /// Binary cross entropy on logits (<c>F.binary_cross_entropy_with_logits</c>): sigmoid and BCE in one numerically
    /// stable expression, (1 − t)·x + l·log(1 + e^(−x)) with l = 1 + (pos_weight − 1)·t, evaluated with the max trick
    /// so large |x| neither overflows nor loses the gradient.
    /// </summary>
    /// <param name="input">Logits, any shape.</param>
    /// <param name="target">Same shape as input, values in [0, 1].</param>
    /// <param name="weight">Optional rescaling weight broadcastable to the input.</param>
    /// <param name="posWeight">Optional weight of positive examples, broadcastable to the input (e.g. [C] for the last dim).</param>
    /// <param name="reduction">Mean (default), Sum or None.</param>
    /// <exception cref="ArgumentException">Shapes differ.</exception>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor? weight = null, Tensor? posWeight = null, Reduction reduction = Reduction.Mean)
    {
        const string op = "binary_cross_entropy_with_logits";
        CheckReduction(op, reduction);
        CheckSameShape(op, input, target);
        // log(1 + e^(-x)) = m + log(e^(-m) + e^(-x-m)) with m = max(-x, 0): both exponents are ≤ 0.
        var maxVal = input.Neg().Clamp(min: 0);
        var softplusNegX = (maxVal.Neg().Exp() + (input.Neg() - maxVal).Exp()).Log() + maxVal;
        var logWeight = posWeight is null ? null : (posWeight - 1) * target + 1;
        var loss = (1 - target) * input + (logWeight is null ? softplusNegX : logWeight * softplusNegX);
        if (weight is not null)
            loss = loss * weight;
        return Reduce(op, loss, reduction);
    }

    /// <summary>Mean squared error (<c>F.mse_loss</c>): (x − y)², reduced.</summary>
    /// <exception cref="ArgumentException">Shapes differ.</exception>
    public static Tensor Mse(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        CheckReduction("mse_loss", reduction);
        CheckSameShape("mse_loss", input, target);
        if (input.DType.IsLowPrecision())
            input = input.To(DType.Float32);
        return Reduce("mse_loss", (input - target).Square(), reduction);
    }

    /// <summary>Mean absolute error (<c>F.l1_loss</c>): |x − y|, reduced.</summary>
    /// <exception cref="ArgumentException">Shapes differ.</exception>
    public static Tensor L1(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        CheckReduction("l1_loss", reduction);
        CheckSameShape("l1_loss", input, target);
        return Reduce("l1_loss", (input - target).Abs(), reduction);
    }

    /// <summary>
    /// Smooth L1 (<c>F.smooth_l1_loss</c>): with z = |x − y|, 0.5·z²/β where z &lt; β, else z − 0.5·β. β = 0 is L1.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes differ or β is negative.</exception>
    public static Tensor SmoothL1(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0)
    {
        const string op = "smooth_l1_loss";
        CheckReduction(op, reduction);
        CheckSameShape(op, input, target);
        if (beta < 0 || double.IsNaN(beta))
            throw new ArgumentException($"{op}: beta must be non-negative, got {beta}.");
        var diff = input - target;
        var z = diff.Abs();
        if (beta == 0)
            return Reduce(op, z, reduction);
        return Reduce(op, Tensor.Where(z.Lt(beta), diff.Square() * (0.5 / beta), z - 0.5 * beta), reduction);
    }

    /// <summary>
    /// Huber loss (<c>F.huber_loss</c>): with z = |x − y|, 0.5·z² where z &lt; δ, else δ·(z − 0.5·δ)
    /// (Smooth L1 scaled by δ).
    /// </summary>
    /// <exception cref="ArgumentException">Shapes differ or δ is not positive.</exception>
    public static Tensor Huber(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double delta = 1.0)
    {
        const string op = "huber_loss";
        CheckReduction(op, reduction);
        CheckSameShape(op, input, target);
        if (!(delta > 0))
            throw new ArgumentException($"{op}: delta must be positive, got {delta}.");
        var diff = input - target;
        var z = diff.Abs();
        return Reduce(op, Tensor.Where(z.Lt(delta), diff.Square() * 0.5, (z - 0.5 * delta) * delta), reduction);
    }

    /// <summary>
    /// Kullback–Leibler divergence (<c>F.kl_div</c>) with <paramref name="input"/> as log-probabilities:
    /// t·(log t − x) per element (0 where t = 0), or e^t·(t − x) with <paramref name="logTarget"/>.
    /// <see cref="Reduction.BatchMean"/> (sum / batch size) is the mathematically correct KL; <see cref="Reduction.Mean"/>
    /// averages over every element, as PyTorch's default does.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes differ.</exception>
    public static Tensor KLDiv(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, bool logTarget = false)
    {
        const string op = "kl_div";
        CheckSameShape(op, input, target);
        var loss = logTarget
            ? target.Exp() * (target - input)
            : target * Tensor.Where(target.Ne(0), target, 1.0).Log() - target * input; // xlogy(t, t) − t·x
        if (reduction == Reduction.BatchMean)
            return input.Rank == 0 ? loss.Sum() : loss.Sum().Div(input.Size(0));
        return Reduce(op, loss, reduction);
    }

    /// <summary>
    /// Cosine embedding loss (<c>F.cosine_embedding_loss</c>): 1 − cos(x1, x2) where y = 1 and max(0, cos − margin)
    /// where y = −1, with cos over the last dim. <paramref name="input1"/> and <paramref name="input2"/> are [N, D]
    /// (or [D]); <paramref name="target"/> is [N] (or []) of ±1.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes do not fit.</exception>
    public static Tensor CosineEmbedding(Tensor input1, Tensor input2, Tensor target, double margin = 0, Reduction reduction = Reduction.Mean)
    {
        const string op = "cosine_embedding_loss";
        CheckReduction(op, reduction);
        if (input1.Rank is not (1 or 2) || !input1.Shape.SequenceEqual(input2.Shape))
            throw new ArgumentException($"{op}: inputs must both be [N, D] or [D] of the same shape, got {Fmt(input1)} and {Fmt(input2)}.");
        if (!target.Shape.SequenceEqual(input1.Shape[..^1]))
            throw new ArgumentException($"{op}: target must be [{string.Join(",", input1.Shape[..^1])}] for inputs {Fmt(input1)}, got {Fmt(target)}.");
        int dim = input1.Rank - 1;
        var prodSum = (input1 * input2).Sum(dim);
        var mag1 = (input1 * input1).Sum(dim) + CosineEpsilon;
        var mag2 = (input2 * input2).Sum(dim) + CosineEpsilon;
        var cos = prodSum / (mag1 * mag2).Sqrt();
        var pos = Tensor.Where(target.Eq(1), 1 - cos, 0.0);
        var neg = Tensor.Where(target.Eq(-1), (cos - margin).Clamp(min: 0), 0.0);
        return Reduce(op, pos + neg, reduction);
    }

    // ---- shared pieces ----

    // The class-index targets, read once: validated, with ignored positions noted.
    private sealed class ClassTargets(long[] safe, bool[]? ignored, int kept, int[] shape)
    {
        public readonly long[] Safe = safe;      // ignored positions replaced by class 0, so gathers stay in range
        public readonly bool[]? Ignored = ignored;
        public readonly int Kept = kept;
        public readonly int[] Shape = shape;

        public bool AnyIgnored => Ignored is not null;

        public Tensor KeepMask(DType dtype)
        {
            var mask = new double[Safe.Length];
            for (int i = 0; i < mask.Length; i++)
                mask[i] = Ignored![i] ? 0 : 1;
            return Constant(mask, Shape, dtype);
        }

        // Σ weight[target] over the kept positions (the denominator of a weighted mean), differentiable in the weight.
        public Tensor WeightOfKept(Tensor weight)
        {
            var w = weight.IndexSelect(0, Tensor.From(Safe));
            return AnyIgnored ? (w * KeepMask(weight.DType).Reshape(-1)).Sum() : w.Sum();
        }
    }

    private static ClassTargets ReadClassTargets(string op, Tensor input, Tensor target, int classes, long ignoreIndex)
    {
        if (target.DType != DType.Int64)
            throw new ArgumentException($"{op}: class-index targets must be int64, got {target.DType.Name()} (floating targets are class probabilities and need the input's shape).");
        var expected = input.Shape.Where((_, i) => i != 1).ToArray();
        if (!target.Shape.SequenceEqual(expected))
            throw new ArgumentException($"{op}: target must be [{string.Join(",", expected)}] for input {Fmt(input)}, got {Fmt(target)}.");
        var t = target.ToArray<long>();
        bool[]? ignored = null;
        int kept = t.Length;
        for (int i = 0; i < t.Length; i++)
        {
            long v = t[i];
            if (v == ignoreIndex)
            {
                ignored ??= new bool[t.Length];
                ignored[i] = true;
                t[i] = 0;
                kept--;
            }
            else if (v < 0 || v >= classes)
                throw new ArgumentException($"{op}: target {v} at position {i} is out of range for {classes} classes (input {Fmt(input)}, ignore_index {ignoreIndex}).");
        }
        return new ClassTargets(t, ignored, kept, expected);
    }

    // −logp[n, t[n], ...] weighted, then reduced; the weighted mean divides by the kept targets' total weight.
    private static Tensor NllCore(Tensor logp, Tensor target, ClassTargets targets, Tensor? weight, Reduction reduction)
    {
        var index = Tensor.From(targets.Safe, targets.Shape).Unsqueeze(1);
        var picked = logp.Gather(1, index).Squeeze(1);
        if (weight is null && !targets.AnyIgnored)
        {
            // The common training case: no per-sample weights at all.
            return reduction switch
            {
                Reduction.None => picked.Neg(),
                Reduction.Sum => picked.Sum().Neg(),
                _ => picked.Sum().Neg().Div(picked.Numel), // 0/0 = NaN for an empty batch, as PyTorch
            };
        }
        Tensor sampleWeight = weight is null
            ? targets.KeepMask(logp.DType)
            : weight.IndexSelect(0, Tensor.From(targets.Safe)).Reshape(targets.Shape);
        if (weight is not null && targets.AnyIgnored)
            sampleWeight = sampleWeight * targets.KeepMask(logp.DType);
        var losses = (picked * sampleWeight).Neg();
        return reduction switch
        {
            Reduction.None => losses,
            Reduction.Sum => losses.Sum(),
            _ => weight is null ? losses.Sum().Div(targets.Kept) : losses.Sum() / sampleWeight.Sum(),
        };
    }

    private static void CheckClassWeight(string op, Tensor? weight, int classes, Tensor input)
    {
        if (weight is not null && (weight.Rank != 1 || weight.Size(0) != classes))
            throw new ArgumentException($"{op}: weight must be [{classes}] (one per class of input {Fmt(input)}), got {Fmt(weight)}.");
    }

    // weight [C] viewed as [1, C, 1, ...] to broadcast along the class dim of a rank-`rank` input.
    private static Tensor ClassView(Tensor weight, int rank)
    {
        var shape = Enumerable.Repeat(1, rank).ToArray();
        shape[1] = weight.Size(0);
        return weight.Reshape(shape);
    }

    private static Tensor Constant(double[] values, int[] shape, DType dtype) =>
        dtype == DType.Float64 ? Tensor.From(values, shape) : Tensor.From(values.Select(v => (float)v).ToArray(), shape);

    internal static void CheckReduction(string op, Reduction reduction)
    {
        if (reduction == Reduction.BatchMean)
            throw new ArgumentException($"{op}: reduction BatchMean is only supported by kl_div; use Mean, Sum or None.");
        if (!Enum.IsDefined(reduction))
            throw new ArgumentException($"{op}: unknown reduction {(int)reduction}.");
    }

    private static void CheckSameShape(string op, Tensor input, Tensor target)
    {
        if (!input.Shape.SequenceEqual(target.Shape))
            throw new ArgumentException($"{op}: input {Fmt(input)} and target {Fmt(target)} must have the same shape.");
    }

    private static Tensor Reduce(string op, Tensor loss, Reduction reduction) => reduction switch
    {
        Reduction.None => loss,
        Reduction.Sum => loss.Sum(),
        Reduction.Mean => loss.Mean(),
        _ => throw new ArgumentException($"{op}: unsupported reduction {reduction}."),
    };

    internal static string Fmt(Tensor t) => "[" + string.Join(",", t.Shape) + "]";
}
