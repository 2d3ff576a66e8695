using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>
/// Gradient boosting for regression (Friedman 2001) on the squared error: starts from the mean, then each stage
/// fits a depth-limited regression tree to the residuals and adds LearningRate × its prediction.
/// </summary>
public sealed class GradientBoostingRegressor : Regressor, IFeatureWeights
{
    /// <summary>Boosting stages (default 100).</summary>
    public int NEstimators { get; set; } = 100;

    /// <summary>Shrinkage per stage (default 0.1).</summary>
    public double LearningRate { get; set; } = 0.1;

    /// <summary>Depth of each tree (default 3).</summary>
    public int MaxDepth { get; set; } = 3;

    /// <summary>Minimum samples to split (default 2).</summary>
    public int MinSamplesSplit { get; set; } = 2;

    /// <summary>Minimum samples per leaf (default 1).</summary>
    public int MinSamplesLeaf { get; set; } = 1;

    /// <summary>Fraction of rows drawn (without replacement) per stage; 1 (default) uses all and is deterministic.</summary>
    public double Subsample { get; set; } = 1.0;

    /// <summary>Seed for subsampling.</summary>
    public int RandomState { get; set; }

    /// <summary>The initial prediction (mean of y).</summary>
    [JsonInclude] public double Init { get; private set; }

    /// <summary>One tree per stage; leaf values are already the stage's additive update (not scaled by the rate).</summary>
    [JsonInclude] public TreeModel[] Trees { get; private set; } = [];

    /// <summary>Mean of the trees' normalised importances.</summary>
    [JsonInclude] public double[] FeatureImportances { get; private set; } = [];

    /// <inheritdoc />
    protected override void FitCore(double[,] x, double[] y)
    {
        int n = y.Length, d = x.GetLength(1);
        Init = y.Average();
        var f = Enumerable.Repeat(Init, n).ToArray();
        var settings = new TreeSettings(Criterion.SquaredError, MaxDepth, MinSamplesSplit, MinSamplesLeaf, d, 0, 0);
        var rng = new Random(RandomState);
        var columns = TreeBuilder.Columns(x);
        var trees = new TreeModel[NEstimators];
        var residual = new double[n];
        for (int m = 0; m < NEstimators; m++)
        {
            for (int i = 0; i < n; i++)
                residual[i] = y[i] - f[i];
            var rows = Boosting.Rows(n, Subsample, rng);
            var tree = TreeBuilder.Regression(x, residual, rows, settings, null, null, columns);
            for (int i = 0; i < n; i++)
                f[i] += LearningRate * tree.Value[tree.Apply(MathUtil.Row(x, i))][0];
            trees[m] = tree;
        }
        Trees = trees;
        FeatureImportances = Forest.Importances(trees, d);
    }

    /// <inheritdoc />
    protected override double[] PredictCore(double[,] x)
    {
        int n = x.GetLength(0);
        var r = new double[n];
        for (int i = 0; i < n; i++)
        {
            var row = MathUtil.Row(x, i);
            double s = Init;
            foreach (var t in Trees)
                s += LearningRate * t.Value[t.Apply(row)][0];
            r[i] = s;
        }
        return r;
    }

    /// <inheritdoc />
    public double[] FeatureWeights() => FeatureImportances;
}

/// <summary>
/// Gradient boosting classifier on the log-loss. Two classes: one tree per stage on the log-odds; more classes:
/// K trees per stage on softmax logits. Each tree is fitted to the negative gradient (y − p) by squared error and
/// its leaves are then set by one Newton step: Σr / Σp(1−p), times (K−1)/K for K &gt; 2 classes (Friedman 2001).
/// </summary>
public sealed class GradientBoostingClassifier : Classifier, IFeatureWeights
{
    /// <summary>Boosting stages (default 100).</summary>
    public int NEstimators { get; set; } = 100;

    /// <summary>Shrinkage per stage (default 0.1).</summary>
    public double LearningRate { get; set; } = 0.1;

    /// <summary>Depth of each tree (default 3).</summary>
    public int MaxDepth { get; set; } = 3;

    /// <summary>Minimum samples to split (default 2).</summary>
    public int MinSamplesSplit { get; set; } = 2;

    /// <summary>Minimum samples per leaf (default 1).</summary>
    public int MinSamplesLeaf { get; set; } = 1;

    /// <summary>Fraction of rows per stage (default 1: deterministic).</summary>
    public double Subsample { get; set; } = 1.0;

    /// <summary>Seed for subsampling.</summary>
    public int RandomState { get; set; }

    /// <summary>Initial raw scores: log-odds (one value) or log priors (K values).</summary>
    [JsonInclude] public double[] Init { get; private set; } = [];

    /// <summary>Trees [stage][output]; leaves hold the Newton-step values.</summary>
    [JsonInclude] public TreeModel[][] Trees { get; private set; } = [];

    /// <summary>Mean of the trees' normalised importances.</summary>
    [JsonInclude] public double[] FeatureImportances { get; private set; } = [];

