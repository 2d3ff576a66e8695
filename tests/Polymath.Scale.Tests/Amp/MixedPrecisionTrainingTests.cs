using Polymath.Amp;
using Polymath.Models;
using Polymath.NN.Optim;
using Polymath.Scale.Amp;
using Polymath.Training;
using Xunit;

namespace Polymath.Scale.Tests.Amp;

/// <summary>
/// Short seeded training runs: bf16 autocast (and fp16 with the GradScaler through the Trainer's hooks) reach the
/// float32 run's final loss within 2% and its accuracy within a few samples.
/// </summary>
public class MixedPrecisionTrainingTests
{
    private static double TrainManually(DType? precision, out double accuracy)
    {
        var (x, y) = AmpFixtures.Blobs(512, 11);
        var model = new Mlp(8, [32], 3, new Generator(12));
        var opt = new Adam(model.Parameters(), lr: 1e-2);
        for (int step = 0; step < 60; step++)
        {
            var rows = Tensor.RandInt(0, 512, [64], new Generator(100 + (ulong)step));
            opt.ZeroGrad();
            Tensor loss;
            using (precision is { } p ? Autocast.Enable(p) : Autocast.Current)
                loss = Losses.CrossEntropy(model.Call(x.IndexSelect(0, rows)), y.IndexSelect(0, rows));
            loss.Backward();
            opt.Step();
        }
        using (Tensor.NoGrad())
        {
            var logits = model.Call(x);
            accuracy = logits.ArgMax(1).Eq(y).To(DType.Float32).Mean().Item();
            return Losses.CrossEntropy(logits, y).Item();
        }
    }

    [Fact]
    public void Bf16TrainingReachesTheFloat32Loss()
    {
        double l32 = TrainManually(null, out double a32);
        double l16 = TrainManually(DType.BFloat16, out double a16);
        Assert.True(l32 < 0.6, $"the float32 run should learn the blobs (loss {l32})");
        Assert.True(Math.Abs(l16 - l32) <= 0.02 * l32, $"bf16 loss {l16} vs float32 {l32}");
        Assert.True(Math.Abs(a16 - a32) <= 0.01, $"bf16 accuracy {a16} vs float32 {a32}");
    }

    [Fact]
    public void TrainerWithFloat16AutocastAndGradScalerMatchesFloat32()
    {
        var (x, y) = AmpFixtures.Blobs(384, 21);
        FitResult Run(DType? precision, GradScaler? scaler)
        {
            var model = new Mlp(8, [32], 3, new Generator(22));
            var opt = new Adam(model.Parameters(), lr: 1e-2);
            var options = new TrainerOptions { Progress = ProgressMode.None, AutocastDType = precision, LossScaler = scaler };
            return new Trainer(options).Fit(model, (o, t) => Losses.CrossEntropy(o, t), opt, AmpFixtures.Loader(x, y, 32, 23), [(x, y)], 3);
        }
        var r32 = Run(null, null);
        var scaler = new GradScaler();
        var r16 = Run(DType.Float16, scaler);
        Assert.Equal(StopReason.Completed, r16.Reason);
        double v32 = r32.History[^1].Metrics["val_loss"], v16 = r16.History[^1].Metrics["val_loss"];
        Assert.True(Math.Abs(v16 - v32) <= 0.02 * v32, $"fp16 val loss {v16} vs float32 {v32}");
        Assert.True(Math.Abs(r16.History[^1].Metrics["val_accuracy"] - r32.History[^1].Metrics["val_accuracy"]) <= 0.01);
        Assert.Equal(65536, scaler.LossScale); // 36 good steps: no overflow, no growth yet (interval 2000)
        Assert.Equal(0, scaler.SkippedSteps);
    }
}
