using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Polymath.Data.Tokenizers;
using Polymath.Models.Seq2Seq;
using Polymath.Training;

namespace Polymath.Cli;

/// <summary>
/// <c>polymath translate train|decode|evaluate</c>: trains the encoder–decoder Transformer on a Multi30k-style parallel
/// corpus (see <see cref="TranslationTraining"/>), translates text with a checkpoint, and scores a split with
/// sacreBLEU-compatible corpus BLEU.
/// </summary>
internal static class TranslateCommand
{
    internal static readonly string[] TrainValueOptions =
    [
        "--data", "--src", "--tgt", "--vocab-size", "--d-model", "--heads", "--encoder-layers", "--decoder-layers", "--ffn", "--dropout", "--positions",
        "--max-length", "--label-smoothing", "--batch-tokens", "--lr", "--warmup", "--grad-clip", "--epochs", "--minutes", "--val-sentences",
        "--train-sentences", "--beam", "--alpha", "--seed", "--threads", "--out", "--log-every", "--progress", "--config", "--resume", "--stop-at",
    ];

    internal static readonly string[] TrainFlagOptions = ["--post-norm", "--separate-embeddings"];

    internal static readonly string[] DecodeValueOptions = ["--checkpoint", "--beam", "--alpha", "--input", "--text", "--output", "--threads"];

    internal static readonly string[] EvaluateValueOptions = ["--checkpoint", "--data", "--split", "--beam", "--alpha", "--output", "--threads"];

    public static int Run(string[] argv, CancellationToken cancel)
    {
        if (argv.Length == 0 || Program.WantsHelp(argv))
        {
            Help.Command("translate");
            return argv.Length == 0 ? Program.UsageError : 0;
        }
        return argv[0] switch
        {
            "train" => Train(argv[1..], cancel),
            "decode" => Decode(argv[1..]),
            "evaluate" => Evaluate(argv[1..]),
            var v => throw new UsageException($"translate: unknown action '{v}'; valid: train, decode, evaluate.", "translate"),
        };
    }

    // What may change when a run resumes: how long it goes on, and how it reports. The rest comes from the checkpoint.
    private static readonly string[] ResumeOptions = ["--resume", "--epochs", "--minutes", "--stop-at", "--threads", "--out", "--log-every", "--progress"];

    private static int Train(string[] argv, CancellationToken cancel)
    {
        argv = TrainCommand.ApplyConfig("translate", argv, TrainValueOptions, TrainFlagOptions);
        if (argv.Contains("--resume"))
            return Resume(argv, cancel);
        var args = new Args("translate", argv);
        var d = new TranslateOptions();
        var o = d with
        {
            Data = args.Value("--data") ?? DefaultData(),
            Source = args.Value("--src") ?? d.Source,
            Target = args.Value("--tgt") ?? d.Target,
            VocabSize = args.Int("--vocab-size", 300, 1 << 20) ?? d.VocabSize,
            DModel = args.Int("--d-model", 2, 1 << 14) ?? d.DModel,
            Heads = args.Int("--heads", 1, 256) ?? d.Heads,
            EncoderLayers = args.Int("--encoder-layers", 1, 64) ?? d.EncoderLayers,
            DecoderLayers = args.Int("--decoder-layers", 1, 64) ?? d.DecoderLayers,
            FeedForward = args.Int("--ffn", 1, 1 << 16) ?? d.FeedForward,
            Dropout = args.Double("--dropout", 0, 0.9) ?? d.Dropout,
            Positions = (args.Value("--positions") ?? d.Positions).ToLowerInvariant(),
            PostNorm = args.Flag("--post-norm"),
            SeparateEmbeddings = args.Flag("--separate-embeddings"),
            MaxLength = args.Int("--max-length", 4, 4096) ?? d.MaxLength,
            LabelSmoothing = args.Double("--label-smoothing", 0, 0.9) ?? d.LabelSmoothing,
            BatchTokens = args.Int("--batch-tokens", 8, 1 << 24) ?? d.BatchTokens,
            Lr = args.Double("--lr", 0, 10) ?? d.Lr,
            Warmup = args.Int("--warmup", 0, int.MaxValue) ?? d.Warmup,
            GradClip = args.Double("--grad-clip", 0, 1e9) ?? d.GradClip,
            Epochs = args.Int("--epochs", 1, 1_000_000) ?? d.Epochs,
            Minutes = args.Double("--minutes", 0.01, 1e6),
            ValSentences = args.Int("--val-sentences", 1, int.MaxValue) ?? d.ValSentences,
            TrainSentences = args.Int("--train-sentences", 1, int.MaxValue),
            Beam = args.Int("--beam", 1, 100) ?? d.Beam,
            Alpha = args.Double("--alpha", 0, 10) ?? d.Alpha,
            Seed = args.Int("--seed", 0, int.MaxValue) ?? d.Seed,
            LogEvery = args.Int("--log-every", 1, int.MaxValue) ?? d.LogEvery,
        };
        int? threads = args.Int("--threads", 1, 1024);
        int? stopAt = args.Int("--stop-at", 1, int.MaxValue);
        string outDir = args.Value("--out") ?? Path.Combine("runs", $"translate-{o.Source}-{o.Target}");
        string progress = (args.Value("--progress") ?? "plain").ToLowerInvariant();
        if (progress is not ("auto" or "plain" or "bars" or "none"))
            throw new UsageException($"unknown progress mode '{progress}'; valid: auto, bars, plain, none.", "translate");
        args.End(TrainValueOptions);
        if (o.Positions is not ("sinusoidal" or "learned"))
            throw new UsageException($"--positions: unknown '{o.Positions}'; valid: sinusoidal, learned.", "translate");
        if (o.DModel % o.Heads != 0)
            throw new UsageException($"--heads {o.Heads} does not divide --d-model {o.DModel}.", "translate");
        if (!Directory.Exists(o.Data))
            throw new UsageException($"--data: folder '{o.Data}' does not exist.", "translate");
        if (threads is int t)
            Threads.Count = t;
        // Epoch lines are the progress here (a bar over an open-ended, time-limited run says little): printed unless "none".
        return new TranslationTraining(o, outDir, progress != "none", cancel, stopAt: stopAt).Run();
    }

