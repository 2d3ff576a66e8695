namespace Polymath.NN;

/// <summary>
/// The shared core of <see cref="BatchNorm1d"/> and <see cref="BatchNorm2d"/> (PyTorch's _BatchNorm): normalises each
/// channel (dim 1) over the batch and every other dim, y = (x − mean) / √(var + eps) · weight + bias.
/// In training (or without running statistics) it uses the batch's mean and biased variance and, when tracking,
/// updates running_mean and running_var with the batch mean and unbiased variance:
/// running = (1 − momentum)·running + momentum·batch (momentum null: a cumulative average, 1/num_batches_tracked).
/// In evaluation mode with running statistics it normalises with them. weight starts at ones, bias at zeros,
/// running_mean at zeros, running_var at ones, num_batches_tracked (int64, shape []) at zero — PyTorch's names, so
/// state dicts load either way.
/// </summary>
public abstract class BatchNorm : Module<Tensor, Tensor>
{
    /// <summary>Creates the parameters and buffers for <paramref name="numFeatures"/> channels.</summary>
    /// <exception cref="ArgumentException">A non-positive feature count, negative eps, or momentum outside [0, 1].</exception>
    protected BatchNorm(int numFeatures, double eps, double? momentum, bool affine, bool trackRunningStats, DType dtype)
    {
        if (numFeatures <= 0)
            throw new ArgumentException($"{TypeName}: num_features must be positive, got {numFeatures}.");
        if (!(eps >= 0))
            throw new ArgumentException($"{TypeName}: eps must be non-negative, got {eps}.");
        if (momentum is double m && !(m is >= 0 and <= 1))
            throw new ArgumentException($"{TypeName}: momentum must be in [0, 1] (or null for a cumulative average), got {m}.");
        (NumFeatures, Eps, Momentum, Affine, TrackRunningStats) = (numFeatures, eps, momentum, affine, trackRunningStats);
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones([numFeatures], dtype));
            Bias = RegisterParameter("bias", Tensor.Zeros([numFeatures], dtype));
        }
        else
        {
            RegisterNullParameter("weight");
            RegisterNullParameter("bias");
        }
        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Tensor.Zeros([numFeatures], dtype));
            RunningVar = RegisterBuffer("running_var", Tensor.Ones([numFeatures], dtype));
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Zeros([], DType.Int64));
        }
    }

    /// <summary>Channels (the size of dim 1 of the input).</summary>
    public int NumFeatures { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public double Eps { get; }

    /// <summary>Weight of the newest batch in the running statistics; null for a cumulative average.</summary>
    public double? Momentum { get; }

    /// <summary>Whether the layer has a learnable per-channel scale and shift.</summary>
    public bool Affine { get; }

    /// <summary>Whether running statistics are kept (and used in evaluation mode).</summary>
    public bool TrackRunningStats { get; }

    /// <summary>Per-channel scale [C], or null without affine.</summary>
    public Tensor? Weight { get; private set; }

    /// <summary>Per-channel shift [C], or null without affine.</summary>
    public Tensor? Bias { get; private set; }

    /// <summary>Running mean [C], or null without running statistics.</summary>
    public Tensor? RunningMean { get; private set; }

    /// <summary>Running (unbiased) variance [C], or null without running statistics.</summary>
    public Tensor? RunningVar { get; private set; }

    /// <summary>Training batches seen (int64 scalar), or null without running statistics.</summary>
    public Tensor? NumBatchesTracked { get; private set; }

    /// <summary>Resets the running statistics to mean 0, variance 1 and zero batches.</summary>
    public void ResetRunningStats()
    {
        using (Tensor.NoGrad())
        {
            RunningMean?.ZeroInPlace();
            RunningVar?.FillInPlace(1);
            NumBatchesTracked?.ZeroInPlace();
        }
    }

    /// <summary>Throws when <paramref name="input"/> has the wrong rank for this layer.</summary>
    protected abstract void CheckInputRank(Tensor input);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Wrong rank, dim 1 not <see cref="NumFeatures"/>, or a single value per channel while using batch statistics.</exception>
    public override Tensor Forward(Tensor input)
    {
        CheckInputRank(input);
        if (input.Size(1) != NumFeatures)
            throw new ArgumentException($"{TypeName}: expected {NumFeatures} channels in dim 1, got input {LayerUtil.Shape(input)}.");
        int rank = input.Rank;
        var dims = Enumerable.Range(0, rank).Where(d => d != 1).ToArray();
        var channelShape = Enumerable.Range(0, rank).Select(d => d == 1 ? NumFeatures : 1).ToArray();
        Tensor y;
        if (Training || RunningMean is null)
        {
            long count = input.Numel / NumFeatures;
            if (count <= 1)
                throw new ArgumentException($"{TypeName}: expected more than 1 value per channel when using batch statistics, got input {LayerUtil.Shape(input)}.");
            var centered = input - input.Mean(dims, keepDim: true);
            var variance = centered.Square().Mean(dims, keepDim: true);
            if (Training && RunningMean is not null)
                UpdateRunningStats(input, variance, count);
            y = centered * variance.Add(Eps).Rsqrt();
        }
        else
        {
            y = (input - RunningMean.View(channelShape)) * RunningVar!.View(channelShape).Add(Eps).Rsqrt();
        }
        if (Weight is not null) y = y * Weight.View(channelShape);
        if (Bias is not null) y = y + Bias.View(channelShape);
        return y;
    }

    private void UpdateRunningStats(Tensor input, Tensor biasedVariance, long count)
    {
        using (Tensor.NoGrad())
        {
            NumBatchesTracked!.AddInPlace(1);
            double factor = Momentum ?? 1.0 / NumBatchesTracked.Item();
            var dims = Enumerable.Range(0, input.Rank).Where(d => d != 1).ToArray();
            var mean = input.Detach().Mean(dims).To(RunningMean!.DType);
            var unbiased = biasedVariance.Detach().Reshape(NumFeatures).Mul((double)count / (count - 1)).To(RunningVar!.DType);
            RunningMean.MulInPlace(1 - factor).AddInPlace(mean, factor);
            RunningVar.MulInPlace(1 - factor).AddInPlace(unbiased, factor);
        }
    }

    /// <inheritdoc/>
    protected override void OnParameterReplaced(string name, Tensor value)
    {
        if (name == "weight") Weight = value;
        else if (name == "bias") Bias = value;
    }

    /// <inheritdoc/>
    protected override void OnBufferReplaced(string name, Tensor value)
    {
        if (name == "running_mean") RunningMean = value;
        else if (name == "running_var") RunningVar = value;
        else if (name == "num_batches_tracked") NumBatchesTracked = value;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"{NumFeatures}, eps={LayerUtil.Num(Eps)}, momentum={(Momentum is double m ? LayerUtil.Num(m) : "None")}, affine={LayerUtil.Bool(Affine)}, track_running_stats={LayerUtil.Bool(TrackRunningStats)}";
}

/// <summary>Batch normalisation of [N, C] or [N, C, L] input per channel C (PyTorch's nn.BatchNorm1d); see <see cref="BatchNorm"/>.</summary>
public sealed class BatchNorm1d : BatchNorm
{
    /// <summary>Creates the layer for <paramref name="numFeatures"/> channels.</summary>
    /// <exception cref="ArgumentException">A non-positive feature count, negative eps, or momentum outside [0, 1].</exception>
    public BatchNorm1d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true, DType dtype = DType.Float32)
        : base(numFeatures, eps, momentum, affine, trackRunningStats, dtype)
    {
    }

    /// <inheritdoc/>
    protected override void CheckInputRank(Tensor input)
    {
        if (input.Rank is not (2 or 3))
            throw new ArgumentException($"BatchNorm1d: expected 2-D [N, C] or 3-D [N, C, L] input, got {LayerUtil.Shape(input)}.");
    }
}

/// <summary>Batch normalisation of [N, C, H, W] input per channel C (PyTorch's nn.BatchNorm2d); see <see cref="BatchNorm"/>.</summary>
public sealed class BatchNorm2d : BatchNorm
{
    /// <summary>Creates the layer for <paramref name="numFeatures"/> channels.</summary>
    /// <exception cref="ArgumentException">A non-positive feature count, negative eps, or momentum outside [0, 1].</exception>
    public BatchNorm2d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true, DType dtype = DType.Float32)
        : base(numFeatures, eps, momentum, affine, trackRunningStats, dtype)
    {
    }

    /// <inheritdoc/>
    protected override void CheckInputRank(Tensor input)
    {
        if (input.Rank != 4)
            throw new ArgumentException($"BatchNorm2d: expected 4-D [N, C, H, W] input, got {LayerUtil.Shape(input)}.");
    }
}
