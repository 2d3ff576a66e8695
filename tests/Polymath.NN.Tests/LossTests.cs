using System.Text.Json;
using Polymath.NN;
using Xunit;
using Xunit.Abstractions;
using static Polymath.NN.Tests.LossOptimFixture;

namespace Polymath.NN.Tests;

public class LossTests(ITestOutputHelper output)
{
    // Float64 composed ops vs PyTorch's fused kernels: only summation order and exp/log rounding differ (~1e-15
    // relative per op); a few ops deep, 1e-10 relative leaves a wide margin while catching any formula slip.
    private const double GoldenRtol = 1e-10;
    private const double GoldenAtol = 1e-12;

    public static IEnumerable<object[]> LossCases => Names("losses");

    [Theory]
    [MemberData(nameof(LossCases))]
    public void ForwardAndGradientMatchTorch(string name)
    {
        var c = Case("losses", name);
        var inputs = c.GetProperty("inputs").EnumerateObject().ToDictionary(p => p.Name, p => ToTensor(p.Value));
        var grads = c.GetProperty("grads").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var g in grads)
            inputs[g].RequiresGrad_();
        var fn = c.GetProperty("fn").GetString()!;
        var opts = c.GetProperty("opts");
        var outFunctional = Functional(fn, opts, inputs);
        AssertClose(c.GetProperty("out"), outFunctional, GoldenRtol, GoldenAtol, $"{name} forward");
        outFunctional.Backward(ToTensor(c.GetProperty("upstream")));
        foreach (var g in grads)
        {
            var expected = c.GetProperty("grads").GetProperty(g);
            var actual = inputs[g].Grad!;
            if (fn == "kl_div" && g == "target")
            {
                // torch's xlogy backward is NaN where the target is 0; ours takes the finite one-sided value −x there.
                var e = Data(expected);
                var a = actual.ToDoubleArray();
                for (int i = 0; i < e.Length; i++)
                    if (double.IsNaN(e[i]))
                    {
                        Assert.True(double.IsFinite(a[i]), $"{name} d/dtarget[{i}] should be finite, got {a[i]}");
                        e[i] = a[i];
                    }
                AssertClose(e, actual, GoldenRtol, GoldenAtol, $"{name} d/d{g}");
            }
            else
                AssertClose(expected, actual, GoldenRtol, GoldenAtol, $"{name} d/d{g}");
        }

