using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Polymath.Data.Tokenizers;
using Polymath.NN;
using Polymath.NN.Optim;
using Polymath.Training;
using Spectre.Console;

namespace Polymath.Cli;

/// <summary>What a model-specific pretraining hands to <see cref="PretrainLoop"/> once its data and model are ready.</summary>
/// <param name="Model">The model being trained.</param>
/// <param name="Extra">Checkpoint metadata beyond what the loop records (tokenizer, model config).</param>
/// <param name="StartLog">Fields of the run log's start event beyond the loop's (token counts, tokenizer).</param>
/// <param name="Banner">The first line printed, describing model and data.</param>
internal sealed record PretrainSetup(Module Model, Dictionary<string, string> Extra, Dictionary<string, object?> StartLog, string Banner);

/// <summary>One evaluation: the mean loss on fixed training and validation batches, and further metrics in the order of <see cref="PretrainLoop.MetricNames"/>.</summary>
internal sealed record PretrainEval(double Train, double Val, double[] Metrics);

/// <summary>
/// The step loop shared by <c>polymath pretrain gpt</c> and <c>polymath pretrain bert</c>: AdamW (decay on matrices and
/// embeddings only), warm-up + cosine learning rate, gradient clipping, an evaluation every few hundred steps, samples,
/// checkpoints (last, best) that resume exactly, a JSON Lines log and an HTML report. A subclass supplies the data,
/// the model, the loss of one training batch, the evaluation and (optionally) samples. All randomness comes from
/// <see cref="Random.Default"/>, whose state the checkpoint carries.
/// </summary>
internal abstract class PretrainLoop(GptRunOptions o, string outDir, ProgressMode progress, CancellationToken cancel)
{
    protected static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly List<(long Step, double Loss)> _trainLoss = [];
    private readonly List<(long Step, PretrainEval Eval)> _evals = [];
    private readonly List<(long Step, double Lr)> _lrs = [];
    private readonly List<(long Step, string Text)> _samples = [];

    protected GptRunOptions Options => o;

    // --precision: bf16/fp16 run forward passes under autocast (float32 master weights); fp16 also scales the loss.
    private readonly Polymath.Scale.Amp.GradScaler? _scaler = o.Precision == "fp16" ? new Polymath.Scale.Amp.GradScaler() : null;

    private Polymath.Amp.AutocastScope Autocast() => TrainingSetup.CheckPrecision("pretrain", o.Precision) is { } dt
        ? Polymath.Amp.Autocast.Enable(dt)
        : Polymath.Amp.Autocast.Current;

    public string LastPath => Path.Combine(outDir, "last.safetensors");

    public string BestPath => Path.Combine(outDir, "best.safetensors");

    public string ReportPath => Path.Combine(outDir, "report.html");

    public string LogPath => Path.Combine(outDir, "run.jsonl");

    /// <summary>"gpt" or "bert": the verb's model word, the checkpoint's <c>model</c> entry.</summary>
    protected abstract string ModelName { get; }

    /// <summary>Names of the further evaluation metrics (run log fields, report charts); none by default.</summary>
    public virtual IReadOnlyList<string> MetricNames => [];

    /// <summary>Tokenises the data, splits it and builds the model (after <see cref="Random.Default"/> is seeded).</summary>
    protected abstract PretrainSetup Prepare(byte[] raw, CheckpointInfo? resumeInfo);

    /// <summary>Draws a training batch and returns its loss and the number of real (non-padding) tokens it held.</summary>
    protected abstract (Tensor Loss, long Tokens) TrainBatch();

    /// <summary>Loss (and metrics) on fixed training and validation batches, the same every time so evaluations compare.</summary>
    protected abstract PretrainEval Evaluate();

    /// <summary>Whether a fresh run evaluates the untrained model before the first step (a baseline in the log and report).</summary>
    protected virtual bool EvaluateAtStart => false;

    /// <summary>A text sample to print and keep in the report, or null for none.</summary>
    protected virtual string? Sample() => null;

