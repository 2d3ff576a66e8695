using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>Univariate score used by <see cref="SelectKBest"/>.</summary>
public enum ScoreFunction
{
    /// <summary>ANOVA F between the classes (classification).</summary>
    FClassif,

    /// <summary>F of the correlation with the target (regression).</summary>
    FRegression,

    /// <summary>k-NN mutual information with the class (classification).</summary>
    MutualInfoClassif,
}

/// <summary>Keeps the K features with the highest univariate score (ties favour later columns, as sklearn); output keeps column order.</summary>
public sealed class SelectKBest : Transformer
{
    /// <summary>Score function (default ANOVA F).</summary>
    public ScoreFunction ScoreFunc { get; set; } = ScoreFunction.FClassif;

    /// <summary>Features kept (default 10; capped at the column count).</summary>
    public int K { get; set; } = 10;

    /// <summary>Score of each input feature.</summary>
    [JsonInclude] public double[] Scores { get; private set; } = [];

    /// <summary>p-value of each feature (NaN for mutual information).</summary>
    [JsonInclude] public double[] PValues { get; private set; } = [];

    /// <summary>Kept columns, ascending.</summary>
    [JsonInclude] public int[] Selected { get; private set; } = [];

    /// <inheritdoc />
    protected override void FitCore(double[,] x, double[]? y)
    {
        if (y is null)
            throw new ArgumentException("SelectKBest needs the target y to score features.", nameof(y));
        (Scores, PValues) = ScoreFunc switch
        {
            ScoreFunction.FClassif => FeatureScores.FClassif(x, y),
            ScoreFunction.FRegression => FeatureScores.FRegression(x, y),
            _ => (FeatureScores.MutualInfoClassif(x, y), Enumerable.Repeat(double.NaN, x.GetLength(1)).ToArray()),
        };
        int d = x.GetLength(1), k = Math.Min(K, d);
        // Stable ascending sort, NaN lowest; the last k win.
        var order = Enumerable.Range(0, d).OrderBy(j => double.IsNaN(Scores[j]) ? double.NegativeInfinity : Scores[j]).ToArray();
        Selected = order[(d - k)..].Order().ToArray();
    }

    /// <inheritdoc />
    protected override double[,] TransformCore(double[,] x) => MathUtil.TakeColumns(x, Selected);
}
