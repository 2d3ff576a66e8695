using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polymath.Data;
using Polymath.Data.Tokenizers;
using Polymath.Models.Gpt;
using Polymath.Models.Peft;
using Polymath.Models.Prompting;
using Polymath.Training;

namespace Polymath.Cli;

/// <summary>
/// <c>polymath evaluate</c>: test accuracy of a text classifier from <c>polymath finetune</c> (its checkpoint, or a pretrained
/// backbone plus a LoRA adapter file), or of a pretrained GPT used without training through verbalizers (zero- or few-shot).
/// An image-classifier checkpoint is handed to <c>polymath eval</c>. Writes OUT/run.jsonl and OUT/report.html.
/// </summary>
internal static class EvaluateCommand
{
    internal static readonly string[] ValueOptions =
    [
        "--checkpoint", "--backbone", "--adapter", "--data", "--speakers", "--split", "--split-seed", "--val-fraction", "--test-fraction", "--max-tokens",
        "--shots", "--template", "--normalize", "--demo-max-tokens", "--seed", "--limit", "--batch-size", "--threads", "--out",
        // passed through to polymath eval for image classifiers
        "--dataset", "--data-dir", "--config",
    ];

    internal static readonly string[] FlagOptions = ["--verbalizer"];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] argv, CancellationToken cancel)
    {
        if (Program.WantsHelp(argv))
        {
            Help.Command("evaluate");
            return 0;
        }
        var args = new Args("evaluate", argv);
        string? checkpoint = args.Value("--checkpoint");
        string? backbone = args.Value("--backbone");
        string? adapter = args.Value("--adapter");
        bool verbalizer = args.Flag("--verbalizer");
        if (checkpoint is null && (backbone is null || adapter is null))
            throw new UsageException("give --checkpoint FILE (a fine-tuned classifier, or a pretrained GPT with --verbalizer), or --backbone FILE --adapter FILE.", "evaluate");
        if (checkpoint is not null && !File.Exists(checkpoint))
            throw new UsageException($"--checkpoint: '{checkpoint}' does not exist.", "evaluate");
        string? kind = null;
        if (checkpoint is not null)
        {
            var meta = SafeTensors.LoadMetadata(checkpoint);
            kind = meta.ContainsKey(Checkpoint.MetadataKey) ? Checkpoint.ReadInfo(checkpoint).Extra.GetValueOrDefault("model") : null;
            // Image classifiers (polymath train) are polymath eval's job: one evaluation path per kind of model.
            if (kind is not null and not "gpt" and not "gpt-classifier")
                return EvalCommand.Run(argv, cancel);
        }

        // Task options: default to what the fine-tuning run used, so the split is the same.
        FinetuneOptions saved = new() { Data = FinetuneCommand.DefaultData() };
        if (kind == "gpt-classifier")
            saved = FinetuneOptions.FromJson(Checkpoint.ReadInfo(checkpoint!).Extra["finetune_options"]);
        else if (adapter is not null)
        {
            if (!File.Exists(adapter))
                throw new UsageException($"--adapter: '{adapter}' does not exist.", "evaluate");
            if (SafeTensors.LoadMetadata(adapter).TryGetValue("finetune_options", out var json))
                saved = FinetuneOptions.FromJson(json);
        }
        var o = saved with
        {
            Data = args.Value("--data") ?? saved.Data,
            Speakers = args.Int("--speakers", 2, 1000) ?? saved.Speakers,
            SplitSeed = args.Int("--split-seed", 0, int.MaxValue) ?? saved.SplitSeed,
            ValFraction = args.Double("--val-fraction", 1e-6, 0.5) ?? saved.ValFraction,
            TestFraction = args.Double("--test-fraction", 1e-6, 0.5) ?? saved.TestFraction,
            MaxTokens = args.Int("--max-tokens", 1, 1 << 16) ?? saved.MaxTokens,
        };
        string split = (args.Value("--split") ?? "test").ToLowerInvariant();
        int shots = args.Int("--shots", 0, 1000) ?? 0;
        string template = args.Value("--template") ?? "{text}\nspoken by: {label}";
        string normalize = (args.Value("--normalize") ?? "sum").ToLowerInvariant();
        int demoMax = args.Int("--demo-max-tokens", 1, 1 << 16) ?? 48;
        int seed = args.Int("--seed", 0, int.MaxValue) ?? 1337;
        int? limit = args.Int("--limit", 1, int.MaxValue);
        int batchSize = args.Int("--batch-size", 1, 1 << 16) ?? 64;
        int? threads = args.Int("--threads", 1, 1024);
        string outDir = args.Value("--out") ?? Path.Combine("runs", "evaluate");
        args.End([.. ValueOptions]);
        if (split is not ("train" or "val" or "test"))
            throw new UsageException($"--split: unknown split '{split}'; valid: train, val, test.", "evaluate");
        if (normalize is not ("sum" or "mean"))
            throw new UsageException($"--normalize: unknown '{normalize}'; valid: sum, mean.", "evaluate");
        if (threads is int t)
            Threads.Count = t;

        var (task, sha) = TextClassification.LoadTask("evaluate", o.Data, o.Speakers, o.ValFraction, o.TestFraction, o.SplitSeed);
        var examples = (split switch { "train" => task.Train, "val" => task.Validation, _ => task.Test }).ToList();
        if (limit is int n)
            examples = examples.Take(n).ToList();
        var clock = Stopwatch.StartNew();
        long[] predicted;
        string what;
        var extraLog = new Dictionary<string, object?>();
        if (kind == "gpt" || (kind is null && backbone is null))
        {
            if (!verbalizer)
                throw new UsageException($"--checkpoint '{checkpoint}' is a pretrained language model, not a classifier: add --verbalizer to classify with label words, or pass a polymath finetune model.", "evaluate");
            var (lm, tokenizer) = TextClassification.LoadBackbone("evaluate", checkpoint!);
            VerbalizerClassifier vc;
            try
            {
                vc = new VerbalizerClassifier(lm, tokenizer.Encode, task.Labels, template.Replace("\\n", "\n", StringComparison.Ordinal),
                    normalize == "mean" ? ScoreNormalization.Mean : ScoreNormalization.Sum);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message, "evaluate");
            }
            string Cut(string s, int max) => tokenizer.Decode(tokenizer.Encode(s).Take(max).ToArray());
            var gen = new Generator((ulong)seed);
            predicted = new long[examples.Count];
            for (int i = 0; i < examples.Count; i++)
            {
                cancel.ThrowIfCancellationRequested();
                var demos = new List<(string, int)>();
                for (int k = 0; k < shots; k++)
                {
                    var d = task.Train[(int)gen.NextLong(0, task.Train.Count)];
                    demos.Add((Cut(d.Text, demoMax), d.Label));
                }
                predicted[i] = vc.Predict(Cut(examples[i].Text, o.MaxTokens), demos);
            }
            what = $"verbalizer {(shots == 0 ? "zero-shot" : $"{shots}-shot")}, template \"{vc.Template.Replace("\n", "\\n", StringComparison.Ordinal)}\", {normalize}";
            extraLog["template"] = vc.Template;
            extraLog["shots"] = shots;
            extraLog["normalize"] = normalize;
            extraLog["demo_max_tokens"] = demoMax;
            extraLog["backbone"] = Path.GetFullPath(checkpoint!);
        }
        else
        {
            GptForSequenceClassification clf;
            ITokenizer tokenizer;
            if (kind == "gpt-classifier")
            {
                var info = Checkpoint.ReadInfo(checkpoint!);
                var config = JsonSerializer.Deserialize<GptConfig>(info.Extra["gpt_config"])!;
                tokenizer = GptPretraining.LoadTokenizer(info.Extra);
                clf = TextClassification.Build(new GptModel(config), saved, JsonSerializer.Deserialize<string[]>(info.Extra["labels"])!.Length, _ => [], "");
                clf.LoadStateDict(Checkpoint.ReadModelState(checkpoint!));
                what = $"{saved.Method} fine-tuned classifier {checkpoint}";
                extraLog["checkpoint"] = Path.GetFullPath(checkpoint!);
            }
            else
            {
                GptModel lm;
                (lm, tokenizer) = TextClassification.LoadBackbone("evaluate", backbone!);
                clf = new GptForSequenceClassification(lm.Transformer, lm.Config, task.Labels.Count, saved.Pooling == "last" ? Pooling.Last : Pooling.Mean);
                LoraConfig cfg;
                try
                {
                    cfg = LoraAdapterFile.Load(adapter!, clf);
                }
                catch (ArgumentException e)
                {
                    throw new InvalidDataException(e.Message, e);
                }
                what = $"backbone {backbone} + LoRA adapter {adapter} (r={cfg.Rank}, alpha={cfg.Alpha}, targets '{cfg.TargetModules}')";
                extraLog["backbone"] = Path.GetFullPath(backbone!);
                extraLog["adapter"] = Path.GetFullPath(adapter!);
            }
            var data = examples.Select(x => (TextClassification.Encode(tokenizer, x.Text, Math.Min(o.MaxTokens, clf.MaxInputLength)), x.Label)).ToList();
            (_, _, predicted) = TextClassification.Evaluate(clf, data, batchSize, cancel);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var actual = examples.Select(x => x.Label).ToList();
        double acc = predicted.Where((p, i) => p == actual[i]).Count() / (double)actual.Count;
        var cm = Metrics.ConfusionMatrix(predicted, [.. actual.Select(a => (long)a)], task.Labels.Count);
        double f1 = Metrics.PrecisionRecallF1(cm).MacroF1;
        Console.WriteLine(string.Create(Inv, $"polymath evaluate: {what} on {examples.Count} {split} speeches of {task.Labels.Count} speakers ({seconds:F1} s)"));
        TextClassification.PrintMetrics(predicted, actual, task.Labels);

        Directory.CreateDirectory(outDir);
        string logPath = Path.Combine(outDir, "run.jsonl");
        using (var log = new RunLog(logPath))
        {
            var fields = new Dictionary<string, object?>
            {
                ["command"] = "evaluate", ["what"] = what, ["dataset"] = Path.GetFullPath(o.Data), ["dataset_sha256"] = sha, ["split"] = split, ["examples"] = examples.Count,
                ["seed"] = seed, ["threads"] = Threads.Count, ["accuracy"] = acc, ["f1_macro"] = f1, ["seconds"] = seconds,
                ["labels"] = JsonSerializer.SerializeToNode(task.Labels), ["options"] = JsonNode.Parse(o.ToJson()),
            };
            foreach (var (k, v) in extraLog)
                fields[k] = v;
            log.Write("evaluate", fields);
        }
        var summary = new List<(string, string)>
        {
            ("evaluated", what), ("dataset", $"{Path.GetFullPath(o.Data)} (sha256 {sha})"), ("split", $"{split}, {examples.Count} speeches, split seed {o.SplitSeed}"),
            ("accuracy", acc.ToString("F4", Inv)), ("macro F1", f1.ToString("F4", Inv)), ("time", string.Create(Inv, $"{seconds:F1} s ({Threads.Count} threads)")), ("seed", seed.ToString(Inv)),
        };
        summary.AddRange(extraLog.Select(kv => (kv.Key, Convert.ToString(kv.Value, Inv) ?? "")));
        HtmlReport.Save(Path.Combine(outDir, "report.html"), HtmlReport.Render("polymath evaluate", summary, [], [], cm, task.Labels));
        Console.WriteLine($"log: {logPath}  report: {Path.Combine(outDir, "report.html")}");
        return 0;
    }
}
