using Polymath.Training;

namespace Polymath.Cli;

/// <summary><c>polymath pretrain gpt|bert</c>: pretrains a GPT language model or a BERT masked-language model on a text file (see <see cref="GptPretraining"/>, <see cref="BertPretraining"/>).</summary>
internal static class PretrainCommand
{
    internal static readonly string[] ValueOptions =
    [
        "--data", "--tokenizer", "--vocab-size", "--context", "--layers", "--heads", "--embd", "--dropout", "--positions", "--batch-size", "--steps",
        "--lr", "--min-lr-ratio", "--warmup", "--weight-decay", "--beta2", "--grad-clip", "--val-fraction", "--eval-every", "--eval-batches",
        "--sample-every", "--sample-tokens", "--time-limit", "--stop-at", "--seed", "--threads", "--out", "--resume", "--config", "--progress", "--log-every",
        "--intermediate", "--mask-prob", "--precision",
    ];

    internal static readonly string[] FlagOptions = ["--untied"];

    public static int Run(string[] argv, CancellationToken cancel)
    {
        if (Program.WantsHelp(argv))
        {
            Help.Command("pretrain");
            return 0;
        }
        argv = TrainCommand.ApplyConfig("pretrain", argv, ValueOptions, FlagOptions);
        var args = new Args("pretrain", argv);
        string? resume = args.Value("--resume");
        GptRunOptions o;
        if (resume is not null)
        {
            if (!File.Exists(resume))
                throw new UsageException($"--resume: checkpoint '{resume}' does not exist.", "pretrain");
            var info = Checkpoint.ReadInfo(resume);
            o = info.Extra.TryGetValue("options", out var json) ? GptRunOptions.FromJson(json)
                : throw new UsageException($"--resume: '{resume}' was not written by polymath pretrain (no options recorded).", "pretrain");
            if (PeekModel(argv) is { } named && named != o.Model)
                throw new UsageException($"--resume: '{resume}' is a {o.Model} checkpoint, not {named}.", "pretrain");
        }
        else
            o = (PeekModel(argv) == "bert" ? GptRunOptions.BertDefaults : new GptRunOptions()) with { Data = DefaultData() };
        bool bert = o.Model == "bert";
        bool fresh = resume is null;
        // On resume the shape of the run is fixed by the checkpoint; only how long and how it reports may change.
        string? ShapeValue(string name)
        {
            var v = args.Value(name);
            if (v is not null && !fresh)
                throw new UsageException($"{name} cannot change when resuming (the checkpoint fixes it).", "pretrain");
            return v;
        }
        double? maskProb = args.Double("--mask-prob", 0.01, 1);
        o = o with
        {
            Data = args.Value("--data") ?? o.Data,
            Tokenizer = (ShapeValue("--tokenizer") ?? o.Tokenizer).ToLowerInvariant(),
            BpeVocab = Shape(args.Int("--vocab-size", 16, 1 << 20), fresh, "--vocab-size") ?? o.BpeVocab,
            Context = Shape(args.Int("--context", 1, 1 << 16), fresh, "--context") ?? o.Context,
            Layers = Shape(args.Int("--layers", 1, 1024), fresh, "--layers") ?? o.Layers,
            Heads = Shape(args.Int("--heads", 1, 1024), fresh, "--heads") ?? o.Heads,
            Embd = Shape(args.Int("--embd", 1, 1 << 16), fresh, "--embd") ?? o.Embd,
            Dropout = args.Double("--dropout", 0, 0.99) ?? o.Dropout,
            Positions = (ShapeValue("--positions") ?? o.Positions).ToLowerInvariant(),
            Untied = args.Flag("--untied") ? (fresh ? true : throw new UsageException("--untied cannot change when resuming.", "pretrain")) : o.Untied,
            BatchSize = args.Int("--batch-size", 1, 1 << 16) ?? o.BatchSize,
            Steps = args.Int("--steps", 1, int.MaxValue) ?? o.Steps,
            Lr = args.Double("--lr", 0, 10) ?? o.Lr,
            MinLrRatio = args.Double("--min-lr-ratio", 0, 1) ?? o.MinLrRatio,
            Warmup = args.Int("--warmup", 0, int.MaxValue) ?? o.Warmup,
            WeightDecay = args.Double("--weight-decay", 0, 10) ?? o.WeightDecay,
            Beta2 = args.Double("--beta2", 0, 0.999999) ?? o.Beta2,
            GradClip = args.Double("--grad-clip", 0, 1e9) ?? o.GradClip,
            ValFraction = Shape(args.Double("--val-fraction", 0.001, 0.9), fresh, "--val-fraction") ?? o.ValFraction,
            EvalEvery = args.Int("--eval-every", 1, int.MaxValue) ?? o.EvalEvery,
            EvalBatches = args.Int("--eval-batches", 1, 100_000) ?? o.EvalBatches,
            SampleEvery = args.Int("--sample-every", 0, int.MaxValue) ?? o.SampleEvery,
            SampleTokens = args.Int("--sample-tokens", 1, 100_000) ?? o.SampleTokens,
            TimeLimitMinutes = args.Double("--time-limit", 0.01, 1e6) ?? o.TimeLimitMinutes,
            StopAt = args.Int("--stop-at", 1, int.MaxValue),
            Seed = Shape(args.Int("--seed", 0, int.MaxValue), fresh, "--seed") ?? o.Seed,
            LogEvery = args.Int("--log-every", 1, int.MaxValue) ?? o.LogEvery,
            Intermediate = Shape(args.Int("--intermediate", 1, 1 << 20), fresh, "--intermediate") ?? o.Intermediate,
            MaskProb = Shape(maskProb, fresh, "--mask-prob") ?? o.MaskProb,
            Precision = TrainingSetup.PrecisionName(TrainingSetup.CheckPrecision("pretrain", args.Value("--precision") ?? o.Precision)),
        };
        int? threads = args.Int("--threads", 1, 1024);
        string? outDir = args.Value("--out");
        var progress = (args.Value("--progress") ?? "auto").ToLowerInvariant() switch
        {
            "auto" => ProgressMode.Auto,
            "bars" => ProgressMode.Bars,
            "plain" => ProgressMode.Plain,
            "none" => ProgressMode.None,
            var p => throw new UsageException($"unknown progress mode '{p}'; valid: auto, bars, plain, none.", "pretrain"),
        };
        var positionals = args.TakePositionals();
        args.End(ValueOptions);
        if (positionals.Count != 1 || positionals[0] is not ("gpt" or "bert"))
            throw new UsageException(positionals.Count == 0 ? "pretrain: which model? Usage: polymath pretrain gpt|bert [options]."
                : $"pretrain: unknown model '{string.Join(" ", positionals)}'; valid: gpt, bert.", "pretrain");
        if (bert)
        {
            if (o.Tokenizer != "wordpiece")
                throw new UsageException($"--tokenizer: pretrain bert uses the WordPiece tokenizer, not '{o.Tokenizer}'.", "pretrain");
            if (o.Positions != "learned" || o.Untied)
                throw new UsageException("--positions and --untied apply to pretrain gpt only (BERT has learned positions and a tied decoder).", "pretrain");
            if (o.Context < 3)
                throw new UsageException($"--context {o.Context} leaves no room for a token between [CLS] and [SEP]; give at least 3.", "pretrain");
        }
        else
        {
            if (o.Tokenizer is not ("char" or "bpe"))
                throw new UsageException($"--tokenizer: unknown tokenizer '{o.Tokenizer}'; valid: char, bpe.", "pretrain");
            if (o.Tokenizer == "bpe" && o.BpeVocab < 257)
                throw new UsageException($"--vocab-size {o.BpeVocab}: a byte-level BPE needs at least 257 tokens (256 bytes and one merge).", "pretrain");
            if (o.Positions is not ("learned" or "rotary"))
                throw new UsageException($"--positions: unknown '{o.Positions}'; valid: learned, rotary.", "pretrain");
            if (o.Intermediate is not null || maskProb is not null)
                throw new UsageException("--intermediate and --mask-prob apply to pretrain bert only.", "pretrain");
        }
        if (o.Embd % o.Heads != 0)
            throw new UsageException($"--heads {o.Heads} does not divide --embd {o.Embd}.", "pretrain");
        if (!File.Exists(o.Data))
            throw new UsageException($"--data: '{o.Data}' does not exist.", "pretrain");
        if (threads is int t)
            Threads.Count = t;
        outDir ??= resume is not null ? Path.GetDirectoryName(Path.GetFullPath(resume))! : Path.Combine("runs", o.Model + "-" + Path.GetFileNameWithoutExtension(Path.GetDirectoryName(Path.GetFullPath(o.Data)) is { } d && Path.GetFileName(o.Data) == "input.txt" ? d : o.Data));
        PretrainLoop loop = bert ? new BertPretraining(o, outDir, progress, cancel) : new GptPretraining(o, outDir, progress, cancel);
        return loop.Run(resume);
    }

    /// <summary>The model word (the first argument that is neither an option nor an option's value), to choose defaults before the options are read.</summary>
    private static string? PeekModel(string[] argv)
    {
        for (int i = 0; i < argv.Length; i++)
        {
            if (ValueOptions.Contains(argv[i]))
                i++;
            else if (!argv[i].StartsWith('-'))
                return argv[i];
        }
        return null;
    }

    private static T? Shape<T>(T? value, bool fresh, string name) where T : struct =>
        value is not null && !fresh ? throw new UsageException($"{name} cannot change when resuming (the checkpoint fixes it).", "pretrain") : value;

    /// <summary>../shared/data/tinyshakespeare/input.txt beside the repository root, or relative to the working folder.</summary>
    private static string DefaultData()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Polymath.slnx")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "tinyshakespeare", "input.txt"));
        return Path.Combine("..", "shared", "data", "tinyshakespeare", "input.txt");
    }
}
