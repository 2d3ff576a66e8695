using Polymath.Data.Tokenizers;
using Polymath.Models.Bert;

namespace Polymath.Models.Tests.Bert;

/// <summary>The 80/10/10 masking of 15% of the tokens: frequencies against the binomial, special tokens untouched, seeded; padding and segment packing.</summary>
public sealed class MlmCollatorTests
{
    // Ids as WordPieceTokenizer.Train gives them: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4; ordinary tokens 5..99.
    private static MlmCollator Collator() => new(100, padId: 0, clsId: 2, sepId: 3, maskId: 4, otherSpecialIds: [1]);

    [Fact]
    public void FrequenciesFollowTheRecipe()
    {
        var collator = Collator();
        var g = new Generator(11);
        var source = new System.Random(5);
        int tokens = 0, chosen = 0, masked = 0, random = 0, kept = 0;
        for (int batch = 0; batch < 20; batch++)
        {
            // Segments of 20..60 ordinary tokens, with some [UNK] inside, padded in the batch.
            var segments = Enumerable.Range(0, 16).Select(_ => Enumerable.Range(0, source.Next(20, 61)).Select(_ => source.Next(10) == 0 ? 1 : source.Next(5, 100)).ToArray()).ToList();
            var (original, _, _, _) = collator.Pad(segments);
            var b = collator.Collate(segments, g);
            var ids = b.InputIds.ToArray<long>();
            var labels = b.Labels.ToArray<long>();
            for (int i = 0; i < ids.Length; i++)
            {
                if (collator.IsSpecial((int)original[i]))
                {
                    Assert.Equal(original[i], ids[i]); // [PAD], [CLS], [SEP], [UNK] never touched
                    Assert.Equal(-100, labels[i]);
                    continue;
                }
                tokens++;
                if (labels[i] == -100)
                {
                    Assert.Equal(original[i], ids[i]);
                    continue;
                }
                Assert.Equal(original[i], labels[i]);
                chosen++;
                if (ids[i] == 4) masked++;
                else if (ids[i] == original[i]) kept++; // a random draw of the same token counts here too (p = 1/95 of 10%)
                else
                {
                    random++;
                    Assert.False(collator.IsSpecial((int)ids[i])); // replacements are ordinary tokens
                }
            }
        }
        // Each count within 4 standard deviations of its binomial mean.
        static void Near(int count, int n, double p, string what) =>
            Assert.True(Math.Abs(count - n * p) <= 4 * Math.Sqrt(n * p * (1 - p)), $"{what}: {count} of {n}, expected {n * p:F0}");
        Near(chosen, tokens, 0.15, "chosen");
        Near(masked, chosen, 0.8, "[MASK]");
        Near(random, chosen, 0.1 * 94.0 / 95, "random");
        Near(kept, chosen, 0.1 + 0.1 / 95, "kept");
    }

    [Fact]
    public void SeedFixesTheBatch()
    {
        var collator = Collator();
        var segments = new List<int[]> { new[] { 5, 6, 7, 8, 9, 10, 11, 12 }, new[] { 13, 14, 15 } };
        var a = collator.Collate(segments, new Generator(3));
        var b = collator.Collate(segments, new Generator(3));
        Assert.Equal(a.InputIds.ToArray<long>(), b.InputIds.ToArray<long>());
        Assert.Equal(a.Labels.ToArray<long>(), b.Labels.ToArray<long>());
        // Another seed gives another batch (some seed among 50 does; nearly all do).
        Assert.Contains(Enumerable.Range(100, 50), s => !collator.Collate(segments, new Generator((ulong)s)).Labels.ToArray<long>().SequenceEqual(a.Labels.ToArray<long>()));
    }

    [Fact]
    public void PaddingAndAttentionMask()
    {
        var collator = Collator();
        var (ids, mask, rows, length) = collator.Pad([[5, 6, 7], [8]]);
        Assert.Equal((2, 5), (rows, length));
        Assert.Equal(new long[] { 2, 5, 6, 7, 3, 2, 8, 3, 0, 0 }, ids);
        Assert.Equal(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 }, mask);
        // A single short segment still gets one labelled position, so the loss is defined.
        for (ulong s = 0; s < 30; s++)
            Assert.Contains(collator.Collate([[9]], new Generator(s)).Labels.ToArray<long>(), l => l == 9);
        Assert.Contains("outside the vocabulary", Assert.Throws<ArgumentException>(() => collator.Pad([[5, 100]])).Message);
        Assert.Throws<ArgumentException>(() => new MlmCollator(5, 0, 2, 3, 4, [1]));
        Assert.Throws<ArgumentException>(() => new MlmCollator(100, 0, 2, 3, 4, maskProbability: 0));
    }

    [Fact]
    public void SegmentsPackWholeLinesAndCutLongOnes()
    {
        int[][] lines = [[1, 2, 3], [], [4, 5], [6, 7, 8, 9], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], [21]];
        var segments = BertSegments.Pack(lines, 5);
        Assert.Equal(new[] { new[] { 1, 2, 3, 4, 5 }, [6, 7, 8, 9], [10, 11, 12, 13, 14], [15, 16, 17, 18, 19], [20, 21] }, segments);
        Assert.Equal(Enumerable.Range(1, 21), segments.SelectMany(s => s)); // nothing lost, order kept
    }

    [Fact]
    public void WorksWithAWordPieceVocabulary()
    {
        var tokenizer = WordPieceTokenizer.Train("to be or not to be that is the question whether tis nobler in the mind to suffer", 60);
        var collator = new MlmCollator(tokenizer.VocabSize, tokenizer.PadId, tokenizer.ClsId, tokenizer.SepId, tokenizer.MaskId, [tokenizer.UnkId]);
        var batch = collator.Collate([tokenizer.Encode("to be or not to be"), tokenizer.Encode("the question")], new Generator(1));
        var ids = batch.InputIds.ToArray<long>();
        Assert.Equal(tokenizer.ClsId, ids[0]);
        Assert.Equal(tokenizer.SepId, ids[7]);
        Assert.Equal(tokenizer.PadId, ids[^1]);
    }
}
