using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Polymath.Data.Tokenizers;
using Polymath.Models.Gpt;
using Polymath.NN;
using Polymath.NN.Optim;
using Polymath.Training;
using Spectre.Console;

namespace Polymath.Cli;

/// <summary>
/// The step loop of <c>polymath pretrain gpt</c>, nanoGPT style: random windows of the training tokens, AdamW
/// (decay on matrices and embeddings only), warm-up + cosine learning rate, gradient clipping, a validation
/// estimate every few hundred steps, samples printed as it trains, checkpoints (last, best) that resume exactly,
/// a JSON Lines log and an HTML report. All randomness (initialisation, batches, dropout) comes from
/// <see cref="Random.Default"/>, whose state the checkpoint carries.
/// </summary>
internal sealed class GptPretraining(GptRunOptions o, string outDir, ProgressMode progress, CancellationToken cancel)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly List<(long Step, double Loss)> _trainLoss = [];
    private readonly List<(long Step, double Train, double Val)> _evals = [];
    private readonly List<(long Step, double Lr)> _lrs = [];
    private readonly List<(long Step, string Text)> _samples = [];

    public string LastPath => Path.Combine(outDir, "last.safetensors");

    public string BestPath => Path.Combine(outDir, "best.safetensors");

    public string ReportPath => Path.Combine(outDir, "report.html");

    public string LogPath => Path.Combine(outDir, "run.jsonl");

    /// <summary>Runs to the last step, the time limit or Ctrl-C. Returns the exit code (0, or 130 when cancelled).</summary>
    public int Run(string? resume)
    {
        byte[] raw = File.ReadAllBytes(o.Data);
        string hash = Convert.ToHexStringLower(SHA256.HashData(raw));
        var sw = Stopwatch.StartNew();
        CheckpointInfo? resumeInfo = resume is null ? null : Checkpoint.ReadInfo(resume);
        ITokenizer tokenizer = resumeInfo is not null ? LoadTokenizer(resumeInfo.Extra)
            : o.Tokenizer == "bpe" ? ByteLevelBpeTokenizer.Train(Encoding.UTF8.GetString(raw[..(int)(raw.Length * (1 - o.ValFraction))]), o.BpeVocab)
            : CharTokenizer.FromText(Utf8Decode(raw));
        double tokenizerSeconds = sw.Elapsed.TotalSeconds;
        sw.Restart();
        int[] tokens = tokenizer.EncodeUtf8(raw);
        double encodeSeconds = sw.Elapsed.TotalSeconds;
        int split = (int)(tokens.Length * (1 - o.ValFraction));
        var train = tokens.AsMemory(0, split);
        var val = tokens.AsMemory(split);
        if (train.Length <= o.Context + 1 || val.Length <= o.Context + 1)
            throw new UsageException($"--data: {tokens.Length} tokens are too few for a {o.Context}-token context with a {o.ValFraction:P0} validation split.", "pretrain");

        Polymath.Random.Seed((ulong)o.Seed);
        var model = new GptModel(o.ModelConfig(tokenizer.VocabSize));
        var named = model.NamedParameters().ToList();
        var decay = named.Where(p => p.Parameter.Rank >= 2).Select(p => p.Parameter).ToList();
        var noDecay = named.Where(p => p.Parameter.Rank < 2).Select(p => p.Parameter).ToList();
        var opt = new AdamW(decay, o.Lr, 0.9, o.Beta2, 1e-8, o.WeightDecay);
        opt.AddParamGroup(noDecay, new Dictionary<string, double> { ["weight_decay"] = 0 });
        var sched = new WarmupDecayLR(opt, Math.Min(o.Warmup, o.Steps - 1), o.Steps, WarmupDecay.Cosine, o.MinLrRatio);
        long step = 0;
        double bestVal = double.PositiveInfinity;
        if (resume is not null)
        {
            var info = Checkpoint.Load(resume, model, opt, sched);
            step = info.Step;
            _trainLoss.AddRange(info.StepLosses);
            if (info.Extra.TryGetValue("best_val_loss", out var b))
                bestVal = double.Parse(b, Inv);
            if (info.Extra.TryGetValue("evals", out var ev))
                _evals.AddRange(JsonSerializer.Deserialize<double[][]>(ev)!.Select(e => ((long)e[0], e[1], e[2])));
        }

        Directory.CreateDirectory(outDir);
        using var log = new RunLog(LogPath);
        var extra = new Dictionary<string, string>
        {
            ["model"] = "gpt",
            ["options"] = o.ToJson(),
            ["tokenizer"] = TokenizerJson(tokenizer),
            ["gpt_config"] = JsonSerializer.Serialize(model.Config),
            ["dataset"] = Path.GetFullPath(o.Data),
            ["dataset_sha256"] = hash,
            ["seed"] = o.Seed.ToString(Inv),
            ["threads"] = Threads.Count.ToString(Inv),
        };
        log.Write(resume is null ? "start" : "resume", new Dictionary<string, object?>
        {
            ["dataset"] = Path.GetFullPath(o.Data), ["dataset_sha256"] = hash, ["dataset_bytes"] = (long)raw.Length,
            ["tokens"] = (long)tokens.Length, ["train_tokens"] = (long)split, ["val_tokens"] = (long)(tokens.Length - split),
            ["tokenizer"] = o.Tokenizer, ["vocab_size"] = tokenizer.VocabSize, ["tokenizer_train_s"] = tokenizerSeconds, ["encode_s"] = encodeSeconds,
            ["parameters"] = model.ParameterCount(), ["seed"] = o.Seed, ["threads"] = Threads.Count, ["options"] = System.Text.Json.Nodes.JsonNode.Parse(o.ToJson()),
            ["step"] = step, ["resumed_from"] = resume,
        });
        Console.WriteLine(string.Create(Inv, $"polymath pretrain gpt: {model.ParameterCount():N0} parameters ({o.Layers} layers, {o.Heads} heads, width {o.Embd}, context {o.Context}, {o.Positions} positions), " +
            $"{o.Tokenizer} tokenizer with {tokenizer.VocabSize} tokens ({encodeSeconds * 1000:F0} ms to encode {raw.Length:N0} bytes into {tokens.Length:N0} tokens), " +
            $"{split:N0} train / {tokens.Length - split:N0} validation tokens, batch {o.BatchSize}, {o.Steps} steps, lr {o.Lr}, seed {o.Seed}, {Threads.Count} thread(s), output {outDir}") +
            (resume is null ? "" : $", resuming from {resume} at step {step}"));

        void Save(string path, string why)
        {
            extra["best_val_loss"] = bestVal.ToString("R", Inv);
            extra["evals"] = JsonSerializer.Serialize(_evals.Select(e => new[] { e.Step, e.Train, e.Val }));
            Checkpoint.Save(path, model, opt, sched, new CheckpointInfo { Step = step, StepLosses = [.. _trainLoss], Extra = new(extra) });
            log.Write("checkpoint", new Dictionary<string, object?> { ["path"] = Path.GetFullPath(path), ["step"] = step, ["why"] = why });
        }

        var clock = Stopwatch.StartNew();
        long startStep = step, tokensSeen = 0;
        double lossSum = 0;
        int lossCount = 0;
        string stopReason = "completed";
        var plain = progress != ProgressMode.None;
        void Loop(Action<long, double>? onStep)
        {
            while (step < o.Steps)
            {
                if (cancel.IsCancellationRequested)
                {
                    stopReason = "cancelled";
                    return;
                }
                if (o.TimeLimitMinutes is double limit && clock.Elapsed.TotalMinutes >= limit)
                {
                    stopReason = "time limit";
                    return;
                }
                if (o.StopAt is int stopAt && step >= stopAt)
                {
                    stopReason = $"stopped at step {stopAt}";
                    return;
                }
                model.Train();
                var (x, y) = Batch(train.Span);
                opt.ZeroGrad();
                Tensor loss;
                using (Autocast())
                    loss = model.Loss(x, y);
                if (scaler is null)
                {
                    loss.Backward();
                    GradClip.ClipGradNorm(model.Parameters(), o.GradClip);
                    opt.Step();
                }
                else
                {
                    scaler.Scale(loss).Backward();
                    scaler.Unscale(opt); // clip the true gradients
                    GradClip.ClipGradNorm(model.Parameters(), o.GradClip);
                    scaler.Step(opt);
                    scaler.Update();
                }
                sched.Step();
                step++;
                tokensSeen += (long)o.BatchSize * o.Context;
                double l = loss.Item();
                if (!double.IsFinite(l))
                    throw new InvalidOperationException($"pretrain: the loss became {l} at step {step}; the last good checkpoint is {LastPath}.");
                lossSum += l;
                lossCount++;
                onStep?.Invoke(step, l);
                if (step % o.LogEvery == 0 || step == o.Steps)
                {
                    double mean = lossSum / lossCount, tps = tokensSeen / clock.Elapsed.TotalSeconds;
                    _trainLoss.Add((step, mean));
                    _lrs.Add((step, opt.ParamGroups[0].Lr));
                    log.Write("step", new Dictionary<string, object?> { ["step"] = step, ["loss"] = mean, ["lr"] = opt.ParamGroups[0].Lr, ["tokens_per_s"] = tps, ["elapsed_s"] = clock.Elapsed.TotalSeconds });
                    if (plain && onStep is null)
                        Console.WriteLine(string.Create(Inv, $"step {step}/{o.Steps} loss {mean:F4} lr {opt.ParamGroups[0].Lr:G3} {tps:F0} tokens/s ({clock.Elapsed.TotalSeconds:F0} s)"));
                    (lossSum, lossCount) = (0, 0);
                }
                if (step % o.EvalEvery == 0 || step == o.Steps)
                {
                    var (tl, vl) = (Estimate(model, train.Span), Estimate(model, val.Span));
                    _evals.Add((step, tl, vl));
                    log.Write("eval", new Dictionary<string, object?> { ["step"] = step, ["train_loss"] = tl, ["val_loss"] = vl, ["elapsed_s"] = clock.Elapsed.TotalSeconds });
                    string line = string.Create(Inv, $"step {step}: train loss {tl:F4}, val loss {vl:F4} ({clock.Elapsed.TotalSeconds:F0} s)");
                    if (onStep is null) Console.WriteLine(line); else AnsiConsole.MarkupLine(Markup.Escape(line));
                    if (vl < bestVal)
                    {
                        bestVal = vl;
                        Save(BestPath, "best val_loss");
                    }
                    Save(LastPath, "eval");
                    WriteReport(model, tokenizer, hash, clock.Elapsed.TotalSeconds, startStep);
                }
                if (o.SampleEvery > 0 && (step % o.SampleEvery == 0 || step == o.Steps))
                {
                    string text = Sample(model, tokenizer);
                    _samples.Add((step, text));
                    log.Write("sample", new Dictionary<string, object?> { ["step"] = step, ["text"] = text });
                    string block = $"--- sample at step {step} ---\n{text}\n---";
                    if (onStep is null) Console.WriteLine(block); else AnsiConsole.WriteLine(block);
                }
            }
        }

        var mode = progress == ProgressMode.Auto
            ? (!Console.IsErrorRedirected && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Ansi ? ProgressMode.Bars : ProgressMode.Plain)
            : progress;
        if (mode == ProgressMode.Bars)
            AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("pretrain", maxValue: o.Steps);
                    task.Value = step;
                    Loop((s, l) =>
                    {
                        task.Value = s;
                        task.Description = string.Create(Inv, $"step {s} loss {l:F3} {tokensSeen / clock.Elapsed.TotalSeconds:F0} tok/s");
                    });
                });
        else
            Loop(null);

        Save(LastPath, stopReason);
        WriteReport(model, tokenizer, hash, clock.Elapsed.TotalSeconds, startStep);
        log.Write("end", new Dictionary<string, object?> { ["step"] = step, ["reason"] = stopReason, ["best_val_loss"] = bestVal, ["elapsed_s"] = clock.Elapsed.TotalSeconds,
            ["tokens_per_s"] = tokensSeen / Math.Max(1e-9, clock.Elapsed.TotalSeconds) });
        Console.WriteLine(string.Create(Inv, $"{stopReason} at step {step} after {clock.Elapsed.TotalSeconds:F0} s ({tokensSeen / Math.Max(1e-9, clock.Elapsed.TotalSeconds):F0} tokens/s); best val loss {bestVal:F4}"));
        Console.WriteLine($"log: {LogPath}  report: {ReportPath}  checkpoint: {LastPath}  best: {BestPath}");
        return stopReason == "cancelled" ? 130 : 0;
    }

    private static string Utf8Decode(byte[] raw)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(raw);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidTextException($"--data: invalid UTF-8 at byte offset {e.Index} (a char tokenizer needs valid text; --tokenizer bpe takes any bytes).", e.Index);
        }
    }

    internal static string TokenizerJson(ITokenizer t) => t switch
    {
        CharTokenizer c => c.ToJson(),
        ByteLevelBpeTokenizer b => b.ToJson(),
        _ => throw new NotSupportedException($"pretrain: cannot store a {t.GetType().Name} in a checkpoint."),
    };

    internal static ITokenizer LoadTokenizer(IReadOnlyDictionary<string, string> extra)
    {
        if (!extra.TryGetValue("tokenizer", out var json))
            throw new InvalidDataException("checkpoint: no tokenizer recorded (was it written by polymath pretrain gpt?).");
        return json.Contains("\"byte_bpe\"", StringComparison.Ordinal) ? ByteLevelBpeTokenizer.FromJson(json) : CharTokenizer.FromJson(json);
    }

    /// <summary>A batch of random windows: x = tokens[i .. i+T), y = tokens[i+1 .. i+T+1).</summary>
    private (Tensor X, Tensor Y) Batch(ReadOnlySpan<int> data)
    {
        int b = o.BatchSize, t = o.Context;
        var x = new long[b * t];
        var y = new long[b * t];
        for (int r = 0; r < b; r++)
        {
            int start = (int)Polymath.Random.Default.NextLong(0, data.Length - t - 1);
            for (int j = 0; j < t; j++)
            {
                x[r * t + j] = data[start + j];
                y[r * t + j] = data[start + j + 1];
            }
        }
        return (Tensor.From(x, b, t), Tensor.From(y, b, t));
    }

    // --precision: bf16/fp16 run the forward under autocast (float32 master weights); fp16 scales the loss.
    private Polymath.Amp.AutocastScope Autocast() => TrainingSetup.CheckPrecision("pretrain", o.Precision) is { } dt
        ? Polymath.Amp.Autocast.Enable(dt)
        : Polymath.Amp.Autocast.Current;

    private readonly Polymath.Scale.Amp.GradScaler? scaler = o.Precision == "fp16" ? new Polymath.Scale.Amp.GradScaler() : null;

    /// <summary>Mean loss over <see cref="GptRunOptions.EvalBatches"/> evenly spaced, fixed windows (the same every time, so evaluations compare).</summary>
    private double Estimate(GptModel model, ReadOnlySpan<int> data)
    {
        model.Eval();
        using var _ = Tensor.NoGrad();
        using var cast = Autocast();
        int b = o.BatchSize, t = o.Context, batches = o.EvalBatches;
        long span = data.Length - t - 1;
        double sum = 0;
        for (int k = 0; k < batches; k++)
        {
            var x = new long[b * t];
            var y = new long[b * t];
            for (int r = 0; r < b; r++)
            {
                int start = (int)((k * (long)b + r) * span / ((long)batches * b));
                for (int j = 0; j < t; j++)
                {
                    x[r * t + j] = data[start + j];
                    y[r * t + j] = data[start + j + 1];
                }
            }
            sum += model.Loss(Tensor.From(x, b, t), Tensor.From(y, b, t)).Item();
        }
        model.Train();
        return sum / batches;
    }

    private string Sample(GptModel model, ITokenizer tokenizer)
    {
        var prompt = tokenizer.Encode("\n");
        long[] start = prompt.Length > 0 ? [prompt[0]] : [0];
        var ids = model.Generate(start, o.SampleTokens, new SamplingOptions { Temperature = 0.8, TopK = 50, Seed = (ulong)o.Seed });
        return tokenizer.Decode(ids.Skip(1).Select(i => (int)i).ToArray());
    }

    private void WriteReport(GptModel model, ITokenizer tokenizer, string hash, double seconds, long startStep)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n<title>polymath pretrain gpt</title>\n<style>\n")
          .Append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}table{border-collapse:collapse;margin:1em 0}")
          .Append("td{border:1px solid #ccc;padding:3px 8px}.charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}figcaption{font-weight:600}pre{background:#f6f6f6;padding:8px;white-space:pre-wrap}\n")
          .Append("</style>\n</head>\n<body>\n<h1>polymath pretrain gpt</h1>\n<table>\n");
        var rows = new List<(string, string)>
        {
            ("dataset", Path.GetFullPath(o.Data)), ("dataset sha256", hash), ("parameters", model.ParameterCount().ToString("N0", Inv)),
            ("vocabulary", tokenizer.VocabSize.ToString(Inv)), ("threads", Threads.Count.ToString(Inv)),
            ("steps this session", string.Create(Inv, $"{startStep} → {(_evals.Count > 0 ? _evals[^1].Step : startStep)} in {seconds:F0} s")),
            ("best val loss", _evals.Count > 0 ? _evals.Min(e => e.Val).ToString("F4", Inv) : "–"),
        };
        rows.AddRange(o.Rows());
        foreach (var (k, v) in rows)
            sb.Append("<tr><td>").Append(Esc(k)).Append("</td><td>").Append(Esc(v)).Append("</td></tr>\n");
        sb.Append("</table>\n<div class=\"charts\">\n");
        sb.Append(HtmlReport.Chart("Loss (nats/token) by step", "step",
        [
            new HtmlReport.Series("train (running mean)", _trainLoss.Select(p => ((double)p.Step, p.Loss)).ToList()),
            new HtmlReport.Series("train (eval)", _evals.Select(e => ((double)e.Step, e.Train)).ToList()),
            new HtmlReport.Series("validation", _evals.Select(e => ((double)e.Step, e.Val)).ToList()),
        ]));
        sb.Append(HtmlReport.Chart("Learning rate by step", "step", [new HtmlReport.Series("lr", _lrs.Select(p => ((double)p.Step, p.Lr)).ToList())]));
        sb.Append("</div>\n<h2>Samples</h2>\n");
        foreach (var (s, text) in _samples)
            sb.Append("<h3>step ").Append(s).Append("</h3>\n<pre>").Append(Esc(text)).Append("</pre>\n");
        sb.Append("</body>\n</html>\n");
        HtmlReport.Save(ReportPath, sb.ToString());
    }

    private static string Esc(string s) => System.Net.WebUtility.HtmlEncode(s);
}
