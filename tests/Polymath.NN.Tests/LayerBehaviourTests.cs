using Polymath.NN;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.NN.Tests;

/// <summary>Layer behaviour beyond the PyTorch fixtures: dropout statistics, containers' naming, modes, dtype conversion and error messages.</summary>
public class LayerBehaviourTests(ITestOutputHelper output)
{
    // 200 000 Bernoulli draws: the dropped fraction's standard error is √(p(1−p)/n) ≈ 0.001; 0.007 is about 7σ.
    private const double DropFractionTolerance = 0.007;

    private const int DropoutSamples = 200_000;

    private Generator Seeded(ulong seed)
    {
        output.WriteLine($"seed {seed}");
        return new Generator(seed);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    public void DropoutZeroesAboutPAndScalesSurvivorsInTraining(double p)
    {
        var drop = new Dropout(p, Seeded(21));
        var y = drop.Call(Tensor.Ones(DropoutSamples)).ToArray();
        double dropped = y.Count(v => v == 0) / (double)y.Length;
        Assert.True(Math.Abs(dropped - p) < DropFractionTolerance, $"dropped fraction {dropped}, expected {p}");
        Assert.All(y.Where(v => v != 0), v => Assert.Equal((float)(1 / (1 - p)), v, 6));
        Assert.True(Math.Abs(y.Average() - 1) < DropFractionTolerance / (1 - p), $"mean {y.Average()}, expected 1");
    }

    [Fact]
    public void DropoutIsTheIdentityInEvalAndGradientsFollowTheMask()
    {
        var drop = new Dropout(0.5, Seeded(22));
        var x = Tensor.Randn([50], DType.Float32, Seeded(23)).RequiresGrad_();
        drop.Eval();
        Assert.Same(x, drop.Call(x));
        drop.Train();
        var y = drop.Call(x);
        y.Sum().Backward();
        var (ys, gs) = (y.ToArray(), x.Grad!.ToArray());
        for (int i = 0; i < ys.Length; i++)
            Assert.Equal(ys[i] == 0 ? 0f : 2f, gs[i]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.5));
        Assert.Equal("Dropout(p=0.5, inplace=False)", drop.ToString());
    }

    private sealed class Tower : Module<Tensor, Tensor>
    {
        public readonly ModuleList<Linear> Layers;
        public readonly ModuleDict Heads;

        public Tower()
        {
            Layers = RegisterModule("layers", new ModuleList<Linear>(new Linear(4, 4), new Linear(4, 4, bias: false)));
            Heads = RegisterModule("heads", new ModuleDict(new KeyValuePair<string, Module>("cls", new Linear(4, 2)), new("norm", new LayerNorm(4))));
        }

        public override Tensor Forward(Tensor input)
        {
            foreach (var layer in Layers)
                input = layer.Call(input).Relu();
            return ((Linear)Heads["cls"]).Call(((LayerNorm)Heads["norm"]).Call(input));
        }
    }

    [Fact]
    public void ModuleListAndModuleDictNameChildrenByPositionAndKey()
    {
        var m = new Tower();
        Assert.Equal(["layers.0.weight", "layers.0.bias", "layers.1.weight", "heads.cls.weight", "heads.cls.bias", "heads.norm.weight", "heads.norm.bias"],
            m.NamedParameters().Select(p => p.Name));
        m.Layers.Append(new Linear(4, 4));
        Assert.Equal(3, m.Layers.Count);
        Assert.Contains("layers.2.weight", m.StateDict().Keys);
        var replacement = new Linear(4, 4);
        m.Layers[-1] = replacement;
        Assert.Same(replacement, m.Layers[2]);
        Assert.Same(replacement, m.GetSubmodule("layers")!.GetSubmodule("2"));
        m.Heads["extra"] = new Identity();
        Assert.Equal(["cls", "norm", "extra"], m.Heads.Keys);
        Assert.Equal([2, 2], m.Call(Tensor.Randn([2, 4], DType.Float32, Seeded(24))).Shape);
        var e = Assert.Throws<KeyNotFoundException>(() => m.Heads["missing"]);
        Assert.Contains("no module named 'missing' (has: cls, norm, extra)", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Layers[3]);
        Assert.Throws<ArgumentException>(() => m.Heads["a.b"] = new Identity());
        Assert.StartsWith("Tower(\n  (layers): ModuleList(\n    (0): Linear(in_features=4, out_features=4, bias=True)", m.ToString());
    }

