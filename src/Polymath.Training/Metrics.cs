namespace Polymath.Training;

/// <summary>Macro- and micro-averaged precision, recall and F1, with the per-class values they average.</summary>
/// <param name="Precision">Per class: TP / (TP + FP) (0 when the class was never predicted).</param>
/// <param name="Recall">Per class: TP / (TP + FN) (0 when the class never occurs).</param>
/// <param name="F1">Per class: 2PR / (P + R) (0 when both are 0).</param>
/// <param name="MacroPrecision">Unweighted mean of <paramref name="Precision"/> over the classes that occur or are predicted.</param>
/// <param name="MacroRecall">Unweighted mean of <paramref name="Recall"/> over the same classes.</param>
/// <param name="MacroF1">Unweighted mean of <paramref name="F1"/> over the same classes.</param>
/// <param name="MicroPrecision">ΣTP / Σ(TP + FP): for single-label classification, the accuracy.</param>
/// <param name="MicroRecall">ΣTP / Σ(TP + FN): also the accuracy.</param>
/// <param name="MicroF1">2·P·R / (P + R) of the micro values.</param>
public sealed record PrecisionRecallF1(double[] Precision, double[] Recall, double[] F1,
    double MacroPrecision, double MacroRecall, double MacroF1, double MicroPrecision, double MicroRecall, double MicroF1);

/// <summary>
/// Evaluation metrics as plain functions (scikit-learn's definitions): accuracy, top-k accuracy, confusion matrix,
/// precision/recall/F1 (macro and micro), mean squared and absolute error, perplexity.
/// Class scores are logits or probabilities [N, C]; targets are int64 class indices [N].
/// </summary>
public static class Metrics
{
    /// <summary>Fraction of rows whose highest score is the target class.</summary>
    /// <exception cref="ArgumentException">Shapes that are not [N, C] and [N].</exception>
    public static double Accuracy(Tensor scores, Tensor targets) => TopKAccuracy(scores, targets, 1);

    /// <summary>Fraction of rows whose target is among the <paramref name="k"/> highest scores (ties: lower index first).</summary>
    /// <exception cref="ArgumentException">Shapes that are not [N, C] and [N], or k outside 1..C.</exception>
    public static double TopKAccuracy(Tensor scores, Tensor targets, int k)
    {
        var (s, t, n, c) = Read(scores, targets);
        if (k < 1 || k > c)
            throw new ArgumentException($"TopKAccuracy: k must be in 1..{c}, got {k}.");
        return n == 0 ? 0 : (double)CountTopK(s, t, n, c, k) / n;
    }

    /// <summary>The predicted class (arg-max, first on ties) of each row of <paramref name="scores"/> [N, C].</summary>
    /// <exception cref="ArgumentException">The scores are not 2-D.</exception>
    public static long[] Predictions(Tensor scores)
    {
        if (scores.Rank != 2)
            throw new ArgumentException($"Predictions: expected scores [N, C], got [{string.Join(",", scores.Shape)}].");
        int n = scores.Size(0), c = scores.Size(1);
        var s = AsDoubles(scores);
        var p = new long[n];
        for (int i = 0; i < n; i++)
            p[i] = ArgMax(s.AsSpan(i * c, c));
        return p;
    }

    /// <summary>
    /// The confusion matrix: entry [actual, predicted] counts the samples of class <c>actual</c> predicted as <c>predicted</c>
    /// (rows are true classes, as scikit-learn's).
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ or a class is outside 0..numClasses-1.</exception>
    public static long[,] ConfusionMatrix(ReadOnlySpan<long> predicted, ReadOnlySpan<long> actual, int numClasses)
    {
        if (predicted.Length != actual.Length)
            throw new ArgumentException($"ConfusionMatrix: {predicted.Length} predictions but {actual.Length} targets.");
        var m = new long[numClasses, numClasses];
        for (int i = 0; i < predicted.Length; i++)
        {
            if ((ulong)actual[i] >= (ulong)numClasses || (ulong)predicted[i] >= (ulong)numClasses)
                throw new ArgumentException($"ConfusionMatrix: sample {i} has class {actual[i]} predicted as {predicted[i]}; classes are 0..{numClasses - 1}.");
            m[actual[i], predicted[i]]++;
        }
        return m;
    }

