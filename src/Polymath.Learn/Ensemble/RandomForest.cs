using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>
/// Random forest classifier (Breiman 2001): each tree is grown on a bootstrap sample with <see cref="MaxFeatures"/>
/// features tried per split; probabilities are the mean of the trees' leaf fractions. Trees are fitted in parallel;
/// tree t draws from its own generator seeded by (RandomState, t), so results do not depend on the thread count.
/// </summary>
public sealed class RandomForestClassifier : Classifier, IFeatureWeights
{
    /// <summary>Number of trees (default 100).</summary>
    public int NEstimators { get; set; } = 100;

    /// <summary>Split criterion (default Gini).</summary>
    public Criterion Criterion { get; set; } = Criterion.Gini;

    /// <summary>Maximum depth (default unlimited).</summary>
    public int? MaxDepth { get; set; }

    /// <summary>Minimum samples to split (default 2).</summary>
    public int MinSamplesSplit { get; set; } = 2;

    /// <summary>Minimum samples per leaf (default 1).</summary>
    public int MinSamplesLeaf { get; set; } = 1;

    /// <summary>Features per split: "sqrt" (default), "log2", "all", a count or a fraction.</summary>
    public string MaxFeatures { get; set; } = "sqrt";

    /// <summary>Draw bootstrap samples (default true).</summary>
    public bool Bootstrap { get; set; } = true;

    /// <summary>Seed.</summary>
    public int RandomState { get; set; }

    /// <summary>Threads (-1: all cores).</summary>
    public int Threads { get; set; } = -1;

    /// <summary>The fitted trees.</summary>
    [JsonInclude] public TreeModel[] Trees { get; private set; } = [];

    /// <summary>Mean of the trees' normalised importances.</summary>
    [JsonInclude] public double[] FeatureImportances { get; private set; } = [];

    /// <inheritdoc />
    protected override void FitCore(double[,] x, int[] y)
    {
        int d = x.GetLength(1);
        var settings = new TreeSettings(Criterion, MaxDepth ?? int.MaxValue, MinSamplesSplit, MinSamplesLeaf, TreePredict.MaxFeatures(MaxFeatures, d), 0, 0);
        var columns = TreeBuilder.Columns(x);
        Trees = Forest.Grow(NEstimators, y.Length, Bootstrap, RandomState, Threads,
            (rows, weights, rng) => TreeBuilder.Classification(x, y, Classes.Length, rows, settings, rng, weights, columns));
        FeatureImportances = Forest.Importances(Trees, d);
    }

    /// <inheritdoc />
    protected override double[,] PredictProbaCore(double[,] x)
    {
        int n = x.GetLength(0), k = Classes.Length;
        var p = new double[n, k];
        Parallel.For(0, n, MathUtil.ParallelOptionsFor((long)n * Trees.Length * 20, Threads), i =>
        {
            var row = MathUtil.Row(x, i);
            foreach (var tree in Trees)
            {
                var v = tree.Value[tree.Apply(row)];
                for (int c = 0; c < k; c++)
                    p[i, c] += v[c];
            }
            for (int c = 0; c < k; c++)
                p[i, c] /= Trees.Length;
        });
        return p;
    }

    /// <inheritdoc />
    public double[] FeatureWeights() => FeatureImportances;
}

/// <summary>Random forest regressor: bootstrap trees on squared error, predictions averaged.</summary>
public sealed class RandomForestRegressor : Regressor, IFeatureWeights
{
    /// <summary>Number of trees (default 100).</summary>
    public int NEstimators { get; set; } = 100;

    /// <summary>Maximum depth (default unlimited).</summary>
    public int? MaxDepth { get; set; }

    /// <summary>Minimum samples to split (default 2).</summary>
    public int MinSamplesSplit { get; set; } = 2;

    /// <summary>Minimum samples per leaf (default 1).</summary>
    public int MinSamplesLeaf { get; set; } = 1;

    /// <summary>Features per split: "all" (default, as sklearn's 1.0), "sqrt", "log2", a count or a fraction.</summary>
    public string MaxFeatures { get; set; } = "all";

    /// <summary>Draw bootstrap samples (default true).</summary>
    public bool Bootstrap { get; set; } = true;

    /// <summary>Seed.</summary>
    public int RandomState { get; set; }

    /// <summary>Threads (-1: all cores).</summary>
    public int Threads { get; set; } = -1;

    /// <summary>The fitted trees.</summary>
    [JsonInclude] public TreeModel[] Trees { get; private set; } = [];

    /// <summary>Mean of the trees' normalised importances.</summary>
    [JsonInclude] public double[] FeatureImportances { get; private set; } = [];

    /// <inheritdoc />
    protected override void FitCore(double[,] x, double[] y)
    {
        int d = x.GetLength(1);
        var settings = new TreeSettings(Criterion.SquaredError, MaxDepth ?? int.MaxValue, MinSamplesSplit, MinSamplesLeaf, TreePredict.MaxFeatures(MaxFeatures, d), 0, 0);
        var columns = TreeBuilder.Columns(x);
        Trees = Forest.Grow(NEstimators, y.Length, Bootstrap, RandomState, Threads,
            (rows, weights, rng) => TreeBuilder.Regression(x, y, rows, settings, rng, weights, columns));
        FeatureImportances = Forest.Importances(Trees, d);
    }

    /// <inheritdoc />
    protected override double[] PredictCore(double[,] x)
    {
        int n = x.GetLength(0);
        var r = new double[n];
        for (int i = 0; i < n; i++)
        {
            var row = MathUtil.Row(x, i);
            double s = 0;
            foreach (var tree in Trees)
                s += tree.Value[tree.Apply(row)][0];
            r[i] = s / Trees.Length;
        }
        return r;
    }

    /// <inheritdoc />
    public double[] FeatureWeights() => FeatureImportances;
}

/// <summary>Shared forest growing.</summary>
internal static class Forest
{
    /// <summary>Grows trees in parallel; each gets its distinct bootstrap rows and their draw counts as weights.</summary>
    public static TreeModel[] Grow(int count, int n, bool bootstrap, int seed, int threads, Func<int[], double[]?, Random, TreeModel> build)
    {
        if (count < 1)
            throw new ArgumentOutOfRangeException(nameof(count), count, "a forest needs at least one tree.");
        var trees = new TreeModel[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = MathUtil.Threads(threads) }, t =>
        {
            var rng = new Random(unchecked(seed * 1_000_003 + t * 7919 + 12345));
            if (!bootstrap)
            {
                trees[t] = build(Enumerable.Range(0, n).ToArray(), null, rng);
                return;
            }
            var weights = new double[n];
            for (int i = 0; i < n; i++)
                weights[rng.Next(n)]++;
            var rows = Enumerable.Range(0, n).Where(i => weights[i] > 0).ToArray();
            trees[t] = build(rows, weights, rng);
        });
        return trees;
    }

    public static double[] Importances(TreeModel[] trees, int d)
    {
        var imp = new double[d];
        foreach (var t in trees)
        {
            var ti = t.FeatureImportances(d);
            for (int j = 0; j < d; j++)
                imp[j] += ti[j];
        }
        double s = imp.Sum();
        if (s > 0)
            for (int j = 0; j < d; j++)
                imp[j] /= s;
        return imp;
    }
}
