namespace Polymath.NN.Optim;

/// <summary>What every learning-rate scheduler offers: the last learning rates and a serialisable state.</summary>
public interface ILRScheduler
{
    /// <summary>The learning rate of each parameter group as last set by the scheduler (PyTorch's <c>get_last_lr()</c>).</summary>
    IReadOnlyList<double> GetLastLr();

    /// <summary>A snapshot of the scheduler's progress.</summary>
    SchedulerState StateDict();

    /// <summary>Restores progress saved by <see cref="StateDict"/> from a scheduler of the same type and group count.</summary>
    /// <exception cref="ArgumentException">The state comes from another scheduler type or has another number of groups.</exception>
    void LoadStateDict(SchedulerState state);
}

/// <summary>
/// A scheduler's progress (PyTorch's <c>scheduler.state_dict()</c> without the constructor arguments, which the
/// resuming code passes again): the epoch counter, base and last learning rates, and any scheduler-specific counters.
/// </summary>
/// <param name="Scheduler">The scheduler's type name.</param>
/// <param name="LastEpoch">The index of the last step (0 right after construction).</param>
/// <param name="StepCount">How many times Step has run, the construction step included.</param>
/// <param name="BaseLrs">Each group's initial learning rate.</param>
/// <param name="LastLr">Each group's learning rate after the last step.</param>
/// <param name="Extra">Scheduler-specific counters (e.g. <c>T_cur</c>, <c>best</c>, <c>num_bad_epochs</c>).</param>
public sealed record SchedulerState(string Scheduler, int LastEpoch, int StepCount, IReadOnlyList<double> BaseLrs, IReadOnlyList<double> LastLr,
    IReadOnlyDictionary<string, double> Extra);

/// <summary>
/// The base of the epoch-indexed schedulers (PyTorch's <c>_LRScheduler</c>). Construction records each group's
/// <c>initial_lr</c> and performs the first step (epoch 0); each later <see cref="Step"/> advances one epoch (or
/// iteration) and writes the new rates into the optimizer's groups. Call it after <c>optimizer.Step()</c>.
/// Rates follow PyTorch's recursive formulas, so sequences match torch's to rounding.
/// </summary>
public abstract class LRScheduler : ILRScheduler
{
    private double[] _lastLr = [];

    /// <summary>Records the initial learning rates; a derived constructor finishes by calling <see cref="InitialStep"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="lastEpoch"/> is not −1 and a group lacks <c>initial_lr</c>.</exception>
    protected LRScheduler(Optimizer optimizer, int lastEpoch = -1)
    {
        Optimizer = optimizer;
        foreach (var (group, i) in optimizer.ParamGroups.Select((g, i) => (g, i)))
        {
            if (lastEpoch == -1 && !group.Has("initial_lr"))
                group["initial_lr"] = group.Lr;
            else if (!group.Has("initial_lr"))
                throw new ArgumentException($"{TypeName}: param group {i} has no 'initial_lr'; it must be set when resuming with lastEpoch = {lastEpoch}.");
        }
        BaseLrs = optimizer.ParamGroups.Select(g => g["initial_lr"]).ToArray();
        LastEpoch = lastEpoch;
    }

    /// <summary>The optimizer whose learning rates this scheduler sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Each group's initial learning rate.</summary>
    public double[] BaseLrs { get; protected set; }

    /// <summary>The index of the last step: 0 right after construction.</summary>
    public int LastEpoch { get; protected set; }

    /// <summary>How many times <see cref="Step"/> has run (the construction step included).</summary>
    public int StepCount { get; protected set; }

    /// <summary>The class name, used in errors and state dicts.</summary>
    public virtual string TypeName => GetType().Name;

    /// <summary>Performs the construction step; derived constructors call it last, once their fields are set.</summary>
    protected void InitialStep() => Step();

    /// <summary>Advances one epoch and sets each group's learning rate.</summary>
    public virtual void Step()
    {
        StepCount++;
        LastEpoch++;
        SetLrs(ComputeLr());
    }

    /// <summary>The learning rates for <see cref="LastEpoch"/> (already advanced), one per group; may read the groups' current rates.</summary>
    protected abstract double[] ComputeLr();

    /// <summary>Writes <paramref name="lrs"/> into the groups and records them as the last rates.</summary>
    protected void SetLrs(double[] lrs)
    {
        var groups = Optimizer.ParamGroups;
        for (int i = 0; i < groups.Count; i++)
            groups[i].Lr = lrs[i];
        _lastLr = groups.Select(g => g.Lr).ToArray();
    }

    /// <summary>Each group's current learning rate, in group order.</summary>
    protected double[] CurrentLrs() => Optimizer.ParamGroups.Select(g => g.Lr).ToArray();

    /// <inheritdoc/>
    public IReadOnlyList<double> GetLastLr() => _lastLr;

    /// <summary>Adds scheduler-specific counters to a state dict.</summary>
    protected virtual void SaveExtra(Dictionary<string, double> extra)
    {
    }

    /// <summary>Restores counters written by <see cref="SaveExtra"/>.</summary>
    protected virtual void LoadExtra(IReadOnlyDictionary<string, double> extra)
    {
    }

    /// <inheritdoc/>
    public SchedulerState StateDict()
    {
        var extra = new Dictionary<string, double>();
        SaveExtra(extra);
        return new SchedulerState(TypeName, LastEpoch, StepCount, (double[])BaseLrs.Clone(), _lastLr.ToArray(), extra);
    }

    /// <inheritdoc/>
    public void LoadStateDict(SchedulerState state)
    {
        if (state.Scheduler != TypeName)
            throw new ArgumentException($"{TypeName}: cannot load the state of a {state.Scheduler}.");
        if (state.BaseLrs.Count != Optimizer.ParamGroups.Count)
            throw new ArgumentException($"{TypeName}: loaded state has {state.BaseLrs.Count} groups, the optimizer has {Optimizer.ParamGroups.Count}.");
        LastEpoch = state.LastEpoch;
        StepCount = state.StepCount;
        BaseLrs = state.BaseLrs.ToArray();
        _lastLr = state.LastLr.ToArray();
        LoadExtra(state.Extra);
    }

    /// <summary>Reads counter <paramref name="name"/> from a loaded state.</summary>
    /// <exception cref="ArgumentException">It is missing.</exception>
    protected double ReadExtra(IReadOnlyDictionary<string, double> extra, string name) =>
        extra.TryGetValue(name, out var v) ? v : throw new ArgumentException($"{TypeName}: loaded state lacks '{name}'.");
}
