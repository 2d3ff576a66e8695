using System.Text.Json;
using Polymath.NN.Optim;
using Xunit;
using static Polymath.NN.Tests.LossOptimFixture;

namespace Polymath.NN.Tests;

public class SchedulerTests
{
    // The same recursive formulas in double as torch's Python floats; libm cos may differ by an ulp, and the
    // recursive forms carry that through 30 steps.
    private const double LrRtol = 1e-12;
    private const double LrAtol = 1e-15;

    public static IEnumerable<object[]> SchedulerCases => Names("schedulers");

    // Two groups (lr 0.1 and 0.05), as the fixture script builds them.
    private static Optimizer MakeOptimizer(string kind)
    {
        var p0 = Tensor.Zeros(2).RequiresGrad_();
        var p1 = Tensor.Zeros(3).RequiresGrad_();
        Optimizer opt = kind == "SGD" ? new SGD([p0], lr: 0.1, momentum: 0.9) : new Adam([p0], lr: 0.1);
        opt.AddParamGroup([p1], new Dictionary<string, double> { ["lr"] = 0.05 });
        return opt;
    }

    private static ILRScheduler MakeScheduler(JsonElement c, Optimizer opt)
    {
        var o = c.GetProperty("opts");
        int I(string k) => o.GetProperty(k).GetInt32();
        double D(string k, double fallback) => Opt(o, k, fallback);
        return c.GetProperty("scheduler").GetString() switch
        {
            "StepLR" => new StepLR(opt, I("step_size"), D("gamma", 0.1)),
            "MultiStepLR" => new MultiStepLR(opt, o.GetProperty("milestones").EnumerateArray().Select(e => e.GetInt32()), D("gamma", 0.1)),
            "ExponentialLR" => new ExponentialLR(opt, D("gamma", 0)),
            "CosineAnnealingLR" => new CosineAnnealingLR(opt, I("T_max"), D("eta_min", 0)),
            "CosineAnnealingWarmRestarts" => new CosineAnnealingWarmRestarts(opt, I("T_0"), I("T_mult"), D("eta_min", 0)),
            "WarmupDecayLR" => new WarmupDecayLR(opt, I("warmup"), I("total"), o.GetProperty("decay").GetString() == "linear" ? WarmupDecay.Linear : WarmupDecay.Cosine),
            "OneCycleLR" => new OneCycleLR(opt, o.GetProperty("max_lr").EnumerateArray().Select(e => e.GetDouble()).ToArray(), I("total_steps"),
                pctStart: D("pct_start", 0.3),
                annealStrategy: o.TryGetProperty("anneal", out var a) && a.GetString() == "linear" ? AnnealStrategy.Linear : AnnealStrategy.Cos,
                baseMomentum: D("base_momentum", 0.85), maxMomentum: D("max_momentum", 0.95), divFactor: D("div_factor", 25),
                finalDivFactor: D("final_div_factor", 1e4), threePhase: D("three_phase", 0) != 0),
            "ReduceLROnPlateau" => new ReduceLROnPlateau(opt, o.GetProperty("mode").GetString() == "min" ? PlateauMode.Min : PlateauMode.Max,
                D("factor", 0.1), I("patience"), D("threshold", 1e-4),
                o.TryGetProperty("threshold_mode", out var tm) && tm.GetString() == "abs" ? ThresholdMode.Abs : ThresholdMode.Rel,
                (int)D("cooldown", 0), D("min_lr", 0)),
            var k => throw new ArgumentException(k),
        };
    }

    private static void StepOnce(ILRScheduler s, JsonElement c, int step)
    {
        if (s is ReduceLROnPlateau plateau)
            plateau.Step(c.GetProperty("metrics")[step].GetDouble());
        else
            ((LRScheduler)s).Step();
    }

    private static double Momentum(ParamGroup g) => g.Has("beta1") ? g["beta1"] : g["momentum"];

