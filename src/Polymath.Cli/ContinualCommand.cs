using System.Globalization;
using System.Text.Json.Nodes;
using Polymath.Data;
using Polymath.Models;
using Polymath.NN;
using Polymath.NN.Optim;
using Polymath.Training;
using Polymath.Training.Continual;

namespace Polymath.Cli;

/// <summary>
/// <c>polymath continual</c>: learns split MNIST or permuted MNIST task by task with naive fine-tuning, EWC and
/// experience replay, prints the accuracy matrices, average accuracy and forgetting after each task, and writes a
/// JSON Lines log and an HTML report.
/// </summary>
internal static class ContinualCommand
{
    internal static readonly string[] ValueOptions =
    [
        "--benchmark", "--scenario", "--strategy", "--epochs", "--batch-size", "--lr", "--optimizer", "--hidden", "--tasks",
        "--train-per-task", "--test-per-task", "--ewc-lambda", "--ewc-gamma", "--fisher-samples", "--fisher-estimator",
        "--fisher-batch-size", "--buffer-size", "--replay-batch", "--validation", "--seed", "--threads", "--data-dir", "--out",
    ];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] argv, CancellationToken cancel)
    {
        if (Program.WantsHelp(argv))
        {
            Help.Command("continual");
            return 0;
        }
        var args = new Args("continual", argv);
        string benchmark = (args.Value("--benchmark") ?? "split-mnist").ToLowerInvariant();
        if (benchmark is not ("split-mnist" or "permuted-mnist"))
            throw new UsageException($"unknown benchmark '{benchmark}'; valid benchmarks: split-mnist, permuted-mnist.", "continual");
        string scenarioName = (args.Value("--scenario") ?? (benchmark == "split-mnist" ? "class" : "domain")).ToLowerInvariant();
        var scenario = scenarioName switch
        {
            "class" => ContinualScenario.ClassIncremental,
            "task" => ContinualScenario.TaskIncremental,
            "domain" => ContinualScenario.DomainIncremental,
            _ => throw new UsageException($"unknown scenario '{scenarioName}'; valid scenarios: class, task, domain.", "continual"),
        };
        if (benchmark == "permuted-mnist" && scenario != ContinualScenario.DomainIncremental)
            throw new UsageException("permuted-mnist is domain-incremental only (every task has the same ten classes); use --scenario domain or leave it out.", "continual");
        string strategyName = (args.Value("--strategy") ?? "all").ToLowerInvariant();
        string[] strategies = strategyName switch
        {
            "all" => ["naive", "ewc", "replay"],
            "naive" or "ewc" or "replay" => [strategyName],
            _ => throw new UsageException($"unknown strategy '{strategyName}'; valid strategies: naive, ewc, replay, all.", "continual"),
        };
        int epochs = args.Int("--epochs", 1, 10_000) ?? 2;
        int batchSize = args.Int("--batch-size", 1, 1 << 20) ?? 128;
        double lr = args.Double("--lr", 0, 100) ?? 1e-3;
        string optimizer = (args.Value("--optimizer") ?? "adam").ToLowerInvariant();
        if (optimizer is not ("adam" or "sgd"))
            throw new UsageException($"unknown optimizer '{optimizer}'; valid optimizers: adam, sgd.", "continual");
        int[] hidden = ParseHidden(args.Value("--hidden") ?? "400,400");
        int taskCount = args.Int("--tasks", 1, 100) ?? 5;
        if (benchmark == "split-mnist" && args.Value("--tasks") is not null && taskCount != 5)
            throw new UsageException("--tasks applies to permuted-mnist; split-mnist always has five tasks (digit pairs 0/1 ... 8/9).", "continual");
        int? trainPerTask = args.Int("--train-per-task", 1, 60_000) ?? (benchmark == "permuted-mnist" ? 10_000 : null);
        int? testPerTask = args.Int("--test-per-task", 1, 10_000);
        // Defaults from the validation sweep in docs/foundation-models.md (best A_5 on held-out training images, seed 1).
        double lambda = args.Double("--ewc-lambda", 0, 1e12) ?? (benchmark == "permuted-mnist" ? 1e2 : scenario == ContinualScenario.DomainIncremental ? 1e7 : 1e6);
        double gamma = args.Double("--ewc-gamma", 0, 1) ?? 1.0;
        int fisherSamples = args.Int("--fisher-samples", 1, 1 << 20) ?? 1000;
        string estimatorName = (args.Value("--fisher-estimator") ?? "per-sample").ToLowerInvariant();
        var estimator = estimatorName switch
        {
            "per-sample" => FisherEstimator.PerSample,
            "per-batch" => FisherEstimator.PerBatch,
            _ => throw new UsageException($"unknown Fisher estimator '{estimatorName}'; valid: per-sample, per-batch.", "continual"),
        };
        int fisherBatch = args.Int("--fisher-batch-size", 1, 1 << 20) ?? 64;
        int bufferSize = args.Int("--buffer-size", 1, 1 << 24) ?? 1000;
        int replayBatch = args.Int("--replay-batch", 1, 1 << 20) ?? batchSize;
        int? validation = args.Int("--validation", 1, 60_000);
        int seed = args.Int("--seed", 0, int.MaxValue) ?? 42;
        int? threads = args.Int("--threads", 1, 1024);
        string dataDir = args.Value("--data-dir") ?? TrainingSetup.DefaultDataDir("mnist");
        string outDir = args.Value("--out") ?? Path.Combine("runs", $"continual-{benchmark}-{scenarioName}");
        args.End(ValueOptions);
        if (threads is int th)
            Threads.Count = th;

        var train = new Mnist(dataDir, train: true);
        var test = new Mnist(dataDir, train: false);
        var hashes = new JsonObject();
        foreach (var f in Mnist.Files)
        {
            string path = Path.Combine(dataDir, f.FileName);
            if (!File.Exists(path) && path.EndsWith(".gz", StringComparison.Ordinal)) path = path[..^3];
            hashes[f.FileName] = File.Exists(path) ? Downloader.Sha256Of(path) : null;
        }
        var sequence = benchmark == "split-mnist"
            ? TaskSequence.SplitMnist(train, test, scenario, trainPerTask: trainPerTask, testPerTask: testPerTask)
            : TaskSequence.PermutedMnist(train, test, taskCount, (ulong)seed, trainPerTask, testPerTask);
        if (validation is int v)
        {
            try
            {
                sequence = sequence.HoldOut(v);
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"--validation {v}: {e.Message}", "continual");
            }
        }
        string evaluatedOn = validation is int hv ? $"validation: the last {hv} training images of each task (not trained on)" : "the test split";

        Directory.CreateDirectory(outDir);
        string logPath = Path.Combine(outDir, "run.jsonl"), reportPath = Path.Combine(outDir, "report.html");
        File.Delete(logPath); // a new run starts a new log
        using var log = new RunLog(logPath);
        var settings = new List<(string, string)>
        {
            ("benchmark", benchmark), ("scenario", ScenarioText(scenario)), ("tasks", string.Join(", ", sequence.Tasks.Select(t => $"{t.Name} ({t.TrainCount} train / {t.TestCount} test)"))),
            ("model", $"MLP {sequence.Features}-{string.Join("-", hidden)}-{sequence.Outputs} (ReLU)"), ("optimizer", $"{optimizer} lr {lr.ToString(Inv)}, fresh at every task"),
            ("epochs per task", epochs.ToString(Inv)), ("batch size", batchSize.ToString(Inv)), ("seed", seed.ToString(Inv)), ("threads", Threads.Count.ToString(Inv)),
            ("evaluated on", evaluatedOn), ("data", Path.GetFullPath(dataDir)), ("data sha256", string.Join(", ", hashes.Select(h => $"{h.Key} {h.Value}"))),
        };
        log.Write("start", new Dictionary<string, object?>
        {
            ["command"] = "continual", ["benchmark"] = benchmark, ["scenario"] = scenarioName, ["strategies"] = string.Join(",", strategies),
            ["epochs"] = epochs, ["batch_size"] = batchSize, ["lr"] = lr, ["optimizer"] = optimizer, ["hidden"] = string.Join(",", hidden),
            ["tasks"] = sequence.Tasks.Count, ["task_names"] = new JsonArray(sequence.Tasks.Select(t => (JsonNode)t.Name).ToArray()),
            ["train_per_task"] = trainPerTask, ["test_per_task"] = testPerTask, ["ewc_lambda"] = lambda, ["ewc_gamma"] = gamma,
            ["fisher_samples"] = fisherSamples, ["fisher_estimator"] = estimatorName, ["fisher_batch_size"] = fisherBatch,
            ["buffer_size"] = bufferSize, ["replay_batch"] = replayBatch, ["validation_per_task"] = validation, ["evaluated_on"] = evaluatedOn, ["seed"] = seed, ["threads"] = Threads.Count,
            ["dataset"] = "mnist", ["data_dir"] = Path.GetFullPath(dataDir), ["dataset_sha256"] = hashes,
        });
        Console.WriteLine($"polymath continual: {benchmark}, {ScenarioText(scenario)}, {sequence.Tasks.Count} tasks, MLP {sequence.Features}-{string.Join("-", hidden)}-{sequence.Outputs}, " +
                          $"{epochs} epoch(s) per task, batch {batchSize}, {optimizer} lr {lr.ToString(Inv)}, seed {seed}, {Threads.Count} thread(s), evaluated on {evaluatedOn}, output {outDir}");

        var results = new List<ContinualResult>();
        foreach (string name in strategies)
        {
            ContinualStrategy strategy = name switch
            {
                "ewc" => new EwcStrategy(lambda, gamma, fisherSamples, estimator, fisherBatch),
                "replay" => new ExperienceReplay(bufferSize, replayBatch),
                _ => new NaiveStrategy(),
            };
            // Every strategy starts from the same weights and sees the same batches.
            var model = new Mlp(sequence.Features, hidden, sequence.Outputs, new Generator((ulong)seed));
            var options = new ContinualOptions
            {
                Epochs = epochs, BatchSize = batchSize, Seed = (ulong)seed, Log = log, Progress = Console.Out, CancellationToken = cancel,
                CreateOptimizer = p => optimizer == "sgd" ? new SGD(p, lr, momentum: 0.9) : new Adam(p, lr),
            };
            var result = ContinualLearner.Run(model, sequence, strategy, options);
            results.Add(result);
            log.Write("summary", new Dictionary<string, object?>
            {
                ["strategy"] = name, ["settings"] = SettingsJson(result.Settings), ["matrix"] = MatrixJson(result.Accuracy),
                ["average_accuracy"] = result.Accuracy.AverageAccuracies(), ["forgetting"] = result.Accuracy.Forgettings(),
                ["backward_transfer"] = result.Accuracy.BackwardTransfers(), ["seconds"] = result.Seconds.Sum(),
            });
            HtmlReport.Save(reportPath, ContinualReport.Render($"polymath continual: {benchmark} ({ScenarioText(scenario)})", settings, sequence.Tasks.Select(t => t.Name).ToList(), results));
        }

        Console.WriteLine();
        foreach (var r in results)
        {
            Console.WriteLine($"{r.Strategy}{(r.Settings.Count > 0 ? " (" + string.Join(", ", r.Settings.Select(s => $"{s.Key} {Fmt(s.Value)}")) + ")" : "")}: accuracy matrix R[i, j] (row i: after task i; column j: task j)");
            Console.WriteLine("  after    " + string.Join(" ", sequence.Tasks.Select(t => t.Name.PadLeft(8))));
            for (int i = 0; i < r.Accuracy.Rows; i++)
                Console.WriteLine("  " + sequence.Tasks[i].Name.PadRight(8) + " " + string.Join(" ", r.Accuracy.Row(i).Select((v, j) => (j <= i ? v.ToString("F4", Inv) : "-").PadLeft(8))));
        }
        Console.WriteLine();
        Console.WriteLine("average accuracy A_i and forgetting F_i after each task:");
        Console.WriteLine("  strategy  " + string.Join(" ", Enumerable.Range(1, sequence.Tasks.Count).Select(i => $"A_{i}".PadLeft(8) + $"F_{i}".PadLeft(8))));
        foreach (var r in results)
        {
            var a = r.Accuracy.AverageAccuracies();
            var f = r.Accuracy.Forgettings();
            Console.WriteLine("  " + r.Strategy.PadRight(9) + " " + string.Join(" ", a.Select((v, i) => v.ToString("F4", Inv).PadLeft(8) + (double.IsFinite(f[i]) ? f[i].ToString("F4", Inv) : "-").PadLeft(8))));
        }
        Console.WriteLine($"log: {logPath}  report: {reportPath}");
        return 0;
    }

    private static string ScenarioText(ContinualScenario s) => s switch
    {
        ContinualScenario.ClassIncremental => "class-incremental (one 10-way head, no task identity)",
        ContinualScenario.TaskIncremental => "task-incremental (logits masked to the task's classes)",
        _ => "domain-incremental (shared label space)",
    };

    private static int[] ParseHidden(string s)
    {
        var parts = s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, Inv, out widths[i]) || widths[i] < 1 || widths[i] > 1 << 16)
                throw new UsageException($"option '--hidden' expects comma-separated layer widths from 1 to 65536 (e.g. 400,400), got '{s}'.", "continual");
        if (widths.Length == 0)
            throw new UsageException("option '--hidden' needs at least one layer width (e.g. 400,400).", "continual");
        return widths;
    }

    private static string Fmt(object? v) => v switch
    {
        double d => d.ToString("G6", Inv),
        IFormattable f => f.ToString(null, Inv),
        _ => v?.ToString() ?? "null",
    };

    private static JsonObject SettingsJson(IReadOnlyDictionary<string, object?> settings)
    {
        var o = new JsonObject();
        foreach (var (k, v) in settings)
            o[k] = v switch { double d => d, int i => i, string s => s, _ => v?.ToString() };
        return o;
    }

    private static JsonArray MatrixJson(AccuracyMatrix m)
    {
        var rows = new JsonArray();
        for (int i = 0; i < m.Rows; i++)
            rows.Add(new JsonArray(m.Row(i).Select(v => (JsonNode?)(double.IsFinite(v) ? JsonValue.Create(v) : null)).ToArray()));
        return rows;
    }
}