    /// <summary>The data as text, or an error naming the byte offset of the first invalid UTF-8 sequence and <paramref name="why"/> it matters.</summary>
    /// <exception cref="InvalidTextException">Invalid UTF-8.</exception>
    protected static string DecodeUtf8(byte[] raw, string why)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(raw);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidTextException($"--data: invalid UTF-8 at byte offset {e.Index} ({why}).", e.Index);
        }
    }

    /// <summary>Runs to the last step, the time limit or Ctrl-C. Returns the exit code (0, or 130 when cancelled).</summary>
    public int Run(string? resume)
    {
        byte[] raw = File.ReadAllBytes(o.Data);
        string hash = Convert.ToHexStringLower(SHA256.HashData(raw));
        CheckpointInfo? resumeInfo = resume is null ? null : Checkpoint.ReadInfo(resume);
        Polymath.Random.Seed((ulong)o.Seed);
        var setup = Prepare(raw, resumeInfo);
        var model = setup.Model;
        long parameters = model.Parameters().Sum(p => p.Numel);
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
                _evals.AddRange(JsonSerializer.Deserialize<double[][]>(ev)!.Select(e => ((long)e[0], new PretrainEval(e[1], e[2], e[3..]))));
            // fp16: the loss scale continues where it was (it may have taken thousands of steps to settle).
            if (_scaler is not null)
            {
                if (info.Extra.TryGetValue(Polymath.Scale.Amp.GradScaler.CheckpointKey, out var scalerState))
                {
                    try { _scaler.LoadStateJson(scalerState, $"--resume '{resume}'"); }
                    catch (ArgumentException e) { throw new UsageException(e.Message, "pretrain"); }
                }
                else
                    Console.Error.WriteLine($"polymath pretrain: note: '{resume}' holds no GradScaler state (an fp32/bf16 run or an older version); the fp16 loss scale starts again at {_scaler.LossScale.ToString(Inv)}.");
            }
        }

        Directory.CreateDirectory(outDir);
        using var log = new RunLog(LogPath);
        var extra = new Dictionary<string, string>(setup.Extra)
        {
            ["model"] = ModelName,
            ["options"] = o.ToJson(),
            ["dataset"] = Path.GetFullPath(o.Data),
            ["dataset_sha256"] = hash,
            ["seed"] = o.Seed.ToString(Inv),
            ["threads"] = Threads.Count.ToString(Inv),
        };
        var startLog = new Dictionary<string, object?>
        {
            ["model"] = ModelName, ["dataset"] = Path.GetFullPath(o.Data), ["dataset_sha256"] = hash, ["dataset_bytes"] = (long)raw.Length,
        };
        foreach (var (k, v) in setup.StartLog)
            startLog[k] = v;
        startLog["parameters"] = parameters;
        startLog["seed"] = o.Seed;
        startLog["threads"] = Threads.Count;
        startLog["options"] = System.Text.Json.Nodes.JsonNode.Parse(o.ToJson());
        startLog["step"] = step;
        startLog["resumed_from"] = resume;
        log.Write(resume is null ? "start" : "resume", startLog);
        Console.WriteLine(setup.Banner + string.Create(Inv, $", batch {o.BatchSize}, {o.Steps} steps, lr {o.Lr}, seed {o.Seed}, {Threads.Count} thread(s), output {outDir}") +
            (resume is null ? "" : $", resuming from {resume} at step {step}"));

        void Save(string path, string why)
        {
            extra["best_val_loss"] = bestVal.ToString("R", Inv);
            extra["evals"] = JsonSerializer.Serialize(_evals.Select(e => new[] { e.Step, e.Eval.Train, e.Eval.Val }.Concat(e.Eval.Metrics).ToArray()));
            if (_scaler is not null)
                extra[Polymath.Scale.Amp.GradScaler.CheckpointKey] = _scaler.StateJson();
            Checkpoint.Save(path, model, opt, sched, new CheckpointInfo { Step = step, StepLosses = [.. _trainLoss], Extra = new(extra) });
            log.Write("checkpoint", new Dictionary<string, object?> { ["path"] = Path.GetFullPath(path), ["step"] = step, ["why"] = why });
        }

        var clock = Stopwatch.StartNew();
        long startStep = step, tokensSeen = 0;
        double lossSum = 0;
        int lossCount = 0;
        string stopReason = "completed";
        var plain = progress != ProgressMode.None;
        double RecordEval(Action<long, double>? onStep)
        {
            PretrainEval e;
            using (Autocast())
                e = Evaluate();
            model.Train();
            _evals.Add((step, e));
            var fields = new Dictionary<string, object?> { ["step"] = step, ["train_loss"] = e.Train, ["val_loss"] = e.Val };
            var line = new StringBuilder(string.Create(Inv, $"step {step}: train loss {e.Train:F4}, val loss {e.Val:F4}"));
            for (int m = 0; m < MetricNames.Count; m++)
            {
                fields[MetricNames[m]] = e.Metrics[m];
                line.Append(string.Create(Inv, $", {MetricNames[m].Replace('_', ' ')} {e.Metrics[m]:F4}"));
            }
            fields["elapsed_s"] = clock.Elapsed.TotalSeconds;
            log.Write("eval", fields);
            line.Append(string.Create(Inv, $" ({clock.Elapsed.TotalSeconds:F0} s)"));
            if (onStep is null) Console.WriteLine(line); else AnsiConsole.MarkupLine(Markup.Escape(line.ToString()));
            return e.Val;
        }

        if (step == 0 && EvaluateAtStart)
            RecordEval(null); // the untrained baseline (not a checkpoint: nothing has been learned yet)

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
                opt.ZeroGrad();
                Tensor loss;
                long tokens;
                using (Autocast())
                    (loss, tokens) = TrainBatch();
                if (_scaler is null)
                {
                    loss.Backward();
                    GradClip.ClipGradNorm(model.Parameters(), o.GradClip);
                    opt.Step();
                }
                else
                {
                    _scaler.Scale(loss).Backward();
                    _scaler.Unscale(opt); // clip the true gradients
                    GradClip.ClipGradNorm(model.Parameters(), o.GradClip);
                    _scaler.Step(opt);
                    _scaler.Update();
                }
                sched.Step();
                step++;
                tokensSeen += tokens;
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
                    double val = RecordEval(onStep);
                    if (val < bestVal)
                    {
                        bestVal = val;
                        Save(BestPath, "best val_loss");
                    }
                    Save(LastPath, "eval");
                    WriteReport(setup, parameters, hash, clock.Elapsed.TotalSeconds, startStep);
                }
                if (o.SampleEvery > 0 && (step % o.SampleEvery == 0 || step == o.Steps) && Sample() is { } text)
                {
                    model.Train();
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
        WriteReport(setup, parameters, hash, clock.Elapsed.TotalSeconds, startStep);
        log.Write("end", new Dictionary<string, object?> { ["step"] = step, ["reason"] = stopReason, ["best_val_loss"] = bestVal, ["elapsed_s"] = clock.Elapsed.TotalSeconds,
            ["tokens_per_s"] = tokensSeen / Math.Max(1e-9, clock.Elapsed.TotalSeconds) });
        Console.WriteLine(string.Create(Inv, $"{stopReason} at step {step} after {clock.Elapsed.TotalSeconds:F0} s ({tokensSeen / Math.Max(1e-9, clock.Elapsed.TotalSeconds):F0} tokens/s); best val loss {bestVal:F4}"));
        Console.WriteLine($"log: {LogPath}  report: {ReportPath}  checkpoint: {LastPath}  best: {BestPath}");
        return stopReason == "cancelled" ? 130 : 0;
    }

    private void WriteReport(PretrainSetup setup, long parameters, string hash, double seconds, long startStep)
    {
        string title = $"polymath pretrain {ModelName}";
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n<title>").Append(title).Append("</title>\n<style>\n")
          .Append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}table{border-collapse:collapse;margin:1em 0}")
          .Append("td{border:1px solid #ccc;padding:3px 8px}.charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}figcaption{font-weight:600}pre{background:#f6f6f6;padding:8px;white-space:pre-wrap}\n")
          .Append("</style>\n</head>\n<body>\n<h1>").Append(title).Append("</h1>\n<table>\n");
        var rows = new List<(string, string)>
        {
            ("dataset", Path.GetFullPath(o.Data)), ("dataset sha256", hash), ("parameters", parameters.ToString("N0", Inv)),
            ("threads", Threads.Count.ToString(Inv)),
            ("steps this session", string.Create(Inv, $"{startStep} → {(_evals.Count > 0 ? _evals[^1].Step : startStep)} in {seconds:F0} s")),
            ("best val loss", _evals.Count > 0 ? _evals.Min(e => e.Eval.Val).ToString("F4", Inv) : "–"),
        };
        if (setup.StartLog.TryGetValue("vocab_size", out var vocab))
            rows.Insert(3, ("vocabulary", Convert.ToString(vocab, Inv) ?? ""));
        rows.AddRange(o.Rows());
        foreach (var (k, v) in rows)
            sb.Append("<tr><td>").Append(Esc(k)).Append("</td><td>").Append(Esc(v)).Append("</td></tr>\n");
        sb.Append("</table>\n<div class=\"charts\">\n");
        sb.Append(HtmlReport.Chart("Loss (nats/token) by step", "step",
        [
            new HtmlReport.Series("train (running mean)", _trainLoss.Select(p => ((double)p.Step, p.Loss)).ToList()),
            new HtmlReport.Series("train (eval)", _evals.Select(e => ((double)e.Step, e.Eval.Train)).ToList()),
            new HtmlReport.Series("validation", _evals.Select(e => ((double)e.Step, e.Eval.Val)).ToList()),
        ]));
        for (int m = 0; m < MetricNames.Count; m++)
        {
            int i = m;
            sb.Append(HtmlReport.Chart($"{MetricNames[m].Replace('_', ' ')} by step", "step",
                [new HtmlReport.Series(MetricNames[m], _evals.Where(e => e.Eval.Metrics.Length > i).Select(e => ((double)e.Step, e.Eval.Metrics[i])).ToList())]));
        }
        sb.Append(HtmlReport.Chart("Learning rate by step", "step", [new HtmlReport.Series("lr", _lrs.Select(p => ((double)p.Step, p.Lr)).ToList())]));
        sb.Append("</div>\n");
        if (_samples.Count > 0)
        {
            sb.Append("<h2>Samples</h2>\n");
            foreach (var (s, text) in _samples)
                sb.Append("<h3>step ").Append(s).Append("</h3>\n<pre>").Append(Esc(text)).Append("</pre>\n");
        }
        sb.Append("</body>\n</html>\n");
        HtmlReport.Save(ReportPath, sb.ToString());
    }

    private static string Esc(string s) => System.Net.WebUtility.HtmlEncode(s);
}