    [Fact]
    public void BatchNormUsesRunningStatsOnlyInEvalAndConvertsBuffersWithTo()
    {
        var bn = new BatchNorm2d(3);
        Assert.Equal(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"], bn.StateDict().Keys);
        Assert.Empty(bn.NumBatchesTracked!.Shape);
        var x = Tensor.Randn([4, 3, 2, 2], DType.Float32, Seeded(25)).Mul(3).Add(2);
        bn.Eval();
        // Fresh running stats are mean 0, var 1: eval output is x / √(1 + eps) and nothing is updated.
        Assert.True(bn.Call(x).AllClose(x.Div(Math.Sqrt(1 + 1e-5)), 1e-5, 1e-6));
        Assert.Equal(0L, bn.NumBatchesTracked.Item<long>());
        bn.Train();
        var y = bn.Call(x);
        Assert.Equal(1L, bn.NumBatchesTracked.Item<long>());
        Assert.True(y.Mean([0, 2, 3]).AllClose(Tensor.Zeros(3), 0, 1e-5));
        bn.To(DType.Float64);
        Assert.Equal(DType.Float64, bn.RunningMean!.DType);
        Assert.Equal(DType.Float64, bn.Weight!.DType);
        Assert.Equal(DType.Int64, bn.NumBatchesTracked.DType);
        bn.Call(x.To(DType.Float64));
        Assert.Equal(2L, bn.NumBatchesTracked.Item<long>());
        bn.ResetRunningStats();
        Assert.Equal(0L, bn.NumBatchesTracked.Item<long>());

        var untracked = new BatchNorm1d(3, affine: false, trackRunningStats: false).Eval();
        Assert.Empty(untracked.StateDict());
        var z = ((BatchNorm1d)untracked).Call(Tensor.Randn([8, 3], DType.Float32, Seeded(26)));
        Assert.True(z.Mean(0).AllClose(Tensor.Zeros(3), 0, 1e-5)); // batch statistics even in eval
    }

    [Fact]
    public void ErrorMessagesNameTheLayerAndShapes()
    {
        static string Message(Action a) => Assert.ThrowsAny<ArgumentException>(a).Message;

        Assert.Equal("LayerNorm: expected input [..., 3, 4], got [2,4,3].", Message(() => new LayerNorm([3, 4]).Call(Tensor.Zeros(2, 4, 3))));
        Assert.Contains("Conv2d: expected input [N, 3, H, W] or [3, H, W], got [2,4,8,8]", Message(() => new Conv2d(3, 8, 3).Call(Tensor.Zeros(2, 4, 8, 8))));
        Assert.Contains("Conv2d: in_channels (3) and out_channels (8) must both be divisible by groups (2)", Message(() => new Conv2d(3, 8, 3, groups: 2)));
        Assert.Contains("Conv1d: expected input [N, 2, L] or [2, L], got [2,3,5]", Message(() => new Conv1d(2, 4, 3).Call(Tensor.Zeros(2, 3, 5))));
        Assert.Contains("ConvTranspose2d: output_padding (2) must be non-negative and smaller than either stride (2) or dilation (1)",
            Message(() => new ConvTranspose2d(2, 2, 3, stride: 2, outputPadding: 2)));
        Assert.Contains("BatchNorm2d: expected 4-D [N, C, H, W] input, got [2,3]", Message(() => new BatchNorm2d(3).Call(Tensor.Zeros(2, 3))));
        Assert.Contains("BatchNorm1d: expected 3 channels in dim 1, got input [2,4]", Message(() => new BatchNorm1d(3).Call(Tensor.Zeros(2, 4))));
        Assert.Contains("BatchNorm1d: expected more than 1 value per channel", Message(() => new BatchNorm1d(3).Call(Tensor.Zeros(1, 3))));
        Assert.Contains("GroupNorm: num_channels (6) must be divisible by num_groups (4)", Message(() => new GroupNorm(4, 6)));
        Assert.Contains("GroupNorm: expected input [N, 6, *], got [2,5,3]", Message(() => new GroupNorm(2, 6).Call(Tensor.Zeros(2, 5, 3))));
        Assert.Contains("Embedding: padding_idx 10 must be within num_embeddings (10)", Message(() => new Embedding(10, 3, paddingIdx: 10)));
        Assert.Contains("Embedding: indices must be int64, got float32 [2]", Message(() => new Embedding(10, 3).Call(Tensor.Zeros(2))));
        Assert.Contains("Bilinear: expected inputs [*, 3] and [*, 4] with the same leading dims, got [2,3] and [5,4]",
            Message(() => new Bilinear(3, 4, 2).Call(Tensor.Zeros(2, 3), Tensor.Zeros(5, 4))));
        Assert.Contains("Flatten: start_dim=2 and end_dim=-1 do not select a range of dims of input [2,3]", Message(() => new Flatten(2).Call(Tensor.Zeros(2, 3))));
        Assert.Contains("MaxPool2d: padding must be between 0 and half the kernel size (1), got 2", Message(() => new MaxPool2d(2, padding: 2)));
        Assert.Contains("GELU: approximate must be 'none' or 'tanh', got 'fast'", Message(() => new GELU("fast")));
    }

    [Fact]
    public void DefaultInitialisationFollowsPyTorch()
    {
        var ln = new LayerNorm(5);
        Assert.All(ln.Weight!.ToArray(), v => Assert.Equal(1f, v));
        Assert.All(ln.Bias!.ToArray(), v => Assert.Equal(0f, v));
        var bn = new BatchNorm1d(4);
        Assert.All(bn.RunningVar!.ToArray(), v => Assert.Equal(1f, v));
        Assert.All(bn.RunningMean!.ToArray(), v => Assert.Equal(0f, v));
        var bl = new Bilinear(16, 3, 2, generator: Seeded(27));
        Assert.All(bl.Weight.ToArray(), v => Assert.InRange(v, -0.25f, 0.25f)); // ±1/√in1
        var ct = new ConvTranspose2d(4, 6, 3, groups: 2, generator: Seeded(28)); // weight [4, 3, 3, 3]: fan_in = 3·9 (PyTorch's convention)
        Assert.Equal([4, 3, 3, 3], ct.Weight.Shape);
        Assert.All(ct.Weight.ToArray(), v => Assert.InRange(v, -1 / Math.Sqrt(27), 1 / Math.Sqrt(27)));
        Assert.Equal("Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)", new Conv2d(3, 8, 3, stride: 2, padding: 1, bias: false).ToString());
        Assert.Equal("BatchNorm2d(3, eps=1E-05, momentum=0.1, affine=True, track_running_stats=True)", new BatchNorm2d(3).ToString());
    }

    [Fact]
    public void ActivationsAndShapeLayersAgreeWithTheTensorOps()
    {
        var x = Tensor.Randn([3, 4, 2], DType.Float32, Seeded(29));
        Assert.Equal([3, 8], new Flatten().Call(x).Shape);
        Assert.Equal([24], new Flatten(0).Call(x).Shape);
        Assert.Equal([12, 2], new Flatten(0, 1).Call(x).Shape);
        Assert.True(new Softmax(1).Call(x).Sum(1).AllClose(Tensor.Ones(3, 2), 1e-5, 1e-6));
        Assert.True(new LogSoftmax(-1).Call(x).Exp().Sum(-1).AllClose(Tensor.Ones(3, 4), 1e-5, 1e-6));
        Assert.Equal(x.LeakyRelu(0.01).ToArray(), new LeakyReLU().Call(x).ToArray());
        Assert.Equal(new[] { 2, 3, 4 }, new AdaptiveAvgPool2d((3, 4)).Call(Tensor.Zeros(2, 7, 9)).Shape[^3..]);
    }
}
