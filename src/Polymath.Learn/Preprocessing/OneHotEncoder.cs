using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>
/// One-hot encodes categorical columns (values are category codes, any doubles): each encoded column becomes one
/// 0/1 column per category seen at fit time (sorted). Columns not listed in <see cref="Columns"/> pass through
/// unchanged and come first in the output, followed by the indicator columns in column order.
/// </summary>
public sealed class OneHotEncoder : Transformer
{
    /// <summary>Columns to encode; null (default) encodes all.</summary>
    public int[]? Columns { get; set; }

    /// <summary>"error" (default): unseen categories at transform time throw; "ignore": they encode as all zeros.</summary>
    public string HandleUnknown { get; set; } = "error";

    /// <summary>"none" (default) or "first": drop each column's first category, avoiding the exact collinearity with an
    /// intercept that makes unpenalised linear regression singular (sklearn's drop="first").</summary>
    public string Drop { get; set; } = "none";

    /// <summary>The categories of each encoded column, sorted.</summary>
    [JsonInclude] public double[][] Categories { get; private set; } = [];

    /// <summary>The encoded columns.</summary>
    [JsonInclude] public int[] EncodedColumns { get; private set; } = [];

    /// <inheritdoc />
    protected override void FitCore(double[,] x, double[]? y)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        EncodedColumns = Columns?.ToArray() ?? Enumerable.Range(0, d).ToArray();
        foreach (int c in EncodedColumns)
            if ((uint)c >= (uint)d)
                throw new ArgumentException($"OneHotEncoder: column {c} does not exist (x has {d}).");
        if (Drop is not ("none" or "first"))
            throw new ArgumentException($"OneHotEncoder: drop must be \"none\" or \"first\", got '{Drop}'.");
        Categories = EncodedColumns.Select(c => Enumerable.Range(0, n).Select(i => x[i, c]).Distinct().Order().ToArray()).ToArray();
    }

    /// <summary>Output column count.</summary>
    [JsonIgnore] public int OutputCount => FeatureCount - EncodedColumns.Length + Categories.Sum(c => c.Length - Dropped);

    private int Dropped => Drop == "first" ? 1 : 0;

    /// <inheritdoc />
    protected override double[,] TransformCore(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var encoded = new HashSet<int>(EncodedColumns);
        var passthrough = Enumerable.Range(0, d).Where(c => !encoded.Contains(c)).ToArray();
        var r = new double[n, OutputCount];
        for (int i = 0; i < n; i++)
        {
            int o = 0;
            foreach (int c in passthrough)
                r[i, o++] = x[i, c];
            for (int e = 0; e < EncodedColumns.Length; e++)
            {
                double v = x[i, EncodedColumns[e]];
                int k = Array.BinarySearch(Categories[e], v);
                if (k < 0 && HandleUnknown != "ignore")
                    throw new ArgumentException($"OneHotEncoder: row {i} column {EncodedColumns[e]} has category {v} not seen at fit time (set HandleUnknown = \"ignore\" to encode it as zeros).");
                if (k >= Dropped)
                    r[i, o + k - Dropped] = 1;
                o += Categories[e].Length - Dropped;
            }
        }
        return r;
    }
}
