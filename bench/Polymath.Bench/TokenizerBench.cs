using Polymath.Data.Tokenizers;

namespace Polymath.Bench;

/// <summary>
/// Tokenising all of Tiny Shakespeare (1.1 MB): character level, and byte-level BPE with a 1024-token vocabulary
/// trained on it beforehand (training is not timed). The issue asks for well under a second. No peer.
/// </summary>
internal static class TokenizerBench
{
    public static IEnumerable<BenchCase> Cases(bool quick, double warmS)
    {
        string path = Path.Combine(RepoPaths.Root ?? ".", "..", "shared", "data", "tinyshakespeare", "input.txt");
        string? skip = File.Exists(path) ? null : $"Tiny Shakespeare not found at {Path.GetFullPath(path)}";
        var settings = quick ? new MeasureSettings(1, 0.05, 2, 5, 1, warmS) : new MeasureSettings(2, 1.0, 5, 30, 1, warmS);
        yield return new BenchCase
        {
            Name = "tokenize_char_shakespeare",
            Group = "data",
            Ours = () =>
            {
                string text = File.ReadAllText(path);
                var tok = CharTokenizer.FromText(text);
                return Harness.Measure(() => tok.Encode(text), settings);
            },
            Peer = PeerKind.None,
            SkipReason = skip,
        };
        yield return new BenchCase
        {
            Name = "tokenize_bpe1024_shakespeare",
            Group = "data",
            Ours = () =>
            {
                string text = File.ReadAllText(path);
                var tok = ByteLevelBpeTokenizer.Train(text, 1024);
                return Harness.Measure(() => new ByteLevelBpeTokenizer(Enumerable.Range(0, tok.VocabSize).Select(i => tok.TokenBytes(i).ToArray()).ToArray(), tok.Merges)
                    .Encode(text), settings); // a fresh tokenizer each time, so its piece cache starts empty
            },
            Peer = PeerKind.None,
            SkipReason = skip,
        };
    }
}
