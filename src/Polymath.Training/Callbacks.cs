namespace Polymath.Training;

/// <summary>The live objects and counters of a training run, as callbacks see them.</summary>
public sealed class TrainerContext
{
    internal TrainerContext(Trainer trainer, Module model, Optimizer optimizer, ILRScheduler? scheduler)
    {
        (Trainer, Model, Optimizer, Scheduler) = (trainer, model, optimizer, scheduler);
    }

    /// <summary>The trainer running.</summary>
    public Trainer Trainer { get; }

    /// <summary>The model being trained.</summary>
    public Module Model { get; }

    /// <summary>Its optimizer.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The scheduler, or null.</summary>
    public ILRScheduler? Scheduler { get; }

    /// <summary>Epochs completed so far.</summary>
    public int Epoch { get; internal set; }

    /// <summary>Optimizer steps taken so far.</summary>
    public long Step { get; internal set; }

    /// <summary>Finished epochs, oldest first.</summary>
    public List<EpochRecord> History { get; } = [];

    /// <summary>Set by a callback to stop after the current epoch.</summary>
    public bool StopRequested { get; set; }

    /// <summary>Why a callback stopped training (shown to the user).</summary>
    public string? StopMessage { get; set; }

    /// <summary>A checkpoint description of the current state (for callbacks that save).</summary>
    public CheckpointInfo Snapshot() => Trainer.SnapshotInfo(this);

    /// <summary>Extra entries callbacks want in the next step/epoch log line.</summary>
    internal Dictionary<string, double> PendingLog { get; } = [];
}

/// <summary>Hooks into the training loop. Every method has an empty default; override what you need.</summary>
public interface ITrainerCallback
{
    /// <summary>Before the first step (after any resume).</summary>
    void OnTrainBegin(TrainerContext context)
    {
    }

    /// <summary>After each optimizer step, with that step's mean loss.</summary>
    void OnStepEnd(TrainerContext context, double loss)
    {
    }

    /// <summary>After each epoch's validation, with its record (already in <see cref="TrainerContext.History"/>).</summary>
    void OnEpochEnd(TrainerContext context, EpochRecord record)
    {
    }

    /// <summary>When training ends for any reason.</summary>
    void OnTrainEnd(TrainerContext context, FitResult result)
    {
    }
}

/// <summary>Whether a smaller or a larger monitored value is better.</summary>
public enum MonitorMode
{
    /// <summary>Lower is better for names containing "loss", "mse", "mae" or "perplexity"; higher otherwise.</summary>
    Auto,

    /// <summary>Lower is better.</summary>
    Min,

    /// <summary>Higher is better.</summary>
    Max,
}

/// <summary>Shared logic of callbacks that watch a metric.</summary>
public abstract class MonitorCallback : ITrainerCallback
{
    /// <summary>Watches <paramref name="monitor"/> in the epoch records.</summary>
    protected MonitorCallback(string monitor, MonitorMode mode, double minDelta)
    {
        Monitor = monitor;
        Mode = mode != MonitorMode.Auto ? mode
            : monitor.Contains("loss", StringComparison.Ordinal) || monitor.Contains("mse", StringComparison.Ordinal) ||
              monitor.Contains("mae", StringComparison.Ordinal) || monitor.Contains("perplexity", StringComparison.Ordinal) ? MonitorMode.Min : MonitorMode.Max;
        MinDelta = Math.Abs(minDelta);
    }

    /// <summary>The metric watched (e.g. <c>val_loss</c>, <c>val_accuracy</c>).</summary>
    public string Monitor { get; }

    /// <summary>Min or max (resolved from Auto).</summary>
    public MonitorMode Mode { get; }

    /// <summary>The smallest change that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>The best value seen, or null before the first epoch.</summary>
    public double? Best { get; protected set; }

