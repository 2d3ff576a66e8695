using Polymath.Models;

namespace Polymath.Training.Tests;

public class CheckpointTests
{
    [Fact]
    public void AnInterruptedWriteLeavesThePreviousCheckpointLoadable()
    {
        string dir = Synthetic.TempDir();
        string path = Path.Combine(dir, "ckpt.safetensors");
        Polymath.Random.Seed(21);
        var model = new Mlp(8, [6], 3);
        var opt = new Adam(model.Parameters());
        Checkpoint.Save(path, model, opt, info: new CheckpointInfo { Epoch = 1, Step = 10 });
        var saved = model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());

        using (Tensor.NoGrad())
            foreach (var p in model.Parameters())
                p.FillInPlace(42);
        Checkpoint.AfterWriteHook = _ => throw new IOException("simulated crash after the data was written, before the rename");
        try
        {
            Assert.Throws<IOException>(() => Checkpoint.Save(path, model, opt, info: new CheckpointInfo { Epoch = 2, Step = 20 }));
        }
        finally
        {
            Checkpoint.AfterWriteHook = null;
        }
        // A half-written temporary file of a killed process lies beside it too.
        File.WriteAllBytes(Path.Combine(dir, ".ckpt.safetensors.12345.deadbeef.tmp"), [1, 2, 3]);
        Assert.Single(Directory.GetFiles(dir, "*.safetensors"));

        var fresh = new Mlp(8, [6], 3);
        var info = Checkpoint.Load(path, fresh, new Adam(fresh.Parameters()));
        Assert.Equal(1, info.Epoch);
        Assert.Equal(10, info.Step);
        foreach (var (k, t) in fresh.StateDict())
            Assert.Equal(saved[k].ToArray<float>(), t.ToArray<float>());
    }

    [Fact]
    public void ACheckpointThatDoesNotFitListsMissingUnexpectedAndMisShapedKeys()
    {
        string dir = Synthetic.TempDir();
        string lenetPath = Path.Combine(dir, "lenet.safetensors");
        Checkpoint.Save(lenetPath, new LeNet5());
        var e = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(lenetPath, new Mlp()));
        Assert.Contains("0.weight", e.MissingKeys);
        Assert.Contains("4.bias", e.MissingKeys);
        Assert.Contains("conv1.weight", e.UnexpectedKeys);
        Assert.Contains("fc3.bias", e.UnexpectedKeys);
        Assert.Contains("missing keys (6)", e.Message);
        Assert.Contains("unexpected keys (10)", e.Message);

        string mlpPath = Path.Combine(dir, "mlp.safetensors");
        Checkpoint.Save(mlpPath, new Mlp(784, [64], 10));
        var target = new Mlp(784, [32], 10);
        var before = target.StateDict()["0.weight"].Clone().ToArray<float>();
        var s = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(mlpPath, target));
        Assert.Empty(s.MissingKeys);
        Assert.Empty(s.UnexpectedKeys);
        Assert.Contains(s.ShapeMismatches, m => m.StartsWith("0.weight: checkpoint [64,784] vs model [32,784]", StringComparison.Ordinal));
        Assert.Contains(s.ShapeMismatches, m => m.StartsWith("2.weight", StringComparison.Ordinal));
        Assert.Equal(before, target.StateDict()["0.weight"].ToArray<float>()); // nothing loaded

        // Asking for optimizer state that was not saved is listed too.
        var o = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(lenetPath, new LeNet5(), new Adam(new LeNet5().Parameters())));
        Assert.Contains(o.OtherProblems, p => p.Contains("no optimizer state", StringComparison.Ordinal));
    }

    [Fact]
    public void OptimizerSchedulerRandomAndLoaderStateRoundTrip()
    {
        string path = Path.Combine(Synthetic.TempDir(), "c.safetensors");
        Polymath.Random.Seed(5);
        var m = new ResNet(1, 10, width: 4);
        var opt = new AdamW(m.Parameters(), lr: 0.01);
        var sched = new CosineAnnealingLR(opt, 10);
        using (Tensor.NoGrad()) { }
        var x = Tensor.Randn([2, 1, 28, 28]);
        Losses.CrossEntropy(m.Call(x), Tensor.From(new long[] { 1, 2 }, 2)).Backward();
        opt.Step();
        sched.Step();
        var rng = Polymath.Random.Default.GetState();
        Checkpoint.Save(path, m, opt, sched, new CheckpointInfo { Epoch = 1, Step = 1, LoaderSeed = ulong.MaxValue - 3 });
        Polymath.Random.Seed(77);

        var m2 = new ResNet(1, 10, width: 4);
        var opt2 = new AdamW(m2.Parameters(), lr: 0.5);
        var sched2 = new CosineAnnealingLR(opt2, 10);
        var info = Checkpoint.Load(path, m2, opt2, sched2);
        Assert.Equal(rng, Polymath.Random.Default.GetState());
        Assert.Equal(ulong.MaxValue - 3, info.LoaderSeed);
        Assert.Equal(opt.ParamGroups[0].Lr, opt2.ParamGroups[0].Lr);
        Assert.Equal(sched.StateDict().LastEpoch, sched2.StateDict().LastEpoch);
        Synthetic.AssertSameWeightsAndBuffers(m, m2);
        var s1 = opt.StateDict();
        var s2 = opt2.StateDict();
        Assert.Equal(s1.State.Count, s2.State.Count);
        foreach (var (i, e) in s1.State)
        {
            Assert.Equal(e.Step, s2.State[i].Step);
            foreach (var (name, t) in e.Buffers)
                Assert.Equal(t.ToArray<float>(), s2.State[i].Buffers[name].ToArray<float>());
        }
    }

    [Fact]
    public void APlainSafetensorsFileIsNotMistakenForACheckpoint()
    {
        string path = Path.Combine(Synthetic.TempDir(), "plain.safetensors");
        SafeTensors.Save(path, new Mlp(4, [2], 2).StateDict());
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, new Mlp(4, [2], 2)));
        Assert.Contains("polymath.checkpoint", e.Message);
    }
}
