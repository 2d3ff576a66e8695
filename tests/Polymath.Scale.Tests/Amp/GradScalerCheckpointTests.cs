using System.Globalization;
using Polymath.NN.Optim;
using Polymath.Scale.Amp;
using Polymath.Scale.Tests.Distributed;
using Polymath.Training;
using Xunit;

namespace Polymath.Scale.Tests.Amp;

/// <summary>
/// GradScaler's state dict (scale, growth tracker, settings) and <c>polymath train --precision fp16</c> keeping it in
/// its checkpoints: a resumed run continues with the scale an uninterrupted one has.
/// </summary>
public sealed class GradScalerCheckpointTests
{
    private static void GoodStep(GradScaler scaler, Tensor w, SGD opt)
    {
        opt.ZeroGrad();
        scaler.Scale(w.Sum()).Backward();
        scaler.Step(opt);
        scaler.Update();
    }

    [Fact]
    public void StateDictRoundTripsScaleTrackerAndSettingsAndTheRestoredScalerEvolvesIdentically()
    {
        var w = Tensor.Ones([3]).RequiresGrad_();
        var opt = new SGD([w], lr: 0);
        var a = new GradScaler(initScale: 8, growthFactor: 4, backoffFactor: 0.25, growthInterval: 3);
        GoodStep(a, w, opt);
        GoodStep(a, w, opt); // tracker 2 of 3
        var b = new GradScaler(); // PyTorch defaults, overwritten by the state
        b.LoadStateJson(a.StateJson(), "test");
        Assert.Equal((8.0, 2, 4.0, 0.25, 3), (b.LossScale, b.GrowthTracker, b.GrowthFactor, b.BackoffFactor, b.GrowthInterval));
        // One more good step grows both by the restored factor 4 (the defaults would need 2000 steps and give 2).
        GoodStep(a, w, opt);
        GoodStep(b, w, opt);
        Assert.Equal(32, a.LossScale);
        Assert.Equal(32, b.LossScale);
        Assert.Equal(0, b.GrowthTracker);
        var keys = a.StateDict().Keys.ToHashSet();
        Assert.Superset(new HashSet<string> { "scale", "growth_tracker", "growth_factor", "backoff_factor", "growth_interval" }, keys);
    }