    /// <summary>Precision, recall and F1 per class and averaged (macro and micro) from a confusion matrix [actual, predicted].</summary>
    /// <remarks>Macro averages run over the classes that occur in the targets or the predictions (scikit-learn's labels=None).</remarks>
    public static PrecisionRecallF1 PrecisionRecallF1(long[,] confusion)
    {
        int c = confusion.GetLength(0);
        var p = new double[c];
        var r = new double[c];
        var f = new double[c];
        long tpAll = 0, fpAll = 0, fnAll = 0;
        int present = 0;
        double mp = 0, mr = 0, mf = 0;
        for (int k = 0; k < c; k++)
        {
            long tp = confusion[k, k], fp = 0, fn = 0;
            for (int j = 0; j < c; j++)
            {
                if (j == k) continue;
                fp += confusion[j, k];
                fn += confusion[k, j];
            }
            p[k] = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
            r[k] = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
            f[k] = p[k] + r[k] == 0 ? 0 : 2 * p[k] * r[k] / (p[k] + r[k]);
            tpAll += tp;
            fpAll += fp;
            fnAll += fn;
            if (tp + fp + fn > 0)
            {
                present++;
                mp += p[k];
                mr += r[k];
                mf += f[k];
            }
        }
        double microP = tpAll + fpAll == 0 ? 0 : (double)tpAll / (tpAll + fpAll);
        double microR = tpAll + fnAll == 0 ? 0 : (double)tpAll / (tpAll + fnAll);
        double microF = microP + microR == 0 ? 0 : 2 * microP * microR / (microP + microR);
        int d = Math.Max(present, 1);
        return new PrecisionRecallF1(p, r, f, mp / d, mr / d, mf / d, microP, microR, microF);
    }

    /// <summary>Mean of (prediction − target)² over all elements.</summary>
    /// <exception cref="ArgumentException">The element counts differ.</exception>
    public static double MeanSquaredError(Tensor prediction, Tensor target)
    {
        var (a, b) = Pair(prediction, target, "MeanSquaredError");
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (a[i] - b[i]) * (a[i] - b[i]);
        return a.Length == 0 ? 0 : sum / a.Length;
    }

    /// <summary>Mean of |prediction − target| over all elements.</summary>
    /// <exception cref="ArgumentException">The element counts differ.</exception>
    public static double MeanAbsoluteError(Tensor prediction, Tensor target)
    {
        var (a, b) = Pair(prediction, target, "MeanAbsoluteError");
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += Math.Abs(a[i] - b[i]);
        return a.Length == 0 ? 0 : sum / a.Length;
    }

    /// <summary>exp(mean cross-entropy in nats per token): the perplexity of a language model.</summary>
    public static double Perplexity(double meanCrossEntropy) => Math.Exp(meanCrossEntropy);

    internal static double[] AsDoubles(Tensor t)
    {
        var d = t.Detach();
        return d.DType == DType.Float64 ? d.Contiguous().ToArray<double>() : d.To(DType.Float64).Contiguous().ToArray<double>();
    }

    internal static long ArgMax(ReadOnlySpan<double> row)
    {
        int best = 0;
        for (int j = 1; j < row.Length; j++)
            if (row[j] > row[best] || (double.IsNaN(row[j]) && !double.IsNaN(row[best])))
                best = j;
        return best;
    }

    internal static long CountTopK(double[] s, long[] t, int n, int c, int k)
    {
        long correct = 0;
        for (int i = 0; i < n; i++)
        {
            var row = s.AsSpan(i * c, c);
            long target = t[i];
            if ((ulong)target >= (ulong)c)
                continue;
            double v = row[(int)target];
            // Rank of the target: classes scoring higher, or equal with a lower index, come first.
            int ahead = 0;
            for (int j = 0; j < c && ahead < k; j++)
                if (row[j] > v || (row[j] == v && j < target))
                    ahead++;
            if (ahead < k)
                correct++;
        }
        return correct;
    }

    internal static (double[] Scores, long[] Targets, int N, int C) Read(Tensor scores, Tensor targets)
    {
        if (scores.Rank != 2 || targets.Rank != 1 || targets.Size(0) != scores.Size(0))
            throw new ArgumentException($"expected scores [N, C] and targets [N], got [{string.Join(",", scores.Shape)}] and [{string.Join(",", targets.Shape)}].");
        var t = targets.DType == DType.Int64 ? targets.Contiguous().ToArray<long>() : AsDoubles(targets).Select(v => (long)v).ToArray();
        return (AsDoubles(scores), t, scores.Size(0), scores.Size(1));
    }

    private static (double[], double[]) Pair(Tensor a, Tensor b, string op)
    {
        if (a.Numel != b.Numel)
            throw new ArgumentException($"{op}: prediction has {a.Numel} elements [{string.Join(",", a.Shape)}], target {b.Numel} [{string.Join(",", b.Shape)}].");
        return (AsDoubles(a), AsDoubles(b));
    }
}

/// <summary>What a model is trained for; it decides which metrics the trainer reports.</summary>
public enum TaskKind
{
    /// <summary>Scores [N, C] against class indices [N]: accuracy, top-k, precision/recall/F1, confusion matrix.</summary>
    Classification,

    /// <summary>Values against values of the same size: MSE and MAE.</summary>
    Regression,

    /// <summary>Next-token scores [N, T, V] (or [N·T, V]) against tokens: perplexity and token accuracy.</summary>
    LanguageModel,
}

