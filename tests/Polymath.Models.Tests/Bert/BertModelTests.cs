using Polymath.Models.Bert;

namespace Polymath.Models.Tests.Bert;

/// <summary>BERT shapes and names, padding that cannot change real positions, configuration errors, and gradients against central differences.</summary>
public sealed class BertModelTests
{
    // Central differences in float64 with step 1e-6 agree with the analytic gradient to about 1e-8 relative here.
    private const double GradTolerance = 1e-6;

    // Padded and unpadded runs add the same numbers (the padded keys contribute exact zeros) but in matrices of other sizes.
    private const double PaddingTolerance = 1e-5;

    private static BertConfig Tiny(double dropout = 0) => new()
    {
        VocabSize = 13, HiddenSize = 8, NumHiddenLayers = 2, NumAttentionHeads = 2, IntermediateSize = 12, MaxPositionEmbeddings = 10,
        TypeVocabSize = 2, HiddenDropoutProb = dropout, AttentionProbsDropoutProb = dropout, NumLabels = 3,
    };

    [Fact]
    public void ShapesAndParameterCount()
    {
        var config = Tiny() with { HiddenSize = 16, NumAttentionHeads = 4, IntermediateSize = 24 };
        var model = new BertForMaskedLM(config, generator: new Generator(1));
        var ids = Tensor.From(new long[] { 2, 5, 6, 7, 3, 0, 2, 8, 9, 10, 11, 3 }, 2, 6);
        var output = model.Bert.Forward(ids);
        Assert.Equal([2, 6, 16], output.LastHiddenState.Shape);
        Assert.Null(output.PoolerOutput); // BertForMaskedLM has no pooler, as in HF
        Assert.Equal([2, 6, 13], model.Forward(ids).Shape);
        // embeddings (13 + 10 + 2 rows of 16, LayerNorm 32) + 2 × layer (4 × 16·16 + 4·16, 2 LayerNorms, 16·24 + 24, 24·16 + 16)
        // + head (16·16 + 16, LayerNorm 32, bias 13); the decoder is the word embedding.
        long layer = 4 * (16 * 16 + 16) + 2 * 32 + (16 * 24 + 24) + (24 * 16 + 16);
        Assert.Equal(25 * 16 + 32 + 2 * layer + (16 * 16 + 16) + 32 + 13, model.ParameterCount());
        var classifier = new BertForSequenceClassification(config, new Generator(1));
        Assert.Equal([2, 3], classifier.Forward(ids).Shape);
        Assert.Contains("classifier.weight", classifier.StateDict().Keys);
        Assert.Contains("bert.pooler.dense.weight", classifier.StateDict().Keys);
    }

