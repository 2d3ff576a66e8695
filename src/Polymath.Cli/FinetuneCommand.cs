using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polymath.Data.Tokenizers;
using Polymath.Models.Gpt;
using Polymath.Models.Peft;
using Polymath.NN;
using Polymath.NN.Optim;
using Polymath.Training;

namespace Polymath.Cli;

/// <summary>
/// <c>polymath finetune</c>: fine-tunes a pretrained GPT (from <c>polymath pretrain gpt</c>) as a speaker classifier on a
/// play script (Tiny Shakespeare by default) with one of five methods: full, freeze, lora, adapter, prefix. Writes
/// OUT/run.jsonl, OUT/report.html, OUT/model.safetensors (the best epoch by validation accuracy) and, for LoRA, the adapter
/// alone (OUT/adapter_model.safetensors), then prints the test accuracy and the trainable-parameter count.
/// </summary>
internal static class FinetuneCommand
{
    internal static readonly string[] ValueOptions =
    [
        "--backbone", "--method", "--data", "--speakers", "--max-tokens", "--val-fraction", "--test-fraction", "--split-seed", "--pooling", "--epochs",
        "--batch-size", "--lr", "--weight-decay", "--warmup-fraction", "--grad-clip", "--lora-rank", "--lora-alpha", "--lora-dropout", "--lora-targets",
        "--adapter-dim", "--prefix-length", "--freeze-last-blocks", "--train-fraction", "--seed", "--threads", "--out", "--config",
    ];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] argv, CancellationToken cancel)
    {
        if (Program.WantsHelp(argv))
        {
            Help.Command("finetune");
            return 0;
        }
        argv = TrainCommand.ApplyConfig("finetune", argv, ValueOptions, []);
        var args = new Args("finetune", argv);
        var o = new FinetuneOptions
        {
            Backbone = args.Value("--backbone") ?? throw new UsageException("--backbone is required (a checkpoint from polymath pretrain gpt).", "finetune"),
            Method = (args.Value("--method") ?? "lora").ToLowerInvariant(),
            Data = args.Value("--data") ?? DefaultData(),
            Speakers = args.Int("--speakers", 2, 1000) ?? 10,
            MaxTokens = args.Int("--max-tokens", 1, 1 << 16) ?? 128,
            ValFraction = args.Double("--val-fraction", 1e-6, 0.5) ?? 0.1,
            TestFraction = args.Double("--test-fraction", 1e-6, 0.5) ?? 0.1,
            SplitSeed = args.Int("--split-seed", 0, int.MaxValue) ?? 0,
            Pooling = (args.Value("--pooling") ?? "mean").ToLowerInvariant(),
            Epochs = args.Int("--epochs", 1, 100_000) ?? 4,
            BatchSize = args.Int("--batch-size", 1, 1 << 16) ?? 16,
            Lr = args.Double("--lr", 1e-12, 10) ?? 0,
            WeightDecay = args.Double("--weight-decay", 0, 10) ?? 0.01,
            WarmupFraction = args.Double("--warmup-fraction", 0, 0.99) ?? 0.1,
            GradClip = args.Double("--grad-clip", 0, 1e9) ?? 1.0,
            LoraRank = args.Int("--lora-rank", 1, 1 << 16) ?? 4,
            LoraAlpha = args.Double("--lora-alpha", 1e-9, 1e9) ?? 8,
            LoraDropout = args.Double("--lora-dropout", 0, 0.99) ?? 0.05,
            LoraTargets = args.Value("--lora-targets") ?? @"c_attn|attn\.c_proj",
            AdapterDim = args.Int("--adapter-dim", 1, 1 << 16) ?? 16,
            PrefixLength = args.Int("--prefix-length", 1, 1 << 16) ?? 10,
            FreezeLastBlocks = args.Int("--freeze-last-blocks", 0, 1024) ?? 0,
            TrainFraction = args.Double("--train-fraction", 1e-6, 1),
            Seed = args.Int("--seed", 0, int.MaxValue) ?? 1337,
        };
        int? threads = args.Int("--threads", 1, 1024);
        string outDir = args.Value("--out") ?? Path.Combine("runs", "finetune-" + o.Method);
        args.End(ValueOptions);
        if (!TextClassification.Methods.Contains(o.Method))
            throw new UsageException($"--method: unknown method '{o.Method}'; valid: {string.Join(", ", TextClassification.Methods)}.", "finetune");
        if (o.Pooling is not ("mean" or "last"))
            throw new UsageException($"--pooling: unknown '{o.Pooling}'; valid: mean, last.", "finetune");
        if (threads is int t)
            Threads.Count = t;

        var (task, sha) = TextClassification.LoadTask("finetune", o.Data, o.Speakers, o.ValFraction, o.TestFraction, o.SplitSeed);
        var (lm, tokenizer) = TextClassification.LoadBackbone("finetune", o.Backbone);
        int maxInput = lm.Config.ContextLength - (o.Method == "prefix" ? o.PrefixLength : 0);
        if (maxInput < 1)
            throw new UsageException($"--prefix-length {o.PrefixLength} leaves no room in the backbone's context of {lm.Config.ContextLength}.", "finetune");
        if (o.MaxTokens > maxInput)
        {
            Console.Error.WriteLine($"polymath finetune: --max-tokens {o.MaxTokens} does not fit the context ({lm.Config.ContextLength}{(o.Method == "prefix" ? $" minus a {o.PrefixLength}-token prefix" : "")}); using {maxInput}.");
            o = o with { MaxTokens = maxInput };
        }
        Polymath.Random.Seed((ulong)o.Seed);
        return new FinetuneRun(o, outDir, task, sha, lm, tokenizer, cancel).Run();
    }

    internal static string DefaultData()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Polymath.slnx")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "tinyshakespeare", "input.txt"));
        return Path.Combine("..", "shared", "data", "tinyshakespeare", "input.txt");
    }

    private sealed class FinetuneRun(FinetuneOptions o, string outDir, SpeakerDataset task, string sha, GptModel lm, ITokenizer tokenizer, CancellationToken cancel)
    {
        public int Run()
        {
            List<(long[] Ids, int Label)> Enc(IReadOnlyList<(string Text, int Label)> xs) =>
                [.. xs.Select(x => (TextClassification.Encode(tokenizer, x.Text, o.MaxTokens), x.Label))];
            var train = Enc(task.Train);
            if (o.TrainFraction is double f)
                train = train.Take(Math.Max(1, (int)(train.Count * f))).ToList();
            var val = Enc(task.Validation);
            var test = Enc(task.Test);
            var clf = TextClassification.Build(lm, o, task.Labels.Count, s => [.. tokenizer.Encode(s).Select(i => (long)i)], task.Train[0].Text);
            var (trainable, total) = Lora.CountParameters(clf);
            var trainableNamed = clf.NamedParameters().Where(p => p.Parameter.RequiresGrad).ToList();
            var decay = trainableNamed.Where(p => p.Parameter.Rank >= 2 && !p.Name.StartsWith("prefix_encoder", StringComparison.Ordinal)).Select(p => p.Parameter).ToList();
            var noDecay = trainableNamed.Where(p => !decay.Contains(p.Parameter)).Select(p => p.Parameter).ToList();
            double lr = o.EffectiveLr;
            var opt = new AdamW(decay, lr, 0.9, 0.999, 1e-8, o.WeightDecay);
            if (noDecay.Count > 0)
                opt.AddParamGroup(noDecay, new Dictionary<string, double> { ["weight_decay"] = 0 });
            int stepsPerEpoch = (train.Count + o.BatchSize - 1) / o.BatchSize, totalSteps = stepsPerEpoch * o.Epochs;
            var sched = new WarmupDecayLR(opt, Math.Min((int)(totalSteps * o.WarmupFraction), totalSteps - 1), totalSteps, WarmupDecay.Cosine, 0.0);

            Directory.CreateDirectory(outDir);
            string logPath = Path.Combine(outDir, "run.jsonl"), bestPath = Path.Combine(outDir, "model.safetensors"),
                adapterPath = Path.Combine(outDir, "adapter_model.safetensors"), reportPath = Path.Combine(outDir, "report.html");
            if (File.Exists(logPath))
                File.Delete(logPath);
            using var log = new RunLog(logPath);
            int majority = Enumerable.Range(0, task.Labels.Count).MaxBy(c => train.Count(x => x.Label == c));
            double majorityAcc = test.Count(x => x.Label == majority) / (double)test.Count;
            log.Write("start", new Dictionary<string, object?>
            {
                ["command"] = "finetune", ["method"] = o.Method, ["dataset"] = Path.GetFullPath(o.Data), ["dataset_sha256"] = sha,
                ["backbone"] = Path.GetFullPath(o.Backbone), ["backbone_sha256"] = Sha256(o.Backbone), ["seed"] = o.Seed, ["split_seed"] = o.SplitSeed,
                ["threads"] = Threads.Count, ["labels"] = JsonSerializer.SerializeToNode(task.Labels), ["train"] = train.Count, ["val"] = val.Count, ["test"] = test.Count,
                ["parameters"] = total, ["trainable_parameters"] = trainable, ["trainable_percent"] = 100.0 * trainable / total, ["lr"] = lr,
                ["majority_class_test_accuracy"] = majorityAcc, ["options"] = JsonNode.Parse(o.ToJson()),
            });
            Console.WriteLine(string.Create(Inv, $"polymath finetune --method {o.Method}: {task.Labels.Count} speakers, {train.Count} train / {val.Count} val / {test.Count} test speeches (≤ {o.MaxTokens} tokens), " +
                $"{trainable:N0} of {total:N0} parameters trainable ({100.0 * trainable / total:F2}%), lr {lr:G3}, {o.Epochs} epochs of {stepsPerEpoch} steps, seed {o.Seed}, {Threads.Count} thread(s), output {outDir}"));

            var extra = new Dictionary<string, string>
            {
                ["model"] = "gpt-classifier", ["finetune_options"] = o.ToJson(), ["labels"] = JsonSerializer.Serialize(task.Labels),
                ["gpt_config"] = JsonSerializer.Serialize(lm.Config), ["tokenizer"] = GptPretraining.TokenizerJson(tokenizer),
                ["dataset"] = Path.GetFullPath(o.Data), ["dataset_sha256"] = sha, ["seed"] = o.Seed.ToString(Inv),
            };
            var shuffle = new Generator((ulong)o.Seed);
            var history = new List<EpochRecord>();
            var stepLosses = new List<(long, double)>();
            double bestVal = double.NegativeInfinity;
            int bestEpoch = 0;
            long step = 0;
            var clock = Stopwatch.StartNew();
            double trainSeconds = 0;
            string stop = "completed";
            for (int epoch = 1; epoch <= o.Epochs && stop == "completed"; epoch++)
            {
                var epochClock = Stopwatch.StartNew();
                var perm = new long[train.Count];
                shuffle.Randperm(perm);
                clf.Train();
                double lossSum = 0;
                int seen = 0, correct = 0;
                foreach (var (ids, lengths, labels) in TextClassification.Batches(train, [.. perm.Select(i => (int)i)], o.BatchSize))
                {
                    if (cancel.IsCancellationRequested) { stop = "cancelled"; break; }
                    opt.ZeroGrad();
                    var logits = clf.Forward(ids, lengths);
                    var loss = Losses.CrossEntropy(logits, labels);
                    loss.Backward();
                    if (o.GradClip > 0)
                        GradClip.ClipGradNorm(opt.ParamGroups.SelectMany(g => g.Params), o.GradClip);
                    opt.Step();
                    sched.Step();
                    step++;
                    double l = loss.Item();
                    if (!double.IsFinite(l))
                        throw new InvalidOperationException($"finetune: the loss became {l} at step {step}.");
                    lossSum += l * lengths.Length;
                    seen += lengths.Length;
                    var pred = Metrics.Predictions(logits);
                    var y = labels.ToArray<long>();
                    correct += pred.Where((p, i) => p == y[i]).Count();
                    stepLosses.Add((step, l));
                    if (step % 20 == 0)
                        log.Write("step", new Dictionary<string, object?> { ["step"] = step, ["loss"] = l, ["lr"] = opt.ParamGroups[0].Lr, ["elapsed_s"] = clock.Elapsed.TotalSeconds });
                }
                trainSeconds += epochClock.Elapsed.TotalSeconds;
                if (stop != "completed")
                    break;
                var (vl, va, _) = TextClassification.Evaluate(clf, val, 64, cancel);
                var rec = new EpochRecord
                {
                    Epoch = epoch, Step = step, Seconds = epochClock.Elapsed.TotalSeconds, LearningRates = [opt.ParamGroups[0].Lr],
                    Metrics = new() { ["train_loss"] = lossSum / seen, ["train_accuracy"] = (double)correct / seen, ["val_loss"] = vl, ["val_accuracy"] = va },
                };
                history.Add(rec);
                log.Write("epoch", new Dictionary<string, object?>
                {
                    ["epoch"] = epoch, ["step"] = step, ["train_loss"] = lossSum / seen, ["train_accuracy"] = (double)correct / seen, ["val_loss"] = vl, ["val_accuracy"] = va,
                    ["seconds"] = rec.Seconds,
                });
                Console.WriteLine(string.Create(Inv, $"epoch {epoch}/{o.Epochs}: train loss {lossSum / seen:F4} acc {(double)correct / seen:F3}, val loss {vl:F4} acc {va:F3} ({rec.Seconds:F0} s)"));
                if (va > bestVal)
                {
                    bestVal = va;
                    bestEpoch = epoch;
                    Checkpoint.Save(bestPath, clf, info: new CheckpointInfo { Epoch = epoch, Step = step, Extra = new(extra) });
                    log.Write("checkpoint", new Dictionary<string, object?> { ["path"] = Path.GetFullPath(bestPath), ["epoch"] = epoch, ["why"] = "best val_accuracy" });
                    if (o.Method == "lora")
                    {
                        LoraAdapterFile.Save(adapterPath, clf, ["score"], new Dictionary<string, string>
                        {
                            ["labels"] = extra["labels"], ["dataset_sha256"] = sha, ["finetune_options"] = extra["finetune_options"],
                        });
                        log.Write("checkpoint", new Dictionary<string, object?> { ["path"] = Path.GetFullPath(adapterPath), ["epoch"] = epoch, ["bytes"] = new FileInfo(adapterPath).Length, ["why"] = "LoRA adapter alone" });
                    }
                }
            }
            if (bestEpoch == 0)
            {
                log.Write("end", new Dictionary<string, object?> { ["reason"] = stop, ["elapsed_s"] = clock.Elapsed.TotalSeconds });
                Console.WriteLine($"{stop} before the first epoch finished; nothing saved.");
                return stop == "cancelled" ? 130 : 1;
            }
            clf.LoadStateDict(Checkpoint.ReadModelState(bestPath));
            var (testLoss, testAcc, predicted) = TextClassification.Evaluate(clf, test, 64, cancel);
            var cm = Metrics.ConfusionMatrix(predicted, [.. test.Select(x => (long)x.Label)], task.Labels.Count);
            var f1 = Metrics.PrecisionRecallF1(cm).MacroF1;
            log.Write("test", new Dictionary<string, object?>
            {
                ["epoch"] = bestEpoch, ["test_loss"] = testLoss, ["test_accuracy"] = testAcc, ["test_f1_macro"] = f1, ["trainable_parameters"] = trainable, ["parameters"] = total,
                ["trainable_percent"] = 100.0 * trainable / total, ["train_seconds"] = trainSeconds,
            });
            log.Write("end", new Dictionary<string, object?> { ["reason"] = stop, ["elapsed_s"] = clock.Elapsed.TotalSeconds, ["best_epoch"] = bestEpoch });
            var summary = new List<(string, string)>
            {
                ("method", o.Method), ("backbone", Path.GetFullPath(o.Backbone)), ("dataset", $"{Path.GetFullPath(o.Data)} (sha256 {sha})"),
                ("task", $"{task.Labels.Count} speakers: {string.Join(", ", task.Labels)}"), ("examples", $"{train.Count} train / {val.Count} val / {test.Count} test"),
                ("trainable parameters", string.Create(Inv, $"{trainable:N0} of {total:N0} ({100.0 * trainable / total:F2}%)")),
                ("best epoch (val accuracy)", string.Create(Inv, $"{bestEpoch} ({bestVal:F4})")),
                ("test accuracy", string.Create(Inv, $"{testAcc:F4} (majority class: {majorityAcc:F4})")), ("test macro F1", f1.ToString("F4", Inv)),
                ("training time", string.Create(Inv, $"{trainSeconds:F0} s ({Threads.Count} threads)")), ("stopped", stop),
            };
            summary.AddRange(o.Rows().Select(r => ("option " + r.Name, r.Value)));
            HtmlReport.Save(reportPath, HtmlReport.Render($"polymath finetune --method {o.Method}", summary, history, stepLosses, cm, task.Labels));
            Console.WriteLine(string.Create(Inv, $"test accuracy {testAcc:F4} (macro F1 {f1:F4}; majority class {majorityAcc:F4}) with {trainable:N0} trainable parameters ({100.0 * trainable / total:F2}% of {total:N0}); best epoch {bestEpoch}; training {trainSeconds:F0} s"));
            Console.WriteLine($"log: {logPath}  report: {reportPath}  model: {bestPath}" + (o.Method == "lora" ? $"  adapter: {adapterPath} ({new FileInfo(adapterPath).Length:N0} bytes)" : ""));
            return stop == "cancelled" ? 130 : 0;
        }

        private static string Sha256(string path)
        {
            using var s = File.OpenRead(path);
            return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(s));
        }
    }
}
