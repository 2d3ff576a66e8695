using Polymath.NN;
using Polymath.NN.Optim;

namespace Polymath.Bench;

/// <summary>
/// What the pretraining-step rows (<see cref="GptBench"/>, <see cref="BertBench"/>) share: the case against a PyTorch
/// workload script, timed per token, and the step itself: zero_grad + loss + backward + clip_grad_norm(1) + AdamW
/// with weight decay on matrices only, as <c>polymath pretrain</c> does.
/// </summary>
internal static class PretrainStepBench
{
    /// <summary>A training row named <paramref name="name"/> against bench/peers/<paramref name="workload"/>.py; one sample is one token.</summary>
    public static BenchCase Case(string name, string workload, int tokensPerStep, bool quick, double warmS, Func<MeasureSettings, Measurement> step)
    {
        var settings = quick ? new MeasureSettings(1, 0.05, 2, 5, 1, warmS) : new MeasureSettings(3, 2.0, 10, 60, 1, warmS);
        return new BenchCase
        {
            Name = name,
            Group = "training",
            Ours = () => step(settings),
            Peer = PeerKind.TorchWorkload,
            Workload = workload,
            WorkloadScript = workload + ".py",
            WorkloadSteps = quick ? 3 : 20,
            WorkloadWarmup = quick ? 1 : 3,
            Batch = tokensPerStep, // per token: samples_per_s reads as tokens per second
            PeakRss = true,
        };
    }

    /// <summary>Times one optimizer step of <paramref name="model"/> on the fixed batch whose loss <paramref name="loss"/> computes.</summary>
    public static Measurement Measure(Module model, double lr, Func<Tensor> loss, MeasureSettings s)
    {
        var opt = new AdamW(model.Parameters().Where(p => p.Rank >= 2), lr, 0.9, 0.99, 1e-8, 0.1);
        opt.AddParamGroup(model.Parameters().Where(p => p.Rank < 2), new Dictionary<string, double> { ["weight_decay"] = 0 });
        return Harness.Measure(() =>
        {
            opt.ZeroGrad();
            loss().Backward();
            GradClip.ClipGradNorm(model.Parameters(), 1.0);
            opt.Step();
        }, s);
    }
}