    private static int Resume(string[] argv, CancellationToken cancel)
    {
        foreach (string a in argv)
            if (a.StartsWith("--", StringComparison.Ordinal) && !ResumeOptions.Contains(a) && (TrainValueOptions.Contains(a) || TrainFlagOptions.Contains(a)))
                throw new UsageException($"{a} cannot change on resume: the model, data and schedule come from the checkpoint (on resume only {string.Join(", ", ResumeOptions[1..])} may be given).", "translate");
        var args = new Args("translate", argv);
        string path = args.Value("--resume")!;
        if (!File.Exists(path))
            throw new UsageException($"--resume: '{path}' does not exist.", "translate");
        var info = Checkpoint.ReadInfo(path);
        if (!info.Extra.TryGetValue("options", out var optJson) || !info.Extra.ContainsKey("tokenizer"))
            throw new UsageException($"--resume: '{path}' was not written by polymath translate train (no run options or tokenizer recorded).", "translate");
        var saved = TranslateOptions.FromJson(optJson);
        var o = saved with
        {
            Epochs = args.Int("--epochs", 1, 1_000_000) ?? saved.Epochs,
            Minutes = args.Double("--minutes", 0.01, 1e6),
            LogEvery = args.Int("--log-every", 1, int.MaxValue) ?? saved.LogEvery,
        };
        int? threads = args.Int("--threads", 1, 1024);
        int? stopAt = args.Int("--stop-at", 1, int.MaxValue);
        string outDir = args.Value("--out") ?? Path.GetDirectoryName(Path.GetFullPath(path))!;
        string progress = (args.Value("--progress") ?? "plain").ToLowerInvariant();
        if (progress is not ("auto" or "plain" or "bars" or "none"))
            throw new UsageException($"unknown progress mode '{progress}'; valid: auto, bars, plain, none.", "translate");
        args.End(ResumeOptions);
        if (!Directory.Exists(o.Data))
            throw new UsageException($"--resume: the run's data folder '{o.Data}' no longer exists.", "translate");
        if (threads is int t)
            Threads.Count = t;
        return new TranslationTraining(o, outDir, progress != "none", cancel, path, stopAt).Run();
    }

