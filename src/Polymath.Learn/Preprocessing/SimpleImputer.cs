using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>Replaces missing values (NaN) column by column with the column's mean, median, most frequent value or a constant.</summary>
public sealed class SimpleImputer : Transformer
{
    /// <summary>"mean" (default), "median", "most_frequent" or "constant".</summary>
    public string Strategy { get; set; } = "mean";

    /// <summary>Value for the "constant" strategy (default 0).</summary>
    public double FillValue { get; set; }

    /// <summary>Columns to fill; null (default) fills all. Other columns pass through unchanged, gaps included.</summary>
    public int[]? Columns { get; set; }

    /// <summary>The value written into each column's gaps (NaN for columns left alone).</summary>
    [JsonInclude] public double[] Statistics { get; private set; } = [];

    /// <inheritdoc />
    [JsonIgnore] public override bool AcceptsNaN => true;

    /// <inheritdoc />
    protected override void FitCore(double[,] x, double[]? y)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        Statistics = new double[d];
        var fill = Columns?.ToHashSet();
        for (int j = 0; j < d; j++)
        {
            if (fill is not null && !fill.Contains(j))
            {
                Statistics[j] = double.NaN;
                continue;
            }
            var present = Enumerable.Range(0, n).Select(i => x[i, j]).Where(v => !double.IsNaN(v)).ToArray();
            if (present.Length == 0 && Strategy != "constant")
                throw new ArgumentException($"SimpleImputer: column {j} has no values at all; the '{Strategy}' strategy cannot fill it (drop the column or use \"constant\").");
            Array.Sort(present);
            Statistics[j] = Strategy switch
            {
                "mean" => present.Average(),
                "median" => present.Length % 2 == 1 ? present[present.Length / 2] : (present[present.Length / 2 - 1] + present[present.Length / 2]) / 2,
                // Ties: the smallest value, as sklearn.
                "most_frequent" => present.GroupBy(v => v).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key,
                "constant" => FillValue,
                _ => throw new ArgumentException($"SimpleImputer: unknown strategy '{Strategy}'; use mean, median, most_frequent or constant."),
            };
        }
    }

    /// <inheritdoc />
    protected override double[,] TransformCore(double[,] x)
    {
        var r = (double[,])x.Clone();
        int n = x.GetLength(0), d = x.GetLength(1);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                if (double.IsNaN(r[i, j]))
                    r[i, j] = Statistics[j];
        return r;
    }
}
