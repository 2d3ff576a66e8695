namespace Polymath.Learn;

/// <summary>Evaluation metrics with sklearn.metrics' names and conventions (labels are doubles, sorted when listed).</summary>
public static class Metrics
{
    /// <summary>Fraction of equal labels.</summary>
    public static double Accuracy(double[] yTrue, double[] yPred)
    {
        SameLength(yTrue, yPred);
        int ok = 0;
        for (int i = 0; i < yTrue.Length; i++)
            if (yTrue[i] == yPred[i])
                ok++;
        return (double)ok / yTrue.Length;
    }

    /// <summary>The sorted union of labels in both arrays.</summary>
    public static double[] Labels(double[] yTrue, double[] yPred) => yTrue.Concat(yPred).Distinct().Order().ToArray();

    /// <summary>Counts [true label, predicted label] over <paramref name="labels"/> (default: the sorted union).</summary>
    public static int[,] ConfusionMatrix(double[] yTrue, double[] yPred, double[]? labels = null)
    {
        SameLength(yTrue, yPred);
        labels ??= Labels(yTrue, yPred);
        var index = labels.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i);
        var m = new int[labels.Length, labels.Length];
        for (int i = 0; i < yTrue.Length; i++)
            if (index.TryGetValue(yTrue[i], out int a) && index.TryGetValue(yPred[i], out int b))
                m[a, b]++;
        return m;
    }

    /// <summary>
    /// Precision, recall and F1. <paramref name="average"/>: "binary" (the class <paramref name="posLabel"/>), "macro",
    /// "micro" or "weighted" (by support). A 0/0 ratio counts as 0, as sklearn's zero_division default.
    /// </summary>
    public static (double Precision, double Recall, double F1) PrecisionRecallF1(double[] yTrue, double[] yPred, string average = "binary", double posLabel = 1)
    {
        var labels = Labels(yTrue, yPred);
        var cm = ConfusionMatrix(yTrue, yPred, labels);
        int k = labels.Length;
        var tp = new double[k];
        var predicted = new double[k];
        var actual = new double[k];
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++)
            {
                actual[a] += cm[a, b];
                predicted[b] += cm[a, b];
                if (a == b)
                    tp[a] += cm[a, b];
            }
        static double Div(double a, double b) => b == 0 ? 0 : a / b;
        static double F(double p, double r) => p + r == 0 ? 0 : 2 * p * r / (p + r);
        switch (average)
        {
            case "binary":
            {
                if (k > 2)
                    throw new ArgumentException($"PrecisionRecallF1: average \"binary\" needs two labels, found {k}; use macro, micro or weighted.");
                int c = Array.IndexOf(labels, posLabel);
                if (c < 0)
                    return (0, 0, 0);
                double p = Div(tp[c], predicted[c]), r = Div(tp[c], actual[c]);
                return (p, r, F(p, r));
            }
            case "micro":
            {
                double p = Div(tp.Sum(), predicted.Sum()), r = Div(tp.Sum(), actual.Sum());
                return (p, r, F(p, r));
            }
            case "macro" or "weighted":
            {
                double ps = 0, rs = 0, fs = 0, ws = 0;
                for (int c = 0; c < k; c++)
                {
                    double w = average == "macro" ? 1 : actual[c];
                    double p = Div(tp[c], predicted[c]), r = Div(tp[c], actual[c]);
                    ps += w * p;
                    rs += w * r;
                    fs += w * F(p, r);
                    ws += w;
                }
                return (ps / ws, rs / ws, fs / ws);
            }
            default:
                throw new ArgumentException($"unknown average '{average}'; use binary, macro, micro or weighted.");
        }
    }

    /// <summary>Precision (see <see cref="PrecisionRecallF1"/>).</summary>
    public static double Precision(double[] yTrue, double[] yPred, string average = "binary", double posLabel = 1) => PrecisionRecallF1(yTrue, yPred, average, posLabel).Precision;

    /// <summary>Recall (see <see cref="PrecisionRecallF1"/>).</summary>
    public static double Recall(double[] yTrue, double[] yPred, string average = "binary", double posLabel = 1) => PrecisionRecallF1(yTrue, yPred, average, posLabel).Recall;

    /// <summary>F1 score (see <see cref="PrecisionRecallF1"/>).</summary>
    public static double F1Score(double[] yTrue, double[] yPred, string average = "binary", double posLabel = 1) => PrecisionRecallF1(yTrue, yPred, average, posLabel).F1;

    /// <summary>
    /// Area under the ROC curve of a binary problem: <paramref name="scores"/> rank the positive class (the larger label).
    /// Computed as the Mann–Whitney statistic with tied scores counted one half (exact trapezoidal AUC).
    /// </summary>
    public static double RocAuc(double[] yTrue, double[] scores)
    {
        SameLength(yTrue, scores);
        var labels = yTrue.Distinct().Order().ToArray();
        if (labels.Length != 2)
            throw new ArgumentException($"RocAuc needs exactly two classes in yTrue, found {labels.Length}.");
        var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
        var rank = new double[scores.Length];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]])
                j++;
            double mid = (i + j) / 2.0 + 1;
            for (int t = i; t <= j; t++)
                rank[order[t]] = mid;
            i = j + 1;
        }
        double pos = yTrue.Count(v => v == labels[1]), neg = yTrue.Length - pos;
        double sumPos = 0;
        for (int i = 0; i < yTrue.Length; i++)
            if (yTrue[i] == labels[1])
                sumPos += rank[i];
        return (sumPos - pos * (pos + 1) / 2) / (pos * neg);
    }

    /// <summary>One-vs-rest macro ROC-AUC from class probabilities [samples, classes] whose columns follow <paramref name="classes"/>.</summary>
    public static double RocAucOvr(double[] yTrue, double[,] proba, double[] classes)
    {
        double s = 0;
        for (int c = 0; c < classes.Length; c++)
        {
            var binary = yTrue.Select(v => v == classes[c] ? 1.0 : 0.0).ToArray();
            var col = Enumerable.Range(0, yTrue.Length).Select(i => proba[i, c]).ToArray();
            s += RocAuc(binary, col);
        }
        return s / classes.Length;
    }

    /// <summary>Mean negative log-likelihood of the true classes; probabilities are clipped to [1e-15, 1 − 1e-15] and rows renormalised.</summary>
    public static double LogLoss(double[] yTrue, double[,] proba, double[] classes)
    {
        if (proba.GetLength(0) != yTrue.Length || proba.GetLength(1) != classes.Length)
            throw new ArgumentException($"LogLoss: probabilities are [{proba.GetLength(0)}, {proba.GetLength(1)}] for {yTrue.Length} labels and {classes.Length} classes.");
        const double Eps = 1e-15;
        double loss = 0;
        for (int i = 0; i < yTrue.Length; i++)
        {
            int c = Array.IndexOf(classes, yTrue[i]);
            if (c < 0)
                throw new ArgumentException($"LogLoss: label {yTrue[i]} of row {i} is not among the classes.");
            double rowSum = 0;
            for (int k = 0; k < classes.Length; k++)
                rowSum += Math.Clamp(proba[i, k], Eps, 1 - Eps);
            loss -= Math.Log(Math.Clamp(proba[i, c], Eps, 1 - Eps) / rowSum);
        }
        return loss / yTrue.Length;
    }

    /// <summary>Coefficient of determination 1 − SS_res / SS_tot (1 for a perfect fit; 0 for a constant truth predicted exactly, else −∞ → reported as 0 like sklearn).</summary>
    public static double R2(double[] yTrue, double[] yPred)
    {
        SameLength(yTrue, yPred);
        double mean = yTrue.Average(), res = 0, tot = 0;
        for (int i = 0; i < yTrue.Length; i++)
        {
            res += (yTrue[i] - yPred[i]) * (yTrue[i] - yPred[i]);
            tot += (yTrue[i] - mean) * (yTrue[i] - mean);
        }
        if (tot == 0)
            return res == 0 ? 1 : 0;
        return 1 - res / tot;
    }

    /// <summary>Mean absolute error.</summary>
    public static double MeanAbsoluteError(double[] yTrue, double[] yPred)
    {
        SameLength(yTrue, yPred);
        return yTrue.Zip(yPred, (a, b) => Math.Abs(a - b)).Average();
    }

    /// <summary>Mean squared error.</summary>
    public static double MeanSquaredError(double[] yTrue, double[] yPred)
    {
        SameLength(yTrue, yPred);
        return yTrue.Zip(yPred, (a, b) => (a - b) * (a - b)).Average();
    }

    /// <summary>Root mean squared error.</summary>
    public static double RootMeanSquaredError(double[] yTrue, double[] yPred) => Math.Sqrt(MeanSquaredError(yTrue, yPred));

    private static void SameLength(double[] a, double[] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Length != b.Length)
            throw new ArgumentException($"metric inputs differ in length: {a.Length} vs {b.Length}.");
        if (a.Length == 0)
            throw new ArgumentException("metric inputs are empty.");
    }
}
