using System.Text.Json;
using Polymath.NN.Optim;
using Xunit;
using static Polymath.NN.Tests.LossOptimFixture;

namespace Polymath.NN.Tests;

public class OptimTests
{
    // Float64 updates in the same op order as torch's single-tensor path; torch's add with alpha is a fused
    // multiply-add and ours is not, so trajectories differ by a few ulps after five steps.
    private const double TrajectoryRtol = 1e-12;
    private const double TrajectoryAtol = 1e-14;

    // Float32 parameters (the fused Adam loop) against the float64 golden: float32 rounding (6e-8) over five
    // updates of parameters of order 1.
    private const double Float32Tolerance = 2e-6;

    public static IEnumerable<object[]> OptimizerCases => Names("optimizers");

    private static Tensor[] Params(JsonElement c, DType dtype) =>
        c.GetProperty("params").EnumerateArray().Select(p => ToTensor(p, dtype).RequiresGrad_()).ToArray();

    private static void SetGrads(JsonElement c, Tensor[] ps, int step)
    {
        var gs = c.GetProperty("grads")[step].EnumerateArray().ToArray();
        for (int i = 0; i < ps.Length; i++)
            ps[i].Grad = ToTensor(gs[i], ps[i].DType);
    }

    [Theory]
    [MemberData(nameof(OptimizerCases))]
    public void TrajectoryMatchesTorch(string name)
    {
        var c = Case("optimizers", name);
        var ps = Params(c, DType.Float64);
        var opt = MakeOptimizer(c, ps);
        for (int s = 0; s < 5; s++)
        {
            SetGrads(c, ps, s);
            opt.Step();
            var expected = c.GetProperty("trajectory")[s].EnumerateArray().ToArray();
            for (int i = 0; i < ps.Length; i++)
                AssertClose(expected[i], ps[i], TrajectoryRtol, TrajectoryAtol, $"{name} step {s + 1} param {i}");
        }
    }

    [Theory]
    [MemberData(nameof(OptimizerCases))]
    public void Float32TrajectoryMatchesTorch(string name)
    {
        var c = Case("optimizers", name);
        var ps = Params(c, DType.Float32);
        var opt = MakeOptimizer(c, ps);
        for (int s = 0; s < 5; s++)
        {
            SetGrads(c, ps, s);
            opt.Step();
        }
        var expected = c.GetProperty("trajectory")[4].EnumerateArray().ToArray();
        for (int i = 0; i < ps.Length; i++)
            AssertClose(expected[i], ps[i], Float32Tolerance, Float32Tolerance, $"{name} float32 param {i}");
    }

    // The fused float32 Adam loop and the tensor-op path compute the same formula in a different order.
    private const double FusedVsOpsTolerance = 1e-6;

    [Theory]
    [InlineData(false, false, 0.0)]
    [InlineData(false, true, 0.1)]
    [InlineData(true, false, 0.1)]
    [InlineData(true, true, 0.0)]
    public void FusedAdamMatchesTensorOpAdam(bool decoupled, bool amsgrad, double weightDecay)
    {
        const int seed = 77;
        Console.WriteLine($"FusedAdamMatchesTensorOpAdam seed {seed}");
        var gen = new Generator(seed);
        // 1000 elements: vector body plus a scalar tail for every vector width.
        var init = Tensor.Randn([10, 100], DType.Float32, gen);
        var a = init.Clone().RequiresGrad_();
        var b = init.Clone().RequiresGrad_();
        Adam Make(Tensor p) => decoupled ? new AdamW([p], 0.01, weightDecay: weightDecay, amsgrad: amsgrad) : new Adam([p], 0.01, weightDecay: weightDecay, amsgrad: amsgrad);
        var fused = Make(a);
        var ops = Make(b);
        ops.UseFusedPath = false;
        for (int s = 0; s < 10; s++)
        {
            var g = Tensor.Randn([10, 100], DType.Float32, gen);
            a.Grad = g.Clone();
            b.Grad = g.Clone();
            fused.Step();
            ops.Step();
        }
        AssertClose(b.ToDoubleArray(), a, FusedVsOpsTolerance, FusedVsOpsTolerance, "fused vs ops");
    }

    [Fact]
    public void FusedAdamSplitAcrossThreadsMatchesTensorOpAdam()
    {
        const int seed = 78;
        Console.WriteLine($"FusedAdamSplitAcrossThreadsMatchesTensorOpAdam seed {seed}");
        var gen = new Generator(seed);
        var init = Tensor.Randn([300_001], DType.Float32, gen); // several 64K chunks, odd length
        var a = init.Clone().RequiresGrad_();
        var b = init.Clone().RequiresGrad_();
        var fused = new AdamW([a], 0.01, amsgrad: true);
        var ops = new AdamW([b], 0.01, amsgrad: true) { UseFusedPath = false };
        for (int s = 0; s < 3; s++)
        {
            var g = Tensor.Randn([300_001], DType.Float32, gen);
            a.Grad = g.Clone();
            b.Grad = g.Clone();
            fused.Step();
            ops.Step();
        }
        AssertClose(b.ToDoubleArray(), a, FusedVsOpsTolerance, FusedVsOpsTolerance, "fused (split) vs ops");
    }

