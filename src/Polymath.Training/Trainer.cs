using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Polymath.Training;

/// <summary>How often the trainer steps the learning-rate scheduler.</summary>
public enum SchedulerInterval
{
    /// <summary>Once per epoch, after validation (ReduceLROnPlateau gets the monitored metric).</summary>
    Epoch,

    /// <summary>After every optimizer step (warm-up and one-cycle schedules).</summary>
    Step,
}

/// <summary>Settings of a <see cref="Trainer"/>.</summary>
public sealed class TrainerOptions
{
    /// <summary>Micro-batches whose gradients are summed (each loss divided by this) before one optimizer step.</summary>
    public int AccumulationSteps { get; set; } = 1;

    /// <summary>Which metrics to compute.</summary>
    public TaskKind Task { get; set; } = TaskKind.Classification;

    /// <summary>k of the top-k accuracy (reported when below the class count).</summary>
    public int TopK { get; set; } = 5;

    /// <summary>
    /// Folder for <c>last.safetensors</c> (after every epoch and on Ctrl-C), <c>run.jsonl</c> and <c>report.html</c>;
    /// null writes nothing unless the paths below are set.
    /// </summary>
    public string? OutputDir { get; set; }

    /// <summary>The JSON Lines log (default: OutputDir/run.jsonl).</summary>
    public string? RunLogPath { get; set; }

    /// <summary>The HTML report (default: OutputDir/report.html).</summary>
    public string? ReportPath { get; set; }

    /// <summary>The rolling checkpoint (default: OutputDir/last.safetensors).</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>A checkpoint to resume from (model, optimizer, scheduler, RNG, loader position and counters).</summary>
    public string? ResumeFrom { get; set; }

    /// <summary>Callbacks, called in order.</summary>
    public List<ITrainerCallback> Callbacks { get; } = [];

    /// <summary>Progress display.</summary>
    public ProgressMode Progress { get; set; } = ProgressMode.Auto;

    /// <summary>Where plain progress lines go (default: standard error).</summary>
    public TextWriter? ProgressWriter { get; set; }

    /// <summary>Batches between plain progress lines and step log lines.</summary>
    public int LogEvery { get; set; } = 100;

    /// <summary>When the scheduler steps.</summary>
    public SchedulerInterval SchedulerInterval { get; set; } = SchedulerInterval.Epoch;

    /// <summary>The metric handed to ReduceLROnPlateau (falls back to <c>train_loss</c> without validation).</summary>
    public string PlateauMetric { get; set; } = "val_loss";

    /// <summary>Clip the global gradient norm to this before each step (null: no clipping).</summary>
    public double? GradClipNorm { get; set; }

    /// <summary>
    /// Mixed precision: forward passes and losses (training and validation) run inside
    /// <c>Autocast.Enable(AutocastDType)</c> (BFloat16 or Float16); the parameters stay float32. Null: plain float32.
    /// </summary>
    public DType? AutocastDType { get; set; }

    /// <summary>Loss scaling (e.g. <c>Polymath.Scale.Amp.GradScaler</c>, needed for float16): null steps plainly.</summary>
    public ILossScaler? LossScaler { get; set; }

    /// <summary>Stops training cleanly (after saving) when it fires.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Strings stored in every checkpoint (model name, data set, options) and shown in the report.</summary>
    public Dictionary<string, string> Metadata { get; } = [];

    /// <summary>Report title.</summary>
    public string Title { get; set; } = "Polymath training run";

    /// <summary>Class names for the report's confusion matrix (null: 0..C-1).</summary>
    public IReadOnlyList<string>? ClassNames { get; set; }
}

