using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>
/// Recursive feature elimination (Guyon et al. 2002): fit the estimator, drop the <see cref="Step"/> features with the
/// smallest weight (|coef| or importance, see <see cref="IFeatureWeights"/>), repeat until
/// <see cref="NFeaturesToSelect"/> remain; then refit on them. Transform keeps the selected columns.
/// </summary>
public sealed class RFE : Transformer
{
    /// <summary>The model whose weights rank the features; it must be supervised and implement <see cref="IFeatureWeights"/>.</summary>
    public Estimator Estimator { get; set; } = new LogisticRegression();

    /// <summary>Features to keep; null (default) keeps half.</summary>
    public int? NFeaturesToSelect { get; set; }

    /// <summary>Features removed per round (default 1).</summary>
    public int Step { get; set; } = 1;

    /// <summary>Rank of each feature: 1 for the kept ones, larger for those removed earlier.</summary>
    [JsonInclude] public int[] Ranking { get; private set; } = [];

    /// <summary>Kept columns, ascending.</summary>
    [JsonInclude] public int[] Selected { get; private set; } = [];

    /// <summary>The estimator refitted on the kept columns.</summary>
    [JsonInclude] public Estimator? FittedEstimator { get; private set; }

    /// <inheritdoc />
    protected override void FitCore(double[,] x, double[]? y)
    {
        if (y is null)
            throw new ArgumentException("RFE needs the target y.", nameof(y));
        if (Estimator is not (ISupervised and IFeatureWeights))
            throw new ArgumentException($"RFE: {Estimator.GetType().Name} does not expose feature weights (coefficients or importances).");
        int d = x.GetLength(1);
        int target = Math.Clamp(NFeaturesToSelect ?? d / 2, 1, d);
        var remaining = Enumerable.Range(0, d).ToList();
        var ranking = new int[d];
        while (remaining.Count > target)
        {
            var model = Estimator.Clone();
            ((ISupervised)model).Fit(MathUtil.TakeColumns(x, remaining), y);
            var w = ((IFeatureWeights)model).FeatureWeights();
            int drop = Math.Min(Math.Max(Step, 1), remaining.Count - target);
            // Stable ascending by weight: ties drop the earlier column, as numpy's argsort.
            var order = Enumerable.Range(0, remaining.Count).OrderBy(i => w[i]).Take(drop).ToHashSet();
            foreach (int i in order)
                ranking[remaining[i]] = -1; // placeholder, numbered below
            var removed = order.Select(i => remaining[i]).ToArray();
            remaining = remaining.Where((_, i) => !order.Contains(i)).ToList();
            foreach (int c in removed)
                ranking[c] = int.MaxValue - remaining.Count; // later removal → smaller rank
        }
        // Convert elimination order into ranks 2, 3, ... (1 = kept).
        var distinct = ranking.Where(r => r != 0).Distinct().OrderByDescending(r => r).ToList();
        Ranking = ranking.Select(r => r == 0 ? 1 : 2 + distinct.IndexOf(r)).ToArray();
        Selected = remaining.ToArray();
        var final = Estimator.Clone();
        ((ISupervised)final).Fit(MathUtil.TakeColumns(x, Selected), y);
        FittedEstimator = final;
    }

    /// <inheritdoc />
    protected override double[,] TransformCore(double[,] x) => MathUtil.TakeColumns(x, Selected);
}