    /// <inheritdoc />
    protected override void FitCore(double[,] x, int[] y)
    {
        int n = y.Length, d = x.GetLength(1), k = Classes.Length;
        int outputs = k == 2 ? 1 : k;
        const double Eps = 1.1920928955078125e-07; // float32 epsilon: prior clipping as sklearn
        var prior = new double[k];
        foreach (int c in y)
            prior[c] += 1.0 / n;
        Init = k == 2
            ? [Math.Log(Math.Clamp(prior[1], Eps, 1 - Eps) / (1 - Math.Clamp(prior[1], Eps, 1 - Eps)))]
            : prior.Select(p => Math.Log(Math.Clamp(p, Eps, 1 - Eps))).ToArray();
        var raw = new double[n, outputs];
        for (int i = 0; i < n; i++)
            for (int o = 0; o < outputs; o++)
                raw[i, o] = Init[o];
        var settings = new TreeSettings(Criterion.SquaredError, MaxDepth, MinSamplesSplit, MinSamplesLeaf, d, 0, 0);
        var rng = new Random(RandomState);
        var columns = TreeBuilder.Columns(x);
        var stages = new TreeModel[NEstimators][];
        var prob = new double[n, outputs];
        var residual = new double[outputs][];
        for (int o = 0; o < outputs; o++)
            residual[o] = new double[n];
        for (int m = 0; m < NEstimators; m++)
        {
            Probabilities(raw, prob);
            for (int i = 0; i < n; i++)
                for (int o = 0; o < outputs; o++)
                    residual[o][i] = (k == 2 ? (y[i] == 1 ? 1 : 0) : (y[i] == o ? 1 : 0)) - prob[i, o];
            var rows = Boosting.Rows(n, Subsample, rng);
            var stage = new TreeModel[outputs];
            Parallel.For(0, outputs, new ParallelOptions { MaxDegreeOfParallelism = outputs == 1 ? 1 : MathUtil.Threads(-1) }, o =>
            {
                var r = residual[o];
                var tree = TreeBuilder.Regression(x, r, rows, settings, null, null, columns);
                // Newton step per leaf over the rows used for the fit.
                var num = new double[tree.NodeCount];
                var den = new double[tree.NodeCount];
                var leafOf = new int[n];
                for (int i = 0; i < n; i++)
                    leafOf[i] = tree.Apply(MathUtil.Row(x, i));
                foreach (int i in rows)
                {
                    num[leafOf[i]] += r[i];
                    double p = prob[i, o];
                    den[leafOf[i]] += p * (1 - p);
                }
                double scale = k == 2 ? 1 : (k - 1.0) / k;
                for (int t = 0; t < tree.NodeCount; t++)
                    if (tree.Left[t] < 0)
                        tree.Value[t] = [Math.Abs(den[t]) < 1e-150 ? 0 : scale * num[t] / den[t]];
                for (int i = 0; i < n; i++)
                    raw[i, o] += LearningRate * tree.Value[leafOf[i]][0];
                stage[o] = tree;
            });
            stages[m] = stage;
        }
        Trees = stages;
        FeatureImportances = Forest.Importances(stages.SelectMany(s => s).ToArray(), d);
    }

    private static void Probabilities(double[,] raw, double[,] prob)
    {
        int n = raw.GetLength(0), outputs = raw.GetLength(1);
        if (outputs == 1)
        {
            for (int i = 0; i < n; i++)
                prob[i, 0] = MathUtil.Sigmoid(raw[i, 0]);
            return;
        }
        Array.Copy(raw, prob, raw.Length);
        MathUtil.SoftmaxRows(prob);
    }

    /// <summary>Raw scores [samples, outputs] (log-odds or logits) before the link function.</summary>
    public double[,] DecisionFunction(double[,] x)
    {
        CheckPredictInput(x);
        return Raw(x);
    }

    private double[,] Raw(double[,] x)
    {
        int n = x.GetLength(0), outputs = Init.Length;
        var raw = new double[n, outputs];
        for (int i = 0; i < n; i++)
        {
            var row = MathUtil.Row(x, i);
            for (int o = 0; o < outputs; o++)
            {
                double s = Init[o];
                foreach (var stage in Trees)
                    s += LearningRate * stage[o].Value[stage[o].Apply(row)][0];
                raw[i, o] = s;
            }
        }
        return raw;
    }

    /// <inheritdoc />
    protected override double[,] PredictProbaCore(double[,] x)
    {
        var raw = Raw(x);
        int n = x.GetLength(0);
        if (Init.Length == 1)
        {
            var p = new double[n, 2];
            for (int i = 0; i < n; i++)
            {
                p[i, 1] = MathUtil.Sigmoid(raw[i, 0]);
                p[i, 0] = 1 - p[i, 1];
            }
            return p;
        }
        MathUtil.SoftmaxRows(raw);
        return raw;
    }

    /// <inheritdoc />
    public double[] FeatureWeights() => FeatureImportances;
}

internal static class Boosting
{
    public static int[] Rows(int n, double subsample, Random rng)
    {
        if (subsample >= 1)
            return Enumerable.Range(0, n).ToArray();
        if (!(subsample > 0))
            throw new ArgumentOutOfRangeException(nameof(subsample), subsample, "subsample must be in (0, 1].");
        var all = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(all);
        var rows = all[..Math.Max(1, (int)(subsample * n))];
        Array.Sort(rows);
        return rows;
    }
}
