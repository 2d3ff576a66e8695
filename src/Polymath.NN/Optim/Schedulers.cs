namespace Polymath.NN.Optim;

/// <summary>Multiplies each group's learning rate by γ every <c>stepSize</c> epochs (PyTorch's <c>StepLR</c>).</summary>
public sealed class StepLR : LRScheduler
{
    /// <summary>Creates the scheduler and applies epoch 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepSize"/> is not positive.</exception>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1, int lastEpoch = -1) : base(optimizer, lastEpoch)
    {
        if (stepSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(stepSize), $"StepLR: step_size must be positive, got {stepSize}.");
        StepSize = stepSize;
        Gamma = gamma;
        InitialStep();
    }

    /// <summary>The period of decay, in epochs.</summary>
    public int StepSize { get; }

    /// <summary>The decay factor.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double[] ComputeLr() =>
        LastEpoch == 0 || LastEpoch % StepSize != 0 ? CurrentLrs() : CurrentLrs().Select(lr => lr * Gamma).ToArray();
}

/// <summary>Multiplies each group's learning rate by γ at each milestone epoch (PyTorch's <c>MultiStepLR</c>; a repeated milestone applies γ that many times).</summary>
public sealed class MultiStepLR : LRScheduler
{
    private readonly Dictionary<int, int> _milestones;

    /// <summary>Creates the scheduler and applies epoch 0.</summary>
    public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1, int lastEpoch = -1) : base(optimizer, lastEpoch)
    {
        _milestones = milestones.GroupBy(m => m).ToDictionary(g => g.Key, g => g.Count());
        Gamma = gamma;
        InitialStep();
    }

    /// <summary>The decay factor.</summary>
    public double Gamma { get; }

    /// <summary>The milestone epochs, ascending.</summary>
    public IReadOnlyList<int> Milestones => _milestones.Keys.Order().ToArray();

    /// <inheritdoc/>
    protected override double[] ComputeLr() =>
        _milestones.TryGetValue(LastEpoch, out int count) ? CurrentLrs().Select(lr => lr * Math.Pow(Gamma, count)).ToArray() : CurrentLrs();
}

/// <summary>Multiplies each group's learning rate by γ every epoch (PyTorch's <c>ExponentialLR</c>).</summary>
public sealed class ExponentialLR : LRScheduler
{
    /// <summary>Creates the scheduler and applies epoch 0.</summary>
    public ExponentialLR(Optimizer optimizer, double gamma, int lastEpoch = -1) : base(optimizer, lastEpoch)
    {
        Gamma = gamma;
        InitialStep();
    }

    /// <summary>The decay factor.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double[] ComputeLr() => LastEpoch == 0 ? CurrentLrs() : CurrentLrs().Select(lr => lr * Gamma).ToArray();
}

/// <summary>
/// Cosine annealing from the base rate to η_min over <c>T_max</c> epochs (PyTorch's <c>CosineAnnealingLR</c>,
/// recursive form): η_t = η_min + (η_base − η_min)(1 + cos(π t / T_max))/2, continuing as a cosine wave past T_max.
/// </summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    /// <summary>Creates the scheduler and applies epoch 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tMax"/> is not positive.</exception>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0, int lastEpoch = -1) : base(optimizer, lastEpoch)
    {
        if (tMax <= 0)
            throw new ArgumentOutOfRangeException(nameof(tMax), $"CosineAnnealingLR: T_max must be positive, got {tMax}.");
        TMax = tMax;
        EtaMin = etaMin;
        InitialStep();
    }

    /// <summary>Half the period, in epochs.</summary>
    public int TMax { get; }

    /// <summary>The lowest learning rate.</summary>
    public double EtaMin { get; }

    /// <inheritdoc/>
    protected override double[] ComputeLr()
    {
        var lrs = CurrentLrs();
        if (LastEpoch == 0)
            return lrs;
        if (StepCount == 1 && LastEpoch > 0)
            return BaseLrs.Select(b => EtaMin + (b - EtaMin) * (1 + Math.Cos(LastEpoch * Math.PI / TMax)) / 2).ToArray();
        if ((LastEpoch - 1 - TMax) % (2 * TMax) == 0)
            return lrs.Select((lr, i) => lr + (BaseLrs[i] - EtaMin) * (1 - Math.Cos(Math.PI / TMax)) / 2).ToArray();
        return lrs.Select(lr => (1 + Math.Cos(Math.PI * LastEpoch / TMax)) / (1 + Math.Cos(Math.PI * (LastEpoch - 1) / TMax)) * (lr - EtaMin) + EtaMin).ToArray();
    }
}

