namespace Polymath.Learn;

/// <summary>A way of splitting n rows into (train, test) index folds.</summary>
public interface ICrossValidator
{
    /// <summary>The folds for the given target (stratified splitters read y; others only its length).</summary>
    IEnumerable<(int[] Train, int[] Test)> Split(double[] y);
}

/// <summary>
/// k consecutive folds (the first n mod k folds one row longer), optionally after a seeded shuffle, as sklearn's KFold.
/// </summary>
public sealed class KFold(int nSplits = 5, bool shuffle = false, int randomState = 0) : ICrossValidator
{
    /// <summary>Number of folds.</summary>
    public int NSplits { get; } = nSplits >= 2 ? nSplits : throw new ArgumentOutOfRangeException(nameof(nSplits), nSplits, "KFold needs at least 2 folds.");

    /// <inheritdoc />
    public IEnumerable<(int[] Train, int[] Test)> Split(double[] y)
    {
        int n = y.Length;
        if (n < NSplits)
            throw new ArgumentException($"KFold: {NSplits} folds need at least {NSplits} rows, got {n}.");
        var order = Enumerable.Range(0, n).ToArray();
        if (shuffle)
            new Random(randomState).Shuffle(order);
        int start = 0;
        for (int f = 0; f < NSplits; f++)
        {
            int size = n / NSplits + (f < n % NSplits ? 1 : 0);
            var test = order[start..(start + size)];
            var train = order[..start].Concat(order[(start + size)..]).ToArray();
            start += size;
            yield return (train, test);
        }
    }
}

/// <summary>
/// k folds that keep the class proportions. Without shuffling it reproduces sklearn's StratifiedKFold exactly: the
/// sorted labels are dealt round-robin to get each fold's per-class counts, then each class's rows (in order) fill
/// the folds in sequence. With shuffling, each class's rows are shuffled (seeded) first.
/// </summary>
public sealed class StratifiedKFold(int nSplits = 5, bool shuffle = false, int randomState = 0) : ICrossValidator
{
    /// <summary>Number of folds.</summary>
    public int NSplits { get; } = nSplits >= 2 ? nSplits : throw new ArgumentOutOfRangeException(nameof(nSplits), nSplits, "StratifiedKFold needs at least 2 folds.");

    /// <inheritdoc />
    public IEnumerable<(int[] Train, int[] Test)> Split(double[] y)
    {
        int n = y.Length;
        var classes = y.Distinct().Order().ToArray();
        var code = y.Select(v => Array.BinarySearch(classes, v)).ToArray();
        var counts = new int[classes.Length];
        foreach (int c in code)
            counts[c]++;
        if (counts.Max() < NSplits)
            throw new ArgumentException($"StratifiedKFold: {NSplits} folds but no class has that many rows (largest class: {counts.Max()}).");
        var sorted = code.Order().ToArray();
        var allocation = new int[NSplits, classes.Length];
        for (int f = 0; f < NSplits; f++)
            for (int i = f; i < n; i += NSplits)
                allocation[f, sorted[i]]++;
        var testFold = new int[n];
        var rng = new Random(randomState);
        for (int c = 0; c < classes.Length; c++)
        {
            var rows = Enumerable.Range(0, n).Where(i => code[i] == c).ToArray();
            var folds = new List<int>();
            for (int f = 0; f < NSplits; f++)
                folds.AddRange(Enumerable.Repeat(f, allocation[f, c]));
            var assignment = folds.ToArray();
            if (shuffle)
                rng.Shuffle(assignment);
            for (int t = 0; t < rows.Length; t++)
                testFold[rows[t]] = assignment[t];
        }
        for (int f = 0; f < NSplits; f++)
        {
            var test = Enumerable.Range(0, n).Where(i => testFold[i] == f).ToArray();
            var train = Enumerable.Range(0, n).Where(i => testFold[i] != f).ToArray();
            yield return (train, test);
        }
    }
}

/// <summary>Model selection helpers: splits, cross-validation.</summary>
public static class ModelSelection
{
    /// <summary>
    /// Splits rows into train and test sets after a seeded shuffle; with <paramref name="stratify"/> the class
    /// proportions of y are kept in both parts.
    /// </summary>
    public static (double[,] XTrain, double[,] XTest, double[] YTrain, double[] YTest) TrainTestSplit(double[,] x, double[] y, double testSize = 0.25, int randomState = 0, bool stratify = false)
    {
        int n = y.Length;
        if (x.GetLength(0) != n)
            throw new ArgumentException($"TrainTestSplit: x has {x.GetLength(0)} rows, y has {n}.");
        if (!(testSize > 0 && testSize < 1))
            throw new ArgumentOutOfRangeException(nameof(testSize), testSize, "test size must be a fraction in (0, 1).");
        var rng = new Random(randomState);
        var test = new List<int>();
        if (stratify)
        {
            foreach (var g in Enumerable.Range(0, n).GroupBy(i => y[i]).OrderBy(g => g.Key))
            {
                var rows = g.ToArray();
                rng.Shuffle(rows);
                test.AddRange(rows.Take((int)Math.Round(rows.Length * testSize)));
            }
        }
        else
        {
            var order = Enumerable.Range(0, n).ToArray();
            rng.Shuffle(order);
            test.AddRange(order.Take((int)Math.Ceiling(n * testSize)));
        }
        var testSet = test.ToHashSet();
        var train = Enumerable.Range(0, n).Where(i => !testSet.Contains(i)).ToArray();
        var testRows = test.Order().ToArray();
        return (MathUtil.TakeRows(x, train), MathUtil.TakeRows(x, testRows), MathUtil.Take(y, train), MathUtil.Take(y, testRows));
    }

    /// <summary>
    /// Fits a fresh copy of <paramref name="model"/> on each training fold and scores it on the test fold.
    /// Default splitter: StratifiedKFold(5) for classifiers, KFold(5) otherwise.
    /// </summary>
    public static double[] CrossValScore(Estimator model, double[,] x, double[] y, ICrossValidator? cv = null, string? scoring = null)
    {
        if (model is not ISupervised)
            throw new ArgumentException($"{model.GetType().Name} is not a supervised model.");
        cv ??= IsClassifier(model) ? new StratifiedKFold(5) : new KFold(5);
        var scorer = Scoring.Get(scoring);
        var scores = new List<double>();
        foreach (var (train, test) in cv.Split(y))
        {
            var m = model.Clone();
            ((ISupervised)m).Fit(MathUtil.TakeRows(x, train), MathUtil.Take(y, train));
            scores.Add(scorer((ISupervised)m, MathUtil.TakeRows(x, test), MathUtil.Take(y, test)));
        }
        return scores.ToArray();
    }

    /// <summary>Out-of-fold predictions: each row predicted by the model fitted without its fold.</summary>
    public static double[] CrossValPredict(Estimator model, double[,] x, double[] y, ICrossValidator? cv = null)
    {
        cv ??= IsClassifier(model) ? new StratifiedKFold(5) : new KFold(5);
        var result = new double[y.Length];
        foreach (var (train, test) in cv.Split(y))
        {
            var m = (ISupervised)model.Clone();
            m.Fit(MathUtil.TakeRows(x, train), MathUtil.Take(y, train));
            var p = m.Predict(MathUtil.TakeRows(x, test));
            for (int i = 0; i < test.Length; i++)
                result[test[i]] = p[i];
        }
        return result;
    }

    /// <summary>True for classifiers, including pipelines that end in one.</summary>
    public static bool IsClassifier(Estimator model) => model is Classifier || model is Pipeline { Final: Classifier };
}