    [Fact]
    public void AnOldStateWithoutSettingsKeepsTheConstructedOnesAndBadStatesAreNamed()
    {
        var s = new GradScaler(growthInterval: 10);
        s.LoadStateDict(new Dictionary<string, double> { ["scale"] = 32, ["growth_tracker"] = 5 });
        Assert.Equal((32.0, 5, 10, 2.0), (s.LossScale, s.GrowthTracker, s.GrowthInterval, s.GrowthFactor));
        var e = Assert.Throws<ArgumentException>(() => s.LoadStateJson("{\"scale\":-1,\"growth_tracker\":0}", "ckpt.safetensors"));
        Assert.Contains("ckpt.safetensors", e.Message);
        Assert.Contains("'scale'", e.Message);
        e = Assert.Throws<ArgumentException>(() => s.LoadStateJson("{\"scale\":4,\"growth_tracker\":0,\"growth_factor\":0.5}", "x"));
        Assert.Contains("'growth_factor' must be > 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => s.LoadStateJson("{\"scale\":4,\"growth_tracker\":7,\"growth_interval\":3}", "x"));
        Assert.Contains("below 'growth_interval' 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => s.LoadStateJson("[1,2]", "x"));
        Assert.Contains("not a JSON object", e.Message);
        e = Assert.Throws<ArgumentException>(() => s.LoadStateJson("{\"scale\":", "x"));
        Assert.Contains("not valid JSON", e.Message);
        Assert.Equal(32, s.LossScale); // untouched by the failed loads
    }

    private static Dictionary<string, double> ScalerState(string checkpoint)
    {
        var info = Checkpoint.ReadInfo(checkpoint);
        Assert.True(info.Extra.TryGetValue(GradScaler.CheckpointKey, out var json), $"{checkpoint} has no {GradScaler.CheckpointKey}");
        var s = new GradScaler();
        s.LoadStateJson(json!, checkpoint);
        return s.StateDict().ToDictionary();
    }

    [MnistFact]
    public void AResumedFp16RunContinuesWithTheScaleOfAnUninterruptedOne()
    {
        using var dir = CliRun.Temp("polymath-gradscaler");
        // A start scale far above float16's range and growth every 2 good steps: the scale backs off and grows
        // many times in 16 steps, so a resume that restarted the scaler would end elsewhere.
        string[] common = ["train", "--model", "mlp", "--limit", "256", "--batch-size", "32", "--optimizer", "sgd", "--lr", "0.05",
            "--scheduler", "none", "--progress", "none", "--threads", "1", "--seed", "3", "--precision", "fp16",
            "--loss-scale", "1e9", "--loss-scale-growth-interval", "2"];
        var whole = TrainNprocTests.Polymath([.. common, "--epochs", "2", "--out", dir["whole"]]);
        Assert.True(whole.ExitCode == 0, whole.ToString());
        var first = TrainNprocTests.Polymath([.. common, "--epochs", "1", "--out", dir["first"]]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var afterOne = ScalerState(dir["first/last.safetensors"]);
        Assert.NotEqual(1e9, afterOne["scale"]);
        Assert.True(afterOne["skipped_steps"] > 0, "the first epoch should have skipped overflowing steps");
        string ckpt = Path.Combine(dir["first"], "last.safetensors");
        var resumed = TrainNprocTests.Polymath([.. common, "--epochs", "2", "--out", dir["resumed"], "--resume", ckpt]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"GradScaler restored from '{ckpt}': scale {afterOne["scale"].ToString(CultureInfo.InvariantCulture)}, growth tracker {afterOne["growth_tracker"]} of 2", resumed.Stderr);

        var a = ScalerState(dir["whole/last.safetensors"]);
        var b = ScalerState(dir["resumed/last.safetensors"]);
        Assert.Equal(a, b); // scale, tracker, settings and the skipped-step count
        string Final(MpiRun.Result r) => r.Stdout.Split('\n').Single(l => l.StartsWith("precision: fp16", StringComparison.Ordinal));
        Assert.Equal(Final(whole), Final(resumed));
        Assert.Equal(0, CliRun.MaxModelDifference(dir["whole/last.safetensors"], dir["resumed/last.safetensors"]));
    }

    [MnistFact]
    public void ResumingACheckpointWithoutScalerStateInFp16SaysItStartsAgainAtTheInitialScale()
    {
        using var dir = CliRun.Temp("polymath-gradscaler-none");
        string[] common = ["train", "--model", "mlp", "--limit", "128", "--batch-size", "32", "--scheduler", "none", "--progress", "none", "--threads", "1"];
        var fp32 = TrainNprocTests.Polymath([.. common, "--epochs", "1", "--out", dir["fp32"]]);
        Assert.True(fp32.ExitCode == 0, fp32.ToString());
        Assert.False(Checkpoint.ReadInfo(dir["fp32/last.safetensors"]).Extra.ContainsKey(GradScaler.CheckpointKey));
        string ckpt = Path.Combine(dir["fp32"], "last.safetensors");
        var r = TrainNprocTests.Polymath([.. common, "--epochs", "2", "--precision", "fp16", "--loss-scale", "4096", "--out", dir["fp16"], "--resume", ckpt]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"'{ckpt}' holds no GradScaler state", r.Stderr);
        Assert.Contains("the fp16 loss scale starts again at 4096", r.Stderr);
        // The run then saves its own scaler, started at 4096 with the default interval (4 small-gradient steps neither
        // overflow nor reach 2000 good steps, so the scale is still the initial one).
        var state = ScalerState(dir["fp16/last.safetensors"]);
        Assert.Equal((4096.0, 2000.0, 4.0), (state["scale"], state["growth_interval"], state["growth_tracker"]));
        // A scaler option without fp16 is a usage error.
        var bad = TrainNprocTests.Polymath([.. common, "--loss-scale", "8"]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("need --precision fp16", bad.Stderr);
    }
}