/// <summary>
/// Cosine annealing with warm restarts (SGDR; PyTorch's <c>CosineAnnealingWarmRestarts</c>): the rate follows a cosine
/// from the base rate to η_min over T_i epochs, then restarts; the first period is T_0 and each next one is T_mult
/// times longer.
/// </summary>
public sealed class CosineAnnealingWarmRestarts : LRScheduler
{
    /// <summary>Creates the scheduler and applies epoch 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t0"/> is not positive or <paramref name="tMult"/> is below 1.</exception>
    public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0, int tMult = 1, double etaMin = 0, int lastEpoch = -1) : base(optimizer, lastEpoch)
    {
        if (t0 <= 0)
            throw new ArgumentOutOfRangeException(nameof(t0), $"CosineAnnealingWarmRestarts: T_0 must be positive, got {t0}.");
        if (tMult < 1)
            throw new ArgumentOutOfRangeException(nameof(tMult), $"CosineAnnealingWarmRestarts: T_mult must be an integer >= 1, got {tMult}.");
        T0 = t0;
        TMult = tMult;
        EtaMin = etaMin;
        TI = t0;
        TCur = lastEpoch;
        InitialStep();
    }

    /// <summary>The length of the first period, in steps.</summary>
    public int T0 { get; }

    /// <summary>The factor by which each period is longer than the last.</summary>
    public int TMult { get; }

    /// <summary>The lowest learning rate.</summary>
    public double EtaMin { get; }

    /// <summary>The length of the current period.</summary>
    public long TI { get; private set; }

    /// <summary>Steps since the last restart.</summary>
    public double TCur { get; private set; }

    /// <inheritdoc/>
    public override void Step()
    {
        StepCount++;
        if (LastEpoch < 0)
        {
            // The construction step: epoch 0 (PyTorch's step(epoch=0) branch).
            TI = T0;
            TCur = 0;
        }
        else
        {
            TCur++;
            if (TCur >= TI)
            {
                TCur -= TI;
                TI *= TMult;
            }
        }
        LastEpoch++;
        SetLrs(ComputeLr());
    }

    /// <inheritdoc/>
    protected override double[] ComputeLr() =>
        BaseLrs.Select(b => EtaMin + (b - EtaMin) * (1 + Math.Cos(Math.PI * TCur / TI)) / 2).ToArray();

    /// <inheritdoc/>
    protected override void SaveExtra(Dictionary<string, double> extra)
    {
        extra["T_i"] = TI;
        extra["T_cur"] = TCur;
    }

    /// <inheritdoc/>
    protected override void LoadExtra(IReadOnlyDictionary<string, double> extra)
    {
        TI = (long)ReadExtra(extra, "T_i");
        TCur = ReadExtra(extra, "T_cur");
    }
}

/// <summary>Sets each group's rate to its base rate times a function of the epoch (PyTorch's <c>LambdaLR</c>).</summary>
public sealed class LambdaLR : LRScheduler
{
    private readonly Func<int, double> _lambda;

    /// <summary>Creates the scheduler and applies epoch 0; <paramref name="lambda"/> maps the epoch to a factor.</summary>
    public LambdaLR(Optimizer optimizer, Func<int, double> lambda, int lastEpoch = -1) : base(optimizer, lastEpoch)
    {
        _lambda = lambda;
        InitialStep();
    }

    /// <inheritdoc/>
    protected override double[] ComputeLr() => BaseLrs.Select(b => b * _lambda(LastEpoch)).ToArray();
}

/// <summary>How <see cref="WarmupDecayLR"/> decays after the warm-up.</summary>
public enum WarmupDecay
{
    /// <summary>Linearly to <c>minLrRatio</c>·base at the last step.</summary>
    Linear,

    /// <summary>Half a cosine to <c>minLrRatio</c>·base at the last step.</summary>
    Cosine,
}

