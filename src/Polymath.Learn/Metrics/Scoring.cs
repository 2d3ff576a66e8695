namespace Polymath.Learn;

/// <summary>Named scorers for cross-validation and grid search (sklearn's scoring strings); larger is always better.</summary>
public static class Scoring
{
    /// <summary>A scorer: model, x, y → score.</summary>
    public delegate double Scorer(ISupervised model, double[,] x, double[] y);

    /// <summary>Names accepted by <see cref="Get"/>.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "accuracy", "f1", "f1_macro", "f1_micro", "f1_weighted", "precision_macro", "recall_macro", "roc_auc", "roc_auc_ovr", "neg_log_loss",
        "r2", "neg_mean_absolute_error", "neg_mean_squared_error", "neg_root_mean_squared_error",
    ];

    /// <summary>The scorer of a name; null gives the model's own Score (accuracy or R²).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static Scorer Get(string? name) => name switch
    {
        null or "" or "default" => (m, x, y) => m.Score(x, y),
        "accuracy" => (m, x, y) => Metrics.Accuracy(y, m.Predict(x)),
        "f1" => (m, x, y) => Metrics.F1Score(y, m.Predict(x), "binary", Classes(m)[^1]),
        "f1_macro" => (m, x, y) => Metrics.F1Score(y, m.Predict(x), "macro"),
        "f1_micro" => (m, x, y) => Metrics.F1Score(y, m.Predict(x), "micro"),
        "f1_weighted" => (m, x, y) => Metrics.F1Score(y, m.Predict(x), "weighted"),
        "precision_macro" => (m, x, y) => Metrics.Precision(y, m.Predict(x), "macro"),
        "recall_macro" => (m, x, y) => Metrics.Recall(y, m.Predict(x), "macro"),
        "roc_auc" => (m, x, y) =>
        {
            var p = ((IClassifier)m).PredictProba(x);
            return Metrics.RocAuc(y, Enumerable.Range(0, y.Length).Select(i => p[i, p.GetLength(1) - 1]).ToArray());
        },
        "roc_auc_ovr" => (m, x, y) => Metrics.RocAucOvr(y, ((IClassifier)m).PredictProba(x), Classes(m)),
        "neg_log_loss" => (m, x, y) => -Metrics.LogLoss(y, ((IClassifier)m).PredictProba(x), Classes(m)),
        "r2" => (m, x, y) => Metrics.R2(y, m.Predict(x)),
        "neg_mean_absolute_error" => (m, x, y) => -Metrics.MeanAbsoluteError(y, m.Predict(x)),
        "neg_mean_squared_error" => (m, x, y) => -Metrics.MeanSquaredError(y, m.Predict(x)),
        "neg_root_mean_squared_error" => (m, x, y) => -Metrics.RootMeanSquaredError(y, m.Predict(x)),
        _ => throw new ArgumentException($"unknown scoring '{name}'; valid: {string.Join(", ", Names)}."),
    };

    private static double[] Classes(ISupervised m) =>
        (m as IClassifier)?.Classes ?? throw new ArgumentException("this scoring needs a classifier.");
}