        // The module form gives the same value.
        var outModule = ModuleForm(fn, opts, inputs);
        AssertClose(c.GetProperty("out"), outModule, GoldenRtol, GoldenAtol, $"{name} module forward");
    }

    private static Tensor Functional(string fn, JsonElement o, Dictionary<string, Tensor> t) => fn switch
    {
        "cross_entropy" => Losses.CrossEntropy(t["input"], t["target"], t.GetValueOrDefault("weight"), (long)Opt(o, "ignore_index", -100), ReductionOf(o), Opt(o, "label_smoothing", 0)),
        "nll_loss" => Losses.Nll(t["input"], t["target"], t.GetValueOrDefault("weight"), (long)Opt(o, "ignore_index", -100), ReductionOf(o)),
        "binary_cross_entropy" => Losses.BinaryCrossEntropy(t["input"], t["target"], t.GetValueOrDefault("weight"), ReductionOf(o)),
        "binary_cross_entropy_with_logits" => Losses.BinaryCrossEntropyWithLogits(t["input"], t["target"], t.GetValueOrDefault("weight"), t.GetValueOrDefault("pos_weight"), ReductionOf(o)),
        "mse_loss" => Losses.Mse(t["input"], t["target"], ReductionOf(o)),
        "l1_loss" => Losses.L1(t["input"], t["target"], ReductionOf(o)),
        "smooth_l1_loss" => Losses.SmoothL1(t["input"], t["target"], ReductionOf(o), Opt(o, "beta", 1)),
        "huber_loss" => Losses.Huber(t["input"], t["target"], ReductionOf(o), Opt(o, "delta", 1)),
        "kl_div" => Losses.KLDiv(t["input"], t["target"], ReductionOf(o), Opt(o, "log_target", 0) != 0),
        "cosine_embedding_loss" => Losses.CosineEmbedding(t["input1"], t["input2"], t["target"], Opt(o, "margin", 0), ReductionOf(o)),
        _ => throw new ArgumentException(fn),
    };

    private static Tensor ModuleForm(string fn, JsonElement o, Dictionary<string, Tensor> t)
    {
        var r = ReductionOf(o);
        if (fn == "cosine_embedding_loss")
            return new CosineEmbeddingLoss(Opt(o, "margin", 0), r).Call(t["input1"], t["input2"], t["target"]);
        Loss loss = fn switch
        {
            "cross_entropy" => new CrossEntropyLoss(t.GetValueOrDefault("weight"), (long)Opt(o, "ignore_index", -100), r, Opt(o, "label_smoothing", 0)),
            "nll_loss" => new NLLLoss(t.GetValueOrDefault("weight"), (long)Opt(o, "ignore_index", -100), r),
            "binary_cross_entropy" => new BCELoss(t.GetValueOrDefault("weight"), r),
            "binary_cross_entropy_with_logits" => new BCEWithLogitsLoss(t.GetValueOrDefault("weight"), r, t.GetValueOrDefault("pos_weight")),
            "mse_loss" => new MSELoss(r),
            "l1_loss" => new L1Loss(r),
            "smooth_l1_loss" => new SmoothL1Loss(r, Opt(o, "beta", 1)),
            "huber_loss" => new HuberLoss(r, Opt(o, "delta", 1)),
            "kl_div" => new KLDivLoss(r, Opt(o, "log_target", 0) != 0),
            _ => throw new ArgumentException(fn),
        };
        return loss.Call(t["input"], t["target"]);
    }

    // Float32 against the float64 reference on random logits: float32 log-softmax rounding is ~1e-7 relative, so
    // a loss of order 1..10 agrees to 1e-5.
    private const double Float32Tolerance = 1e-5;

    [Fact]
    public void CrossEntropyFloat32MatchesFloat64OnRandomBatches()
    {
        foreach (int seed in new[] { 11, 12, 13 })
        {
            output.WriteLine($"seed {seed}");
            var gen = new Generator((ulong)seed);
            var logits = Tensor.Randn([64, 10], DType.Float64, gen) * 4;
            var target = Tensor.RandInt(0, 10, [64], gen);
            var x32 = logits.To(DType.Float32).RequiresGrad_();
            var x64 = logits.Detach().RequiresGrad_();
            var l32 = Losses.CrossEntropy(x32, target, labelSmoothing: 0.1);
            var l64 = Losses.CrossEntropy(x64, target, labelSmoothing: 0.1);
            Assert.True(Math.Abs(l32.Item() - l64.Item()) < Float32Tolerance, $"seed {seed}: {l32.Item()} vs {l64.Item()}");
            l32.Backward();
            l64.Backward();
            AssertClose(x64.Grad!.ToDoubleArray(), x32.Grad!, Float32Tolerance, Float32Tolerance, $"seed {seed} grad");
        }
    }

    [Fact]
    public void CrossEntropyIsFiniteForHugeLogits()
    {
        var x = Tensor.From(new float[] { 1e4f, -1e4f, 0, 3e4f, 3e4f, -3e4f }, 2, 3).RequiresGrad_();
        var loss = Losses.CrossEntropy(x, Tensor.From(new long[] { 1, 2 }));
        // Rows lose 2e4 and 6e4 + ln 2; a float32 mean near 4e4 is good to a few ulps (0.004 each).
        Assert.Equal(4e4 + Math.Log(2) / 2, loss.Item(), 0.02);
        loss.Backward();
        Assert.All(x.Grad!.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void AllTargetsIgnoredGivesNaNMeanAsTorch()
    {
        var x = Tensor.Randn([3, 4], DType.Float64, new Generator(1));
        var loss = Losses.CrossEntropy(x, Tensor.From(new long[] { -100, -100, -100 }));
        Assert.True(double.IsNaN(loss.Item()));
        Assert.Equal(0, Losses.CrossEntropy(x, Tensor.From(new long[] { -100, -100, -100 }), reduction: Reduction.Sum).Item());
    }

    [Fact]
    public void BadInputsNameTheOpAndShapes()
    {
        var x = Tensor.Zeros(4, 3);
        var e = Assert.Throws<ArgumentException>(() => Losses.CrossEntropy(x, Tensor.From(new long[] { 0, 1, 3, 2 })));
        Assert.Contains("cross_entropy: target 3 at position 2 is out of range for 3 classes", e.Message);
        e = Assert.Throws<ArgumentException>(() => Losses.CrossEntropy(x, Tensor.From(new long[] { 0, -1, 0, 0 })));
        Assert.Contains("target -1 at position 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => Losses.CrossEntropy(x, Tensor.From(new long[] { 0, 1, 2 })));
        Assert.Contains("cross_entropy: target must be [4] for input [4,3], got [3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Losses.CrossEntropy(x, Tensor.Zeros(4, 2)));
        Assert.Contains("probability targets must have the input's shape [4,3], got [4,2]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Losses.CrossEntropy(x, Tensor.From(new long[] { 0, 1, 2, 0 }), weight: Tensor.Ones(4)));
        Assert.Contains("weight must be [3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Losses.CrossEntropy(x, Tensor.From(new long[] { 0, 1, 2, 0 }), labelSmoothing: 1.5));
        Assert.Contains("label_smoothing must be in [0, 1]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Losses.Nll(x, Tensor.From(new long[] { 0, 1, 2, 7 })));
        Assert.Contains("nll_loss: target 7", e.Message);
        e = Assert.Throws<ArgumentException>(() => Losses.Mse(x, Tensor.Zeros(3, 4)));
        Assert.Contains("mse_loss: input [4,3] and target [3,4] must have the same shape", e.Message);
        e = Assert.Throws<ArgumentException>(() => Losses.BinaryCrossEntropy(Tensor.From(new float[] { 0.5f, 1.5f }), Tensor.Zeros(2)));
        Assert.Contains("binary_cross_entropy: all elements of input should be between 0 and 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => Losses.Mse(x, x, Reduction.BatchMean));
        Assert.Contains("only supported by kl_div", e.Message);
        e = Assert.Throws<ArgumentException>(() => Losses.CosineEmbedding(x, x, Tensor.Ones(3)));
        Assert.Contains("cosine_embedding_loss: target must be [4]", e.Message);
    }

    [Fact]
    public void LossModulesRegisterWeightsAsBuffers()
    {
        var w = Tensor.Ones(5);
        var ce = new CrossEntropyLoss(w, labelSmoothing: 0.1);
        Assert.Equal(["weight"], ce.StateDict().Keys);
        Assert.Same(w, ce.Weight);
        Assert.Equal("CrossEntropyLoss(reduction=mean)", ce.ToString());
        Assert.Equal(["pos_weight"], new BCEWithLogitsLoss(posWeight: Tensor.Ones(2)).NamedBuffers().Select(b => b.Name));
    }
}
