using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Polymath.Training.Tests;

public class TrainerTests
{
    private static (Sequential Model, Adam Opt, StepLR Sched, DataLoader<(Tensor, Tensor), (Tensor, Tensor)> Loader) Fresh(ulong seed)
    {
        Polymath.Random.Seed(seed);
        var model = Synthetic.Model();
        var opt = new Adam(model.Parameters(), lr: 1e-2);
        var sched = new StepLR(opt, stepSize: 1, gamma: 0.5);
        return (model, opt, sched, Synthetic.Loader(Synthetic.Clusters(200, 11)));
    }

    [Fact]
    public void TwoEpochsStraightEqualOneEpochSaveLoadIntoFreshObjectsAndOneMore()
    {
        var val = Synthetic.Loader(Synthetic.Clusters(40, 12), shuffle: false);
        var (a, optA, schedA, loaderA) = Fresh(1);
        var straight = new Trainer(Synthetic.Quiet()).Fit(a, Synthetic.CrossEntropy, optA, loaderA, val, 2, schedA);
        Assert.Equal(StopReason.Completed, straight.Reason);

        string dir = Synthetic.TempDir();
        var (b, optB, schedB, loaderB) = Fresh(1);
        var first = new Trainer(Synthetic.Quiet(dir)).Fit(b, Synthetic.CrossEntropy, optB, loaderB, val, 1, schedB);
        Assert.Equal(1, first.EpochsCompleted);

        // Fresh objects built from another seed (so different weights and RNG state) load the checkpoint.
        var (c, optC, schedC, loaderC) = Fresh(999);
        var options = Synthetic.Quiet(dir);
        options.ResumeFrom = Path.Combine(dir, "last.safetensors");
        var resumed = new Trainer(options).Fit(c, Synthetic.CrossEntropy, optC, loaderC, val, 2, schedC);
        Assert.Equal(StopReason.Completed, resumed.Reason);
        Assert.Equal(straight.Steps, resumed.Steps);
        Synthetic.AssertSameWeights(a, c);
        Assert.Equal(optA.ParamGroups[0].Lr, optC.ParamGroups[0].Lr);
        Assert.Equal(straight.History[^1].Metrics["val_loss"], resumed.History[^1].Metrics["val_loss"]);
        Assert.Equal(2, resumed.History.Count);
    }

    private sealed class CancelAt(CancellationTokenSource cts, long step) : ITrainerCallback
    {
        public void OnStepEnd(TrainerContext context, double loss)
        {
            if (context.Step == step)
                cts.Cancel();
        }
    }

    [Fact]
    public void CancellingMidEpochSavesAndResumingContinuesBitForBit()
    {
        var (a, optA, schedA, loaderA) = Fresh(3);
        new Trainer(Synthetic.Quiet()).Fit(a, Synthetic.CrossEntropy, optA, loaderA, null, 2, schedA);

        string dir = Synthetic.TempDir();
        var (b, optB, schedB, loaderB) = Fresh(3);
        using var cts = new CancellationTokenSource();
        var options = Synthetic.Quiet(dir);
        options.CancellationToken = cts.Token;
        options.Callbacks.Add(new CancelAt(cts, 5));
        var stopped = new Trainer(options).Fit(b, Synthetic.CrossEntropy, optB, loaderB, null, 2, schedB);
        Assert.Equal(StopReason.Cancelled, stopped.Reason);
        Assert.Equal(5, stopped.Steps);
        Assert.Contains("saved", stopped.Message);

        var (c, optC, schedC, loaderC) = Fresh(4);
        var resume = Synthetic.Quiet(dir);
        resume.ResumeFrom = Path.Combine(dir, "last.safetensors");
        var r = new Trainer(resume).Fit(c, Synthetic.CrossEntropy, optC, loaderC, null, 2, schedC);
        Assert.Equal(StopReason.Completed, r.Reason);
        Synthetic.AssertSameWeights(a, c);
    }

