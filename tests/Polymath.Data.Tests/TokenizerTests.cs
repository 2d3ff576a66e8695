using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Polymath.Data.Tokenizers;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Data.Tests;

/// <summary>Character, byte-level BPE and WordPiece tokenizers: round trips, known merges, file formats and bad input.</summary>
public sealed class TokenizerTests(ITestOutputHelper output)
{
    private const int PropertyCases = 200;

    // Sennrich et al.'s toy corpus: the merges below follow by hand from the pair counts (see MergesOfToyCorpus).
    private const string ToyCorpus = "low low low low low lower lower newest newest newest newest newest newest widest widest widest";

    private static readonly string[] Alphabet =
        ["a", "b", "z", "A", " ", "  ", "\n", "\t", "'s", "'ll", "0", "42", "!", "?!", ",", "é", "ß", "Ω", "中", "文", "😀", "🎉", "\u00A0", "\u200B", "<|endoftext|>"];

    /// <summary>A random text from pieces that exercise every branch of the GPT-2 pattern (letters, digits, symbols, whitespace, multi-byte and astral characters).</summary>
    private static string RandomText(int seed)
    {
        var r = new System.Random(seed);
        var sb = new StringBuilder();
        int n = r.Next(0, 30);
        for (int i = 0; i < n; i++)
            sb.Append(Alphabet[r.Next(Alphabet.Length)]);
        return sb.ToString();
    }

