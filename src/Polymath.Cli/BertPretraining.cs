using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polymath.Data.Tokenizers;
using Polymath.Models.Bert;
using Polymath.NN;
using Polymath.Training;

namespace Polymath.Cli;

/// <summary>
/// <c>polymath pretrain bert</c>: a WordPiece vocabulary learned on the training lines, consecutive lines packed into
/// segments of at most --context − 2 pieces, <c>[CLS] segment [SEP]</c> batches padded to their longest, the 80/10/10
/// masking of --mask-prob of the tokens, and the masked-token cross-entropy of a <see cref="BertForMaskedLM"/>. The
/// validation loss and masked-token accuracy are measured on fixed segments with fixed masks, so evaluations compare.
/// The step loop, optimizer, schedule, checkpoints, log and report are <see cref="PretrainLoop"/>'s.
/// </summary>
internal sealed class BertPretraining(GptRunOptions options, string outDir, ProgressMode progress, CancellationToken cancel)
    : PretrainLoop(options, outDir, progress, cancel)
{
    private BertForMaskedLM _model = null!;
    private WordPieceTokenizer _tokenizer = null!;
    private MlmCollator _collator = null!;
    private List<int[]> _train = null!, _val = null!;

    protected override string ModelName => "bert";

    public override IReadOnlyList<string> MetricNames => ["train_masked_accuracy", "val_masked_accuracy"];

    /// <summary>BERT runs start on a long plateau (predicting the commonest pieces), so the untrained baseline is worth recording.</summary>
    protected override bool EvaluateAtStart => true;

    protected override PretrainSetup Prepare(byte[] raw, CheckpointInfo? resumeInfo)
    {
        string text = DecodeUtf8(raw, "the WordPiece tokenizer needs valid UTF-8 text");
        var lines = text.Split('\n');
        int splitLine = (int)(lines.Length * (1 - Options.ValFraction));
        var sw = Stopwatch.StartNew();
        _tokenizer = resumeInfo is not null ? LoadTokenizer(resumeInfo.Extra)
            : WordPieceTokenizer.Train(string.Join('\n', lines.Take(splitLine)), Options.BpeVocab);
        double tokenizerSeconds = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var encoded = lines.Select(_tokenizer.Encode).ToArray();
        double encodeSeconds = sw.Elapsed.TotalSeconds;
        _train = BertSegments.Pack(encoded.Take(splitLine), Options.Context - 2);
        _val = BertSegments.Pack(encoded.Skip(splitLine), Options.Context - 2);
        if (_train.Count < Options.BatchSize || _val.Count == 0)
            throw new UsageException($"--data: {_train.Count} training and {_val.Count} validation segments of at most {Options.Context - 2} pieces; " +
                $"need at least --batch-size {Options.BatchSize} for training and one for validation.", "pretrain");
        _collator = new MlmCollator(_tokenizer.VocabSize, _tokenizer.PadId, _tokenizer.ClsId, _tokenizer.SepId, _tokenizer.MaskId, [_tokenizer.UnkId], Options.MaskProb);
        _model = new BertForMaskedLM(Options.BertConfig(_tokenizer.VocabSize, _tokenizer.PadId));
        long tokens = encoded.Sum(l => (long)l.Length), trainTokens = _train.Sum(s => (long)s.Length), valTokens = _val.Sum(s => (long)s.Length);
        var extra = new Dictionary<string, string> { ["tokenizer"] = TokenizerJson(_tokenizer), ["bert_config"] = JsonSerializer.Serialize(_model.Config) };
        var start = new Dictionary<string, object?>
        {
            ["tokens"] = tokens, ["train_tokens"] = trainTokens, ["val_tokens"] = valTokens, ["train_segments"] = (long)_train.Count, ["val_segments"] = (long)_val.Count,
            ["tokenizer"] = "wordpiece", ["vocab_size"] = _tokenizer.VocabSize, ["tokenizer_train_s"] = tokenizerSeconds, ["encode_s"] = encodeSeconds,
        };
        string banner = string.Create(Inv, $"polymath pretrain bert: {_model.ParameterCount():N0} parameters ({Options.Layers} layers, {Options.Heads} heads, width {Options.Embd}, " +
            $"feed-forward {_model.Config.IntermediateSize}, sequences of at most {Options.Context}), wordpiece tokenizer with {_tokenizer.VocabSize} tokens " +
            $"({tokenizerSeconds:F1} s to learn, {encodeSeconds * 1000:F0} ms to encode {raw.Length:N0} bytes into {tokens:N0} pieces), " +
            $"{_train.Count:N0} train / {_val.Count:N0} validation segments ({trainTokens:N0} / {valTokens:N0} pieces), {Options.MaskProb:P0} masked");
        return new PretrainSetup(_model, extra, start, banner);
    }

    protected override (Tensor Loss, long Tokens) TrainBatch()
    {
        var rng = Polymath.Random.Default;
        var segments = new List<int[]>(Options.BatchSize);
        for (int r = 0; r < Options.BatchSize; r++)
            segments.Add(_train[(int)rng.NextLong(0, _train.Count)]);
        var batch = _collator.Collate(segments, rng);
        return (_model.Loss(batch.InputIds, batch.Labels, batch.AttentionMask), segments.Sum(s => (long)s.Length + 2));
    }

    protected override PretrainEval Evaluate()
    {
        var (trainLoss, trainAccuracy) = Estimate(_train);
        var (valLoss, valAccuracy) = Estimate(_val);
        return new PretrainEval(trainLoss, valLoss, [trainAccuracy, valAccuracy]);
    }

    /// <summary>
    /// Masked-token loss (mean over batches) and accuracy (over all masked tokens) on --eval-batches batches of evenly
    /// spaced segments, each masked by a generator seeded from the run's seed and the batch number.
    /// </summary>
    private (double Loss, double Accuracy) Estimate(List<int[]> data)
    {
        _model.Eval();
        using var _ = Tensor.NoGrad();
        int b = Options.BatchSize, batches = Options.EvalBatches;
        double sum = 0;
        long correct = 0, total = 0;
        for (int k = 0; k < batches; k++)
        {
            var segments = Enumerable.Range(0, b).Select(r => data[(int)((k * (long)b + r) * data.Count / ((long)batches * b))]).ToList();
            var batch = _collator.Collate(segments, new Generator((ulong)Options.Seed * 1_000_003UL + (ulong)k));
            var (loss, logits, targets) = _model.MaskedPredictions(batch.InputIds, batch.Labels, batch.AttentionMask);
            sum += loss.Item();
            var predicted = logits.ArgMax(1).ToArray<long>();
            correct += predicted.Zip(targets).Count(p => p.First == p.Second);
            total += targets.Length;
        }
        return (sum / batches, (double)correct / total);
    }

    /// <summary>Fill-in-the-blanks on the first validation segment (at most 48 pieces), masked with a fixed generator: the input, the model's fill and the original.</summary>
    protected override string? Sample()
    {
        var segment = _val[0].Take(48).ToArray();
        var batch = _collator.Collate([segment], new Generator((ulong)Options.Seed));
        _model.Eval();
        long[] ids = batch.InputIds.ToArray<long>(), labels = batch.Labels.ToArray<long>();
        long[] predicted;
        using (Tensor.NoGrad())
            predicted = _model.Forward(batch.InputIds, batch.AttentionMask).ArgMax(2).ToArray<long>();
        var filled = ids.Select((id, i) => labels[i] == Losses.DefaultIgnoreIndex ? id : predicted[i]).ToArray();
        var original = ids.Select((id, i) => labels[i] == Losses.DefaultIgnoreIndex ? id : labels[i]).ToArray();
        string Text(long[] t) => _tokenizer.Decode(t.Select(i => (int)i).Where(i => i != _tokenizer.ClsId && i != _tokenizer.SepId).ToArray());
        int hits = Enumerable.Range(0, ids.Length).Count(i => labels[i] != Losses.DefaultIgnoreIndex && predicted[i] == labels[i]);
        int masked = labels.Count(l => l != Losses.DefaultIgnoreIndex);
        return $"input:    {Text(ids)}\nfilled:   {Text(filled)}\noriginal: {Text(original)}\n({hits} of {masked} chosen pieces right)";
    }

    /// <summary>The vocabulary as JSON for the checkpoint: {"type":"wordpiece","lowercase":…,"tokens":[…]}.</summary>
    internal static string TokenizerJson(WordPieceTokenizer t) =>
        new JsonObject { ["type"] = "wordpiece", ["lowercase"] = t.Lowercase, ["tokens"] = new JsonArray([.. t.Tokens.Select(s => JsonValue.Create(s))]) }.ToJsonString();

    /// <summary>The tokenizer recorded by <see cref="TokenizerJson"/>.</summary>
    /// <exception cref="InvalidDataException">No tokenizer, or not a WordPiece one.</exception>
    internal static WordPieceTokenizer LoadTokenizer(IReadOnlyDictionary<string, string> extra)
    {
        if (!extra.TryGetValue("tokenizer", out var json) || JsonNode.Parse(json) is not JsonObject o || (string?)o["type"] != "wordpiece" || o["tokens"] is not JsonArray tokens)
            throw new InvalidDataException("checkpoint: no WordPiece tokenizer recorded (was it written by polymath pretrain bert?).");
        return new WordPieceTokenizer(tokens.Select(n => (string)n!), (bool?)o["lowercase"] ?? true);
    }
}
