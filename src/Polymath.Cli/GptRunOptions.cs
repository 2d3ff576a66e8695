using System.Globalization;
using System.Text.Json;
using Polymath.Models.Bert;
using Polymath.Models.Gpt;

namespace Polymath.Cli;

/// <summary>Everything <c>polymath pretrain gpt</c> or <c>polymath pretrain bert</c> was asked to do; recorded in the run log and the checkpoint.</summary>
internal sealed record GptRunOptions
{
    /// <summary>The defaults of <c>polymath pretrain bert</c>: a WordPiece vocabulary of 2000 and a lower peak learning rate (post-norm BERT is less tolerant of 2e-3).</summary>
    public static GptRunOptions BertDefaults { get; } = new() { Model = "bert", Tokenizer = "wordpiece", BpeVocab = 2000, Lr = 1e-3 };

    /// <summary>gpt or bert (absent in checkpoints written before BERT existed: gpt).</summary>
    public string Model { get; init; } = "gpt";
    public string Data { get; init; } = "";
    public string Tokenizer { get; init; } = "char";
    public int BpeVocab { get; init; } = 512;
    public int Context { get; init; } = 128;
    public int Layers { get; init; } = 4;
    public int Heads { get; init; } = 4;
    public int Embd { get; init; } = 128;
    public double Dropout { get; init; }
    public string Positions { get; init; } = "learned";
    public bool Untied { get; init; }
    public int BatchSize { get; init; } = 32;
    public int Steps { get; init; } = 3000;
    public double Lr { get; init; } = 2e-3;
    public double MinLrRatio { get; init; } = 0.1;
    public int Warmup { get; init; } = 100;
    public double WeightDecay { get; init; } = 0.1;
    public double Beta2 { get; init; } = 0.99;
    public double GradClip { get; init; } = 1.0;
    public double ValFraction { get; init; } = 0.1;
    public int EvalEvery { get; init; } = 250;
    public int EvalBatches { get; init; } = 20;
    public int SampleEvery { get; init; } = 500;
    public int SampleTokens { get; init; } = 200;
    public double? TimeLimitMinutes { get; init; }
    public int? StopAt { get; init; }
    public int Seed { get; init; } = 1337;
    public int LogEvery { get; init; } = 50;
    public string Precision { get; init; } = "fp32";

    /// <summary>BERT: width of the feed-forward layer (4 × embd when null).</summary>
    public int? Intermediate { get; init; }

    /// <summary>BERT: share of the tokens chosen for prediction.</summary>
    public double MaskProb { get; init; } = 0.15;

    public GptConfig ModelConfig(int vocab) => new()
    {
        VocabSize = vocab,
        ContextLength = Context,
        EmbeddingDim = Embd,
        Layers = Layers,
        Heads = Heads,
        Dropout = Dropout,
        Positions = Positions == "rotary" ? PositionEncoding.Rotary : PositionEncoding.Learned,
        TieWeights = !Untied,
    };

    public BertConfig BertConfig(int vocab, int padId) => new()
    {
        VocabSize = vocab,
        HiddenSize = Embd,
        NumHiddenLayers = Layers,
        NumAttentionHeads = Heads,
        IntermediateSize = Intermediate ?? 4 * Embd,
        MaxPositionEmbeddings = Context,
        HiddenDropoutProb = Dropout,
        AttentionProbsDropoutProb = Dropout,
        PadTokenId = padId,
    };

    public string ToJson() => JsonSerializer.Serialize(this);

    public static GptRunOptions FromJson(string json) =>
        JsonSerializer.Deserialize<GptRunOptions>(json) ?? throw new InvalidDataException("checkpoint: empty run options.");

    public IEnumerable<(string Name, string Value)> Rows()
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var p in typeof(GptRunOptions).GetProperties())
            yield return (p.Name, Convert.ToString(p.GetValue(this), inv) ?? "");
    }
}