    [Fact]
    public void GradientAccumulationOfTwoHalfBatchesEqualsOneFullBatchForSgd()
    {
        // Without dropout, two accumulated half batches give the same mean gradient as one batch (to rounding).
        Tensor Run(int batch, int accum)
        {
            Polymath.Random.Seed(5);
            var m = new Sequential(new Linear(Synthetic.Features, 8), new ReLU(), new Linear(8, Synthetic.Classes));
            var opt = new SGD(m.Parameters(), lr: 0.1);
            var o = Synthetic.Quiet();
            o.AccumulationSteps = accum;
            var data = Synthetic.Clusters(64, 2);
            var r = new Trainer(o).Fit(m, Synthetic.CrossEntropy, opt, Synthetic.Loader(data, batch, shuffle: false), null, 1);
            Assert.Equal(64 / (batch * accum), r.Steps);
            return m.StateDict()["0.weight"];
        }
        var full = Run(16, 1).ToArray<float>();
        var accumulated = Run(8, 2).ToArray<float>();
        const float tolerance = 1e-5f; // float32 sums in another order
        for (int i = 0; i < full.Length; i++)
            Assert.True(Math.Abs(full[i] - accumulated[i]) < tolerance, $"weight {i}: {full[i]} vs {accumulated[i]}");
    }

    [Fact]
    public void NaNLossStopsNamingTheStepAndKeepsTheLastGoodCheckpoint()
    {
        string dir = Synthetic.TempDir();
        var (m, opt, _, loader) = Fresh(6);
        int calls = 0;
        int batchesPerEpoch = loader.Count;
        int failAt = batchesPerEpoch + 3; // third step of epoch 2
        Tensor Loss(Tensor o, Tensor t)
        {
            var l = Synthetic.CrossEntropy(o, t);
            return ++calls == failAt ? l * double.NaN : l;
        }
        var r = new Trainer(Synthetic.Quiet(dir)).Fit(m, Loss, opt, loader, null, 3);
        Assert.Equal(StopReason.NonFiniteLoss, r.Reason);
        Assert.Equal(failAt, r.FailedStep);
        Assert.Contains($"step {failAt}", r.Message);
        Assert.Contains("last good checkpoint", r.Message);
        Assert.Equal(1, r.EpochsCompleted);
        var info = Checkpoint.ReadInfo(Path.Combine(dir, "last.safetensors"));
        Assert.Equal(1, info.Epoch);
        foreach (var p in m.Parameters())
            Assert.True(p.ToArray<float>().All(float.IsFinite), "the NaN batch must not have been applied");
    }

    [Fact]
    public void EarlyStoppingStopsWhenTheMonitoredLossStallsForPatienceEpochs()
    {
        var (m, _, _, loader) = Fresh(7);
        var opt = new SGD(m.Parameters(), lr: 0); // nothing changes, so val_loss never improves after epoch 1
        var val = Synthetic.Loader(Synthetic.Clusters(40, 12), shuffle: false);
        var o = Synthetic.Quiet();
        var early = new EarlyStopping("val_loss", patience: 2);
        o.Callbacks.Add(early);
        var r = new Trainer(o).Fit(m, Synthetic.CrossEntropy, opt, loader, val, 10);
        Assert.Equal(StopReason.EarlyStopped, r.Reason);
        Assert.Equal(4, r.EpochsCompleted); // best at 1, then 3 epochs without improvement > patience 2
        Assert.Equal(4, early.StoppedEpoch);
        Assert.Contains("val_loss", r.Message);
    }

    [Fact]
    public void EarlyStoppingCountsEpochsWithoutImprovement()
    {
        var es = new EarlyStopping("val_accuracy", patience: 1, minDelta: 0.01);
        Assert.Equal(MonitorMode.Max, es.Mode);
        var ctx = new TrainerContext(new Trainer(), new Linear(1, 1), new SGD(new Linear(1, 1).Parameters(), 0.1), null);
        double[] accs = [0.5, 0.6, 0.605, 0.7, 0.69, 0.695];
        int? stoppedAt = null;
        for (int e = 0; e < accs.Length && stoppedAt is null; e++)
        {
            es.OnEpochEnd(ctx, new EpochRecord { Epoch = e + 1, Metrics = new() { ["val_accuracy"] = accs[e] } });
            if (ctx.StopRequested) stoppedAt = e + 1;
        }
        Assert.Equal(6, stoppedAt); // 0.69 and 0.695 do not beat 0.7 + 0.01
        Assert.Equal(0.7, es.Best);
    }

