using Polymath.Models.Peft;

namespace Polymath.Models.Tests.Peft;

/// <summary>LoRA: identity at the start, exact merge/unmerge, gradients only into A and B (against central differences), and the errors.</summary>
public sealed class LoraTests
{
    private static readonly LoraConfig AllProjections = new() { Rank = 4, Alpha = 8, TargetModules = "c_attn|c_proj|c_fc" };

    [Fact]
    public void ForwardEqualsTheBaseModelAtInitialisation()
    {
        var model = PeftFixtures.Tiny();
        model.Eval();
        Tensor before;
        using (Tensor.NoGrad())
            before = model.Forward(PeftFixtures.Ids);
        var wrapped = Lora.Apply(model, AllProjections, generator: new Generator(1));
        Assert.Equal(8, wrapped.Count); // 2 blocks × (attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj)
        Assert.Contains("transformer.h.1.mlp.c_fc", wrapped);
        foreach (var (_, l) in Lora.Layers(model))
        {
            Assert.True(l.LoraB.Weight.ToArray().All(v => v == 0), "B must start at zero");
            double bound = 1 / Math.Sqrt(l.InFeatures); // kaiming_uniform(a = √5) = U(±1/√fan_in)
            var a = l.LoraA.Weight.ToArray();
            Assert.All(a, v => Assert.InRange(Math.Abs(v), 0, bound));
            Assert.Contains(a, v => v != 0);
        }
        using (Tensor.NoGrad())
            Assert.True(model.Forward(PeftFixtures.Ids).AllClose(before, 0, 0), "LoRA with B = 0 must compute exactly the base model");
    }

    [Fact]
    public void LinearLoraMatchesADenseReference()
    {
        var g = new Generator(5);
        var linear = new Linear(6, 5, dtype: DType.Float64, generator: g);
        var lora = new LoraLayer(linear, new LoraConfig { Rank = 2, Alpha = 3 }, g);
        using (Tensor.NoGrad())
            lora.LoraB.Weight.NormalInPlace(0, 1, g);
        var x = Tensor.Zeros([4, 6], DType.Float64).NormalInPlace(0, 1, g);
        var w = linear.Weight.ToArray<double>();
        var bias = linear.Bias!.ToArray<double>();
        var a = lora.LoraA.Weight.ToArray<double>();
        var b = lora.LoraB.Weight.ToArray<double>();
        var xs = x.ToArray<double>();
        var expected = new double[4 * 5];
        for (int n = 0; n < 4; n++)
            for (int o = 0; o < 5; o++)
            {
                double s = bias[o];
                for (int i = 0; i < 6; i++)
                {
                    double delta = 0;
                    for (int r = 0; r < 2; r++)
                        delta += b[o * 2 + r] * a[r * 6 + i];
                    s += (w[o * 6 + i] + 1.5 * delta) * xs[n * 6 + i]; // α / r = 3 / 2
                }
                expected[n * 5 + o] = s;
            }
        using var _ = Tensor.NoGrad();
        Assert.True(lora.Call(x).AllClose(Tensor.From(expected, 4, 5), 1e-12, 1e-12));
    }

    [Fact]
    public void MergeAndUnmergeReproduceTheUnmergedForward()
    {
        var model = PeftFixtures.Tiny();
        model.Eval();
        var baseWeights = model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        Lora.Apply(model, AllProjections, generator: new Generator(1));
        PeftFixtures.RandomizeB(model);
        using var _ = Tensor.NoGrad();
        var unmerged = model.Forward(PeftFixtures.Ids);
        Assert.False(unmerged.AllClose(NewBaseOutput(baseWeights), 1e-3, 1e-3), "the random B should change the output");
        Lora.Merge(model);
        Assert.All(Lora.Layers(model), l => Assert.True(l.Layer.Merged));
        Assert.True(model.Forward(PeftFixtures.Ids).AllClose(unmerged, 1e-5, 1e-5), "merged forward differs");
        Lora.Unmerge(model);
        Assert.True(model.Forward(PeftFixtures.Ids).AllClose(unmerged, 1e-5, 1e-5), "unmerged forward differs");
        var c = (Conv1D)Lora.Layers(model).First().Layer.BaseLayer;
        Assert.True(c.Weight.AllClose(baseWeights["transformer.h.0.attn.c_attn.weight"], 0, 1e-6), "unmerge must restore W");
        Lora.MergeAndUnload(model);
        Assert.Empty(Lora.Layers(model));
        Assert.IsType<Conv1D>(model.GetModule("transformer.h.0.attn.c_attn"));
        Assert.Equal(baseWeights.Keys.Order(), model.StateDict().Keys.Order());
        Assert.True(model.Forward(PeftFixtures.Ids).AllClose(unmerged, 1e-5, 1e-5), "merge-and-unload changed the function");
    }