    [Theory]
    [MemberData(nameof(SchedulerCases))]
    public void LearningRatesMatchTorch(string name)
    {
        var c = Case("schedulers", name);
        var opt = MakeOptimizer(c.GetProperty("optimizer").GetString()!);
        var sched = MakeScheduler(c, opt);
        var lrs = c.GetProperty("lrs").EnumerateArray().ToArray();
        var moms = c.GetProperty("momenta").EnumerateArray().ToArray();
        for (int s = 0; s < lrs.Length; s++)
        {
            if (s > 0)
            {
                opt.Step();
                StepOnce(sched, c, s - 1);
            }
            // Polymath floors OneCycleLR's extrapolated last rate at 0 where torch's linear annealing goes negative.
            var expected = lrs[s].EnumerateArray().Select(e => Math.Max(0, e.GetDouble())).ToArray();
            AssertClose(expected, Tensor.From(sched.GetLastLr().ToArray()), LrRtol, LrAtol, $"{name} lr at step {s}");
            AssertClose(expected, Tensor.From(opt.ParamGroups.Select(g => g.Lr).ToArray()), LrRtol, LrAtol, $"{name} group lr at step {s}");
            var expectedMom = moms[s].EnumerateArray().Select(e => e.GetDouble()).ToArray();
            AssertClose(expectedMom, Tensor.From(opt.ParamGroups.Select(Momentum).ToArray()), LrRtol, LrAtol, $"{name} momentum at step {s}");
        }
    }

    [Theory]
    [MemberData(nameof(SchedulerCases))]
    public void StateDictRoundTripResumesIdentically(string name)
    {
        var c = Case("schedulers", name);
        string kind = c.GetProperty("optimizer").GetString()!;
        var opt = MakeOptimizer(kind);
        var sched = MakeScheduler(c, opt);
        for (int s = 0; s < 12; s++)
            StepOnce(sched, c, s);
        var savedOpt = opt.StateDict();
        var savedSched = sched.StateDict();
        var rest = new List<double[]>();
        for (int s = 12; s < 30; s++)
        {
            StepOnce(sched, c, s);
            rest.Add(opt.ParamGroups.Select(g => g.Lr).Concat(opt.ParamGroups.Select(Momentum)).ToArray());
        }

        // As a training script resumes: build optimizer and scheduler again, then load both states.
        var opt2 = MakeOptimizer(kind);
        var sched2 = MakeScheduler(c, opt2);
        opt2.LoadStateDict(savedOpt);
        sched2.LoadStateDict(savedSched);
        Assert.Equal(savedSched.LastLr, sched2.GetLastLr());
        for (int s = 12; s < 30; s++)
        {
            StepOnce(sched2, c, s);
            Assert.Equal(rest[s - 12], opt2.ParamGroups.Select(g => g.Lr).Concat(opt2.ParamGroups.Select(Momentum)).ToArray());
        }
    }

    [Fact]
    public void WarmupDecayReachesItsFloor()
    {
        var opt = MakeOptimizer("SGD");
        var s = new WarmupDecayLR(opt, warmupSteps: 4, totalSteps: 10, decay: WarmupDecay.Cosine, minLrRatio: 0.1);
        Assert.Equal(0, s.GetLastLr()[0]);
        for (int i = 0; i < 4; i++) s.Step();
        Assert.Equal(0.1, s.GetLastLr()[0], 1e-15);
        for (int i = 0; i < 10; i++) s.Step();
        Assert.Equal(0.01, s.GetLastLr()[0], 1e-15);
        Assert.Equal(0.005, s.GetLastLr()[1], 1e-15);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        var opt = MakeOptimizer("SGD");
        Assert.Contains("step_size must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => new StepLR(opt, 0)).Message);
        Assert.Contains("T_max must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingLR(opt, 0)).Message);
        Assert.Contains("T_mult must be an integer >= 1", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingWarmRestarts(opt, 5, 0)).Message);
        Assert.Contains("factor must be in [0, 1)", Assert.Throws<ArgumentException>(() => new ReduceLROnPlateau(opt, factor: 1.5)).Message);
        Assert.Contains("expected 2 max_lr values", Assert.Throws<ArgumentException>(() => new OneCycleLR(opt, [1.0], 10)).Message);
        Assert.Contains("no momentum (or beta1)", Assert.Throws<ArgumentException>(() => new OneCycleLR(new Adagrad([Tensor.Zeros(1).RequiresGrad_()]), 1.0, 10)).Message);
        var fresh = MakeOptimizer("SGD");
        Assert.Contains("has no 'initial_lr'", Assert.Throws<ArgumentException>(() => new StepLR(fresh, 3, lastEpoch: 5)).Message);

        var one = new OneCycleLR(MakeOptimizer("SGD"), 1.0, totalSteps: 3);
        for (int i = 0; i < 3; i++) one.Step();
        Assert.Contains("tried to step 4 times; the specified number of total steps is 3", Assert.Throws<InvalidOperationException>(one.Step).Message);

        var step = new StepLR(MakeOptimizer("SGD"), 3);
        Assert.Contains("cannot load the state of a ExponentialLR",
            Assert.Throws<ArgumentException>(() => step.LoadStateDict(new ExponentialLR(MakeOptimizer("SGD"), 0.5).StateDict())).Message);
    }
}
