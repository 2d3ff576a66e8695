using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Polymath.Data.Tokenizers;
using Polymath.Models.Gpt;
using Polymath.Training;

namespace Polymath.Cli;

/// <summary>
/// <c>polymath pretrain gpt</c>, nanoGPT style: random windows of the training tokens, next-token cross-entropy, a
/// validation estimate on fixed windows, samples printed as it trains. The step loop, optimizer, schedule,
/// checkpoints, log and report are <see cref="PretrainLoop"/>'s.
/// </summary>
internal sealed class GptPretraining(GptRunOptions options, string outDir, ProgressMode progress, CancellationToken cancel)
    : PretrainLoop(options, outDir, progress, cancel)
{
    private GptModel _model = null!;
    private ITokenizer _tokenizer = null!;
    private ReadOnlyMemory<int> _train, _val;

    protected override string ModelName => "gpt";

    protected override PretrainSetup Prepare(byte[] raw, CheckpointInfo? resumeInfo)
    {
        var sw = Stopwatch.StartNew();
        _tokenizer = resumeInfo is not null ? LoadTokenizer(resumeInfo.Extra)
            : Options.Tokenizer == "bpe" ? ByteLevelBpeTokenizer.Train(Encoding.UTF8.GetString(raw[..(int)(raw.Length * (1 - Options.ValFraction))]), Options.BpeVocab)
            : CharTokenizer.FromText(DecodeUtf8(raw, "a char tokenizer needs valid text; --tokenizer bpe takes any bytes"));
        double tokenizerSeconds = sw.Elapsed.TotalSeconds;
        sw.Restart();
        int[] tokens = _tokenizer.EncodeUtf8(raw);
        double encodeSeconds = sw.Elapsed.TotalSeconds;
        int split = (int)(tokens.Length * (1 - Options.ValFraction));
        _train = tokens.AsMemory(0, split);
        _val = tokens.AsMemory(split);
        if (_train.Length <= Options.Context + 1 || _val.Length <= Options.Context + 1)
            throw new UsageException($"--data: {tokens.Length} tokens are too few for a {Options.Context}-token context with a {Options.ValFraction:P0} validation split.", "pretrain");
        _model = new GptModel(Options.ModelConfig(_tokenizer.VocabSize));
        var extra = new Dictionary<string, string> { ["tokenizer"] = TokenizerJson(_tokenizer), ["gpt_config"] = JsonSerializer.Serialize(_model.Config) };
        var start = new Dictionary<string, object?>
        {
            ["tokens"] = (long)tokens.Length, ["train_tokens"] = (long)split, ["val_tokens"] = (long)(tokens.Length - split),
            ["tokenizer"] = Options.Tokenizer, ["vocab_size"] = _tokenizer.VocabSize, ["tokenizer_train_s"] = tokenizerSeconds, ["encode_s"] = encodeSeconds,
        };
        string banner = string.Create(Inv, $"polymath pretrain gpt: {_model.ParameterCount():N0} parameters ({Options.Layers} layers, {Options.Heads} heads, width {Options.Embd}, context {Options.Context}, {Options.Positions} positions), " +
            $"{Options.Tokenizer} tokenizer with {_tokenizer.VocabSize} tokens ({encodeSeconds * 1000:F0} ms to encode {raw.Length:N0} bytes into {tokens.Length:N0} tokens), " +
            $"{split:N0} train / {tokens.Length - split:N0} validation tokens");
        return new PretrainSetup(_model, extra, start, banner);
    }

    protected override (Tensor Loss, long Tokens) TrainBatch()
    {
        var (x, y) = Batch(_train.Span);
        return (_model.Loss(x, y), (long)Options.BatchSize * Options.Context);
    }

    protected override PretrainEval Evaluate() => new(Estimate(_train.Span), Estimate(_val.Span), []);

    protected override string? Sample()
    {
        var prompt = _tokenizer.Encode("\n");
        long[] start = prompt.Length > 0 ? [prompt[0]] : [0];
        var ids = _model.Generate(start, Options.SampleTokens, new SamplingOptions { Temperature = 0.8, TopK = 50, Seed = (ulong)Options.Seed });
        return _tokenizer.Decode(ids.Skip(1).Select(i => (int)i).ToArray());
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
        int b = Options.BatchSize, t = Options.Context;
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

    /// <summary>Mean loss over <see cref="GptRunOptions.EvalBatches"/> evenly spaced, fixed windows (the same every time, so evaluations compare).</summary>
    private double Estimate(ReadOnlySpan<int> data)
    {
        _model.Eval();
        using var _ = Tensor.NoGrad();
        int b = Options.BatchSize, t = Options.Context, batches = Options.EvalBatches;
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
            sum += _model.Loss(Tensor.From(x, b, t), Tensor.From(y, b, t)).Item();
        }
        return sum / batches;
    }
}