    private static (TransformerTranslator Model, ByteLevelBpeTokenizer Tok, TranslateOptions Options) Load(string? path, string command)
    {
        if (path is null)
            throw new UsageException("--checkpoint FILE is required.", command);
        if (!File.Exists(path))
            throw new UsageException($"--checkpoint: '{path}' does not exist.", command);
        var info = Checkpoint.ReadInfo(path);
        if (!info.Extra.TryGetValue("translation_config", out var cfgJson) || !info.Extra.TryGetValue("tokenizer", out var tokJson)
            || !info.Extra.TryGetValue("options", out var optJson))
            throw new UsageException($"--checkpoint: '{path}' was not written by polymath translate train (no translation config or tokenizer recorded).", command);
        var cfg = JsonSerializer.Deserialize<TranslationConfig>(cfgJson) ?? throw new InvalidDataException($"{path}: empty translation config.");
        var model = new TransformerTranslator(cfg);
        Checkpoint.Load(path, model, restoreRandom: false);
        model.Eval();
        return (model, ByteLevelBpeTokenizer.FromJson(tokJson), TranslateOptions.FromJson(optJson));
    }

    private static int Decode(string[] argv)
    {
        var args = new Args("translate", argv);
        string? ckpt = args.Value("--checkpoint"), input = args.Value("--input"), text = args.Value("--text"), output = args.Value("--output");
        int? beam = args.Int("--beam", 1, 100);
        double? alpha = args.Double("--alpha", 0, 10);
        int? threads = args.Int("--threads", 1, 1024);
        args.End(DecodeValueOptions);
        if ((input is null) == (text is null))
            throw new UsageException("translate decode: give exactly one of --input FILE (one sentence per line) or --text \"...\".", "translate");
        if (input is not null && !File.Exists(input))
            throw new UsageException($"--input: '{input}' does not exist.", "translate");
        if (threads is int t)
            Threads.Count = t;
        var (model, tok, o) = Load(ckpt, "translate");
        var lines = text is not null ? [text] : File.ReadAllLines(input!, Encoding.UTF8);
        var hyps = TranslationCorpus.Translate(model, tok, lines, beam ?? o.Beam, alpha ?? o.Alpha, progress: Progress(lines.Length, lines.Length > 64));
        if (output is not null)
            Polymath.Data.AtomicFile.Write(output, s => s.Write(Encoding.UTF8.GetBytes(string.Join('\n', hyps) + "\n")));
        else
            foreach (var h in hyps)
                Console.WriteLine(h);
        return 0;
    }

    private static int Evaluate(string[] argv)
    {
        var args = new Args("translate", argv);
        string? ckpt = args.Value("--checkpoint"), data = args.Value("--data"), output = args.Value("--output");
        string split = (args.Value("--split") ?? "test").ToLowerInvariant();
        int? beam = args.Int("--beam", 1, 100);
        double? alpha = args.Double("--alpha", 0, 10);
        int? threads = args.Int("--threads", 1, 1024);
        args.End(EvaluateValueOptions);
        if (!TranslationCorpus.Splits.Contains(split))
            throw new UsageException($"--split: unknown '{split}'; valid: train, val, test.", "translate");
        if (threads is int t)
            Threads.Count = t;
        var (model, tok, o) = Load(ckpt, "translate");
        data ??= o.Data;
        if (!Directory.Exists(data))
            throw new UsageException($"--data: folder '{data}' does not exist.", "translate");
        var (src, tgt) = TranslationCorpus.Read(data, split, o.Source, o.Target, "translate");
        int b = beam ?? o.Beam;
        double a = alpha ?? o.Alpha;
        var sw = Stopwatch.StartNew();
        var hyps = TranslationCorpus.Translate(model, tok, src, b, a, progress: Progress(src.Length, true));
        var bleu = Bleu.Corpus(hyps, tgt);
        if (output is not null)
            Polymath.Data.AtomicFile.Write(output, s => s.Write(Encoding.UTF8.GetBytes(string.Join('\n', hyps) + "\n")));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{split} {o.Source}→{o.Target}, {src.Length} sentences, {(b == 1 ? "greedy" : $"beam {b} alpha {a}")}: {bleu} [{Bleu.Signature}] ({sw.Elapsed.TotalSeconds:F1} s)"));
        return 0;
    }

    /// <summary>Progress of a long translation on standard error ("translated N/M sentences"), or nothing when <paramref name="show"/> is false.</summary>
    internal static Action<int>? Progress(int total, bool show) =>
        show ? done => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"translated {done}/{total} sentences")) : null;

    /// <summary>../shared/data/translation/multi30k beside the repository root, or relative to the working folder.</summary>
    private static string DefaultData()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Polymath.slnx")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "translation", "multi30k"));
        return Path.Combine("..", "shared", "data", "translation", "multi30k");
    }
}