/// <summary>
/// Linear warm-up from 0 to the base rate over <c>warmupSteps</c>, then linear or cosine decay to
/// <c>minLrRatio</c>·base at <c>totalSteps</c> (Hugging Face's <c>get_linear_schedule_with_warmup</c> and
/// <c>get_cosine_schedule_with_warmup</c>, as a LambdaLR over steps). The factor at step t is t/warmup during the
/// warm-up; afterwards, with progress p = (t − warmup)/(total − warmup) clamped to [0, 1], 1 − p (linear) or
/// (1 + cos πp)/2 (cosine), mapped onto [minLrRatio, 1].
/// </summary>
public sealed class WarmupDecayLR : LRScheduler
{
    /// <summary>Creates the scheduler and applies step 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative warm-up, total steps not above the warm-up, or a ratio outside [0, 1].</exception>
    public WarmupDecayLR(Optimizer optimizer, int warmupSteps, int totalSteps, WarmupDecay decay = WarmupDecay.Linear, double minLrRatio = 0, int lastEpoch = -1)
        : base(optimizer, lastEpoch)
    {
        if (warmupSteps < 0 || totalSteps <= warmupSteps)
            throw new ArgumentOutOfRangeException(nameof(totalSteps), $"WarmupDecayLR: need 0 <= warmup_steps < total_steps, got warmup {warmupSteps}, total {totalSteps}.");
        if (minLrRatio is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(minLrRatio), $"WarmupDecayLR: min_lr_ratio must be in [0, 1], got {minLrRatio}.");
        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
        Decay = decay;
        MinLrRatio = minLrRatio;
        InitialStep();
    }

    /// <summary>Steps of linear warm-up.</summary>
    public int WarmupSteps { get; }

    /// <summary>The step at which the decay reaches its floor.</summary>
    public int TotalSteps { get; }

    /// <summary>The decay shape after warm-up.</summary>
    public WarmupDecay Decay { get; }

    /// <summary>The floor, as a fraction of the base rate.</summary>
    public double MinLrRatio { get; }

    /// <summary>The factor applied to the base rate at step <paramref name="step"/>.</summary>
    public double Factor(int step)
    {
        if (step < WarmupSteps)
            return (double)step / Math.Max(1, WarmupSteps);
        double progress = Math.Clamp((double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps), 0, 1);
        double shape = Decay == WarmupDecay.Linear ? 1 - progress : 0.5 * (1 + Math.Cos(Math.PI * progress));
        return MinLrRatio + (1 - MinLrRatio) * shape;
    }

    /// <inheritdoc/>
    protected override double[] ComputeLr() => BaseLrs.Select(b => b * Factor(LastEpoch)).ToArray();
}

/// <summary>How <see cref="OneCycleLR"/> interpolates within a phase.</summary>
public enum AnnealStrategy
{
    /// <summary>Cosine annealing (PyTorch's <c>'cos'</c>, the default).</summary>
    Cos,

    /// <summary>Linear annealing (<c>'linear'</c>).</summary>
    Linear,
}

/// <summary>
/// The one-cycle policy (PyTorch's <c>OneCycleLR</c>, stepped once per batch): the rate rises from max_lr/div_factor
/// to max_lr over the first <c>pct_start</c> of the steps, then anneals to initial_lr/final_div_factor; momentum (or
/// Adam's β₁) moves inversely between <c>max_momentum</c> and <c>base_momentum</c>. With <c>threePhase</c> the rate
/// first returns to initial_lr symmetrically and then anneals to the minimum. Rates match PyTorch's, except that the
/// extrapolated rate of the extra step TotalSteps is floored at 0 (PyTorch's linear annealing makes it negative).
/// </summary>
public sealed class OneCycleLR : LRScheduler
{
    private readonly (double EndStep, string StartLr, string EndLr, string StartMomentum, string EndMomentum)[] _phases;
    private readonly string? _momentumKey;

