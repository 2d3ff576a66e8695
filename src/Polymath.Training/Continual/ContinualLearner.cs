using System.Diagnostics;
using System.Globalization;

namespace Polymath.Training.Continual;

/// <summary>Settings of a continual-learning run.</summary>
public sealed class ContinualOptions
{
    /// <summary>Epochs over each task's training data.</summary>
    public int Epochs { get; set; } = 1;

    /// <summary>Training batch size (of the current task; replay adds its own rows).</summary>
    public int BatchSize { get; set; } = 128;

    /// <summary>
    /// Seed of the data order (one stream) and of the strategy's draws (a second stream): two strategies run with the
    /// same seed see the same batches in the same order.
    /// </summary>
    public ulong Seed { get; set; }

    /// <summary>Makes the optimizer; a fresh one is made at the start of every task (Adam, lr 10⁻³ by default).</summary>
    public Func<IEnumerable<Tensor>, Optimizer> CreateOptimizer { get; set; } = p => new Adam(p, 1e-3);

    /// <summary>Batch size of the test-set evaluation.</summary>
    public int EvalBatchSize { get; set; } = 1000;

    /// <summary>A run log to append events to (task_start, epoch, task_end); null: none.</summary>
    public RunLog? Log { get; set; }

    /// <summary>Where one progress line per task goes; null: nowhere.</summary>
    public TextWriter? Progress { get; set; }

    /// <summary>Stops the run between batches (throws <see cref="OperationCanceledException"/>).</summary>
    public CancellationToken CancellationToken { get; set; }
}

/// <summary>What one strategy's run over a sequence produced.</summary>
public sealed class ContinualResult
{
    /// <summary>The strategy's name.</summary>
    public required string Strategy { get; init; }

    /// <summary>The strategy's settings.</summary>
    public required IReadOnlyDictionary<string, object?> Settings { get; init; }

    /// <summary>R[i, j] after every task.</summary>
    public required AccuracyMatrix Accuracy { get; init; }

    /// <summary>Mean training loss (the strategy's loss, penalties and replay included) of each task's last epoch.</summary>
    public required double[] FinalTrainLoss { get; init; }

    /// <summary>Wall-clock seconds each task took (training, strategy work and evaluation).</summary>
    public required double[] Seconds { get; init; }
}

/// <summary>
/// Trains one model on the tasks of a <see cref="TaskSequence"/> in order with a <see cref="ContinualStrategy"/>, and
/// measures the test accuracy on every task after each one (the accuracy matrix).
/// </summary>
public static class ContinualLearner
{
    /// <summary>Runs <paramref name="strategy"/> over <paramref name="sequence"/>.</summary>
    /// <param name="model">The model (trained in place); build a fresh one, with the same initialisation, per strategy to compare them.</param>
    /// <param name="sequence">The tasks.</param>
    /// <param name="strategy">The strategy (a fresh instance per run: it keeps state across tasks).</param>
    /// <param name="options">Settings (defaults when null).</param>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    /// <exception cref="OperationCanceledException">The token fired.</exception>
    /// <exception cref="InvalidOperationException">The loss became NaN or infinite (the message names the task, epoch and batch).</exception>
    public static ContinualResult Run(Module<Tensor, Tensor> model, TaskSequence sequence, ContinualStrategy strategy, ContinualOptions? options = null)
    {
        options ??= new ContinualOptions();
        if (options.Epochs < 1 || options.BatchSize < 1 || options.EvalBatchSize < 1)
            throw new ArgumentException($"continual learning: epochs, batch size and evaluation batch size must be at least 1, got {options.Epochs}, {options.BatchSize}, {options.EvalBatchSize}.");
        var inv = CultureInfo.InvariantCulture;
        var dataGen = new Generator(options.Seed);
        var context = new ContinualContext(model, sequence, new Generator(SampleRandom.Mix(options.Seed, 0x5EEDC0DE, 1)));
        int tasks = sequence.Tasks.Count;
        var matrix = new AccuracyMatrix(tasks);
        var finalLoss = new double[tasks];
        var seconds = new double[tasks];
        for (int t = 0; t < tasks; t++)
        {
            var sw = Stopwatch.StartNew();
            var task = sequence.Tasks[t];
            context.TaskIndex = t;
            context.Epoch = 0;
            options.Log?.Write("task_start", new Dictionary<string, object?> { ["strategy"] = strategy.Name, ["task"] = t, ["task_name"] = task.Name, ["train_examples"] = task.TrainCount });
            strategy.BeforeTask(context);
            var optimizer = options.CreateOptimizer(model.Parameters());
            model.Train();
            for (int e = 0; e < options.Epochs; e++)
            {
                context.Epoch = e;
                var perm = new long[task.TrainCount];
                dataGen.Randperm(perm);
                double lossSum = 0;
                int batches = 0;
                for (int start = 0; start < perm.Length; start += options.BatchSize)
                {
                    options.CancellationToken.ThrowIfCancellationRequested();
                    int n = Math.Min(options.BatchSize, perm.Length - start);
                    var rows = perm.AsSpan(start, n).ToArray();
                    var idx = Tensor.From(rows, n);
                    var x = task.TrainInputs.IndexSelect(0, idx);
                    var y = task.TrainTargets.IndexSelect(0, idx);
                    optimizer.ZeroGrad();
                    var loss = strategy.TrainingLoss(context, x, y);
                    double lv = loss.Item();
                    if (!double.IsFinite(lv))
                        throw new InvalidOperationException($"continual learning ({strategy.Name}): the loss is {lv.ToString(inv)} at task {t} ('{task.Name}'), epoch {e + 1}, batch {batches + 1}; lower the learning rate or the penalty strength.");
                    loss.Backward();
                    optimizer.Step();
                    strategy.AfterStep(context, x, y, rows.Select(r => (int)r).ToArray());
                    lossSum += lv;
                    batches++;
                }
                finalLoss[t] = lossSum / batches;
                options.Log?.Write("epoch", new Dictionary<string, object?> { ["strategy"] = strategy.Name, ["task"] = t, ["epoch"] = e + 1, ["train_loss"] = finalLoss[t], ["batches"] = batches });
            }
            optimizer.ZeroGrad();
            strategy.AfterTask(context);
            var row = Enumerable.Range(0, tasks).Select(j => sequence.TestAccuracy(model, j, options.EvalBatchSize)).ToArray();
            matrix.SetRow(t, row);
            seconds[t] = sw.Elapsed.TotalSeconds;
            double a = matrix.AverageAccuracy(t), f = matrix.Forgetting(t), b = matrix.BackwardTransfer(t);
            options.Log?.Write("task_end", new Dictionary<string, object?>
            {
                ["strategy"] = strategy.Name, ["task"] = t, ["task_name"] = task.Name, ["accuracy"] = row, ["average_accuracy"] = a,
                ["forgetting"] = f, ["backward_transfer"] = b, ["train_loss"] = finalLoss[t], ["seconds"] = seconds[t],
            });
            string forgetting = t > 0 ? ", F " + f.ToString("F4", inv) : "";
            options.Progress?.WriteLine(string.Create(inv,
                $"{strategy.Name,-7} task {t + 1}/{tasks} ({task.Name}): loss {finalLoss[t]:F4}, {seconds[t]:F1} s; accuracy {string.Join(" ", row.Take(t + 1).Select(v => v.ToString("F3", inv)))}; A {a:F4}{forgetting}"));
        }
        return new ContinualResult { Strategy = strategy.Name, Settings = strategy.Settings, Accuracy = matrix, FinalTrainLoss = finalLoss, Seconds = seconds };
    }
}
