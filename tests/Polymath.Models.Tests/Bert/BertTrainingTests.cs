using Polymath.Models.Bert;
using Polymath.NN.Optim;

namespace Polymath.Models.Tests.Bert;

/// <summary>A tiny BERT learns: masked tokens of a predictable sequence, and a [CLS] classification that depends on one token.</summary>
public sealed class BertTrainingTests
{
    private static BertConfig Tiny(int labels = 2) => new()
    {
        VocabSize = 25, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 64, MaxPositionEmbeddings = 16,
        HiddenDropoutProb = 0, AttentionProbsDropoutProb = 0, NumLabels = labels,
    };

    // Ordinary tokens 5..24 (20 of them); each segment alternates two of them (a b a b …), so a masked token is
    // determined by the rest of its segment. Chance: ln 20 ≈ 3.0 nats, 5% accuracy.
    private static List<int[]> Alternating(System.Random r, int n) =>
        Enumerable.Range(0, n).Select(_ =>
        {
            int a = 5 + r.Next(20), b = 5 + r.Next(20), length = r.Next(6, 13);
            return Enumerable.Range(0, length).Select(i => i % 2 == 0 ? a : b).ToArray();
        }).ToList();

    private static (double Loss, double Accuracy) Evaluate(BertForMaskedLM model, MlmBatch batch)
    {
        model.Eval();
        using var _ = Tensor.NoGrad();
        var (loss, logits, targets) = model.MaskedPredictions(batch.InputIds, batch.Labels, batch.AttentionMask);
        var predicted = logits.ArgMax(1).ToArray<long>();
        model.Train();
        return (loss.Item(), predicted.Zip(targets).Count(p => p.First == p.Second) / (double)targets.Length);
    }

    [Fact]
    public void MaskedLanguageModelLossGoesDown()
    {
        var model = new BertForMaskedLM(Tiny(), generator: new Generator(1));
        // 30% chosen rather than 15%: twice the labelled positions per step, so the test stays short.
        var collator = new MlmCollator(25, 0, 2, 3, 4, [1], maskProbability: 0.3);
        var data = new System.Random(2);
        var held = collator.Collate(Alternating(new System.Random(99), 64), new Generator(99));
        var (lossBefore, accBefore) = Evaluate(model, held);
        var opt = new AdamW(model.Parameters(), lr: 5e-3, weightDecay: 0.01);
        var g = new Generator(3);
        for (int step = 0; step < 150; step++)
        {
            var b = collator.Collate(Alternating(data, 16), g);
            opt.ZeroGrad();
            model.Loss(b.InputIds, b.Labels, b.AttentionMask).Backward();
            opt.Step();
        }
        var (lossAfter, accAfter) = Evaluate(model, held);
        Assert.True(lossBefore > 2.5, $"untrained loss {lossBefore:F3} should be near ln 25");
        Assert.True(lossAfter < 0.5 * lossBefore, $"masked-token loss {lossBefore:F3} → {lossAfter:F3}");
        Assert.True(accAfter > 0.5 && accAfter > accBefore + 0.3, $"masked-token accuracy {accBefore:P0} → {accAfter:P0}");
    }

    [Fact]
    public void ClsClassifierLearnsWhichMarkerTheSequenceHolds()
    {
        // Label 1 when token 6 occurs anywhere in the sequence, 0 when token 5 does (exactly one of them, at a random
        // position among fillers 7..24); lengths vary, so padding and the attention mask are exercised.
        var model = new BertForSequenceClassification(Tiny(), new Generator(4));
        var collator = new MlmCollator(25, 0, 2, 3, 4, [1]);
        (Tensor Ids, Tensor Mask, Tensor Labels) Batch(System.Random r, int n)
        {
            var labels = new long[n];
            var segments = new List<int[]>();
            for (int i = 0; i < n; i++)
            {
                labels[i] = r.Next(2);
                var s = Enumerable.Range(0, r.Next(3, 12)).Select(_ => r.Next(7, 25)).ToArray();
                s[r.Next(s.Length)] = labels[i] == 1 ? 6 : 5;
                segments.Add(s);
            }
            var (ids, mask, b, t) = collator.Pad(segments);
            return (Tensor.From(ids, b, t), Tensor.From(mask, b, t), Tensor.From(labels, n));
        }
        var test = Batch(new System.Random(77), 128);
        double Accuracy()
        {
            model.Eval();
            using var _ = Tensor.NoGrad();
            var predicted = model.Forward(test.Ids, test.Mask).ArgMax(1).ToArray<long>();
            model.Train();
            return predicted.Zip(test.Labels.ToArray<long>()).Count(p => p.First == p.Second) / 128.0;
        }
        double before = Accuracy();
        var opt = new AdamW(model.Parameters(), lr: 2e-3, weightDecay: 0.01);
        var data = new System.Random(5);
        for (int step = 0; step < 80; step++)
        {
            var (ids, mask, labels) = Batch(data, 16);
            opt.ZeroGrad();
            model.Loss(ids, labels, mask).Backward();
            opt.Step();
        }
        double after = Accuracy();
        Assert.True(after >= 0.95, $"held-out accuracy {before:P0} → {after:P0}");
    }
}
