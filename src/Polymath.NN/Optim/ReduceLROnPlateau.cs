namespace Polymath.NN.Optim;

/// <summary>Whether <see cref="ReduceLROnPlateau"/> watches a metric that should fall (a loss) or rise (an accuracy).</summary>
public enum PlateauMode
{
    /// <summary>Lower is better.</summary>
    Min,

    /// <summary>Higher is better.</summary>
    Max,
}

/// <summary>How <see cref="ReduceLROnPlateau"/> decides that a metric improved.</summary>
public enum ThresholdMode
{
    /// <summary>Relative: better than best·(1 ∓ threshold).</summary>
    Rel,

    /// <summary>Absolute: better than best ∓ threshold.</summary>
    Abs,
}

/// <summary>
/// Cuts the learning rate by <c>factor</c> when a metric has not improved for more than <c>patience</c> steps
/// (PyTorch's <c>ReduceLROnPlateau</c>, same rules): call <see cref="Step(double)"/> with the metric once per epoch.
/// After a cut, <c>cooldown</c> steps pass before bad steps count again; rates never go below <c>min_lr</c>, and a cut
/// smaller than <c>eps</c> is skipped.
/// </summary>
public sealed class ReduceLROnPlateau : ILRScheduler
{
    private readonly double[] _minLrs;
    private double[] _lastLr;

    /// <summary>Creates the scheduler (it changes nothing until the first <see cref="Step(double)"/>).</summary>
    /// <exception cref="ArgumentException">factor not in [0, 1), negative patience, cooldown or min_lr, or minLrs of the wrong length.</exception>
    public ReduceLROnPlateau(Optimizer optimizer, PlateauMode mode = PlateauMode.Min, double factor = 0.1, int patience = 10, double threshold = 1e-4,
        ThresholdMode thresholdMode = ThresholdMode.Rel, int cooldown = 0, double minLr = 0, double eps = 1e-8, double[]? minLrs = null)
    {
        if (!(factor is >= 0 and < 1))
            throw new ArgumentException($"ReduceLROnPlateau: factor must be in [0, 1), got {factor}.");
        if (patience < 0 || cooldown < 0)
            throw new ArgumentException($"ReduceLROnPlateau: patience and cooldown must be >= 0, got {patience} and {cooldown}.");
        int groups = optimizer.ParamGroups.Count;
        _minLrs = minLrs ?? Enumerable.Repeat(minLr, groups).ToArray();
        if (_minLrs.Length != groups)
            throw new ArgumentException($"ReduceLROnPlateau: expected {groups} min_lr values (one per group), got {_minLrs.Length}.");
        if (_minLrs.Any(m => !(m >= 0)))
            throw new ArgumentException($"ReduceLROnPlateau: min_lr must be >= 0, got [{string.Join(", ", _minLrs)}].");
        Optimizer = optimizer;
        Mode = mode;
        Factor = factor;
        Patience = patience;
        Threshold = threshold;
        ThresholdMode = thresholdMode;
        Cooldown = cooldown;
        Eps = eps;
        Best = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
        _lastLr = optimizer.ParamGroups.Select(g => g.Lr).ToArray();
    }

    /// <summary>The optimizer whose learning rates this scheduler cuts.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Whether lower or higher metrics are better.</summary>
    public PlateauMode Mode { get; }

    /// <summary>The factor applied at each cut.</summary>
    public double Factor { get; }

    /// <summary>Steps without improvement tolerated before a cut.</summary>
    public int Patience { get; }

    /// <summary>The improvement threshold.</summary>
    public double Threshold { get; }

    /// <summary>Whether the threshold is relative or absolute.</summary>
    public ThresholdMode ThresholdMode { get; }

    /// <summary>Steps after a cut during which bad steps are not counted.</summary>
    public int Cooldown { get; }

    /// <summary>The smallest change of rate that is applied.</summary>
    public double Eps { get; }

    /// <summary>The best metric seen.</summary>
    public double Best { get; private set; }

    /// <summary>Consecutive steps without improvement.</summary>
    public int NumBadEpochs { get; private set; }

    /// <summary>Cooldown steps left.</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>How many times <see cref="Step(double)"/> has run.</summary>
    public int LastEpoch { get; private set; }

    /// <summary>Records <paramref name="metric"/> and cuts the rates when it has plateaued.</summary>
    public void Step(double metric)
    {
        LastEpoch++;
        if (IsBetter(metric, Best))
        {
            Best = metric;
            NumBadEpochs = 0;
        }
        else
            NumBadEpochs++;
        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            NumBadEpochs = 0;
        }
        if (NumBadEpochs > Patience)
        {
            var groups = Optimizer.ParamGroups;
            for (int i = 0; i < groups.Count; i++)
            {
                double old = groups[i].Lr, cut = Math.Max(old * Factor, _minLrs[i]);
                if (old - cut > Eps)
                    groups[i].Lr = cut;
            }
            CooldownCounter = Cooldown;
            NumBadEpochs = 0;
        }
        _lastLr = Optimizer.ParamGroups.Select(g => g.Lr).ToArray();
    }

    private bool IsBetter(double a, double best) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Rel) => a < best * (1 - Threshold),
        (PlateauMode.Min, ThresholdMode.Abs) => a < best - Threshold,
        (PlateauMode.Max, ThresholdMode.Rel) => a > best * (Threshold + 1),
        _ => a > best + Threshold,
    };

    /// <inheritdoc/>
    public IReadOnlyList<double> GetLastLr() => _lastLr;

    /// <inheritdoc/>
    public SchedulerState StateDict() => new(nameof(ReduceLROnPlateau), LastEpoch, LastEpoch, _minLrs.ToArray(), _lastLr.ToArray(),
        new Dictionary<string, double> { ["best"] = Best, ["num_bad_epochs"] = NumBadEpochs, ["cooldown_counter"] = CooldownCounter });

    /// <inheritdoc/>
    public void LoadStateDict(SchedulerState state)
    {
        if (state.Scheduler != nameof(ReduceLROnPlateau))
            throw new ArgumentException($"ReduceLROnPlateau: cannot load the state of a {state.Scheduler}.");
        if (state.LastLr.Count != Optimizer.ParamGroups.Count)
            throw new ArgumentException($"ReduceLROnPlateau: loaded state has {state.LastLr.Count} groups, the optimizer has {Optimizer.ParamGroups.Count}.");
        double Read(string k) => state.Extra.TryGetValue(k, out var v) ? v : throw new ArgumentException($"ReduceLROnPlateau: loaded state lacks '{k}'.");
        Best = Read("best");
        NumBadEpochs = (int)Read("num_bad_epochs");
        CooldownCounter = (int)Read("cooldown_counter");
        LastEpoch = state.LastEpoch;
        _lastLr = state.LastLr.ToArray();
    }
}
