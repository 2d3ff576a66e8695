namespace Polymath.Training.Continual;

/// <summary>
/// Elastic weight consolidation (Kirkpatrick et al. 2017) in its online form (Schwarz et al. 2018, "Progress &amp;
/// Compress"): after each task the diagonal empirical Fisher F_t of that task is estimated at the trained weights θ*_t,
/// the running importance becomes F ← γ F + F_t and the anchor becomes θ*_t; while later tasks train, the loss gains
/// the quadratic penalty (λ/2) Σ_k F_k (θ_k − θ*_k)². With γ = 1 the importances add up, which is the Laplace
/// recursion for the posterior (Huszár 2018) and costs one Fisher and one anchor, however many tasks have passed.
/// </summary>
public sealed class EwcStrategy : ContinualStrategy
{
    private Tensor[]? _fisher;
    private Tensor[]? _anchor;

    /// <summary>Creates the strategy.</summary>
    /// <param name="lambda">Penalty strength λ (≥ 0).</param>
    /// <param name="gamma">Decay γ of the accumulated Fisher, in [0, 1] (1: plain sum over tasks).</param>
    /// <param name="fisherSamples">Training examples of each finished task used for its Fisher (a seeded random subset).</param>
    /// <param name="estimator">Per-example or per-batch squared gradients.</param>
    /// <param name="fisherBatchSize">Batch size of the per-batch estimator.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public EwcStrategy(double lambda, double gamma = 1.0, int fisherSamples = 1000, FisherEstimator estimator = FisherEstimator.PerSample, int fisherBatchSize = 64)
    {
        if (!(lambda >= 0) || double.IsInfinity(lambda))
            throw new ArgumentOutOfRangeException(nameof(lambda), $"EWC: lambda must be a finite number >= 0, got {lambda}.");
        if (!(gamma is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(gamma), $"EWC: gamma must be in [0, 1], got {gamma}.");
        ArgumentOutOfRangeException.ThrowIfLessThan(fisherSamples, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fisherBatchSize, 1);
        Lambda = lambda;
        Gamma = gamma;
        FisherSamples = fisherSamples;
        Estimator = estimator;
        FisherBatchSize = fisherBatchSize;
    }

    /// <inheritdoc/>
    public override string Name => "ewc";

    /// <summary>Penalty strength λ.</summary>
    public double Lambda { get; }

    /// <summary>Decay γ of the accumulated Fisher.</summary>
    public double Gamma { get; }

    /// <summary>Examples per task for the Fisher estimate.</summary>
    public int FisherSamples { get; }

    /// <summary>The Fisher estimator.</summary>
    public FisherEstimator Estimator { get; }

    /// <summary>Batch size of the per-batch estimator.</summary>
    public int FisherBatchSize { get; }

    /// <summary>The accumulated diagonal Fisher, one tensor per model parameter (null before the first task ends).</summary>
    public IReadOnlyList<Tensor>? Fisher => _fisher;

    /// <summary>The anchor weights θ* (null before the first task ends).</summary>
    public IReadOnlyList<Tensor>? Anchor => _anchor;

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, object?> Settings => new Dictionary<string, object?>
    {
        ["lambda"] = Lambda, ["gamma"] = Gamma, ["fisher_samples"] = FisherSamples,
        ["fisher_estimator"] = Estimator == FisherEstimator.PerSample ? "per-sample" : "per-batch", ["fisher_batch_size"] = FisherBatchSize,
    };

    /// <summary>
    /// Sets the importances and anchor directly (one tensor per model parameter, same shapes); <see cref="AfterTask"/>
    /// does this from data.
    /// </summary>
    /// <exception cref="ArgumentException">Counts or shapes differ.</exception>
    public void Consolidate(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> fisher)
    {
        if (parameters.Count != fisher.Count)
            throw new ArgumentException($"EWC: {parameters.Count} parameters but {fisher.Count} Fisher tensors.");
        for (int k = 0; k < parameters.Count; k++)
            if (!parameters[k].Shape.SequenceEqual(fisher[k].Shape))
                throw new ArgumentException($"EWC: parameter {k} has shape [{string.Join(",", parameters[k].Shape)}] but its Fisher has [{string.Join(",", fisher[k].Shape)}].");
        using (Tensor.NoGrad())
        {
            if (_fisher is null)
                _fisher = fisher.Select(f => f.Detach().Clone()).ToArray();
            else
            {
                if (_fisher.Length != fisher.Count)
                    throw new ArgumentException($"EWC: the model had {_fisher.Length} parameters at the last task, now {fisher.Count}.");
                for (int k = 0; k < _fisher.Length; k++)
                    _fisher[k] = (_fisher[k] * Gamma + fisher[k].Detach()).Contiguous();
            }
            _anchor = parameters.Select(p => p.Detach().Clone()).ToArray();
        }
    }

    /// <summary>
    /// The penalty (λ/2) Σ_k F_k (θ_k − θ*_k)² for the given parameters (a scalar with gradients), or null before any
    /// task has been consolidated.
    /// </summary>
    public Tensor? Penalty(IReadOnlyList<Tensor> parameters)
    {
        if (_fisher is null || _anchor is null || Lambda == 0)
            return null;
        if (parameters.Count != _fisher.Length)
            throw new ArgumentException($"EWC: {parameters.Count} parameters given, {_fisher.Length} consolidated.");
        Tensor? sum = null;
        for (int k = 0; k < parameters.Count; k++)
        {
            var term = ((parameters[k] - _anchor[k]).Square() * _fisher[k]).Sum();
            sum = sum is null ? term : sum + term;
        }
        return sum! * (Lambda / 2);
    }

    /// <inheritdoc/>
    public override Tensor TrainingLoss(ContinualContext context, Tensor x, Tensor y)
    {
        var loss = base.TrainingLoss(context, x, y);
        return Penalty(context.Model.Parameters().ToArray()) is { } p ? loss + p : loss;
    }

    /// <inheritdoc/>
    public override void AfterTask(ContinualContext context)
    {
        var task = context.Task;
        int n = Math.Min(FisherSamples, task.TrainCount);
        var perm = new long[task.TrainCount];
        context.Generator.Randperm(perm);
        var idx = Tensor.From(perm[..n], n);
        int t = context.TaskIndex;
        var fisher = FisherInformation.Estimate(context.Model, (xb, yb) => context.Sequence.Loss(context.Model, xb, yb, t),
            task.TrainInputs.IndexSelect(0, idx), task.TrainTargets.IndexSelect(0, idx), Estimator, FisherBatchSize);
        Consolidate(context.Model.Parameters().ToArray(), fisher);
    }
}