    [Fact]
    public void RunLogIsJsonLinesAndTheReportIsWellFormedSelfContainedHtml()
    {
        string dir = Synthetic.TempDir();
        var (m, opt, sched, loader) = Fresh(8);
        var val = Synthetic.Loader(Synthetic.Clusters(40, 12), shuffle: false);
        var o = Synthetic.Quiet(dir);
        var lrMonitor = new LrMonitor();
        o.Callbacks.Add(lrMonitor);
        o.Callbacks.Add(new BestCheckpoint(Path.Combine(dir, "best.safetensors"), "val_accuracy"));
        o.Metadata["dataset"] = "clusters <synthetic> & co";
        var r = new Trainer(o).Fit(m, Synthetic.CrossEntropy, opt, loader, val, 3, sched);
        Assert.Equal(StopReason.Completed, r.Reason);
        Assert.Equal(r.Steps, lrMonitor.History.Count);
        Assert.Equal(1e-2 * 0.25, lrMonitor.History[^1].Lrs[0], 12); // StepLR(1, 0.5): epoch 3 runs at lr·γ²

        var lines = File.ReadAllLines(Path.Combine(dir, "run.jsonl"));
        var events = lines.Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal("start", (string?)events[0]["event"]);
        Assert.Equal("end", (string?)events[^1]["event"]);
        Assert.Equal(3, events.Count(e => (string?)e["event"] == "epoch"));
        Assert.Contains(events, e => (string?)e["event"] == "step" && e["lr"] is not null && e["loss"] is not null);
        Assert.Contains(events, e => (string?)e["event"] == "checkpoint" && (string?)e["kind"] == "best");
        var lastEpoch = events.Last(e => (string?)e["event"] == "epoch");
        Assert.True((double)lastEpoch["val_accuracy"]! > 0.5, "the clusters are separable");

        string html = File.ReadAllText(Path.Combine(dir, "report.html"));
        Assert.StartsWith("<!DOCTYPE html>", html);
        var doc = XDocument.Parse(html["<!DOCTYPE html>".Length..]); // XHTML syntax: parses as XML
        XNamespace svg = "http://www.w3.org/2000/svg";
        Assert.True(doc.Descendants(svg + "svg").Count() >= 3);
        Assert.True(doc.Descendants(svg + "polyline").Any());
        Assert.DoesNotContain("src=", html);
        Assert.DoesNotContain("<script", html);
        Assert.Contains("clusters &lt;synthetic&gt; &amp; co", html);
        Assert.Contains("Confusion matrix", html);
        Assert.True(File.Exists(Path.Combine(dir, "best.safetensors")));
    }

    [Fact]
    public void EvaluateAndPredictRunInEvalModeWithoutGradients()
    {
        var (m, _, _, _) = Fresh(9);
        var data = Synthetic.Loader(Synthetic.Clusters(32, 12), batch: 8, shuffle: false);
        var ev = new Trainer().Evaluate(m, Synthetic.CrossEntropy, data);
        Assert.Equal(32, ev.Samples);
        Assert.True(ev.Metrics.ContainsKey("f1_macro"));
        Assert.NotNull(ev.Confusion);
        Assert.True(m.Training, "Evaluate restores training mode");
        var outputs = Trainer.Predict(m, data.Select(b => b.Item1));
        Assert.Equal([32, Synthetic.Classes], outputs.Shape);
        Assert.False(outputs.RequiresGrad);
        // Eval mode: dropout off, so predicting twice gives the same numbers.
        var again = Trainer.Predict(m, data.Select(b => b.Item1));
        Assert.Equal(outputs.ToArray<float>(), again.ToArray<float>());
    }
}
