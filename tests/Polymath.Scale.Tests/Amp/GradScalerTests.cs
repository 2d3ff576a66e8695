using Polymath.Amp;
using Polymath.NN.Optim;
using Polymath.Scale.Amp;
using Xunit;

namespace Polymath.Scale.Tests.Amp;

/// <summary>GradScaler: scaling and exact unscaling, skipped steps on Inf/NaN, backoff and growth of the scale.</summary>
public class GradScalerTests
{
    private static (Tensor W, SGD Opt, Tensor X) Setup()
    {
        var w = Tensor.Randn([4, 3], generator: new Generator(1)).RequiresGrad_();
        var x = Tensor.Randn([5, 4], generator: new Generator(2));
        return (w, new SGD([w], lr: 0.1), x);
    }

    [Fact]
    public void ScaledBackwardThenStepUsesTheTrueGradient()
    {
        var (w, opt, x) = Setup();
        var reference = w.Detach().Clone().RequiresGrad_();
        x.MatMul(reference).Square().Sum().Backward();
        var trueGrad = reference.Grad!.ToArray();

        var scaler = new GradScaler(initScale: 1024);
        var before = w.Detach().Clone().ToArray();
        scaler.Scale(x.MatMul(w).Square().Sum()).Backward();
        var scaledGrad = w.Grad!.ToArray();
        for (int i = 0; i < trueGrad.Length; i++)
            Assert.Equal(trueGrad[i] * 1024f, scaledGrad[i], 1e-3f * Math.Abs(trueGrad[i] * 1024f) + 1e-6f);
        Assert.True(scaler.Step(opt));
        var after = w.Detach().ToArray();
        for (int i = 0; i < trueGrad.Length; i++)
            Assert.Equal(before[i] - 0.1f * trueGrad[i], after[i], 1e-5f);
        scaler.Update();
        Assert.Equal(1024, scaler.LossScale);
        Assert.Equal(1, scaler.GrowthTracker);
    }

    [Theory]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NaN)]
    public void NonFiniteGradientSkipsTheStepAndBacksOff(float bad)
    {
        var (w, opt, x) = Setup();
        var scaler = new GradScaler(initScale: 256, growthInterval: 3);
        var before = w.Detach().Clone().ToArray();
        scaler.Scale(x.MatMul(w).Sum()).Backward();
        using (Tensor.NoGrad())
            w.Grad![1, 2].FillInPlace(bad);
        Assert.False(scaler.Step(opt));
        Assert.Equal(before, w.Detach().ToArray()); // untouched
        scaler.Update();
        Assert.Equal(128, scaler.LossScale);
        Assert.Equal(0, scaler.GrowthTracker);
        Assert.Equal(1, scaler.SkippedSteps);
    }

    [Fact]
    public void ScaleGrowsAfterGrowthIntervalGoodStepsAndTrackerResetsOnBackoff()
    {
        var (w, opt, x) = Setup();
        var scaler = new GradScaler(initScale: 8, growthFactor: 2, backoffFactor: 0.5, growthInterval: 3);
        var scales = new List<double>();
        for (int step = 0; step < 7; step++)
        {
            opt.ZeroGrad();
            scaler.Scale(x.MatMul(w).Sum().Mul(1e-3)).Backward();
            if (step == 4)
                using (Tensor.NoGrad())
                    w.Grad![0, 0].FillInPlace(float.NegativeInfinity);
            scaler.Step(opt);
            scaler.Update();
            scales.Add(scaler.LossScale);
        }
        // Good, good, good (grow 8→16), good, bad (16→8), good, good.
        Assert.Equal(new double[] { 8, 8, 16, 16, 8, 8, 8 }, scales);
        Assert.Equal(2, scaler.GrowthTracker);
    }

    [Fact]
    public void Float16GradientsThatUnderflowSurviveWithTheScaler()
    {
        // A loss scaled by 1e-9: the gradient reaching the float16 matmul (1e-9 per element) is below half of
        // float16's smallest subnormal (6e-8) and flushes to zero; scaled by 2^16 it is 6.6e-5, a normal float16,
        // and unscaling the float32 master gradient recovers it.
        var x = Tensor.Ones([2, 4]);
        Tensor Grad(GradScaler? scaler)
        {
            var w = Tensor.Ones([4, 3]).RequiresGrad_();
            Tensor loss;
            using (Autocast.Enable(DType.Float16))
                loss = x.MatMul(w).Sum().Mul(1e-9);
            (scaler?.Scale(loss) ?? loss).Backward();
            if (scaler is not null)
                scaler.Unscale(new SGD([w], lr: 0));
            return w.Grad!;
        }
        Assert.Equal(0, Grad(null).Abs().Sum().Item());
        var g = Grad(new GradScaler()).ToArray();
        foreach (var v in g)
            Assert.Equal(2e-9, v, 1e-11); // d/dw of Σ(x w)·1e-9 = (rows of x) · 1e-9
    }

    [Fact]
    public void MisuseAndBadSettingsGiveClearErrors()
    {
        var (w, opt, x) = Setup();
        var scaler = new GradScaler();
        scaler.Scale(x.MatMul(w).Sum()).Backward();
        scaler.Unscale(opt);
        var e = Assert.Throws<InvalidOperationException>(() => scaler.Unscale(opt));
        Assert.Contains("already called", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradScaler(initScale: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradScaler(backoffFactor: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradScaler(growthFactor: 1));
        var disabled = new GradScaler(enabled: false);
        var loss = x.MatMul(w).Sum();
        Assert.Same(loss, disabled.Scale(loss));
        var restored = new GradScaler();
        restored.LoadStateDict(new Dictionary<string, double> { ["scale"] = 32, ["growth_tracker"] = 5 });
        Assert.Equal(32, restored.LossScale);
        Assert.Equal(5, restored.GrowthTracker);
    }
}
