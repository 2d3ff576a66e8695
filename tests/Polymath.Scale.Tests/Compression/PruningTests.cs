using Polymath.Models;

namespace Polymath.Scale.Tests.Compression;

public sealed class PruningTests
{
    private static int Zeros(Tensor t) => t.ToArray().Count(v => v == 0);

    [Fact]
    public void GlobalPruningZeroesExactlyTheSmallestWeightsOverAllLayers()
    {
        var net = new Mlp(10, [7], 3, new Generator(1));
        var all = MagnitudePruning.PrunableWeights(net).SelectMany(w => w.Weight.ToArray()).Select(Math.Abs).Order().ToArray();
        int total = all.Length, k = (int)Math.Floor(0.6 * total);
        float threshold = all[k - 1];
        var mask = MagnitudePruning.Global(net, 0.6);
        Assert.Equal(k, MagnitudePruning.PrunableWeights(net).Sum(w => Zeros(w.Weight)));
        Assert.Equal((double)k / total, mask.Sparsity, 12);
        Assert.Equal((double)k / total, MagnitudePruning.Sparsity(net), 12);
        foreach (var (_, w) in MagnitudePruning.PrunableWeights(net))
            Assert.True(w.ToArray().All(v => v == 0 || Math.Abs(v) >= threshold));
        Assert.Equal(2, mask.Masks.Count);
        Assert.True(net.GetSubmodule("0") is Linear l && l.Bias!.ToArray().All(v => v != 0), "biases are not pruned");
    }

    [Fact]
    public void PerLayerPruningHitsTheSparsityInEachLayer()
    {
        var net = new LeNet5(generator: new Generator(2));
        MagnitudePruning.PerLayer(net, 0.5);
        foreach (var (name, w) in MagnitudePruning.PrunableWeights(net))
            Assert.Equal((int)Math.Floor(0.5 * w.Numel), Zeros(w));
    }

    [Fact]
    public void MaskedFineTuningKeepsPrunedWeightsAtZero()
    {
        var net = new Mlp(6, [5], 2, new Generator(3));
        var mask = MagnitudePruning.Global(net, 0.5);
        var before = MagnitudePruning.PrunableWeights(net).Select(w => w.Weight.ToArray()).ToList();
        var opt = new Adam(net.Parameters(), 0.1);
        var x = TestUtil.Randn(4, 8, 6);
        var y = Tensor.From(new long[] { 0, 1, 0, 1, 1, 0, 0, 1 }, 8);
        for (int step = 0; step < 3; step++)
        {
            opt.ZeroGrad();
            Losses.CrossEntropy(net.Call(x), y).Backward();
            mask.MaskGradients();
            opt.Step();
            mask.Apply();
        }
        var after = MagnitudePruning.PrunableWeights(net).Select(w => w.Weight.ToArray()).ToList();
        int kept = 0, moved = 0;
        for (int l = 0; l < before.Count; l++)
            for (int i = 0; i < before[l].Length; i++)
                if (before[l][i] == 0) Assert.Equal(0f, after[l][i]);
                else { kept++; if (before[l][i] != after[l][i]) moved++; }
        Assert.True(moved > kept / 2, $"only {moved} of {kept} unpruned weights trained"); // (a dead ReLU unit's weights get no gradient)
    }

    [Fact]
    public void CubicScheduleFollowsZhuAndGupta()
    {
        var s = new PruningSchedule(0.1, 0.9, 4);
        Assert.Equal(0.1, s.At(0), 12);
        Assert.Equal(0.9, s.At(4), 12);
        Assert.Equal(0.9 - 0.8 / 8, s.At(2), 12);
        Assert.Equal(0.9 - 0.8 * Math.Pow(0.75, 3), s.At(1), 12);
        var net = new Mlp(10, [8], 3, new Generator(4));
        var rounds = new List<double>();
        var mask = s.Run(net, (r, m) => rounds.Add(MagnitudePruning.Sparsity(net)));
        Assert.Equal(4, rounds.Count);
        Assert.True(rounds.Zip(rounds.Skip(1)).All(p => p.Second >= p.First), "sparsity only grows");
        Assert.Equal(Math.Floor(0.9 * 104) / 104, MagnitudePruning.Sparsity(net), 12);
        Assert.Throws<ArgumentException>(() => new PruningSchedule(0.5, 0.2, 3).At(1));
    }

    [Fact]
    public void StructuredPruningShrinksLeNetAndEqualsTheMaskedDenseModel()
    {
        var net = new LeNet5(generator: new Generator(5));
        var plan = StructuredPruning.Choose(net, 0.5);
        Assert.Equal(3, plan.Kept["conv1"].Length);
        Assert.Equal(8, plan.Kept["conv2"].Length);
        Assert.Equal(60, plan.Kept["fc1"].Length);
        Assert.Equal(42, plan.Kept["fc2"].Length);
        Assert.False(plan.Kept.ContainsKey("fc3"));
        // The kept channels are those with the largest L1 norm.
        var w1 = net.Conv1.Weight.ToArray();
        var norms = Enumerable.Range(0, 6).Select(o => w1.AsSpan(o * 25, 25).ToArray().Sum(Math.Abs)).ToArray();
        Assert.Equal(Enumerable.Range(0, 6).OrderByDescending(o => norms[o]).Take(3).Order().ToArray(), plan.Kept["conv1"]);

        var small = StructuredPruning.Apply(net, plan);
        Assert.True(StructuredPruning.ParameterCount(small) < StructuredPruning.ParameterCount(net) / 2);
        var x = TestUtil.Randn(6, 3, 1, 28, 28);
        Tensor ys;
        using (Tensor.NoGrad()) ys = small.Call(x);

        // Dense reference: zero the pruned neurons' weights and biases in place.
        using (Tensor.NoGrad())
        {
            foreach (var (name, layer) in new (string, Module)[] { ("conv1", net.Conv1), ("conv2", net.Conv2), ("fc1", net.Fc1), ("fc2", net.Fc2) })
            {
                var (w, b) = layer is Linear l ? (l.Weight, l.Bias!) : (((Conv2d)layer).Weight, ((Conv2d)layer).Bias!);
                int outs = w.Size(0), per = (int)(w.Numel / outs);
                var m = new float[w.Numel];
                var mb = new float[outs];
                foreach (int o in plan.Kept[name]) { mb[o] = 1; Array.Fill(m, 1f, o * per, per); }
                w.MulInPlace(Tensor.From(m, w.Shape.ToArray()));
                b.MulInPlace(Tensor.From(mb, outs));
            }
            Assert.True(TestUtil.MaxAbsDiff(ys, net.Call(x)) < 1e-5);
        }
    }

    [Fact]
    public void StructuredPruningOfTheMlpKeepsItsInputsAndOutputs()
    {
        var net = new Mlp(12, [9, 7], 4, new Generator(6));
        var small = StructuredPruning.Prune(net, 0.34);
        var linears = Enumerable.Range(0, small.Count).Select(i => small[i]).OfType<Linear>().ToArray();
        Assert.Equal([(12, 6), (6, 5), (5, 4)], linears.Select(l => (l.InFeatures, l.OutFeatures)).ToArray());
        Assert.Equal([2, 4], small.Call(TestUtil.Randn(1, 2, 12)).Shape.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => StructuredPruning.Prune(net, 1.0));
    }
}