    /// <summary>True when <paramref name="value"/> beats <see cref="Best"/> by more than <see cref="MinDelta"/>.</summary>
    protected bool Improves(double value) =>
        double.IsFinite(value) && (Best is not double b || (Mode == MonitorMode.Min ? value < b - MinDelta : value > b + MinDelta));

    /// <summary>The monitored value of <paramref name="record"/>.</summary>
    /// <exception cref="InvalidOperationException">The record lacks the metric (the message lists those it has).</exception>
    protected double Value(EpochRecord record) => record.Get(Monitor)
        ?? throw new InvalidOperationException($"{GetType().Name}: no metric '{Monitor}' in epoch {record.Epoch} (has: {string.Join(", ", record.Metrics.Keys)}).");

    /// <inheritdoc/>
    public abstract void OnEpochEnd(TrainerContext context, EpochRecord record);
}

/// <summary>Stops training when the monitored metric has not improved for <see cref="Patience"/> epochs (Keras' EarlyStopping).</summary>
public sealed class EarlyStopping : MonitorCallback
{
    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">The metric (default <c>val_loss</c>).</param>
    /// <param name="patience">Epochs without improvement before stopping.</param>
    /// <param name="minDelta">The smallest change that counts as an improvement.</param>
    /// <param name="mode">Whether lower or higher is better.</param>
    public EarlyStopping(string monitor = "val_loss", int patience = 3, double minDelta = 0, MonitorMode mode = MonitorMode.Auto)
        : base(monitor, mode, minDelta)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        Patience = patience;
    }

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>Epochs since the last improvement.</summary>
    public int Wait { get; private set; }

    /// <summary>The epoch at which it stopped training, or null.</summary>
    public int? StoppedEpoch { get; private set; }

    /// <inheritdoc/>
    public override void OnEpochEnd(TrainerContext context, EpochRecord record)
    {
        double v = Value(record);
        if (Improves(v))
        {
            Best = v;
            Wait = 0;
            return;
        }
        if (++Wait > Patience)
        {
            StoppedEpoch = record.Epoch;
            context.StopRequested = true;
            context.StopMessage = $"early stopping: {Monitor} has not improved on {Best:G6} for {Wait} epochs (patience {Patience}).";
        }
    }
}

/// <summary>Saves a checkpoint whenever the monitored metric improves (e.g. the best validation accuracy).</summary>
public sealed class BestCheckpoint : MonitorCallback
{
    /// <summary>Creates the callback writing to <paramref name="path"/>.</summary>
    public BestCheckpoint(string path, string monitor = "val_loss", MonitorMode mode = MonitorMode.Auto, double minDelta = 0)
        : base(monitor, mode, minDelta)
    {
        Path = path;
    }

    /// <summary>The checkpoint file.</summary>
    public string Path { get; }

    /// <summary>The epoch of the saved checkpoint, or null.</summary>
    public int? BestEpoch { get; private set; }

    /// <inheritdoc/>
    public override void OnEpochEnd(TrainerContext context, EpochRecord record)
    {
        double v = Value(record);
        if (!Improves(v))
            return;
        Best = v;
        BestEpoch = record.Epoch;
        Checkpoint.Save(Path, context.Model, context.Optimizer, context.Scheduler, context.Snapshot());
        context.Trainer.Log("checkpoint", new() { ["kind"] = "best", ["path"] = Path, ["epoch"] = record.Epoch, [Monitor] = v });
    }
}

/// <summary>Records every parameter group's learning rate after each step and adds <c>lr</c> to the step log lines.</summary>
public sealed class LrMonitor : ITrainerCallback
{
    /// <summary>(step, learning rate of each group), one entry per step.</summary>
    public List<(long Step, double[] Lrs)> History { get; } = [];

    /// <inheritdoc/>
    public void OnStepEnd(TrainerContext context, double loss)
    {
        var lrs = context.Optimizer.ParamGroups.Select(g => g.Lr).ToArray();
        History.Add((context.Step, lrs));
        context.PendingLog["lr"] = lrs[0];
    }
}