/// <summary>
/// The training loop (PyTorch Lightning's Trainer, in small): <c>Fit</c> runs epochs of forward, loss,
/// backward and optimizer steps with gradient accumulation, validates after each epoch, steps the scheduler, calls the
/// callbacks, logs to JSON Lines, writes an HTML report and a checkpoint, and resumes from one bit for bit.
/// <see cref="Evaluate"/> and <see cref="Predict"/> run the model without gradients in evaluation mode.
/// </summary>
/// <remarks>
/// Determinism: with the same seed, data-loader seed and thread count, a run gives the same weights whether it runs
/// straight through or is stopped, checkpointed and resumed (the checkpoint holds <see cref="Random.Default"/>'s state,
/// the loader's epoch and position, and the optimizer's and scheduler's state).
/// A NaN or infinite loss stops training before that batch's update, naming the step; the checkpoint on disk stays the
/// last good one. Cancellation stops at the next optimizer step boundary, saves, and returns
/// <see cref="StopReason.Cancelled"/>.
/// </remarks>
public sealed class Trainer
{
    private RunLog? _log;
    private MetricAccumulator? _lastVal;
    private List<(long Step, double Loss)> _stepLosses = [];

    /// <summary>Creates a trainer with <paramref name="options"/> (defaults when null).</summary>
    public Trainer(TrainerOptions? options = null)
    {
        Options = options ?? new TrainerOptions();
        if (Options.AccumulationSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"Trainer: AccumulationSteps must be at least 1, got {Options.AccumulationSteps}.");
    }

    /// <summary>The settings.</summary>
    public TrainerOptions Options { get; }

    private string? Resolve(string? explicitPath, string file) => explicitPath ?? (Options.OutputDir is { } d ? Path.Combine(d, file) : null);

    /// <summary>The rolling checkpoint path in use, or null.</summary>
    public string? CheckpointPath => Resolve(Options.CheckpointPath, "last.safetensors");

    /// <summary>The run log path in use, or null.</summary>
    public string? RunLogPath => Resolve(Options.RunLogPath, "run.jsonl");

    /// <summary>The report path in use, or null.</summary>
    public string? ReportPath => Resolve(Options.ReportPath, "report.html");

    /// <summary>Trains with a loss module (e.g. <see cref="CrossEntropyLoss"/>); see the other overload.</summary>
    public FitResult Fit<T>(Module<Tensor, Tensor> model, Loss loss, Optimizer optimizer, DataLoader<T, (Tensor, Tensor)> train,
        IEnumerable<(Tensor, Tensor)>? val, int epochs, ILRScheduler? scheduler = null) =>
        Fit(model, loss.Call, optimizer, train, val, epochs, scheduler);