    [Fact]
    public void InitialisationFollowsBert()
    {
        var config = Tiny() with { HiddenSize = 64, IntermediateSize = 128, InitializerRange = 0.02 };
        var model = new BertForMaskedLM(config, generator: new Generator(3));
        var w = model.Bert.Encoder.Layer[0].Intermediate.Dense.Weight.ToArray();
        double std = Math.Sqrt(w.Sum(v => (double)v * v) / w.Length);
        Assert.InRange(std, 0.018, 0.022); // 8192 draws of N(0, 0.02²)
        Assert.All(model.Bert.Encoder.Layer[0].Intermediate.Dense.Bias!.ToArray(), b => Assert.Equal(0f, b));
        Assert.All(model.Bert.Embeddings.WordEmbeddings.Weight.Select(0, config.PadTokenId).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(model.Cls.Predictions.Transform.Dense.Bias!.ToArray(), b => Assert.Equal(0f, b));
    }

    [Fact]
    public void PaddedPositionsDoNotChangeRealOnes()
    {
        var model = new BertForSequenceClassification(Tiny(), new Generator(5));
        model.Eval();
        using var _ = Tensor.NoGrad();
        long[] real = [2, 5, 9, 7, 3];
        var alone = model.Bert.Forward(Tensor.From(real, 1, 5));
        // The same sequence padded to 8, once with [PAD] and once with arbitrary ids under the mask, beside another sequence.
        var mask = Tensor.From(new long[] { 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1 }, 2, 8);
        var padded = model.Bert.Forward(Tensor.From(new long[] { 2, 5, 9, 7, 3, 0, 0, 0, 2, 4, 4, 6, 8, 10, 11, 3 }, 2, 8), mask);
        var noise = model.Bert.Forward(Tensor.From(new long[] { 2, 5, 9, 7, 3, 12, 4, 6, 2, 4, 4, 6, 8, 10, 11, 3 }, 2, 8), mask);
        var a = alone.LastHiddenState.Contiguous().ToArray();
        var p = padded.LastHiddenState.Select(0, 0).Narrow(0, 0, 5).Contiguous().ToArray();
        var n = noise.LastHiddenState.Select(0, 0).Narrow(0, 0, 5).Contiguous().ToArray();
        for (int i = 0; i < a.Length; i++)
        {
            Assert.True(Math.Abs(a[i] - p[i]) <= PaddingTolerance, $"hidden {i}: alone {a[i]} vs padded {p[i]}");
            Assert.True(Math.Abs(a[i] - n[i]) <= PaddingTolerance, $"hidden {i}: alone {a[i]} vs other ids under the mask {n[i]}");
        }
        Assert.True(alone.PoolerOutput!.AllClose(padded.PoolerOutput!.Narrow(0, 0, 1), PaddingTolerance, PaddingTolerance));
        // Without the mask the padding is attended to and the real positions change: the mask is what makes the difference.
        var unmasked = model.Bert.Forward(Tensor.From(new long[] { 2, 5, 9, 7, 3, 12, 4, 6 }, 1, 8)).LastHiddenState.Narrow(1, 0, 5);
        Assert.False(unmasked.AllClose(alone.LastHiddenState, 1e-3, 1e-3));
    }

    [Fact]
    public void BadInputIsNamed()
    {
        var model = new BertForMaskedLM(Tiny(), generator: new Generator(1));
        Assert.Contains("longer than max_position_embeddings 10", Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([1, 11], DType.Int64))).Message);
        Assert.Contains("int64", Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(1, 4))).Message);
        var ids = Tensor.Zeros([2, 4], DType.Int64);
        Assert.Contains("attention mask [2,3]", Assert.Throws<ArgumentException>(() => model.Forward(ids, Tensor.Ones([2, 3], DType.Int64))).Message);
        Assert.Contains("token type ids", Assert.Throws<ArgumentException>(() => model.Forward(ids, null, Tensor.Zeros([2, 5], DType.Int64))).Message);
        var unlabelled = Tensor.Full([2, 4], -100.0, DType.Int64);
        Assert.Contains("no position is labelled", Assert.Throws<ArgumentException>(() => model.Loss(ids, unlabelled)).Message);
        Assert.Contains("5 heads do not divide hidden_size 8", Assert.Throws<ArgumentException>(() => new BertModel(Tiny() with { NumAttentionHeads = 5 })).Message);
        Assert.Contains("pad_token_id 13", Assert.Throws<ArgumentException>(() => new BertModel(Tiny() with { PadTokenId = 13 })).Message);
    }

    [Fact]
    public void MaskedLossEqualsCrossEntropyOfFullLogits()
    {
        var model = new BertForMaskedLM(Tiny(), generator: new Generator(2));
        model.Eval();
        var ids = Tensor.From(new long[] { 2, 4, 5, 6, 3, 0, 2, 7, 8, 9, 10, 3 }, 2, 6);
        var mask = Tensor.From(new long[] { 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1 }, 2, 6);
        var labels = Tensor.From(new long[] { -100, 11, -100, 12, -100, -100, -100, -100, 5, -100, 6, -100 }, 2, 6);
        using var _ = Tensor.NoGrad();
        double fast = model.Loss(ids, labels, mask).Item();
        double full = Losses.CrossEntropy(model.Forward(ids, mask).Reshape(-1, 13), labels.Reshape(-1)).Item();
        Assert.Equal(full, fast, 6);
    }

    [Fact]
    public void GradientsMatchCentralDifferences()
    {
        // MLM and classifier losses, with padding and segment ids, every parameter tensor probed at 3 random entries.
        var mlm = new BertForMaskedLM(Tiny(), addPoolingLayer: false, new Generator(7));
        var cls = new BertForSequenceClassification(Tiny(), new Generator(8));
        var ids = Tensor.From(new long[] { 2, 4, 5, 6, 3, 0, 2, 7, 8, 9, 10, 3 }, 2, 6);
        var mask = Tensor.From(new long[] { 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1 }, 2, 6);
        var types = Tensor.From(new long[] { 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1 }, 2, 6);
        var labels = Tensor.From(new long[] { -100, 11, -100, 12, -100, -100, -100, -100, 5, -100, 6, -100 }, 2, 6);
        CheckGradients(mlm, () => mlm.Loss(ids, labels, mask, types));
        CheckGradients(cls, () => cls.Loss(ids, Tensor.From(new long[] { 2, 0 }, 2), mask, types));
    }

    private static void CheckGradients(Module model, Func<Tensor> loss)
    {
        model.To(DType.Float64);
        model.ZeroGrad();
        loss().Backward();
        var r = new System.Random(3);
        foreach (var (name, p) in model.NamedParameters())
        {
            var grad = p.Grad!.Contiguous().ToArray<double>();
            var data = p.Detach();
            for (int trial = 0; trial < 3; trial++)
            {
                int flat = r.Next((int)p.Numel);
                var index = Unravel(flat, p.Shape);
                double At(double delta)
                {
                    using var _ = Tensor.NoGrad();
                    var cell = data[index];
                    double old = cell.Item();
                    cell.FillInPlace(old + delta);
                    double value = loss().Item();
                    cell.FillInPlace(old);
                    return value;
                }
                const double h = 1e-6;
                double numeric = (At(h) - At(-h)) / (2 * h);
                Assert.True(Math.Abs(numeric - grad[flat]) <= GradTolerance * (1 + Math.Abs(numeric)) + 1e-8,
                    $"{name}[{flat}]: analytic {grad[flat]:G6} vs central difference {numeric:G6}");
            }
        }
    }

    private static TensorIndex[] Unravel(int flat, int[] shape)
    {
        var index = new TensorIndex[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    [Fact]
    public void DropoutIsOffInEvalAndOnInTraining()
    {
        var model = new BertForSequenceClassification(Tiny(dropout: 0.3), new Generator(4));
        var ids = Tensor.From(new long[] { 2, 5, 9, 3 }, 1, 4);
        model.Eval();
        Assert.True(model.Forward(ids).AllClose(model.Forward(ids), 0, 0));
        model.Train();
        Assert.False(model.Forward(ids).AllClose(model.Forward(ids), 1e-6, 1e-6));
    }
}