    /// <summary>Creates the scheduler with one maximum rate for every group, and applies step 0.</summary>
    /// <exception cref="ArgumentException">totalSteps not positive, pct_start outside [0, 1], or momentum cycling on an optimizer without momentum.</exception>
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, double pctStart = 0.3, AnnealStrategy annealStrategy = AnnealStrategy.Cos,
        bool cycleMomentum = true, double baseMomentum = 0.85, double maxMomentum = 0.95, double divFactor = 25, double finalDivFactor = 1e4,
        bool threePhase = false, int lastEpoch = -1)
        : this(optimizer, Enumerable.Repeat(maxLr, optimizer.ParamGroups.Count).ToArray(), totalSteps, pctStart, annealStrategy, cycleMomentum,
            baseMomentum, maxMomentum, divFactor, finalDivFactor, threePhase, lastEpoch)
    {
    }

    /// <summary>Creates the scheduler with a maximum rate per group, and applies step 0.</summary>
    /// <exception cref="ArgumentException">As the other constructor, or <paramref name="maxLrs"/> has the wrong length.</exception>
    public OneCycleLR(Optimizer optimizer, double[] maxLrs, int totalSteps, double pctStart = 0.3, AnnealStrategy annealStrategy = AnnealStrategy.Cos,
        bool cycleMomentum = true, double baseMomentum = 0.85, double maxMomentum = 0.95, double divFactor = 25, double finalDivFactor = 1e4,
        bool threePhase = false, int lastEpoch = -1)
        : base(optimizer, lastEpoch)
    {
        if (totalSteps <= 0)
            throw new ArgumentException($"OneCycleLR: total_steps must be positive, got {totalSteps}.");
        if (pctStart is < 0 or > 1 || double.IsNaN(pctStart))
            throw new ArgumentException($"OneCycleLR: pct_start must be in [0, 1], got {pctStart}.");
        var groups = optimizer.ParamGroups;
        if (maxLrs.Length != groups.Count)
            throw new ArgumentException($"OneCycleLR: expected {groups.Count} max_lr values (one per group), got {maxLrs.Length}.");
        TotalSteps = totalSteps;
        Strategy = annealStrategy;
        _phases = threePhase
            ? [
                (pctStart * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (2 * pctStart * totalSteps - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                (totalSteps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
            : [
                (pctStart * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (totalSteps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ];
        if (lastEpoch == -1)
            for (int i = 0; i < groups.Count; i++)
            {
                double initial = maxLrs[i] / divFactor;
                groups[i]["initial_lr"] = initial;
                groups[i]["max_lr"] = maxLrs[i];
                groups[i]["min_lr"] = initial / finalDivFactor;
            }
        BaseLrs = groups.Select(g => g["initial_lr"]).ToArray();
        if (cycleMomentum)
        {
            _momentumKey = optimizer.Defaults.ContainsKey("beta1") ? "beta1"
                : optimizer.Defaults.ContainsKey("momentum") ? "momentum"
                : throw new ArgumentException($"OneCycleLR: optimizer {optimizer.TypeName} has no momentum (or beta1) option, so momentum cannot be cycled; pass cycleMomentum: false.");
            if (lastEpoch == -1)
                foreach (var g in groups)
                {
                    g[_momentumKey] = maxMomentum;
                    g["max_momentum"] = maxMomentum;
                    g["base_momentum"] = baseMomentum;
                }
        }
        InitialStep();
    }

    /// <summary>The number of steps in the cycle.</summary>
    public int TotalSteps { get; }

    /// <summary>The interpolation within each phase.</summary>
    public AnnealStrategy Strategy { get; }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Stepped more than <see cref="TotalSteps"/> times.</exception>
    protected override double[] ComputeLr()
    {
        int step = LastEpoch;
        if (step > TotalSteps)
            throw new InvalidOperationException($"OneCycleLR: tried to step {step} times; the specified number of total steps is {TotalSteps}.");
        var groups = Optimizer.ParamGroups;
        var lrs = new double[groups.Count];
        for (int g = 0; g < groups.Count; g++)
        {
            double start = 0;
            for (int i = 0; i < _phases.Length; i++)
            {
                var phase = _phases[i];
                if (step <= phase.EndStep || i == _phases.Length - 1)
                {
                    double pct = (step - start) / (phase.EndStep - start);
                    // Step TotalSteps (PyTorch allows it: the usual loop steps once per batch after the constructor's
                    // step 0) extrapolates one step past the end; linear annealing would go below zero there.
                    lrs[g] = Math.Max(0, Anneal(groups[g][phase.StartLr], groups[g][phase.EndLr], pct));
                    if (_momentumKey is not null)
                        groups[g][_momentumKey] = Anneal(groups[g][phase.StartMomentum], groups[g][phase.EndMomentum], pct);
                    break;
                }
                start = phase.EndStep;
            }
        }
        return lrs;
    }

    private double Anneal(double start, double end, double pct) => Strategy == AnnealStrategy.Cos
        ? end + (start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1)
        : (end - start) * pct + start;
}