    private static Tensor NewBaseOutput(Dictionary<string, Tensor> weights)
    {
        var plain = PeftFixtures.Tiny(seed: 99);
        plain.LoadStateDict(weights);
        plain.Eval();
        return plain.Forward(PeftFixtures.Ids);
    }

    [Fact]
    public void GradientsReachOnlyLoraAndTheHeadAndMatchCentralDifferences()
    {
        var lm = PeftFixtures.Tiny();
        lm.To(DType.Float64);
        var clf = PeftFixtures.Classifier(lm);
        Lora.Apply(clf, new LoraConfig { Rank = 2, Alpha = 4, TargetModules = "c_attn|mlp\\.c_proj" }, ["score"], new Generator(1));
        PeftFixtures.RandomizeB(clf);
        var labels = Tensor.From(new long[] { 2, 0 }, 2);
        int[] lengths = [5, 3];
        double Loss() => Losses.CrossEntropy(clf.Forward(PeftFixtures.Ids, lengths), labels).Item();
        clf.ZeroGrad();
        Losses.CrossEntropy(clf.Forward(PeftFixtures.Ids, lengths), labels).Backward();
        var (trainable, total) = Lora.CountParameters(clf);
        long expected = 0;
        foreach (var (name, p) in clf.NamedParameters())
        {
            bool shouldTrain = name.Contains(".lora_", StringComparison.Ordinal) || name.StartsWith("score.", StringComparison.Ordinal);
            Assert.True(shouldTrain == p.RequiresGrad, $"{name}: requires_grad {p.RequiresGrad}");
            if (!shouldTrain)
            {
                Assert.Null(p.Grad);
                continue;
            }
            expected += p.Numel;
            var grad = p.Grad!.Contiguous().ToArray<double>();
            var r = new System.Random(name.Length);
            for (int trial = 0; trial < 3; trial++)
            {
                int flat = r.Next((int)p.Numel);
                double numeric = PeftFixtures.CentralDifference(p, flat, Loss);
                Assert.True(Math.Abs(numeric - grad[flat]) <= 1e-6 * (1 + Math.Abs(numeric)) + 1e-9, $"{name}[{flat}]: analytic {grad[flat]:G6} vs {numeric:G6}");
            }
        }
        Assert.Equal(expected, trainable);
        Assert.True(trainable < total);
    }

    [Fact]
    public void APatternThatMatchesNothingListsTheCandidates()
    {
        var model = PeftFixtures.Tiny();
        var e = Assert.Throws<ArgumentException>(() => Lora.Apply(model, new LoraConfig { TargetModules = "q_proj|v_proj" }));
        Assert.Contains("q_proj|v_proj", e.Message);
        Assert.Contains("transformer.h.0.attn.c_attn", e.Message);
        Assert.Throws<ArgumentException>(() => Lora.Apply(model, new LoraConfig { TargetModules = "c_attn(" }));
        Assert.Throws<ArgumentException>(() => Lora.Apply(model, new LoraConfig { Rank = 0 }));
        Assert.Empty(Lora.Layers(model));
    }

    [Fact]
    public void ReplaceModuleRefusesAModuleTheParentCannotCall()
    {
        var model = PeftFixtures.Tiny();
        var e = Assert.Throws<ArgumentException>(() => model.ReplaceModule("transformer.h.0.attn.c_attn", new ModuleList<Linear>()));
        Assert.Contains("c_attn", e.Message);
        Assert.IsType<Conv1D>(model.GetModule("transformer.h.0.attn.c_attn"));
        Assert.Throws<ArgumentException>(() => model.ReplaceModule("transformer.h.7.attn", new Linear(2, 2)));
    }
}
