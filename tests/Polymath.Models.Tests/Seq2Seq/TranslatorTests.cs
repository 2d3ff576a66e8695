using Polymath.Models.Seq2Seq;
using Polymath.NN.Optim;

namespace Polymath.Models.Tests.Seq2Seq;

/// <summary>
/// The encoder–decoder: the causal mask, source padding, cached incremental decoding against teacher forcing,
/// beam size 1 against greedy, beam search against brute-force enumeration, and a reversal task learned from scratch.
/// </summary>
public sealed class TranslatorTests
{
    // Incremental and full passes add the same numbers in a different order.
    private const double CacheTolerance = 2e-5;

    private static TranslationConfig TinyConfig(int vocab = 13, bool normFirst = true, TranslationPositions positions = TranslationPositions.Sinusoidal,
        bool share = true, bool tie = true) => new()
    {
        SourceVocabSize = vocab, TargetVocabSize = share ? vocab : vocab + 2, DModel = 16, Heads = 2, EncoderLayers = 2, DecoderLayers = 2,
        FeedForward = 32, Dropout = 0, MaxLength = 24, NormFirst = normFirst, Positions = positions, ShareEmbeddings = share, TieOutput = tie,
    };

    private static TransformerTranslator Model(TranslationConfig cfg, ulong seed = 3)
    {
        var m = new TransformerTranslator(cfg, new Generator(seed));
        m.Eval();
        return m;
    }

