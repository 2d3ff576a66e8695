using System.Security.Cryptography;
using System.Text;
using Polymath.Data.Tokenizers;
using Polymath.Models.Seq2Seq;

namespace Polymath.Cli;

/// <summary>
/// A parallel corpus laid out as Multi30k: <c>DIR/{train,val,test_2016_flickr}.{src,tgt}</c>, one sentence per line,
/// line N of each language a translation of the other. Also the joint BPE tokenizer and the id conventions.
/// </summary>
internal static class TranslationCorpus
{
    public const string Pad = "<pad>", Bos = "<s>", Eos = "</s>";

    public static readonly string[] Splits = ["train", "val", "test"];

    /// <summary>The file of a split: "test" is Multi30k's test_2016_flickr.</summary>
    public static string SplitPath(string dir, string split, string lang) =>
        Path.Combine(dir, (split == "test" ? "test_2016_flickr" : split) + "." + lang);

    /// <summary>Reads both sides of a split; checks they exist and have the same number of lines.</summary>
    public static (string[] Src, string[] Tgt) Read(string dir, string split, string src, string tgt, string command)
    {
        string sp = SplitPath(dir, split, src), tp = SplitPath(dir, split, tgt);
        foreach (var p in new[] { sp, tp })
            if (!File.Exists(p))
                throw new UsageException($"--data: '{p}' does not exist (expected DIR/{{train,val,test_2016_flickr}}.{{{src},{tgt}}}).", command);
        var s = ReadLines(sp);
        var t = ReadLines(tp);
        if (s.Length != t.Length)
            throw new UsageException($"--data: '{sp}' has {s.Length} lines but '{tp}' has {t.Length}; the sides must be line-aligned.", command);
        return (s, t);
    }

    private static string[] ReadLines(string path)
    {
        var text = File.ReadAllText(path, new UTF8Encoding(false, throwOnInvalidBytes: true));
        var lines = text.Split('\n');
        if (lines.Length > 0 && lines[^1].Length == 0)
            lines = lines[..^1];
        return lines.Select(l => l.TrimEnd('\r')).ToArray();
    }

    /// <summary>SHA-256 of every file of both sides, in a fixed order, hashed together; and the per-file hashes.</summary>
    public static (string Combined, Dictionary<string, string> Files) Hash(string dir, string src, string tgt)
    {
        var files = new Dictionary<string, string>();
        using var all = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var split in Splits)
            foreach (var lang in new[] { src, tgt })
            {
                var p = SplitPath(dir, split, lang);
                if (!File.Exists(p))
                    continue;
                var bytes = File.ReadAllBytes(p);
                files[Path.GetFileName(p)] = Convert.ToHexStringLower(SHA256.HashData(bytes));
                all.AppendData(bytes);
            }
        return (Convert.ToHexStringLower(all.GetHashAndReset()), files);
    }

    /// <summary>A joint byte-level BPE over both sides of the training text, with PAD, BOS and EOS as special tokens.</summary>
    public static ByteLevelBpeTokenizer TrainTokenizer(string[] src, string[] tgt, int vocabSize) =>
        ByteLevelBpeTokenizer.Train(string.Join('\n', src.Concat(tgt)), vocabSize, [Pad, Bos, Eos]);

    public static (int Pad, int Bos, int Eos) SpecialIds(ByteLevelBpeTokenizer tok)
    {
        foreach (var s in new[] { Pad, Bos, Eos })
            if (!tok.SpecialTokens.ContainsKey(s))
                throw new InvalidDataException($"tokenizer: special token '{s}' is missing (was it trained by polymath translate?).");
        return (tok.SpecialTokens[Pad], tok.SpecialTokens[Bos], tok.SpecialTokens[Eos]);
    }

    /// <summary>Source ids: the sentence's tokens then EOS (special-token text in the input is treated as plain text).</summary>
    public static int[] EncodeSource(ByteLevelBpeTokenizer tok, string line, int eos) => [.. tok.Encode(line.Trim(), allowSpecial: false), eos];

    /// <summary>Target ids without BOS or EOS.</summary>
    public static int[] EncodeTarget(ByteLevelBpeTokenizer tok, string line) => tok.Encode(line.Trim(), allowSpecial: false);

    /// <summary>Decodes target ids to text (special tokens dropped).</summary>
    public static string DecodeTarget(ByteLevelBpeTokenizer tok, int[] ids, TranslationConfig cfg) =>
        tok.Decode(ids.Where(i => i != cfg.PadId && i != cfg.BosId && i != cfg.EosId).ToArray()).Trim();

    /// <summary>Translates sentences in batches of about <paramref name="batchSentences"/> (sorted by length, so batches pad little), greedy or with beam search.</summary>
    public static string[] Translate(TransformerTranslator model, ByteLevelBpeTokenizer tok, IReadOnlyList<string> lines, int beam, double alpha,
        int batchSentences = 64, Action<int>? progress = null)
    {
        var cfg = model.Config;
        var sources = lines.Select(l =>
        {
            var ids = EncodeSource(tok, l, cfg.EosId);
            // A sentence longer than the model accepts is cut to its first MaxLength−1 tokens and EOS.
            return ids.Length > cfg.MaxLength ? [.. ids[..(cfg.MaxLength - 1)], cfg.EosId] : ids;
        }).ToArray();
        var order = Enumerable.Range(0, sources.Length).OrderBy(i => sources[i].Length).ToArray();
        var outputs = new string[sources.Length];
        int done = 0;
        for (int start = 0; start < order.Length; start += batchSentences)
        {
            var idx = order.Skip(start).Take(batchSentences).ToArray();
            var batch = idx.Select(i => sources[i]).ToList();
            var tokens = beam <= 1
                ? GreedyDecoder.Decode(model, batch).Select(r => r.Tokens).ToList()
                : BeamSearchDecoder.Decode(model, batch, beam, alpha).Select(r => r.Tokens).ToList();
            for (int k = 0; k < idx.Length; k++)
                outputs[idx[k]] = DecodeTarget(tok, tokens[k], cfg);
            done += idx.Length;
            progress?.Invoke(done);
        }
        return outputs;
    }
}
