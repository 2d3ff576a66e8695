using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>
/// A CART classification tree (Gini or entropy), with depth and sample limits and minimal cost-complexity
/// pruning (<see cref="CcpAlpha"/>). Probabilities are the class fractions of the leaf.
/// </summary>
public sealed class DecisionTreeClassifier : Classifier, IFeatureWeights
{
    /// <summary>Split criterion: Gini (default) or Entropy.</summary>
    public Criterion Criterion { get; set; } = Criterion.Gini;

    /// <summary>Maximum depth; null (default) grows until the leaves are pure or too small.</summary>
    public int? MaxDepth { get; set; }

    /// <summary>A node needs at least this many samples to be split (default 2).</summary>
    public int MinSamplesSplit { get; set; } = 2;

    /// <summary>Each leaf keeps at least this many samples (default 1).</summary>
    public int MinSamplesLeaf { get; set; } = 1;

    /// <summary>Features tried per split: null = all (default); see <see cref="RandomForestClassifier"/>.</summary>
    public int? MaxFeatures { get; set; }

    /// <summary>A split must decrease the sample-weighted impurity by at least this fraction (default 0).</summary>
    public double MinImpurityDecrease { get; set; }

    /// <summary>Cost-complexity pruning strength α ≥ 0 (default 0: no pruning).</summary>
    public double CcpAlpha { get; set; }

    /// <summary>Seed for feature subsampling when <see cref="MaxFeatures"/> is set.</summary>
    public int RandomState { get; set; }

    /// <summary>The fitted tree.</summary>
    [JsonInclude] public TreeModel Tree { get; private set; } = new();

    /// <summary>Normalised total impurity decrease per feature.</summary>
    [JsonInclude] public double[] FeatureImportances { get; private set; } = [];

    /// <inheritdoc />
    protected override void FitCore(double[,] x, int[] y)
    {
        if (Criterion == Criterion.SquaredError)
            throw new ArgumentException("DecisionTreeClassifier: criterion must be Gini or Entropy.");
        int d = x.GetLength(1);
        var settings = new TreeSettings(Criterion, MaxDepth ?? int.MaxValue, MinSamplesSplit, MinSamplesLeaf, Math.Min(MaxFeatures ?? d, d), MinImpurityDecrease, CcpAlpha);
        Tree = TreeBuilder.Classification(x, y, Classes.Length, Enumerable.Range(0, y.Length).ToArray(), settings, new Random(RandomState));
        FeatureImportances = Tree.FeatureImportances(d);
    }

    /// <inheritdoc />
    protected override double[,] PredictProbaCore(double[,] x) => TreePredict.Proba(Tree, x, Classes.Length);

    /// <inheritdoc />
    public double[] FeatureWeights() => FeatureImportances;
}

/// <summary>A CART regression tree (squared error) with depth and sample limits and cost-complexity pruning.</summary>
public sealed class DecisionTreeRegressor : Regressor, IFeatureWeights
{
    /// <summary>Maximum depth; null (default) grows fully.</summary>
    public int? MaxDepth { get; set; }

    /// <summary>A node needs at least this many samples to be split (default 2).</summary>
    public int MinSamplesSplit { get; set; } = 2;

    /// <summary>Each leaf keeps at least this many samples (default 1).</summary>
    public int MinSamplesLeaf { get; set; } = 1;

    /// <summary>Features tried per split: null = all (default).</summary>
    public int? MaxFeatures { get; set; }

    /// <summary>A split must decrease the sample-weighted impurity by at least this fraction (default 0).</summary>
    public double MinImpurityDecrease { get; set; }

    /// <summary>Cost-complexity pruning strength α ≥ 0 (default 0).</summary>
    public double CcpAlpha { get; set; }

    /// <summary>Seed for feature subsampling.</summary>
    public int RandomState { get; set; }

    /// <summary>The fitted tree.</summary>
    [JsonInclude] public TreeModel Tree { get; private set; } = new();

    /// <summary>Normalised total impurity decrease per feature.</summary>
    [JsonInclude] public double[] FeatureImportances { get; private set; } = [];

    /// <inheritdoc />
    protected override void FitCore(double[,] x, double[] y)
    {
        int d = x.GetLength(1);
        var settings = new TreeSettings(Criterion.SquaredError, MaxDepth ?? int.MaxValue, MinSamplesSplit, MinSamplesLeaf, Math.Min(MaxFeatures ?? d, d), MinImpurityDecrease, CcpAlpha);
        Tree = TreeBuilder.Regression(x, y, Enumerable.Range(0, y.Length).ToArray(), settings, new Random(RandomState));
        FeatureImportances = Tree.FeatureImportances(d);
    }

    /// <inheritdoc />
    protected override double[] PredictCore(double[,] x) => TreePredict.Values(Tree, x);

    /// <inheritdoc />
    public double[] FeatureWeights() => FeatureImportances;
}

/// <summary>Prediction helpers shared by trees and ensembles.</summary>
internal static class TreePredict
{
    public static double[,] Proba(TreeModel tree, double[,] x, int classes)
    {
        int n = x.GetLength(0);
        var p = new double[n, classes];
        for (int i = 0; i < n; i++)
        {
            var v = tree.Value[tree.Apply(MathUtil.Row(x, i))];
            for (int k = 0; k < classes; k++)
                p[i, k] = v[k];
        }
        return p;
    }

    public static double[] Values(TreeModel tree, double[,] x)
    {
        int n = x.GetLength(0);
        var r = new double[n];
        for (int i = 0; i < n; i++)
            r[i] = tree.Value[tree.Apply(MathUtil.Row(x, i))][0];
        return r;
    }

    /// <summary>Resolves sklearn-style max_features: "sqrt", "log2", an integer count, or a fraction in (0, 1].</summary>
    public static int MaxFeatures(string spec, int d)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        int r = spec switch
        {
            "sqrt" => (int)Math.Sqrt(d),
            "log2" => (int)Math.Log2(d),
            "all" or "none" => d,
            _ when spec.Contains('.') && double.TryParse(spec, System.Globalization.NumberStyles.Float, inv, out double f) && f > 0 && f <= 1 => (int)(f * d),
            _ when int.TryParse(spec, System.Globalization.NumberStyles.Integer, inv, out int k) && k > 0 => k,
            _ => throw new ArgumentException($"max_features '{spec}' is not sqrt, log2, all, an integer or a fraction in (0, 1]."),
        };
        return Math.Clamp(r, 1, d);
    }
}
