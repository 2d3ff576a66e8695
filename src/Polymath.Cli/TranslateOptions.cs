using System.Globalization;
using System.Text.Json;
using Polymath.Models.Seq2Seq;

namespace Polymath.Cli;

/// <summary>Everything <c>polymath translate train</c> was asked to do; recorded in the run log and the checkpoint.</summary>
internal sealed record TranslateOptions
{
    public string Data { get; init; } = "";
    public string Source { get; init; } = "en";
    public string Target { get; init; } = "de";
    public int VocabSize { get; init; } = 8000;
    public int DModel { get; init; } = 256;
    public int Heads { get; init; } = 4;
    public int EncoderLayers { get; init; } = 3;
    public int DecoderLayers { get; init; } = 3;
    public int FeedForward { get; init; } = 1024;
    public double Dropout { get; init; } = 0.1;
    public string Positions { get; init; } = "sinusoidal";
    public bool PostNorm { get; init; }
    public bool SeparateEmbeddings { get; init; }
    public int MaxLength { get; init; } = 128;
    public double LabelSmoothing { get; init; } = 0.1;
    public int BatchTokens { get; init; } = 2500;
    public double Lr { get; init; } = 1e-3;
    public int Warmup { get; init; } = 400;
    public double GradClip { get; init; } = 1.0;
    public int Epochs { get; init; } = 1000;
    public double? Minutes { get; init; }
    public int ValSentences { get; init; }
    public int Beam { get; init; } = 5;
    public double Alpha { get; init; } = 0.6;
    public int Seed { get; init; } = 1;
    public int LogEvery { get; init; } = 50;
    public int? TrainSentences { get; init; }

    public TranslationConfig ModelConfig(int vocab, int pad, int bos, int eos) => new()
    {
        SourceVocabSize = vocab,
        TargetVocabSize = vocab,
        DModel = DModel,
        Heads = Heads,
        EncoderLayers = EncoderLayers,
        DecoderLayers = DecoderLayers,
        FeedForward = FeedForward,
        Dropout = Dropout,
        Positions = Positions == "learned" ? TranslationPositions.Learned : TranslationPositions.Sinusoidal,
        MaxLength = MaxLength,
        NormFirst = !PostNorm,
        ShareEmbeddings = !SeparateEmbeddings,
        TieOutput = true,
        LabelSmoothing = LabelSmoothing,
        PadId = pad,
        BosId = bos,
        EosId = eos,
    };

    public string ToJson() => JsonSerializer.Serialize(this);

    public static TranslateOptions FromJson(string json) =>
        JsonSerializer.Deserialize<TranslateOptions>(json) ?? throw new InvalidDataException("checkpoint: empty run options.");

    public IEnumerable<(string Name, string Value)> Rows()
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var p in typeof(TranslateOptions).GetProperties())
            yield return (p.Name, Convert.ToString(p.GetValue(this), inv) ?? "");
    }
}