    private void ForAllSeeds(string name, Action<int> property)
    {
        output.WriteLine($"{name}: FsCheck {PropertyCases} cases; on failure FsCheck prints the int seed that rebuilds the case");
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(PropertyCases), Prop.ForAll(ArbMap.Default.ArbFor<int>(), (int seed) => { property(seed); return true; }));
    }

    private static ByteLevelBpeTokenizer Toy() => ByteLevelBpeTokenizer.Train(ToyCorpus, 262, minFrequency: 1);

    [Fact]
    public void Gpt2PatternSplitsLikeTheReference()
    {
        Assert.Equal(["Hello", " world", "'s", " ", " 123", " !!", "\n"], Gpt2PreTokenizer.Split("Hello world's  123 !!\n"));
        Assert.Equal(["I", "'ll", " go", "  \n\n"], Gpt2PreTokenizer.Split("I'll go  \n\n")); // trailing whitespace stays one piece
        Assert.Equal(["a", "  ", " b"], Gpt2PreTokenizer.Split("a   b")); // the last space goes with the word
    }

    [Fact]
    public void MergesOfToyCorpus()
    {
        // Pair counts: e s 9 and s t 9 (tie: smaller ids first), then es t 9, l o 7, lo w 7, then four pairs at 6 of which
        // (Ġ, n) has the smallest ids, then (Ġ, low).
        var bpe = Toy();
        var merges = bpe.Merges.Select(m => $"{bpe.TokenText(m.Left)} {bpe.TokenText(m.Right)}").ToArray();
        Assert.Equal(["e s", "es t", "l o", "lo w", "Ġ n", "Ġ low"], merges);
        Assert.Equal(262, bpe.VocabSize);
        var ids = bpe.Encode(" lowest");
        Assert.Equal(["Ġlow", "est"], ids.Select(bpe.TokenText));
    }

    [Fact]
    public void VocabAndMergesFilesHaveGpt2Format()
    {
        var bpe = ByteLevelBpeTokenizer.Train(ToyCorpus, 263, ["<|endoftext|>"], minFrequency: 1);
        var dir = Directory.CreateTempSubdirectory("polymath-bpe-test-").FullName;
        try
        {
            bpe.Save(dir);
            var merges = File.ReadAllLines(Path.Combine(dir, "merges.txt"));
            Assert.Equal(["#version: 0.2", "e s", "es t", "l o", "lo w", "Ġ n", "Ġ low"], merges);
            var vocab = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(dir, "vocab.json")))!;
            Assert.Equal(263, vocab.Count);
            Assert.Equal(32, vocab["Ġ"]);      // a space is written as U+0120
            Assert.Equal(33, vocab["!"]);      // printable bytes stand for themselves
            Assert.Equal(10, vocab["Ċ"]);      // newline is U+010A
            Assert.Equal(261, vocab["Ġlow"]);
            Assert.Equal(262, vocab["<|endoftext|>"]);
            var loaded = ByteLevelBpeTokenizer.Load(Path.Combine(dir, "vocab.json"), Path.Combine(dir, "merges.txt"));
            Assert.Equal(bpe.SpecialTokens, loaded.SpecialTokens);
            foreach (var text in new[] { ToyCorpus, "newest widest<|endoftext|>lower", "unseen ☃ text" })
                Assert.Equal(bpe.Encode(text), loaded.Encode(text));
            var fromJson = ByteLevelBpeTokenizer.FromJson(bpe.ToJson());
            Assert.Equal(bpe.Encode(ToyCorpus), fromJson.Encode(ToyCorpus));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void MergesFileErrorsNameTheLine()
    {
        var dir = Directory.CreateTempSubdirectory("polymath-bpe-test-").FullName;
        try
        {
            Toy().Save(dir);
            File.AppendAllText(Path.Combine(dir, "merges.txt"), "Ġ q\n");
            var e = Assert.Throws<InvalidDataException>(() => ByteLevelBpeTokenizer.Load(Path.Combine(dir, "vocab.json"), Path.Combine(dir, "merges.txt")));
            Assert.Contains("merges.txt:8", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SpecialTokensAreOneIdOnlyWhenAllowed()
    {
        var bpe = ByteLevelBpeTokenizer.Train(ToyCorpus, 263, ["<|endoftext|>"], minFrequency: 1);
        int eot = bpe.SpecialTokens["<|endoftext|>"];
        Assert.Equal([eot], bpe.Encode("<|endoftext|>"));
        var plain = bpe.Encode("<|endoftext|>", allowSpecial: false);
        Assert.DoesNotContain(eot, plain);
        Assert.Equal("<|endoftext|>", bpe.Decode(plain));
        Assert.Equal("low<|endoftext|> low", bpe.Decode(bpe.Encode("low<|endoftext|> low")));
    }

    [Fact]
    public void BpeRoundTripsAnyText() => ForAllSeeds(nameof(BpeRoundTripsAnyText), seed =>
    {
        var bpe = SharedBpe.Value;
        string text = RandomText(seed);
        var ids = bpe.Encode(text);
        Assert.True(bpe.Decode(ids) == text, $"seed {seed}: '{text}' decoded as '{bpe.Decode(ids)}'");
        Assert.Equal(ids, bpe.EncodeUtf8(Encoding.UTF8.GetBytes(text)));
    });

    [Fact]
    public void BpeRoundTripsAnyBytesIncludingInvalidUtf8() => ForAllSeeds(nameof(BpeRoundTripsAnyBytesIncludingInvalidUtf8), seed =>
    {
        var r = new System.Random(seed);
        var bytes = new byte[r.Next(0, 40)];
        r.NextBytes(bytes);
        if (bytes.Length > 2 && r.Next(2) == 0)
            Encoding.UTF8.GetBytes("ab").CopyTo(bytes, 0); // mix valid text into the noise
        var bpe = SharedBpe.Value;
        Assert.Equal(bytes, bpe.DecodeBytes(bpe.EncodeUtf8(bytes)));
    });

    [Fact]
    public void BpeEncodesFromManyThreadsAtOnce()
    {
        var texts = Enumerable.Range(1000, 64).Select(RandomText).ToArray();
        var expected = texts.Select(t => ByteLevelBpeTokenizer.FromJson(SharedBpe.Value.ToJson()).Encode(t)).ToArray(); // fresh caches
        var shared = ByteLevelBpeTokenizer.FromJson(SharedBpe.Value.ToJson());
        var got = new int[texts.Length][];
        Parallel.For(0, texts.Length * 4, i => got[i % texts.Length] = shared.Encode(texts[i % texts.Length]));
        for (int i = 0; i < texts.Length; i++)
            Assert.Equal(expected[i], got[i]);
    }

    [Fact]
    public void InvalidUtf8BytesBecomeSingleByteTokens()
    {
        var bpe = Toy();
        byte[] input = [(byte)'l', (byte)'o', (byte)'w', 0xFF, 0xC3]; // 0xC3 starts a 2-byte sequence that never ends
        var ids = bpe.EncodeUtf8(input);
        Assert.Equal(["low", "ÿ", "Ã"], ids.Select(bpe.TokenText));
        Assert.Equal(input, bpe.DecodeBytes(ids));
        Assert.Equal("low\uFFFD\uFFFD", bpe.Decode(ids));
    }

    private static readonly Lazy<ByteLevelBpeTokenizer> SharedBpe = new(() =>
        ByteLevelBpeTokenizer.Train(string.Concat(Enumerable.Range(0, 300).Select(RandomText)) + ToyCorpus, 400, ["<|endoftext|>"]));

    [Fact]
    public void CharTokenizerRoundTripsAndReportsOffsets()
    {
        var tok = CharTokenizer.FromText("hello wörld 😀");
        Assert.Equal(10, tok.VocabSize); // h e l o ␣ w ö r d 😀
        var ids = tok.Encode("hello 😀 wörld");
        Assert.Equal("hello 😀 wörld", tok.Decode(ids));
        Assert.Equal(ids, tok.EncodeUtf8(Encoding.UTF8.GetBytes("hello 😀 wörld")));
        var bad = Assert.Throws<InvalidTextException>(() => tok.EncodeUtf8([(byte)'h', (byte)'e', 0xC3, 0x28]));
        Assert.Equal(2, bad.Offset);
        Assert.Contains("byte offset 2", bad.Message);
        var unknown = Assert.Throws<InvalidTextException>(() => tok.EncodeUtf8(Encoding.UTF8.GetBytes("wöx")));
        Assert.Equal(3, unknown.Offset); // 'w' 1 byte + 'ö' 2 bytes
        Assert.Contains("U+0078", unknown.Message);
        Assert.Equal(2, Assert.Throws<InvalidTextException>(() => tok.Encode("he\uD800")).Offset);
        Assert.Equal(tok.Encode("hello"), CharTokenizer.FromJson(tok.ToJson()).Encode("hello"));
    }

    [Fact]
    public void CharTokenizerRoundTripsItsOwnText() => ForAllSeeds(nameof(CharTokenizerRoundTripsItsOwnText), seed =>
    {
        string text = RandomText(seed);
        var tok = CharTokenizer.FromText(text);
        Assert.Equal(text, tok.Decode(tok.Encode(text)));
    });

    [Fact]
    public void WordPieceCutsGreedilyWithContinuations()
    {
        var tok = new WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "want", "##want", "##ed", "wa", "un", "runn", "##ing", ","]);
        var ids = tok.Encode("UNwanted,running xyz");
        Assert.Equal(["un", "##want", "##ed", ",", "runn", "##ing", "[UNK]"], ids.Select(i => tok.Tokens[i]));
        Assert.Equal("unwanted , running [UNK]", tok.Decode(ids));
        var (model, types) = tok.EncodeForModel("want", "running");
        Assert.Equal([tok.ClsId, 5, tok.SepId, 10, 11, tok.SepId], model);
        Assert.Equal([0, 0, 0, 1, 1, 1], types);
    }

    [Fact]
    public void WordPieceTrainsAVocabularyThatCoversItsCorpus()
    {
        var tok = WordPieceTokenizer.Train(ToyCorpus + " Lowering, the newest!", 40);
        Assert.Equal(40, tok.VocabSize);
        Assert.Equal(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], tok.Tokens.Take(5));
        var ids = tok.Encode("lowest newer widest, lower!");
        Assert.DoesNotContain(tok.UnkId, ids);
        Assert.Equal("lowest newer widest , lower !", tok.Decode(ids));
        Assert.Contains("newest", tok.Tokens); // six occurrences and no other use of its parts make it one piece
        var path = Path.GetTempFileName();
        try
        {
            tok.Save(path);
            Assert.Equal(tok.Tokens, WordPieceTokenizer.Load(path).Tokens);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WordPieceRejectsInvalidUtf8WithOffset()
    {
        var tok = WordPieceTokenizer.Train("some words here", 40);
        var e = Assert.Throws<InvalidTextException>(() => tok.EncodeUtf8([(byte)'s', (byte)'o', (byte)'m', 0xE2, 0x82]));
        Assert.Equal(3, e.Offset);
        Assert.Contains("byte offset 3", e.Message);
    }
}
