namespace Polymath.Training.Tests;

public class MetricsTests
{
    private const double Exact = 1e-12; // the values are ratios of small integers

    // 6 samples, 3 classes. Predictions (arg-max): 0, 1, 1, 2, 2, 0; targets: 0, 1, 2, 2, 0, 0.
    private static readonly float[] Scores =
    [
        0.7f, 0.2f, 0.1f,
        0.1f, 0.8f, 0.1f,
        0.2f, 0.5f, 0.3f,
        0.1f, 0.2f, 0.7f,
        0.3f, 0.1f, 0.6f,
        0.5f, 0.4f, 0.1f,
    ];

    private static readonly long[] Targets = [0, 1, 2, 2, 0, 0];

    [Fact]
    public void AccuracyAndTopKMatchHandCounts()
    {
        var s = Tensor.From(Scores, 6, 3);
        var t = Tensor.From(Targets, 6);
        Assert.Equal(4.0 / 6, Metrics.Accuracy(s, t), Exact);
        // Top-2: sample 2 (target 2 is second), sample 4 (target 0 is second) are now right: 6/6.
        Assert.Equal(6.0 / 6, Metrics.TopKAccuracy(s, t, 2), Exact);
        Assert.Equal(1.0, Metrics.TopKAccuracy(s, t, 3), Exact);
        Assert.Equal([0L, 1, 1, 2, 2, 0], Metrics.Predictions(s));
        Assert.Throws<ArgumentException>(() => Metrics.TopKAccuracy(s, t, 4));
    }

    [Fact]
    public void ConfusionMatrixAndPrecisionRecallF1MatchHandComputedValues()
    {
        var cm = Metrics.ConfusionMatrix([0, 1, 1, 2, 2, 0], Targets, 3);
        long[,] expected = { { 2, 0, 1 }, { 0, 1, 0 }, { 0, 1, 1 } };
        Assert.Equal(expected, cm);
        var prf = Metrics.PrecisionRecallF1(cm);
        // class 0: TP 2, FP 0, FN 1 -> P 1, R 2/3, F1 0.8
        // class 1: TP 1, FP 1, FN 0 -> P 1/2, R 1, F1 2/3
        // class 2: TP 1, FP 1, FN 1 -> P 1/2, R 1/2, F1 1/2
        Assert.Equal([1, 0.5, 0.5], prf.Precision);
        Assert.Equal(2.0 / 3, prf.Recall[0], Exact);
        Assert.Equal(0.8, prf.F1[0], Exact);
        Assert.Equal(2.0 / 3, prf.F1[1], Exact);
        Assert.Equal(2.0 / 3, prf.MacroPrecision, Exact);
        Assert.Equal((2.0 / 3 + 1 + 0.5) / 3, prf.MacroRecall, Exact);
        Assert.Equal((0.8 + 2.0 / 3 + 0.5) / 3, prf.MacroF1, Exact);
        Assert.Equal(4.0 / 6, prf.MicroPrecision, Exact);
        Assert.Equal(4.0 / 6, prf.MicroRecall, Exact);
        Assert.Equal(4.0 / 6, prf.MicroF1, Exact);
    }

    [Fact]
    public void AccumulatorOverBatchesEqualsTheWholeSetAtOnce()
    {
        var acc = new MetricAccumulator(TaskKind.Classification, topK: 2);
        acc.Update(Tensor.From(Scores[..9], 3, 3), Tensor.From(Targets[..3], 3));
        acc.Update(Tensor.From(Scores[9..], 3, 3), Tensor.From(Targets[3..], 3));
        acc.AddLoss(1.0);
        acc.AddLoss(2.0);
        var m = acc.Compute("val_");
        Assert.Equal(1.5, m["val_loss"], Exact);
        Assert.Equal(4.0 / 6, m["val_accuracy"], Exact);
        Assert.Equal(1.0, m["val_top2_accuracy"], Exact);
        Assert.Equal((0.8 + 2.0 / 3 + 0.5) / 3, m["val_f1_macro"], Exact);
    }

    [Fact]
    public void RegressionErrorsAndPerplexity()
    {
        var p = Tensor.From(new float[] { 1, 2, 3, 4 }, 2, 2);
        var y = Tensor.From(new float[] { 1, 0, 4, 4 }, 2, 2);
        Assert.Equal((0 + 4 + 1 + 0) / 4.0, Metrics.MeanSquaredError(p, y), Exact);
        Assert.Equal((0 + 2 + 1 + 0) / 4.0, Metrics.MeanAbsoluteError(p, y), Exact);
        Assert.Equal(Math.E * Math.E, Metrics.Perplexity(2.0), Exact);
        Assert.Equal(10.0, Metrics.Perplexity(Math.Log(10)), 1e-12);
        var acc = new MetricAccumulator(TaskKind.Regression);
        acc.Update(p, y);
        Assert.Equal(1.25, acc.Compute()["mse"], Exact);
        var lm = new MetricAccumulator(TaskKind.LanguageModel);
        lm.AddLoss(Math.Log(5));
        lm.Update(Tensor.From(Scores, 1, 6, 3), Tensor.From(Targets, 1, 6));
        var m = lm.Compute();
        Assert.Equal(5.0, m["perplexity"], 1e-12);
        Assert.Equal(4.0 / 6, m["accuracy"], Exact);
    }
}