    /// <summary>
    /// Trains <paramref name="model"/> until <paramref name="epochs"/> epochs in total have run (counting those of a
    /// resumed checkpoint), validating on <paramref name="val"/> after each.
    /// </summary>
    /// <param name="model">The model; batches are (input, target) and the loss is <c>loss(model(input), target)</c>.</param>
    /// <param name="loss">The loss function (mean over the batch).</param>
    /// <param name="optimizer">Updates the model's parameters.</param>
    /// <param name="train">The training batches; its <see cref="DataLoader{T, TBatch}.Epoch"/> is set for each epoch.</param>
    /// <param name="val">Validation batches, or null.</param>
    /// <param name="epochs">Total epochs.</param>
    /// <param name="scheduler">Learning-rate schedule, or null.</param>
    /// <returns>Why and where training stopped, and the epoch history.</returns>
    /// <exception cref="CheckpointMismatchException">The resume checkpoint does not fit the model, optimizer or scheduler.</exception>
    public FitResult Fit<T>(Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> loss, Optimizer optimizer, DataLoader<T, (Tensor, Tensor)> train,
        IEnumerable<(Tensor, Tensor)>? val, int epochs, ILRScheduler? scheduler = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        var ctx = new TrainerContext(this, model, optimizer, scheduler);
        int startBatch = 0;
        double resumedLossSum = 0;
        _stepLosses = [];
        if (Options.ResumeFrom is { } resume)
        {
            var info = Checkpoint.Load(resume, model, optimizer, scheduler);
            ctx.Epoch = info.Epoch;
            ctx.Step = info.Step;
            ctx.History.AddRange(info.History);
            _stepLosses = info.StepLosses;
            startBatch = info.BatchInEpoch;
            resumedLossSum = info.EpochLossSum;
            if (info.LoaderSeed is ulong seed && seed != train.Seed)
                (Options.ProgressWriter ?? Console.Error).WriteLine($"warning: the training loader's seed {train.Seed} differs from the checkpoint's {seed}; the data order will not match the original run.");
        }
        _log = RunLogPath is { } lp ? new RunLog(lp) : null;
        try
        {
            FitResult result = null!;
            var mode = Options.Progress;
            if (mode == ProgressMode.Auto)
                mode = !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Ansi && Options.ProgressWriter is null ? ProgressMode.Bars : ProgressMode.Plain;
            if (mode == ProgressMode.Bars)
            {
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
                console.Progress().AutoClear(false).HideCompleted(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                    .Start(pc => result = Loop(ctx, loss, train, val, epochs, new BarProgress(pc), startBatch, resumedLossSum));
            }
            else
            {
                IProgressSink sink = mode == ProgressMode.None ? new NullProgress() : new PlainProgress(Options.ProgressWriter ?? Console.Error, Options.LogEvery);
                result = Loop(ctx, loss, train, val, epochs, sink, startBatch, resumedLossSum);
            }
            return result;
        }
        finally
        {
            _log?.Dispose();
            _log = null;
        }
    }

    private FitResult Loop<T>(TrainerContext ctx, Func<Tensor, Tensor, Tensor> lossFn, DataLoader<T, (Tensor, Tensor)> train,
        IEnumerable<(Tensor, Tensor)>? val, int epochs, IProgressSink progress, int startBatch, double resumedLossSum)
    {
        var model = (Module<Tensor, Tensor>)ctx.Model;
        var optimizer = ctx.Optimizer;
        var ct = Options.CancellationToken;
        int accum = Options.AccumulationSteps;
        string? lastCheckpoint = Options.ResumeFrom;
        Log("start", new()
        {
            ["model"] = model.GetType().Name,
            ["parameters"] = model.Parameters().Sum(p => p.Numel),
            ["epochs"] = epochs,
            ["start_epoch"] = ctx.Epoch,
            ["start_step"] = ctx.Step,
            ["batches_per_epoch"] = train.Count,
            ["batch_size"] = train.BatchSize,
            ["accumulation_steps"] = accum,
            ["optimizer"] = optimizer.TypeName,
            ["lr"] = optimizer.ParamGroups[0].Lr,
            ["scheduler"] = ctx.Scheduler?.GetType().Name,
            ["threads"] = Threads.Count,
            ["loader_seed"] = train.Seed.ToString(CultureInfo.InvariantCulture),
            ["resumed_from"] = Options.ResumeFrom,
        }, Options.Metadata);
        foreach (var cb in Options.Callbacks)
            cb.OnTrainBegin(ctx);

        FitResult Finish(StopReason reason, string message, long? failedStep = null)
        {
            var r = new FitResult
            {
                Reason = reason,
                Message = message,
                EpochsCompleted = ctx.Epoch,
                Steps = ctx.Step,
                FailedStep = failedStep,
                History = ctx.History.ToList(),
                LastCheckpoint = lastCheckpoint,
            };
            Log("stop", new() { ["reason"] = reason.ToString(), ["message"] = message, ["epoch"] = ctx.Epoch, ["step"] = ctx.Step, ["failed_step"] = failedStep });
            foreach (var cb in Options.Callbacks)
                cb.OnTrainEnd(ctx, r);
            WriteReport(ctx, r.Reason.ToString() + ": " + message);
            Log("end", new() { ["report"] = ReportPath, ["checkpoint"] = lastCheckpoint });
            progress.Message(message);
            return r;
        }

        optimizer.ZeroGrad();
        while (ctx.Epoch < epochs)
        {
            int epochIndex = ctx.Epoch;
            var sw = Stopwatch.StartNew();
            model.Train();
            train.Epoch = epochIndex;
            int batches = train.Count;
            int skip = startBatch;
            double lossSum = skip > 0 ? resumedLossSum : 0;
            startBatch = 0;
            resumedLossSum = 0;
            var trainAcc = new MetricAccumulator(Options.Task, Options.TopK);
            progress.BeginEpoch(epochIndex + 1, epochs, batches, skip);
            int b = 0, micro = 0;
            double windowSum = 0, stepLoss = 0;
            int windowCount = 0;
            foreach (var (x, y) in train.Iterate(CancellationToken.None))
            {
                if (b < skip)
                {
                    b++;
                    continue;
                }
                var (output, lossT) = ForwardAndLoss(model, lossFn, x, y);
                double lv = lossT.Item();
                if (!double.IsFinite(lv))
                {
                    long failed = ctx.Step + 1;
                    optimizer.ZeroGrad();
                    string where = lastCheckpoint is null ? "no checkpoint was written before it" : $"the last good checkpoint is {lastCheckpoint}";
                    return Finish(StopReason.NonFiniteLoss,
                        $"loss is {lv.ToString(CultureInfo.InvariantCulture)} at step {failed} (epoch {epochIndex + 1}, batch {b + 1}); training stopped without applying it; {where}.", failed);
                }
                var toBackward = accum > 1 ? lossT / accum : lossT;
                (Options.LossScaler?.Scale(toBackward) ?? toBackward).Backward();
                using (Tensor.NoGrad())
                    trainAcc.Update(output.Detach(), y);
                trainAcc.AddLoss(lv);
                lossSum += lv;
                stepLoss += lv;
                micro++;
                b++;
                if (micro == accum || b == batches)
                {
                    if (Options.GradClipNorm is double clip)
                    {
                        Options.LossScaler?.Unscale(optimizer); // clip the true gradients, not the scaled ones
                        GradClip.ClipGradNorm(model.Parameters(), clip);
                    }
                    if (Options.LossScaler is { } scaler)
                    {
                        if (!scaler.Step(optimizer))
                            ctx.PendingLog["skipped_steps"] = ctx.PendingLog.GetValueOrDefault("skipped_steps") + 1; // Inf/NaN gradient: no update
                        scaler.Update();
                    }
                    else
                        optimizer.Step();
                    optimizer.ZeroGrad();
                    ctx.Step++;
                    double meanStep = stepLoss / micro;
                    (micro, stepLoss) = (0, 0);
                    if (Options.SchedulerInterval == SchedulerInterval.Step && ctx.Scheduler is LRScheduler ls)
                        ls.Step();
                    foreach (var cb in Options.Callbacks)
                        cb.OnStepEnd(ctx, meanStep);
                    windowSum += meanStep;
                    windowCount++;
                    if (ctx.Step % Options.LogEvery == 0 || b == batches)
                    {
                        double mean = windowSum / windowCount;
                        _stepLosses.Add((ctx.Step, mean));
                        var fields = new Dictionary<string, object?> { ["epoch"] = epochIndex + 1, ["batch"] = b, ["step"] = ctx.Step, ["loss"] = mean, ["lr"] = optimizer.ParamGroups[0].Lr };
                        foreach (var (k, v) in ctx.PendingLog) fields[k] = v;
                        ctx.PendingLog.Clear();
                        Log("step", fields);
                        (windowSum, windowCount) = (0, 0);
                    }
                    progress.Batch(b, ctx.Step, lv);
                    if (ct.IsCancellationRequested && b < batches)
                    {
                        string msg = "cancelled";
                        if (CheckpointPath is { } cp)
                        {
                            var info = SnapshotInfo(ctx);
                            info.BatchInEpoch = b;
                            info.EpochLossSum = lossSum;
                            info.LoaderSeed = train.Seed;
                            Checkpoint.Save(cp, ctx.Model, optimizer, ctx.Scheduler, info);
                            lastCheckpoint = cp;
                            Log("checkpoint", new() { ["kind"] = "last", ["path"] = cp, ["epoch"] = epochIndex + 1, ["batch"] = b, ["step"] = ctx.Step });
                            msg = $"cancelled at step {ctx.Step} (epoch {epochIndex + 1}, batch {b}/{batches}); saved {cp}; resume with it to continue exactly where it stopped";
                        }
                        return Finish(StopReason.Cancelled, msg + ".");
                    }
                }
            }

            // End of epoch: metrics, validation, scheduler, callbacks, checkpoint, report.
            var metrics = trainAcc.Compute("train_");
            metrics["train_loss"] = batches == 0 ? double.NaN : lossSum / batches;
            if (val is not null)
            {
                var ev = Evaluate(model, lossFn, val);
                foreach (var (k, v) in ev.Metrics)
                    metrics["val_" + k] = v;
            }
            var lrs = optimizer.ParamGroups.Select(g => g.Lr).ToArray();
            if (ctx.Scheduler is ReduceLROnPlateau plateau)
                plateau.Step(metrics.TryGetValue(Options.PlateauMetric, out var pm) ? pm : metrics["train_loss"]);
            else if (Options.SchedulerInterval == SchedulerInterval.Epoch && ctx.Scheduler is LRScheduler sched)
                sched.Step();
            ctx.Epoch = epochIndex + 1;
            var record = new EpochRecord { Epoch = ctx.Epoch, Step = ctx.Step, Seconds = sw.Elapsed.TotalSeconds, LearningRates = lrs, Metrics = metrics };
            ctx.History.Add(record);
            foreach (var cb in Options.Callbacks)
                cb.OnEpochEnd(ctx, record);
            var epochFields = new Dictionary<string, object?> { ["epoch"] = record.Epoch, ["step"] = record.Step, ["seconds"] = record.Seconds, ["lr"] = lrs };
            foreach (var (k, v) in metrics) epochFields[k] = v;
            Log("epoch", epochFields);
            progress.EndEpoch(record);
            if (CheckpointPath is { } path)
            {
                var info = SnapshotInfo(ctx);
                info.LoaderSeed = train.Seed;
                Checkpoint.Save(path, ctx.Model, optimizer, ctx.Scheduler, info);
                lastCheckpoint = path;
                Log("checkpoint", new() { ["kind"] = "last", ["path"] = path, ["epoch"] = ctx.Epoch, ["step"] = ctx.Step });
            }
            WriteReport(ctx, $"running: epoch {ctx.Epoch} of {epochs}");
            if (ctx.StopRequested)
                return Finish(StopReason.EarlyStopped, ctx.StopMessage ?? "a callback stopped training.");
            if (ct.IsCancellationRequested && ctx.Epoch < epochs)
                return Finish(StopReason.Cancelled, $"cancelled after epoch {ctx.Epoch}" + (lastCheckpoint is null ? "." : $"; saved {lastCheckpoint}."));
        }
        return Finish(StopReason.Completed, $"trained {ctx.Epoch} epochs ({ctx.Step} steps).");
    }

    private (Tensor Output, Tensor Loss) ForwardAndLoss(Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> lossFn, Tensor x, Tensor y)
    {
        if (Options.AutocastDType is not { } dt)
        {
            var plain = model.Call(x);
            return (plain, lossFn(plain, y));
        }
        using (Amp.Autocast.Enable(dt))
        {
            var output = model.Call(x);
            return (output, lossFn(output, y));
        }
    }

    /// <summary>Runs <paramref name="model"/> over <paramref name="data"/> in evaluation mode without gradients.</summary>
    /// <param name="model">The model (left in evaluation mode).</param>
    /// <param name="loss">The loss function, or null to skip the loss.</param>
    /// <param name="data">(input, target) batches.</param>
    /// <returns>The mean loss and the task's metrics (and the confusion matrix for classification).</returns>
    public EvalResult Evaluate(Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor>? loss, IEnumerable<(Tensor, Tensor)> data)
    {
        bool wasTraining = model.Training;
        model.Eval();
        var acc = new MetricAccumulator(Options.Task, Options.TopK);
        using (Tensor.NoGrad())
        {
            foreach (var (x, y) in data)
            {
                Options.CancellationToken.ThrowIfCancellationRequested();
                Tensor output;
                using (Options.AutocastDType is { } dt ? Amp.Autocast.Enable(dt) : Amp.Autocast.Current)
                {
                    output = model.Call(x);
                    if (loss is not null)
                        acc.AddLoss(loss(output, y).Item());
                }
                acc.Update(output, y);
            }
        }
        if (wasTraining)
            model.Train();
        _lastVal = acc;
        var m = acc.Compute();
        return new EvalResult { Loss = m.TryGetValue("loss", out var l) ? l : double.NaN, Samples = acc.Samples, Metrics = m, Confusion = acc.Confusion };
    }

    /// <summary>The model's outputs for every input, concatenated along dim 0 (evaluation mode, no gradients).</summary>
    /// <exception cref="ArgumentException">No inputs.</exception>
    public static Tensor Predict(Module<Tensor, Tensor> model, IEnumerable<Tensor> inputs)
    {
        bool wasTraining = model.Training;
        model.Eval();
        var outputs = new List<Tensor>();
        using (Tensor.NoGrad())
            foreach (var x in inputs)
                outputs.Add(model.Call(x));
        if (wasTraining)
            model.Train();
        if (outputs.Count == 0)
            throw new ArgumentException("Predict: no input batches.");
        return outputs.Count == 1 ? outputs[0] : Tensor.Cat(outputs, 0);
    }

    /// <summary>One line summarising an epoch: its losses and accuracy.</summary>
    public static string Summary(EpochRecord r)
    {
        var parts = new List<string> { $"epoch {r.Epoch}" };
        foreach (var key in new[] { "train_loss", "train_accuracy", "val_loss", "val_accuracy", "val_f1_macro", "val_mse", "val_perplexity" })
            if (r.Metrics.TryGetValue(key, out var v))
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{key} {v:F4}"));
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"({r.Seconds:F1} s)"));
        return string.Join("  ", parts);
    }

    internal CheckpointInfo SnapshotInfo(TrainerContext ctx)
    {
        var info = new CheckpointInfo { Epoch = ctx.Epoch, Step = ctx.Step, History = ctx.History.ToList(), StepLosses = _stepLosses.ToList() };
        foreach (var (k, v) in Options.Metadata)
            info.Extra[k] = v;
        return info;
    }

    /// <summary>Appends an event to the run log (no-op without one).</summary>
    internal void Log(string name, Dictionary<string, object?> fields, IReadOnlyDictionary<string, string>? extra = null)
    {
        if (_log is null)
            return;
        if (extra is not null)
            foreach (var (k, v) in extra)
                fields.TryAdd(k, v);
        _log.Write(name, fields);
    }

    private void WriteReport(TrainerContext ctx, string status)
    {
        if (ReportPath is not { } path)
            return;
        var summary = new List<(string, string)> { ("status", status), ("model", ctx.Model.GetType().Name),
            ("parameters", ctx.Model.Parameters().Sum(p => p.Numel).ToString("N0", CultureInfo.InvariantCulture)),
            ("optimizer", ctx.Optimizer.TypeName), ("epochs completed", ctx.Epoch.ToString(CultureInfo.InvariantCulture)),
            ("steps", ctx.Step.ToString(CultureInfo.InvariantCulture)), ("threads", Threads.Count.ToString(CultureInfo.InvariantCulture)) };
        foreach (var (k, v) in Options.Metadata)
            summary.Add((k, v));
        if (ctx.History.Count > 0)
            foreach (var (k, v) in ctx.History[^1].Metrics)
                summary.Add(("final " + k, v.ToString("G6", CultureInfo.InvariantCulture)));
        HtmlReport.Save(path, HtmlReport.Render(Options.Title, summary, ctx.History, _stepLosses, _lastVal?.Confusion, Options.ClassNames));
    }
}