/// <summary>Accumulates metrics over the batches of one pass (an epoch or an evaluation) without keeping the outputs.</summary>
public sealed class MetricAccumulator
{
    private long[,]? _confusion;
    private long _topK;
    private double _lossSum, _sqErr, _absErr;
    private long _lossBatches, _samples, _elements;

    /// <summary>Creates an accumulator for <paramref name="task"/>; top-k accuracy is reported for k = <paramref name="topK"/> when it is below the class count.</summary>
    public MetricAccumulator(TaskKind task, int topK = 5)
    {
        Task = task;
        TopK = topK;
    }

    /// <summary>The task.</summary>
    public TaskKind Task { get; }

    /// <summary>The k of the top-k accuracy.</summary>
    public int TopK { get; }

    /// <summary>Samples seen.</summary>
    public long Samples => _samples;

    /// <summary>The confusion matrix so far (classification and language modelling), or null before the first batch.</summary>
    public long[,]? Confusion => _confusion;

    /// <summary>Mean of the batch losses added so far.</summary>
    public double MeanLoss => _lossBatches == 0 ? double.NaN : _lossSum / _lossBatches;

    /// <summary>Adds a batch's mean loss.</summary>
    public void AddLoss(double loss)
    {
        _lossSum += loss;
        _lossBatches++;
    }

    /// <summary>Adds a batch of outputs and targets.</summary>
    /// <exception cref="ArgumentException">Shapes that do not fit the task.</exception>
    public void Update(Tensor output, Tensor target)
    {
        if (Task == TaskKind.Regression)
        {
            var a = Metrics.AsDoubles(output);
            var b = Metrics.AsDoubles(target);
            if (a.Length != b.Length)
                throw new ArgumentException($"regression metrics: output [{string.Join(",", output.Shape)}] and target [{string.Join(",", target.Shape)}] differ in size.");
            for (int i = 0; i < a.Length; i++)
            {
                double d = a[i] - b[i];
                _sqErr += d * d;
                _absErr += Math.Abs(d);
            }
            _elements += a.Length;
            _samples += output.Rank == 0 ? 1 : output.Size(0);
            return;
        }
        if (Task == TaskKind.LanguageModel && output.Rank == 3)
        {
            output = output.Reshape(-1, output.Size(-1));
            target = target.Reshape(-1);
        }
        var (s, t, n, c) = Metrics.Read(output, target);
        _confusion ??= new long[c, c];
        if (_confusion.GetLength(0) != c)
            throw new ArgumentException($"metrics: {c} classes in this batch, {_confusion.GetLength(0)} before.");
        for (int i = 0; i < n; i++)
        {
            if ((ulong)t[i] >= (ulong)c)
                continue; // ignore_index and padding
            _confusion[t[i], Metrics.ArgMax(s.AsSpan(i * c, c))]++;
        }
        if (TopK < c)
            _topK += Metrics.CountTopK(s, t, n, c, TopK);
        _samples += n;
    }

    /// <summary>The metrics by name (e.g. <c>accuracy</c>, <c>f1_macro</c>, <c>mse</c>, <c>perplexity</c>), each prefixed with <paramref name="prefix"/>.</summary>
    public Dictionary<string, double> Compute(string prefix = "")
    {
        var m = new Dictionary<string, double>();
        if (_lossBatches > 0)
            m[prefix + "loss"] = MeanLoss;
        if (Task == TaskKind.Regression)
        {
            if (_elements > 0)
            {
                m[prefix + "mse"] = _sqErr / _elements;
                m[prefix + "mae"] = _absErr / _elements;
            }
            return m;
        }
        if (Task == TaskKind.LanguageModel && _lossBatches > 0)
            m[prefix + "perplexity"] = Metrics.Perplexity(MeanLoss);
        if (_confusion is null)
            return m;
        var prf = Metrics.PrecisionRecallF1(_confusion);
        long total = 0, correct = 0;
        for (int i = 0; i < _confusion.GetLength(0); i++)
            for (int j = 0; j < _confusion.GetLength(1); j++)
            {
                total += _confusion[i, j];
                if (i == j) correct += _confusion[i, j];
            }
        m[prefix + "accuracy"] = total == 0 ? 0 : (double)correct / total;
        if (TopK < _confusion.GetLength(0) && total > 0)
            m[prefix + $"top{TopK}_accuracy"] = (double)_topK / total;
        if (Task == TaskKind.Classification)
        {
            m[prefix + "precision_macro"] = prf.MacroPrecision;
            m[prefix + "recall_macro"] = prf.MacroRecall;
            m[prefix + "f1_macro"] = prf.MacroF1;
            m[prefix + "precision_micro"] = prf.MicroPrecision;
            m[prefix + "recall_micro"] = prf.MicroRecall;
            m[prefix + "f1_micro"] = prf.MicroF1;
        }
        return m;
    }
}