    [Theory]
    [MemberData(nameof(OptimizerCases))]
    public void StateDictRoundTripResumesBitForBit(string name)
    {
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            var c = Case("optimizers", name);
            var ps = Params(c, dtype);
            var opt = MakeOptimizer(c, ps);
            for (int s = 0; s < 2; s++)
            {
                SetGrads(c, ps, s);
                opt.Step();
            }
            var saved = opt.StateDict();
            var savedParams = ps.Select(p => p.Detach().Clone()).ToArray();
            for (int s = 2; s < 5; s++)
            {
                SetGrads(c, ps, s);
                opt.Step();
            }

            // A fresh optimizer over restored parameters, with its options deliberately changed before loading.
            var resumed = savedParams.Select(p => p.Clone().RequiresGrad_()).ToArray();
            var opt2 = MakeOptimizer(c, resumed);
            opt2.ParamGroups[0].Lr = 123;
            opt2.LoadStateDict(saved);
            for (int s = 2; s < 5; s++)
            {
                SetGrads(c, resumed, s);
                opt2.Step();
            }
            for (int i = 0; i < ps.Length; i++)
                Assert.Equal(ps[i].ToDoubleArray(), resumed[i].ToDoubleArray());
        }
    }

    [Fact]
    public void StateDictListsGroupsAndPerParameterState()
    {
        var p0 = Tensor.Zeros(2, 2).RequiresGrad_();
        var p1 = Tensor.Zeros(3).RequiresGrad_();
        var p2 = Tensor.Zeros(1).RequiresGrad_();
        var opt = new Adam([p0, p1], lr: 0.1, amsgrad: true);
        opt.AddParamGroup([p2], new Dictionary<string, double> { ["lr"] = 0.5 });
        p0.Grad = Tensor.Ones(2, 2);
        p2.Grad = Tensor.Ones(1);
        opt.Step();
        var state = opt.StateDict();
        Assert.Equal("Adam", state.Optimizer);
        Assert.Equal([0, 1], state.ParamGroups[0].Params);
        Assert.Equal([2], state.ParamGroups[1].Params);
        Assert.Equal(0.5, state.ParamGroups[1].Options["lr"]);
        Assert.Equal([0, 2], state.State.Keys.Order()); // p1 had no gradient, so no state
        Assert.Equal(1, state.State[0].Step);
        Assert.Equal(["exp_avg", "exp_avg_sq", "max_exp_avg_sq"], state.State[0].Buffers.Keys.Order());
        Assert.Equal([2, 2], state.State[0].Buffers["exp_avg"].Shape);
    }

    [Fact]
    public void ZeroGradDropsGradients()
    {
        var p = Tensor.Zeros(2).RequiresGrad_();
        var opt = new SGD([p], lr: 0.1);
        p.Grad = Tensor.Ones(2);
        opt.ZeroGrad();
        Assert.Null(p.Grad);
        opt.Step(); // no gradient: nothing changes
        Assert.Equal([0f, 0f], p.ToArray());
    }

    [Fact]
    public void TrainsALinearRegression()
    {
        const int seed = 5;
        Console.WriteLine($"TrainsALinearRegression seed {seed}");
        var gen = new Generator(seed);
        var x = Tensor.Randn([64, 3], DType.Float32, gen);
        var w = Tensor.From(new float[] { 1.5f, -2f, 0.5f }, 3, 1);
        var y = x.MatMul(w);
        var model = new Linear(3, 1, generator: gen);
        var opt = new AdamW(model.Parameters(), lr: 0.05, weightDecay: 0);
        double first = 0, last = 0;
        for (int i = 0; i < 300; i++)
        {
            opt.ZeroGrad();
            var loss = Losses.Mse(model.Call(x), y);
            loss.Backward();
            GradClip.ClipGradNorm(model.Parameters(), 10);
            opt.Step();
            if (i == 0) first = loss.Item();
            last = loss.Item();
        }
        Assert.True(last < first * 1e-3, $"loss {first} -> {last}");
    }

    [Fact]
    public void BadOptionsAreRejected()
    {
        var p = Tensor.Zeros(2).RequiresGrad_();
        var e = Assert.Throws<ArgumentException>(() => new SGD([p], lr: -0.1));
        Assert.Contains("SGD: invalid learning rate -0.1", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Adam([p], lr: -1));
        Assert.Contains("Adam: invalid learning rate -1", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Adam([p], beta2: 1.0));
        Assert.Contains("Adam: invalid beta2 value 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => new SGD([p], lr: 0.1, nesterov: true));
        Assert.Contains("Nesterov momentum requires a momentum > 0", e.Message);
        e = Assert.Throws<ArgumentException>(() => new RMSprop([p], weightDecay: -1));
        Assert.Contains("RMSprop: invalid weight_decay value -1", e.Message);
        e = Assert.Throws<ArgumentException>(() => new SGD([], lr: 0.1));
        Assert.Contains("at least one parameter", e.Message);
        var opt = new SGD([p], lr: 0.1);
        e = Assert.Throws<ArgumentException>(() => opt.AddParamGroup([p]));
        Assert.Contains("more than one parameter group", e.Message);
        e = Assert.Throws<ArgumentException>(() => opt.AddParamGroup([Tensor.Zeros(1).RequiresGrad_()], new Dictionary<string, double> { ["betas"] = 1 }));
        Assert.Contains("unknown option 'betas'", e.Message);
        e = Assert.Throws<ArgumentException>(() => opt.ParamGroups[0].Lr = -2);
        Assert.Contains("invalid learning rate -2", e.Message);
        e = Assert.Throws<ArgumentException>(() => new SGD([Tensor.Zeros([2], DType.Int64)], lr: 0.1));
        Assert.Contains("can only optimize floating-point tensors", e.Message);
    }

    [Fact]
    public void LoadStateDictRejectsMismatchesAndChangesNothing()
    {
        var p = Tensor.Zeros(2).RequiresGrad_();
        var adam = new Adam([p]);
        p.Grad = Tensor.Ones(2);
        adam.Step();
        var state = adam.StateDict();

        var e = Assert.Throws<ArgumentException>(() => new SGD([Tensor.Zeros(2).RequiresGrad_()], lr: 0.1).LoadStateDict(state));
        Assert.Contains("SGD: cannot load the state of a Adam", e.Message);
        var other = new Adam([Tensor.Zeros(3).RequiresGrad_()], lr: 0.5);
        e = Assert.Throws<ArgumentException>(() => other.LoadStateDict(state));
        Assert.Contains("loaded 'exp_avg", e.Message);
        Assert.Contains("is [2], the parameter is [3]", e.Message);
        Assert.Equal(0.5, other.ParamGroups[0].Lr);
        e = Assert.Throws<ArgumentException>(() => new Adam([Tensor.Zeros(2).RequiresGrad_(), Tensor.Zeros(2).RequiresGrad_()]).LoadStateDict(state));
        Assert.Contains("loaded group 0 has 1 parameters, the optimizer's has 2", e.Message);
    }

    // Golden gradients are float64 and small; the clipped values are one multiply away from torch's.
    private const double ClipTolerance = 1e-12;

    [Fact]
    public void ClipGradMatchesTorch()
    {
        foreach (var c in Root.GetProperty("clips").EnumerateArray())
        {
            var grads = c.GetProperty("grads").EnumerateArray().Select(g => ToTensor(g)).ToArray();
            var ps = grads.Select(g => Tensor.ZerosLike(g).RequiresGrad_()).ToArray();
            for (int i = 0; i < ps.Length; i++)
                ps[i].Grad = grads[i];
            string what;
            if (c.GetProperty("kind").GetString() == "norm")
            {
                var nt = c.GetProperty("norm_type");
                double normType = nt.ValueKind == JsonValueKind.String ? double.PositiveInfinity : nt.GetDouble();
                what = $"clip norm {normType}";
                double total = GradClip.ClipGradNorm(ps, c.GetProperty("max_norm").GetDouble(), normType);
                Assert.Equal(c.GetProperty("total").GetDouble(), total, ClipTolerance);
            }
            else
            {
                what = "clip value";
                GradClip.ClipGradValue(ps, c.GetProperty("clip_value").GetDouble());
            }
            var clipped = c.GetProperty("clipped").EnumerateArray().ToArray();
            for (int i = 0; i < ps.Length; i++)
                AssertClose(clipped[i], ps[i].Grad!, ClipTolerance, ClipTolerance, $"{what} param {i}");
        }
    }

    [Fact]
    public void ClipGradNormReportsNonFiniteNorms()
    {
        var p = Tensor.Zeros(2).RequiresGrad_();
        p.Grad = Tensor.From(new float[] { 1, float.PositiveInfinity });
        var e = Assert.Throws<InvalidOperationException>(() => GradClip.ClipGradNorm([p], 1, errorIfNonfinite: true));
        Assert.Contains("non-finite", e.Message);
        Assert.Equal(double.PositiveInfinity, GradClip.ClipGradNorm([p], 1));
        Assert.Throws<ArgumentException>(() => GradClip.ClipGradNorm([p], -1));
        Assert.Throws<ArgumentException>(() => GradClip.ClipGradValue([p], -1));
    }
}
