using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>
/// A fitted binary tree stored as flat arrays (node 0 is the root; a leaf has Left = Right = −1). Row x goes left
/// when x[Feature] ≤ Threshold. <see cref="Value"/> holds per-node class fractions (classification) or a single
/// mean (regression), so predictions read the leaf's value.
/// </summary>
public sealed class TreeModel
{
    /// <summary>Split feature of each node (−1 for leaves).</summary>
    [JsonInclude] public int[] Feature { get; internal set; } = [];

    /// <summary>Split threshold of each node.</summary>
    [JsonInclude] public double[] Threshold { get; internal set; } = [];

    /// <summary>Left child (−1 for leaves).</summary>
    [JsonInclude] public int[] Left { get; internal set; } = [];

    /// <summary>Right child (−1 for leaves).</summary>
    [JsonInclude] public int[] Right { get; internal set; } = [];

    /// <summary>Node value: class fractions or the mean target.</summary>
    [JsonInclude] public double[][] Value { get; internal set; } = [];

    /// <summary>Impurity of each node (Gini, entropy or variance).</summary>
    [JsonInclude] public double[] Impurity { get; internal set; } = [];

    /// <summary>Training samples reaching each node, weighted (bootstrap copies count once each).</summary>
    [JsonInclude] public double[] NodeSamples { get; internal set; } = [];

    /// <summary>Number of nodes.</summary>
    [JsonIgnore] public int NodeCount => Feature.Length;

    /// <summary>Number of leaves.</summary>
    [JsonIgnore] public int LeafCount => Left.Count(l => l < 0);

    /// <summary>Depth of the tree (a single leaf has depth 0).</summary>
    [JsonIgnore]
    public int Depth
    {
        get
        {
            int Walk(int node) => Left[node] < 0 ? 0 : 1 + Math.Max(Walk(Left[node]), Walk(Right[node]));
            return NodeCount == 0 ? 0 : Walk(0);
        }
    }

    /// <summary>The leaf reached by a row.</summary>
    public int Apply(ReadOnlySpan<double> x)
    {
        int node = 0;
        while (Left[node] >= 0)
            node = x[Feature[node]] <= Threshold[node] ? Left[node] : Right[node];
        return node;
    }

    /// <summary>Total impurity decrease per feature (weighted by samples), normalised to sum 1 (all zero for a stump).</summary>
    public double[] FeatureImportances(int features)
    {
        var imp = new double[features];
        for (int t = 0; t < NodeCount; t++)
        {
            if (Left[t] < 0)
                continue;
            int l = Left[t], r = Right[t];
            imp[Feature[t]] += NodeSamples[t] * Impurity[t] - NodeSamples[l] * Impurity[l] - NodeSamples[r] * Impurity[r];
        }
        double sum = imp.Sum();
        if (sum > 0)
            for (int j = 0; j < features; j++)
                imp[j] /= sum;
        return imp;
    }
}
