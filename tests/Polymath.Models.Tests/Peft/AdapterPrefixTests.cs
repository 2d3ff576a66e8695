using Polymath.Models.Peft;

namespace Polymath.Models.Tests.Peft;

/// <summary>Bottleneck adapters and prefix tuning: identity at insertion, training only what they add, and prefixes equal to real text in the cache.</summary>
public sealed class AdapterPrefixTests
{
    [Fact]
    public void AdaptersStartAsTheIdentityAndTrainOnlyThemselvesAndTheHead()
    {
        var clf = PeftFixtures.Classifier(PeftFixtures.Tiny());
        clf.Eval();
        Tensor before;
        using (Tensor.NoGrad())
            before = clf.Forward(PeftFixtures.Ids, [5, 4]);
        var wrapped = Adapters.Apply(clf, 4, keepTrainable: ["score"], generator: new Generator(2));
        Assert.Equal(["transformer.h.0.attn.c_proj", "transformer.h.0.mlp.c_proj", "transformer.h.1.attn.c_proj", "transformer.h.1.mlp.c_proj"], wrapped);
        using (Tensor.NoGrad())
            Assert.True(clf.Forward(PeftFixtures.Ids, [5, 4]).AllClose(before, 0, 0), "a zero-initialised adapter must be the identity");
        foreach (var (name, p) in clf.NamedParameters())
            Assert.True(p.RequiresGrad == (name.Contains(".adapter.", StringComparison.Ordinal) || name.StartsWith("score.", StringComparison.Ordinal)), name);
        var (trainable, _) = Lora.CountParameters(clf);
        Assert.Equal(4 * (16 * 4 + 4 + 4 * 16 + 16) + 3 * 16 + 3, trainable);
        var adapter = ((AdaptedLayer)clf.GetModule("transformer.h.0.mlp.c_proj")!).Adapter;
        using (Tensor.NoGrad())
        {
            adapter.Up.Bias!.NormalInPlace(0, 1, new Generator(8)); // not uniform: the final layer norm would remove a constant shift
            Assert.False(clf.Forward(PeftFixtures.Ids, [5, 4]).AllClose(before, 1e-4, 1e-4), "a trained adapter changes the output");
        }
    }

    [Fact]
    public void APrefixFromRealTextEqualsFeedingThatTextFirst()
    {
        var lm = PeftFixtures.Tiny(context: 12);
        lm.Eval();
        var prefix = new PrefixEncoder(lm.Config, 3);
        long[] text = [7, 1, 8];
        prefix.InitFromText(lm.Transformer, text);
        using var _ = Tensor.NoGrad();
        var withPrefix = lm.Transformer.Forward(PeftFixtures.Ids, prefix.NewCache(2));           // [2, 5, C]
        var ids = PeftFixtures.Ids.ToArray<long>();
        var joined = new long[2 * 8];
        for (int r = 0; r < 2; r++)
        {
            text.CopyTo(joined, r * 8);
            Array.Copy(ids, r * 5, joined, r * 8 + 3, 5);
        }
        var full = lm.Transformer.Forward(Tensor.From(joined, 2, 8)).Narrow(1, 3, 5);
        Assert.True(withPrefix.AllClose(full, 1e-5, 1e-5), "keys/values of real text as a prefix must equal running the text first");
    }

    [Fact]
    public void PrefixTuningChangesOutputsOnlyThroughItsParameters()
    {
        var lm = PeftFixtures.Tiny();
        lm.To(DType.Float64);
        var clf = PeftFixtures.Classifier(lm, pooling: Pooling.Mean);
        clf.Eval();
        Tensor plain;
        using (Tensor.NoGrad())
            plain = clf.Forward(PeftFixtures.Ids, [5, 3]);
        var prefix = clf.AddPrefix(new PrefixEncoder(lm.Config, 4, DType.Float64, new Generator(3)));
        Lora.FreezeAllBut(clf, n => n.StartsWith("prefix_encoder.", StringComparison.Ordinal), ["score"]);
        Assert.Equal(8, clf.MaxInputLength);
        var labels = Tensor.From(new long[] { 1, 2 }, 2);
        double Loss() => Losses.CrossEntropy(clf.Forward(PeftFixtures.Ids, [5, 3]), labels).Item();
        using (Tensor.NoGrad())
            Assert.False(clf.Forward(PeftFixtures.Ids, [5, 3]).AllClose(plain, 1e-6, 1e-6), "the prefix must change the output");
        clf.ZeroGrad();
        Losses.CrossEntropy(clf.Forward(PeftFixtures.Ids, [5, 3]), labels).Backward();
        foreach (var (name, p) in clf.NamedParameters())
            if (!name.StartsWith("prefix_encoder.", StringComparison.Ordinal) && !name.StartsWith("score.", StringComparison.Ordinal))
            {
                Assert.False(p.RequiresGrad, name);
                Assert.Null(p.Grad);
            }
        foreach (var p in new[] { prefix.Keys, prefix.Values })
        {
            var grad = p.Grad!.Contiguous().ToArray<double>();
            foreach (int flat in new[] { 0, 17, (int)p.Numel - 1 })
            {
                double numeric = PeftFixtures.CentralDifference(p, flat, Loss);
                Assert.True(Math.Abs(numeric - grad[flat]) <= 1e-6 * (1 + Math.Abs(numeric)) + 1e-9, $"prefix[{flat}]: analytic {grad[flat]:G6} vs {numeric:G6}");
            }
        }
        Assert.Throws<ArgumentException>(() => clf.Forward(Tensor.Zeros([1, 9], DType.Int64), [9])); // 9 + 4 > context 12
    }

    [Fact]
    public void PoolingIgnoresPaddingAndFreezingKeepsTheHead()
    {
        var clf = PeftFixtures.Classifier(PeftFixtures.Tiny(), pooling: Pooling.Mean);
        clf.Eval();
        using (Tensor.NoGrad())
        {
            var batch = clf.Forward(PeftFixtures.Ids, [5, 3]);
            var row1 = clf.Forward(PeftFixtures.Ids.Narrow(0, 1, 1).Narrow(1, 0, 3).Contiguous(), [3]);
            Assert.True(batch.Narrow(0, 1, 1).AllClose(row1, 1e-5, 1e-5), "padding must not reach the pooled state");
            var hidden = clf.Transformer.Forward(PeftFixtures.Ids.Narrow(0, 1, 1).Narrow(1, 0, 3).Contiguous());
            Assert.True(clf.Score.Call(hidden.Mean(1)).AllClose(row1, 1e-5, 1e-5), "mean pooling");
        }
        clf.FreezeBackbone(1);
        foreach (var (name, p) in clf.NamedParameters())
            Assert.True(p.RequiresGrad == (name.StartsWith("score.", StringComparison.Ordinal) || name.StartsWith("transformer.h.1.", StringComparison.Ordinal) || name.StartsWith("transformer.ln_f.", StringComparison.Ordinal)), name);
    }
}
