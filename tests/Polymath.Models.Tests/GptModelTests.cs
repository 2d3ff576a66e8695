namespace Polymath.Models.Tests;

/// <summary>GPT behaviour: KV-cache generation equals recomputation, sampling rules, context limits, and gradients against central differences.</summary>
public sealed class GptModelTests
{
    // Incremental (cached) and full forward passes add the same numbers in a different grouping.
    private const double CacheTolerance = 1e-5;

    // Central differences in float64 with step 1e-6 agree with the analytic gradient to about 1e-8 relative on this model.
    private const double GradTolerance = 1e-6;

    private static GptModel Tiny(PositionEncoding positions, bool tie = true, int context = 8, double dropout = 0) =>
        new(new GptConfig { VocabSize = 11, ContextLength = context, EmbeddingDim = 16, Layers = 2, Heads = 2, Positions = positions, TieWeights = tie, Dropout = dropout },
            new Generator(7));

    [Theory]
    [InlineData(PositionEncoding.Learned)]
    [InlineData(PositionEncoding.Rotary)]
    public void CachedForwardEqualsFullForward(PositionEncoding positions)
    {
        var model = Tiny(positions);
        model.Eval();
        var ids = Tensor.From(new long[] { 1, 5, 2, 9, 3, 3, 0, 7 }, 1, 8);
        using var _ = Tensor.NoGrad();
        var full = model.Forward(ids).ToArray();
        var cache = model.NewCache();
        var parts = new List<float>();
        parts.AddRange(model.Forward(ids.Narrow(1, 0, 3), cache).ToArray()); // a prefill of 3, then 2, then one at a time
        parts.AddRange(model.Forward(ids.Narrow(1, 3, 2), cache).ToArray());
        for (int t = 5; t < 8; t++)
            parts.AddRange(model.Forward(ids.Narrow(1, t, 1), cache).ToArray());
        Assert.Equal(full.Length, parts.Count);
        for (int i = 0; i < full.Length; i++)
            Assert.True(Math.Abs(full[i] - parts[i]) <= CacheTolerance, $"logit {i}: full {full[i]} vs cached {parts[i]}");
    }

    [Theory]
    [InlineData(PositionEncoding.Learned, 0.0, null, null)]
    [InlineData(PositionEncoding.Learned, 0.8, 5, null)]
    [InlineData(PositionEncoding.Rotary, 1.2, null, 0.9)]
    [InlineData(PositionEncoding.Rotary, 1.0, 4, 0.7)]
    public void CachedGenerationEqualsRecomputation(PositionEncoding positions, double temperature, int? topK, double? topP)
    {
        var model = Tiny(positions);
        var options = new SamplingOptions { Temperature = temperature, TopK = topK, TopP = topP, Seed = 99 };
        // 3 prompt tokens + 12 new ones outgrow the context of 8, so the window slides too.
        var cached = model.Generate([4, 1, 6], 12, options);
        var recomputed = model.Generate([4, 1, 6], 12, options with { UseCache = false });
        Assert.Equal(recomputed, cached);
        Assert.Equal(cached, model.Generate([4, 1, 6], 12, options)); // seeded: same again
    }

    [Fact]
    public void SamplingRules()
    {
        float[] logits = [0.5f, 3f, 2.9f, -1f, 2f];
        var g = new Generator(1);
        Assert.Equal(1, TokenSampler.Sample(logits, SamplingOptions.Greedy, g));
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(1, TokenSampler.Sample(logits, new SamplingOptions { TopK = 1 }, g));
            Assert.Contains(TokenSampler.Sample(logits, new SamplingOptions { TopK = 2 }, g), new[] { 1, 2 });
            // p(1) ≈ 0.45 and p(2) ≈ 0.41 at temperature 1: top-p 0.5 keeps exactly those two.
            Assert.Contains(TokenSampler.Sample(logits, new SamplingOptions { TopP = 0.5 }, g), new[] { 1, 2 });
            Assert.Equal(1, TokenSampler.Sample(logits, new SamplingOptions { TopP = 0.3 }, g));
        }
        // Frequencies follow softmax(logits / T): with T = 1 over 20000 draws, token 4 (p ≈ 0.166) is within 4 standard deviations.
        var counts = new int[5];
        for (int i = 0; i < 20000; i++)
            counts[TokenSampler.Sample(logits, new SamplingOptions(), g)]++;
        double z = logits.Sum(l => Math.Exp(l)), p4 = Math.Exp(2) / z;
        Assert.True(Math.Abs(counts[4] / 20000.0 - p4) < 4 * Math.Sqrt(p4 * (1 - p4) / 20000), $"token 4 drawn {counts[4]} times, expected p {p4:F3}");
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenSampler.Sample(logits, new SamplingOptions { TopP = 0 }, g));
    }

    [Fact]
    public void ContextLimits()
    {
        var model = Tiny(PositionEncoding.Learned);
        var e = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([1, 9], DType.Int64)));
        Assert.Contains("longer than the context of 8", e.Message);
        // Generate keeps the end of a long prompt: the result continues the same way as for the last 8 tokens alone.
        long[] longPrompt = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        var a = model.Generate(longPrompt, 3, SamplingOptions.Greedy);
        var b = model.Generate(longPrompt[2..], 3, SamplingOptions.Greedy);
        Assert.Equal(a[^3..], b[^3..]);
        Assert.Throws<ArgumentException>(() => model.Generate([11], 1));
    }

    [Theory]
    [InlineData(PositionEncoding.Learned, true)]
    [InlineData(PositionEncoding.Rotary, false)]
    public void GradientsMatchCentralDifferences(PositionEncoding positions, bool tie)
    {
        var model = Tiny(positions, tie, context: 6);
        model.To(DType.Float64);
        var ids = Tensor.From(new long[] { 1, 5, 2, 9, 3, 10, 4, 4, 0, 2 }, 2, 5);
        var targets = Tensor.From(new long[] { 5, 2, 9, 3, 10, 4, 0, 2, 8, 1 }, 2, 5);
        model.ZeroGrad();
        model.Loss(ids, targets).Backward();
        var r = new System.Random(3);
        foreach (var (name, p) in model.NamedParameters())
        {
            var grad = p.Grad!.Contiguous().ToArray<double>();
            var data = p.Detach();
            for (int trial = 0; trial < 3; trial++)
            {
                int flat = r.Next((int)p.Numel);
                var index = Unravel(flat, p.Shape);
                double Loss(double delta)
                {
                    using var _ = Tensor.NoGrad();
                    var cell = data[index];
                    double old = cell.Item();
                    cell.FillInPlace(old + delta);
                    double loss = model.Loss(ids, targets).Item();
                    cell.FillInPlace(old);
                    return loss;
                }
                const double h = 1e-6;
                double numeric = (Loss(h) - Loss(-h)) / (2 * h);
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
    public void DropoutIsOffInEvalAndSeededInTraining()
    {
        var model = Tiny(PositionEncoding.Learned, dropout: 0.3);
        var ids = Tensor.From(new long[] { 1, 5, 2, 9 }, 1, 4);
        model.Eval();
        Assert.True(model.Forward(ids).AllClose(model.Forward(ids), 0, 0));
        model.Train();
        Assert.False(model.Forward(ids).AllClose(model.Forward(ids), 1e-6, 1e-6));
    }
}