    private static Tensor Ids(long[][] rows, int pad = 0)
    {
        int len = rows.Max(r => r.Length);
        var data = new long[rows.Length * len];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < len; j++)
                data[i * len + j] = j < rows[i].Length ? rows[i][j] : pad;
        return Tensor.From(data, rows.Length, len);
    }

    [Fact]
    public void FutureTargetTokensDoNotChangeEarlierOutputs()
    {
        var model = Model(TinyConfig());
        using var _ = Tensor.NoGrad();
        var src = Ids([[5, 6, 7, 2], [8, 9, 2]]);
        var a = model.Logits(src, Ids([[1, 3, 4, 5, 6, 7], [1, 9, 8, 7, 6, 5]])).ToArray();
        var b = model.Logits(src, Ids([[1, 3, 4, 11, 12, 3], [1, 9, 8, 3, 3, 3]])).ToArray();
        int v = 13, t = 6;
        double earlier = 0, later = 0;
        for (int row = 0; row < 2; row++)
            for (int p = 0; p < t; p++)
                for (int w = 0; w < v; w++)
                {
                    double d = Math.Abs(a[(row * t + p) * v + w] - b[(row * t + p) * v + w]);
                    if (p < 3) earlier = Math.Max(earlier, d); else later = Math.Max(later, d);
                }
        Assert.True(earlier <= 1e-6, $"positions 0–2 changed by {earlier} when only positions 3–5 of the target changed");
        Assert.True(later > 1e-3, $"positions 3–5 should depend on their own inputs (max change {later})");
    }

    [Fact]
    public void SourcePaddingDoesNotChangeTheOutput()
    {
        var model = Model(TinyConfig());
        using var _ = Tensor.NoGrad();
        var tgt = Ids([[1, 3, 4]]);
        var alone = model.Logits(Ids([[5, 6, 2]]), tgt).ToArray();
        var padded = model.Logits(Ids([[5, 6, 2, 0, 0, 0]]), tgt).ToArray();
        for (int i = 0; i < alone.Length; i++)
            Assert.True(Math.Abs(alone[i] - padded[i]) <= 1e-5, $"logit {i}: {alone[i]} unpadded vs {padded[i]} padded");
    }

    [Theory]
    [InlineData(true, TranslationPositions.Sinusoidal, true, true)]
    [InlineData(false, TranslationPositions.Learned, false, false)]
    [InlineData(true, TranslationPositions.Learned, false, true)]
    public void CachedStepsEqualTeacherForcing(bool normFirst, TranslationPositions positions, bool share, bool tie)
    {
        var cfg = TinyConfig(normFirst: normFirst, positions: positions, share: share, tie: tie);
        var model = Model(cfg);
        using var _ = Tensor.NoGrad();
        var src = Ids([[5, 6, 7, 8, 2], [9, 2]]);
        long[][] tgt = [[1, 3, 4, 5, 6, 7], [1, 10, 11, 12, 3, 4]];
        int v = cfg.TargetVocabSize, t = 6;
        var full = model.Logits(src, Ids(tgt)).LogSoftmax(-1).ToArray();
        var state = model.StartDecoding(src);
        for (int p = 0; p < t; p++)
        {
            var step = model.Step(state, [tgt[0][p], tgt[1][p]]).ToArray();
            for (int row = 0; row < 2; row++)
                for (int w = 0; w < v; w++)
                {
                    float f = full[(row * t + p) * v + w], s = step[row * v + w];
                    Assert.True(Math.Abs(f - s) <= CacheTolerance, $"row {row} position {p} token {w}: teacher forcing {f} vs cached step {s}");
                }
        }
        Assert.Equal(t, state.Length);
    }

    [Fact]
    public void ReorderFollowsTheChosenRows()
    {
        var model = Model(TinyConfig());
        using var _ = Tensor.NoGrad();
        var src = Ids([[5, 6, 2], [9, 8, 7, 2]]);
        var state = model.StartDecoding(src);
        model.Step(state, [1, 1]);
        model.Step(state, [3, 4]);
        state.Reorder([1, 1, 0]);
        var reordered = model.Step(state, [5, 5, 5]).ToArray();
        // The same continuation computed from scratch for source 1 with prefix [1, 4, 5].
        var direct = model.Logits(Ids([[9, 8, 7, 2]]), Ids([[1, 4, 5]])).LogSoftmax(-1).ToArray();
        int v = 13;
        for (int w = 0; w < v; w++)
        {
            Assert.True(Math.Abs(reordered[w] - direct[2 * v + w]) <= CacheTolerance);
            Assert.True(Math.Abs(reordered[v + w] - direct[2 * v + w]) <= CacheTolerance);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => state.Reorder([3]));
    }

    [Fact]
    public void BeamOfOneEqualsGreedy()
    {
        var model = Model(TinyConfig(), seed: 11);
        var rng = new System.Random(4);
        var sources = Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, rng.Next(1, 7)).Select(_ => rng.Next(3, 13)).Append(2).ToArray()).ToList();
        var greedy = GreedyDecoder.Decode(model, sources);
        var beam = BeamSearchDecoder.Decode(model, sources, beamSize: 1, alpha: 0.6);
        Assert.Contains(greedy, g => g.Tokens.Length > 0);
        for (int i = 0; i < sources.Count; i++)
        {
            Assert.Equal(greedy[i].Tokens, beam[i].Tokens);
            Assert.Equal(greedy[i].LogProb, beam[i].LogProb, 4);
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.6)]
    [InlineData(2.0)]
    public void WideBeamFindsTheBruteForceMaximum(double alpha)
    {
        // Vocabulary: PAD 0, BOS 1, EOS 2 and three words; outputs at most 4 tokens (EOS included): 1 + 3 + 9 + 27 = 40
        // sequences. A beam of 64 keeps all of them, so it must return the best one under the length-penalised score.
        var cfg = TinyConfig(vocab: 6) with { DModel = 8, Heads = 2, FeedForward = 16 };
        var model = Model(cfg, seed: 5);
        using (Tensor.NoGrad())
            foreach (var p in model.Parameters())
                p.MulInPlace(3); // sharper distributions, so the sequences' scores differ clearly
        var source = new[] { 3, 4, 5, 2 };
        var limits = new DecodeLimits(0, 4);
        var sequences = new List<int[]> { Array.Empty<int>() };
        for (int len = 1; len <= 3; len++)
            sequences.AddRange(sequences.Where(s => s.Length == len - 1).SelectMany(s => new[] { 3, 4, 5 }.Select(w => s.Append(w).ToArray())).ToList());
        Assert.Equal(40, sequences.Count);
        double bestScore = double.NegativeInfinity;
        int[] best = [];
        using (Tensor.NoGrad())
            foreach (var seq in sequences)
            {
                // Score by teacher forcing (an independent path from the cached steps beam search uses).
                long[] tgtIn = [1, .. seq.Select(x => (long)x)];
                long[] tgtOut = [.. seq.Select(x => (long)x), 2];
                var logp = model.Logits(Ids([source.Select(x => (long)x).ToArray()]), Ids([tgtIn])).LogSoftmax(-1).ToArray();
                double sum = 0;
                for (int p = 0; p < tgtOut.Length; p++)
                {
                    // Decoding never emits PAD or BOS, so their probability mass is removed the same way here.
                    sum += logp[p * 6 + (int)tgtOut[p]];
                }
                double score = sum / BeamSearchDecoder.LengthPenalty(seq.Length + 1, alpha);
                if (score > bestScore)
                    (bestScore, best) = (score, seq);
            }
        var found = BeamSearchDecoder.Decode(model, [source], beamSize: 64, alpha, limits)[0];
        Assert.Equal(best, found.Tokens);
        Assert.Equal(bestScore, found.Score, 4);
        // Greedy search misses the optimum on this model (α = 0: best [4], greedy [4, 4, 4]), so the wide beam did real work.
        if (alpha == 0)
            Assert.NotEqual(best, BeamSearchDecoder.Decode(model, [source], beamSize: 1, alpha, limits)[0].Tokens);
        // A narrow beam never beats the exhaustive one.
        var narrow = BeamSearchDecoder.Decode(model, [source], beamSize: 2, alpha, limits)[0];
        Assert.True(narrow.Score <= bestScore + 1e-6);
    }

    [Fact]
    public void LearnsToReverseSequencesInSeconds()
    {
        // Vocabulary: PAD 0, BOS 1, EOS 2, symbols 3..10. Target = source reversed.
        var cfg = new TranslationConfig
        {
            SourceVocabSize = 11, TargetVocabSize = 11, DModel = 32, Heads = 2, EncoderLayers = 1, DecoderLayers = 1, FeedForward = 64,
            Dropout = 0, LabelSmoothing = 0, MaxLength = 16, Positions = TranslationPositions.Learned,
        };
        var model = new TransformerTranslator(cfg, new Generator(1));
        var rng = new System.Random(9);
        int[] Sample() => Enumerable.Range(0, rng.Next(2, 7)).Select(_ => rng.Next(3, 11)).ToArray();
        var opt = new Adam(model.Parameters(), lr: 3e-3);
        for (int step = 0; step < 400; step++)
        {
            var batch = Enumerable.Range(0, 32).Select(_ => Sample()).ToList();
            var src = Ids(batch.Select(s => s.Select(x => (long)x).Append(2L).ToArray()).ToArray());
            var tin = Ids(batch.Select(s => new long[] { 1 }.Concat(s.Reverse().Select(x => (long)x)).ToArray()).ToArray());
            var tout = Ids(batch.Select(s => s.Reverse().Select(x => (long)x).Append(2L).ToArray()).ToArray());
            opt.ZeroGrad();
            var loss = model.Loss(src, tin, tout);
            loss.Backward();
            opt.Step();
        }
        var test = Enumerable.Range(0, 50).Select(_ => Sample()).ToList();
        var outputs = GreedyDecoder.Decode(model, test.Select(s => s.Append(2).ToArray()).ToList());
        int correct = test.Zip(outputs).Count(p => p.First.Reverse().SequenceEqual(p.Second.Tokens));
        Assert.True(correct >= 45, $"only {correct}/50 held-out sequences reversed exactly");
        var beams = BeamSearchDecoder.Decode(model, test.Take(10).Select(s => s.Append(2).ToArray()).ToList(), beamSize: 4);
        Assert.True(test.Take(10).Zip(beams).Count(p => p.First.Reverse().SequenceEqual(p.Second.Tokens)) >= 9);
    }

    [Fact]
    public void BatchedBeamSearchEqualsSearchingOneSentenceAtATime()
    {
        // An untrained model (flat, noisy distributions: many competing beams) and sources of different lengths, so
        // sentences pad, finish at different steps and leave the batch while others go on.
        var model = Model(TinyConfig());
        var rng = new System.Random(4);
        var sources = Enumerable.Range(0, 12).Select(_ => Enumerable.Range(0, rng.Next(1, 9)).Select(_ => rng.Next(3, 11)).Append(2).ToArray()).ToList();
        foreach (int k in new[] { 1, 3, 5 })
        {
            var together = BeamSearchDecoder.Decode(model, sources, beamSize: k, alpha: 0.6);
            Assert.True(together.Select(t => t.Tokens.Length).Distinct().Count() > 1, "the searches should end at different lengths");
            for (int i = 0; i < sources.Count; i++)
            {
                var alone = BeamSearchDecoder.Decode(model, [sources[i]], beamSize: k, alpha: 0.6)[0];
                Assert.Equal(alone.Tokens, together[i].Tokens);
                Assert.Equal(alone.LogProb, together[i].LogProb, 4);
                Assert.Equal(alone.Score, together[i].Score, 4);
            }
        }
    }

    [Fact]
    public void BadInputsAreRejectedWithClearMessages()
    {
        var model = Model(TinyConfig());
        var e = Assert.Throws<ArgumentException>(() => model.Logits(Ids([[5, 99, 2]]), Ids([[1, 3]])));
        Assert.Contains("99", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Logits(Ids([Enumerable.Repeat(5L, 30).ToArray()]), Ids([[1, 3]])));
        Assert.Contains("MaxLength", e.Message);
        Assert.Throws<ArgumentException>(() => new TransformerTranslator(TinyConfig() with { Heads = 3 }));
        Assert.Throws<ArgumentException>(() => new TransformerTranslator(TinyConfig() with { TargetVocabSize = 20 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => BeamSearchDecoder.Decode(model, [[5, 2]], beamSize: 0));
    }
}
