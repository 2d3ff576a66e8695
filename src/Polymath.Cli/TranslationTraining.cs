using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polymath.Data;
using Polymath.Data.Tokenizers;
using Polymath.Models.Seq2Seq;
using Polymath.NN;
using Polymath.NN.Optim;
using Polymath.Training;

namespace Polymath.Cli;

/// <summary>
/// The loop of <c>polymath translate train</c>: a joint BPE over the training text, batches of similar-length
/// sentence pairs up to a token budget, teacher forcing with label-smoothed cross-entropy, Adam (β₂ 0.98) with
/// linear warm-up then inverse-square-root decay, gradient clipping; after every epoch the validation loss (plain
/// NLL per target token) and greedy validation BLEU, checkpoints (last, best by BLEU), the log and the report; at the
/// end test BLEU of the best checkpoint, greedy and with beam search.
/// </summary>
/// <remarks>
/// With <c>resume</c> (a last.safetensors of such a run) the run goes on exactly where it stopped: the tokenizer,
/// model, Adam state and random state come from the checkpoint, the batch order is replayed from the seed up to the
/// saved position (inside an epoch too, after Ctrl-C or a time limit), and the epoch history, best BLEU and loss
/// curve continue. An uninterrupted run and a stopped-and-resumed one end with the same weights.
/// </remarks>
internal sealed class TranslationTraining(TranslateOptions o, string outDir, bool plain, CancellationToken cancel, string? resume = null, int? stopAt = null)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly List<(double Step, double Loss)> _trainLoss = [];
    private readonly List<(double Step, double Lr)> _lrs = [];
    private readonly List<(int Epoch, long Step, double TrainLoss, double ValLoss, double ValBleu, double Seconds)> _epochs = [];
    private readonly List<(string What, double Bleu, string Detail, double Seconds)> _tests = [];

    public string LastPath => Path.Combine(outDir, "last.safetensors");

    public string BestPath => Path.Combine(outDir, "best.safetensors");

    public string LogPath => Path.Combine(outDir, "run.jsonl");

    public string ReportPath => Path.Combine(outDir, "report.html");

    /// <summary>Inverse-square-root schedule with linear warm-up: peak · min(step/warmup, √(warmup/step)).</summary>
    public static double LearningRate(double peak, int warmup, long step) =>
        warmup <= 0 ? peak / Math.Sqrt(Math.Max(1, step)) : peak * Math.Min((double)step / warmup, Math.Sqrt((double)warmup / Math.Max(1, step)));

    public int Run()
    {
        var total = Stopwatch.StartNew();
        var (trainSrc, trainTgt) = TranslationCorpus.Read(o.Data, "train", o.Source, o.Target, "translate");
        var (valSrc, valTgt) = TranslationCorpus.Read(o.Data, "val", o.Source, o.Target, "translate");
        if (o.TrainSentences is int cap && cap < trainSrc.Length)
            (trainSrc, trainTgt) = (trainSrc[..cap], trainTgt[..cap]);
        if (o.ValSentences > 0 && o.ValSentences < valSrc.Length)
            (valSrc, valTgt) = (valSrc[..o.ValSentences], valTgt[..o.ValSentences]);
        var (hash, fileHashes) = TranslationCorpus.Hash(o.Data, o.Source, o.Target);
        CheckpointInfo? resumed = resume is null ? null : Checkpoint.ReadInfo(resume);
        if (resumed is not null && resumed.Extra.TryGetValue("dataset_sha256", out var savedHash) && savedHash != hash)
            throw new UsageException($"--resume: the data in '{o.Data}' changed since '{resume}' was written (SHA-256 {hash[..12]}… against {savedHash[..Math.Min(12, savedHash.Length)]}…).", "translate");

        var sw = Stopwatch.StartNew();
        // A resumed run keeps its tokenizer: retraining would give the same merges, but reading them is instant.
        var tok = resumed is not null ? ByteLevelBpeTokenizer.FromJson(resumed.Extra["tokenizer"]) : TranslationCorpus.TrainTokenizer(trainSrc, trainTgt, o.VocabSize);
        double tokSeconds = sw.Elapsed.TotalSeconds;
        var (pad, bos, eos) = TranslationCorpus.SpecialIds(tok);
        sw.Restart();
        var train = Encode(tok, trainSrc, trainTgt, eos, out int dropped);
        var val = Encode(tok, valSrc, valTgt, eos, out _);
        double encodeSeconds = sw.Elapsed.TotalSeconds;
        if (train.Count == 0)
            throw new UsageException("--data: no training pair fits --max-length.", "translate");

        Polymath.Random.Seed((ulong)o.Seed);
        var cfg = o.ModelConfig(tok.VocabSize, pad, bos, eos);
        var model = new TransformerTranslator(cfg, Polymath.Random.Default);
        var opt = new Adam(model.Parameters(), o.Lr, 0.9, 0.98, 1e-9);
        var shuffle = new System.Random(o.Seed);

        Directory.CreateDirectory(outDir);
        using var log = new RunLog(LogPath);
        var extra = new Dictionary<string, string>
        {
            ["model"] = "transformer-translator",
            ["options"] = o.ToJson(),
            ["tokenizer"] = tok.ToJson(),
            ["translation_config"] = JsonSerializer.Serialize(cfg),
            ["dataset"] = Path.GetFullPath(o.Data),
            ["dataset_sha256"] = hash,
            ["seed"] = o.Seed.ToString(Inv),
        };
        long srcTokens = train.Sum(p => (long)p.Src.Length), tgtTokens = train.Sum(p => (long)p.Tgt.Length + 1);
        log.Write("start", new Dictionary<string, object?>
        {
            ["dataset"] = Path.GetFullPath(o.Data), ["dataset_sha256"] = hash, ["files_sha256"] = JsonNode.Parse(JsonSerializer.Serialize(fileHashes)), ["direction"] = $"{o.Source}-{o.Target}",
            ["train_pairs"] = train.Count, ["dropped_too_long"] = dropped, ["val_pairs"] = val.Count, ["train_source_tokens"] = srcTokens, ["train_target_tokens"] = tgtTokens,
            ["vocab_size"] = tok.VocabSize, ["tokenizer_train_s"] = tokSeconds, ["encode_s"] = encodeSeconds, ["parameters"] = model.ParameterCount(),
            ["seed"] = o.Seed, ["threads"] = Threads.Count, ["options"] = JsonNode.Parse(o.ToJson()),
        });
        Console.WriteLine(string.Create(Inv, $"polymath translate train: {o.Source}→{o.Target}, {train.Count:N0} training pairs ({srcTokens:N0} source + {tgtTokens:N0} target tokens; {dropped} longer than {o.MaxLength} dropped), {val.Count:N0} validation pairs; ") +
            string.Create(Inv, $"joint BPE of {tok.VocabSize} tokens ({tokSeconds:F1} s); {model.ParameterCount():N0} parameters (d_model {o.DModel}, {o.EncoderLayers}+{o.DecoderLayers} layers, {o.Heads} heads, ffn {o.FeedForward}); ") +
            string.Create(Inv, $"{o.BatchTokens} tokens per batch, lr {o.Lr} warm-up {o.Warmup}, seed {o.Seed}, {Threads.Count} thread(s){(o.Minutes is double m ? $", {m} minutes" : "")}; output {outDir}"));

        double bestBleu = double.NegativeInfinity;
        long step = 0, tokensSeen = 0;
        int epoch = 0, batchesDone = 0, skip = 0;
        string stop = "completed";
        if (resumed is not null)
        {
            Checkpoint.Load(resume!, model, opt);
            (step, epoch) = (resumed.Step, resumed.Epoch);
            if (resumed.Extra.TryGetValue("best_val_bleu", out var b))
                bestBleu = double.Parse(b, Inv);
            if (resumed.Extra.TryGetValue("epoch_history", out var h))
                _epochs.AddRange(JsonSerializer.Deserialize<double[][]>(h)!.Select(e => ((int)e[0], (long)e[1], e[2], e[3], e[4], e[5])));
            if (resumed.Extra.TryGetValue("train_curve", out var c))
                foreach (var p in JsonSerializer.Deserialize<double[][]>(c)!)
                {
                    _trainLoss.Add((p[0], p[1]));
                    _lrs.Add((p[0], p[2]));
                }
            // Replay the batch order: every finished epoch's shuffle, and the part of an unfinished one already trained.
            int partial = resumed.Extra.TryGetValue("epoch_batches_done", out var d) ? int.Parse(d, Inv) : 0;
            if (partial > 0)
                (epoch, skip) = (epoch - 1, partial);
            for (int e = 0; e < epoch; e++)
                MakeBatches(train, shuffle);
            Console.WriteLine(string.Create(Inv, $"resuming from {resume}: step {step}, epoch {epoch}{(partial > 0 ? $" + {partial} batches of epoch {epoch + 1}" : "")}, best val BLEU {bestBleu:F2}"));
        }
        void Save(string path, string why, long step, int epoch)
        {
            extra["best_val_bleu"] = bestBleu.ToString("R", Inv);
            extra["epoch_history"] = JsonSerializer.Serialize(_epochs.Select(e => new[] { e.Epoch, e.Step, e.TrainLoss, e.ValLoss, e.ValBleu, e.Seconds }));
            extra["train_curve"] = JsonSerializer.Serialize(_trainLoss.Zip(_lrs, (l, r) => new[] { l.Step, l.Loss, r.Lr }));
            // Batches of the saved epoch already trained when it did not finish (Ctrl-C, time limit); 0 when it did.
            extra["epoch_batches_done"] = (stop == "completed" ? 0 : batchesDone).ToString(Inv);
            Checkpoint.Save(path, model, opt, null, new CheckpointInfo { Epoch = epoch, Step = step, Extra = new(extra) });
            log.Write("checkpoint", new Dictionary<string, object?> { ["path"] = Path.GetFullPath(path), ["step"] = step, ["epoch"] = epoch, ["why"] = why });
        }

        var clock = Stopwatch.StartNew();
        bool OutOfTime() => o.Minutes is double lim && clock.Elapsed.TotalMinutes >= lim;
        while (epoch < o.Epochs && stop == "completed")
        {
            epoch++;
            var batches = MakeBatches(train, shuffle);
            double lossSum = 0, epochLoss = 0;
            int lossCount = 0, epochCount = 0;
            batchesDone = skip;
            model.Train();
            foreach (var batch in batches.Skip(skip))
            {
                if (cancel.IsCancellationRequested) { stop = "cancelled"; break; }
                if (OutOfTime()) { stop = "time limit"; break; }
                if (step >= stopAt) { stop = "stop-at"; break; }
                var (src, tin, tout, ntok) = Tensors(batch, cfg);
                step++;
                batchesDone++;
                double lr = LearningRate(o.Lr, o.Warmup, step);
                foreach (var g in opt.ParamGroups)
                    g.Lr = lr;
                opt.ZeroGrad();
                var loss = model.Loss(src, tin, tout);
                loss.Backward();
                if (o.GradClip > 0)
                    GradClip.ClipGradNorm(model.Parameters(), o.GradClip);
                opt.Step();
                double l = loss.Item();
                if (!double.IsFinite(l))
                    throw new InvalidOperationException($"translate: the loss became {l} at step {step}; the last good checkpoint is {LastPath}.");
                tokensSeen += ntok;
                lossSum += l;
                lossCount++;
                epochLoss += l;
                epochCount++;
                if (step % o.LogEvery == 0)
                {
                    double mean = lossSum / lossCount, tps = tokensSeen / clock.Elapsed.TotalSeconds;
                    _trainLoss.Add((step, mean));
                    _lrs.Add((step, lr));
                    log.Write("step", new Dictionary<string, object?> { ["step"] = step, ["epoch"] = epoch, ["loss"] = mean, ["lr"] = lr, ["tokens_per_s"] = tps, ["elapsed_s"] = clock.Elapsed.TotalSeconds, ["cpu_s"] = CpuSeconds() });
                    if (plain)
                        Console.WriteLine(string.Create(Inv, $"epoch {epoch} step {step} loss {mean:F4} lr {lr:G3} {tps:F0} tokens/s ({clock.Elapsed.TotalSeconds:F0} s)"));
                    (lossSum, lossCount) = (0, 0);
                }
            }
            skip = 0;
            if (epochCount == 0)
                break;
            if (stop == "cancelled")
            {
                // Ctrl-C: keep what was learned, skip the validation.
                Save(LastPath, "cancelled", step, epoch);
                break;
            }
            // Validation: plain NLL per target token, and greedy BLEU.
            double valLoss = ValidationLoss(model, val, cfg);
            var hyps = TranslationCorpus.Translate(model, tok, valSrc, beam: 1, o.Alpha);
            var bleu = Bleu.Corpus(hyps, valTgt);
            _epochs.Add((epoch, step, epochLoss / epochCount, valLoss, bleu.Score, clock.Elapsed.TotalSeconds));
            log.Write("eval", new Dictionary<string, object?>
            {
                ["epoch"] = epoch, ["step"] = step, ["complete_epoch"] = stop == "completed", ["train_loss"] = epochLoss / epochCount, ["val_loss"] = valLoss,
                ["val_bleu"] = bleu.Score, ["val_bleu_detail"] = bleu.ToString(), ["tokens_per_s"] = tokensSeen / clock.Elapsed.TotalSeconds, ["elapsed_s"] = clock.Elapsed.TotalSeconds,
                ["sample"] = $"{valSrc[0]} → {hyps[0]}",
            });
            Console.WriteLine(string.Create(Inv, $"epoch {epoch}{(stop == "completed" ? "" : " (partial)")}: train loss {epochLoss / epochCount:F4}, val loss {valLoss:F4}, val BLEU (greedy) {bleu.Score:F2}, {tokensSeen / clock.Elapsed.TotalSeconds:F0} tokens/s ({clock.Elapsed.TotalSeconds:F0} s)"));
            Console.WriteLine($"  {valSrc[0]} → {hyps[0]}");
            if (bleu.Score > bestBleu)
            {
                bestBleu = bleu.Score;
                Save(BestPath, "best val BLEU", step, epoch);
            }
            Save(LastPath, "epoch", step, epoch);
            WriteReport(model, tok, hash, clock.Elapsed.TotalSeconds);
            if (stop == "completed" && step >= stopAt)
                stop = "stop-at";
            if (stop == "completed" && OutOfTime())
                stop = "time limit";
        }
        double trainSeconds = clock.Elapsed.TotalSeconds;
        log.Write("train_end", new Dictionary<string, object?> { ["step"] = step, ["epochs"] = epoch, ["reason"] = stop, ["train_s"] = trainSeconds, ["cpu_s"] = CpuSeconds(), ["tokens_per_s"] = tokensSeen / Math.Max(1e-9, trainSeconds), ["best_val_bleu"] = bestBleu });
        Console.WriteLine(string.Create(Inv, $"{stop} after {epoch} epoch(s), {step} steps, {trainSeconds:F0} s ({tokensSeen / Math.Max(1e-9, trainSeconds):F0} tokens/s); best val BLEU {bestBleu:F2}"));

        if (stop != "cancelled" && File.Exists(BestPath))
        {
            // Test BLEU of the best checkpoint.
            Checkpoint.Load(BestPath, model, restoreRandom: false);
            var (testSrc, testTgt) = TranslationCorpus.Read(o.Data, "test", o.Source, o.Target, "translate");
            foreach (var beam in o.Beam > 1 ? new[] { 1, o.Beam } : [1])
            {
                sw.Restart();
                var hyps = TranslationCorpus.Translate(model, tok, testSrc, beam, o.Alpha, progress: TranslateCommand.Progress(testSrc.Length, plain));
                var bleu = Bleu.Corpus(hyps, testTgt);
                string what = beam == 1 ? "greedy" : $"beam {beam}, alpha {o.Alpha.ToString(Inv)}";
                _tests.Add((what, bleu.Score, bleu.ToString(), sw.Elapsed.TotalSeconds));
                string hypPath = Path.Combine(outDir, beam == 1 ? "test.greedy." + o.Target : $"test.beam{beam}.{o.Target}");
                AtomicFile.Write(hypPath, s => s.Write(Encoding.UTF8.GetBytes(string.Join('\n', hyps) + "\n")));
                log.Write("test", new Dictionary<string, object?> { ["decoder"] = what, ["bleu"] = bleu.Score, ["detail"] = bleu.ToString(), ["signature"] = Bleu.Signature, ["hypotheses"] = Path.GetFullPath(hypPath), ["decode_s"] = sw.Elapsed.TotalSeconds });
                Console.WriteLine(string.Create(Inv, $"test BLEU ({what}): {bleu} [{Bleu.Signature}] ({sw.Elapsed.TotalSeconds:F0} s)"));
            }
            WriteReport(model, tok, hash, trainSeconds);
        }
        log.Write("end", new Dictionary<string, object?> { ["reason"] = stop, ["total_s"] = total.Elapsed.TotalSeconds });
        Console.WriteLine($"log: {LogPath}  report: {ReportPath}  checkpoint: {LastPath}  best: {BestPath}");
        return stop == "cancelled" ? 130 : 0;
    }

    // CPU time of the whole process: on a shared machine, tokens per CPU-second says more than tokens per wall second.
    private static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    private List<(int[] Src, int[] Tgt)> Encode(ByteLevelBpeTokenizer tok, string[] src, string[] tgt, int eos, out int dropped)
    {
        var pairs = new List<(int[], int[])>(src.Length);
        dropped = 0;
        for (int i = 0; i < src.Length; i++)
        {
            var s = TranslationCorpus.EncodeSource(tok, src[i], eos);
            var t = TranslationCorpus.EncodeTarget(tok, tgt[i]);
            // The decoder sees BOS + target and predicts target + EOS: both need target length + 1 positions.
            if (s.Length > o.MaxLength || t.Length + 1 > o.MaxLength || s.Length == 1 || t.Length == 0)
            {
                dropped++;
                continue;
            }
            pairs.Add((s, t));
        }
        return pairs;
    }

    /// <summary>Sorts pairs by length (random order within a length), cuts batches of at most BatchTokens padded tokens, shuffles the batches.</summary>
    private List<List<(int[] Src, int[] Tgt)>> MakeBatches(List<(int[] Src, int[] Tgt)> pairs, System.Random rng)
    {
        var keys = pairs.Select(_ => rng.Next()).ToArray();
        var order = Enumerable.Range(0, pairs.Count).OrderBy(i => Math.Max(pairs[i].Src.Length, pairs[i].Tgt.Length + 1)).ThenBy(i => keys[i]).ToList();
        var batches = new List<List<(int[], int[])>>();
        var cur = new List<(int[], int[])>();
        int longest = 0;
        foreach (var i in order)
        {
            int len = Math.Max(pairs[i].Src.Length, pairs[i].Tgt.Length + 1);
            if (cur.Count > 0 && Math.Max(longest, len) * (cur.Count + 1) > o.BatchTokens)
            {
                batches.Add(cur);
                (cur, longest) = ([], 0);
            }
            cur.Add(pairs[i]);
            longest = Math.Max(longest, len);
        }
        if (cur.Count > 0)
            batches.Add(cur);
        for (int i = batches.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (batches[i], batches[j]) = (batches[j], batches[i]);
        }
        return batches;
    }

    /// <summary>Source [B, S], decoder input BOS + target [B, T], decoder output target + EOS [B, T], all PAD-filled; and the number of target tokens.</summary>
    internal static (Tensor Src, Tensor TgtIn, Tensor TgtOut, long TargetTokens) Tensors(IReadOnlyList<(int[] Src, int[] Tgt)> batch, TranslationConfig cfg)
    {
        int b = batch.Count, s = batch.Max(p => p.Src.Length), t = batch.Max(p => p.Tgt.Length) + 1;
        var src = new long[b * s];
        var tin = new long[b * t];
        var tout = new long[b * t];
        Array.Fill(src, cfg.PadId);
        Array.Fill(tin, cfg.PadId);
        Array.Fill(tout, cfg.PadId);
        long n = 0;
        for (int i = 0; i < b; i++)
        {
            var (ps, pt) = batch[i];
            for (int j = 0; j < ps.Length; j++)
                src[i * s + j] = ps[j];
            tin[i * t] = cfg.BosId;
            for (int j = 0; j < pt.Length; j++)
            {
                tin[i * t + j + 1] = pt[j];
                tout[i * t + j] = pt[j];
            }
            tout[i * t + pt.Length] = cfg.EosId;
            n += pt.Length + 1;
        }
        return (Tensor.From(src, b, s), Tensor.From(tin, b, t), Tensor.From(tout, b, t), n);
    }

    private double ValidationLoss(TransformerTranslator model, List<(int[] Src, int[] Tgt)> val, TranslationConfig cfg)
    {
        model.Eval();
        try
        {
            using var _ = Tensor.NoGrad();
            double sum = 0;
            long count = 0;
            var ordered = val.OrderBy(p => p.Src.Length).ToList();
            for (int i = 0; i < ordered.Count; i += 64)
            {
                var (src, tin, tout, n) = Tensors(ordered.Skip(i).Take(64).ToList(), cfg);
                sum += model.Loss(src, tin, tout, labelSmoothing: 0).Item() * n;
                count += n;
            }
            return count == 0 ? double.NaN : sum / count;
        }
        finally
        {
            model.Train();
        }
    }

    private void WriteReport(TransformerTranslator model, ByteLevelBpeTokenizer tok, string hash, double seconds)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n<title>polymath translate train</title>\n<style>\n")
          .Append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}table{border-collapse:collapse;margin:1em 0}")
          .Append("td,th{border:1px solid #ccc;padding:3px 8px}.charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}figcaption{font-weight:600}\n")
          .Append("</style>\n</head>\n<body>\n<h1>polymath translate train</h1>\n<table>\n");
        var rows = new List<(string, string)>
        {
            ("dataset", Path.GetFullPath(o.Data)), ("dataset sha256", hash), ("direction", $"{o.Source} → {o.Target}"),
            ("parameters", model.ParameterCount().ToString("N0", Inv)), ("vocabulary (joint BPE)", tok.VocabSize.ToString(Inv)),
            ("threads", Threads.Count.ToString(Inv)), ("training time", string.Create(Inv, $"{seconds:F0} s")),
            ("best val BLEU (greedy)", _epochs.Count > 0 ? _epochs.Max(e => e.ValBleu).ToString("F2", Inv) : "–"),
        };
        foreach (var t in _tests)
            rows.Add(($"test BLEU ({t.What})", t.Detail));
        rows.Add(("BLEU signature", Bleu.Signature));
        rows.AddRange(o.Rows());
        foreach (var (k, v) in rows)
            sb.Append("<tr><td>").Append(Esc(k)).Append("</td><td>").Append(Esc(v)).Append("</td></tr>\n");
        sb.Append("</table>\n<div class=\"charts\">\n");
        sb.Append(HtmlReport.Chart("Loss (nats/token) by step", "step",
        [
            new HtmlReport.Series("train (label-smoothed, running mean)", _trainLoss),
            new HtmlReport.Series("validation (NLL)", _epochs.Select(e => ((double)e.Step, e.ValLoss)).ToList(), Markers: true),
        ]));
        sb.Append(HtmlReport.Chart("Validation BLEU (greedy) by step", "step",
            [new HtmlReport.Series("val BLEU", _epochs.Select(e => ((double)e.Step, e.ValBleu)).ToList(), Markers: true)]));
        sb.Append(HtmlReport.Chart("Learning rate by step", "step", [new HtmlReport.Series("lr", _lrs)]));
        sb.Append("</div>\n<h2>Epochs</h2>\n<table>\n<tr><th>epoch</th><th>step</th><th>train loss</th><th>val loss</th><th>val BLEU</th><th>seconds</th></tr>\n");
        foreach (var e in _epochs)
            sb.Append(string.Create(Inv, $"<tr><td>{e.Epoch}</td><td>{e.Step}</td><td>{e.TrainLoss:F4}</td><td>{e.ValLoss:F4}</td><td>{e.ValBleu:F2}</td><td>{e.Seconds:F0}</td></tr>\n"));
        sb.Append("</table>\n</body>\n</html>\n");
        HtmlReport.Save(ReportPath, sb.ToString());
    }

    private static string Esc(string s) => System.Net.WebUtility.HtmlEncode(s);
}
