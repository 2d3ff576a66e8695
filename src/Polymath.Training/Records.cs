using System.Text.Json.Nodes;

namespace Polymath.Training;

/// <summary>What one finished epoch measured.</summary>
public sealed class EpochRecord
{
    /// <summary>The epoch number, 1-based (epoch 1 is the first).</summary>
    public int Epoch { get; init; }

    /// <summary>Optimizer steps taken by the end of the epoch.</summary>
    public long Step { get; init; }

    /// <summary>Wall-clock seconds the epoch took (training and validation).</summary>
    public double Seconds { get; init; }

    /// <summary>Each parameter group's learning rate during the epoch's last step.</summary>
    public IReadOnlyList<double> LearningRates { get; init; } = [];

    /// <summary>Metrics by name: <c>train_loss</c>, <c>train_accuracy</c>, <c>val_loss</c>, <c>val_accuracy</c>, <c>val_f1_macro</c>, ….</summary>
    public Dictionary<string, double> Metrics { get; init; } = [];

    /// <summary>The metric called <paramref name="name"/>, or null.</summary>
    public double? Get(string name) => Metrics.TryGetValue(name, out var v) ? v : null;

    internal JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["epoch"] = Epoch,
            ["step"] = Step,
            ["seconds"] = Json.Num(Seconds),
            ["lr"] = Json.Array(LearningRates),
        };
        foreach (var (k, v) in Metrics)
            o[k] = Json.Num(v);
        return o;
    }

    internal static EpochRecord FromJson(JsonObject o)
    {
        var metrics = new Dictionary<string, double>();
        foreach (var (k, v) in o)
            if (k is not ("epoch" or "step" or "seconds" or "lr" or "event"))
                metrics[k] = Json.Read(v);
        return new EpochRecord
        {
            Epoch = (int)o["epoch"]!,
            Step = (long)o["step"]!,
            Seconds = Json.Read(o["seconds"]),
            LearningRates = Json.Doubles(o["lr"]),
            Metrics = metrics,
        };
    }
}

/// <summary>Why <c>Trainer.Fit</c> returned.</summary>
public enum StopReason
{
    /// <summary>All requested epochs ran.</summary>
    Completed,

    /// <summary>A callback (e.g. <see cref="EarlyStopping"/>) asked to stop.</summary>
    EarlyStopped,

    /// <summary>The loss became NaN or infinite; no update was applied from that batch and no checkpoint was written after it.</summary>
    NonFiniteLoss,

    /// <summary>The cancellation token fired (Ctrl-C); a checkpoint was saved first when an output folder was set.</summary>
    Cancelled,
}

/// <summary>What a training run ended with.</summary>
public sealed class FitResult
{
    /// <summary>Why training stopped.</summary>
    public StopReason Reason { get; init; }

    /// <summary>A sentence for the user (e.g. which step produced a NaN loss, where the last good checkpoint is).</summary>
    public string Message { get; init; } = "";

    /// <summary>Epochs completed (including those of a resumed run before it).</summary>
    public int EpochsCompleted { get; init; }

    /// <summary>Optimizer steps taken in total.</summary>
    public long Steps { get; init; }

    /// <summary>For <see cref="StopReason.NonFiniteLoss"/>: the 1-based global step whose loss was not finite.</summary>
    public long? FailedStep { get; init; }

    /// <summary>Every finished epoch, oldest first.</summary>
    public IReadOnlyList<EpochRecord> History { get; init; } = [];

    /// <summary>The last checkpoint written (null when none was).</summary>
    public string? LastCheckpoint { get; init; }
}

/// <summary>An evaluation pass's results.</summary>
public sealed class EvalResult
{
    /// <summary>Mean batch loss (NaN when no loss function was given).</summary>
    public double Loss { get; init; }

    /// <summary>Samples evaluated.</summary>
    public long Samples { get; init; }

    /// <summary>Metrics by name without prefix (<c>loss</c>, <c>accuracy</c>, <c>f1_macro</c>, <c>mse</c>, …).</summary>
    public Dictionary<string, double> Metrics { get; init; } = [];

    /// <summary>The confusion matrix [actual, predicted] for classification, else null.</summary>
    public long[,]? Confusion { get; init; }
}
