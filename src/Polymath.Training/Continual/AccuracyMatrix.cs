namespace Polymath.Training.Continual;

/// <summary>
/// R[i, j]: the test accuracy on task j after training on tasks 0..i (0-based here; papers count from 1), and the
/// summary metrics of continual learning computed from it. Rows are filled one by one as tasks finish; entries with
/// j &gt; i (tasks not yet trained) are kept too, though the metrics below never use them.
/// </summary>
public sealed class AccuracyMatrix
{
    private readonly double[,] _r;

    /// <summary>An empty matrix for <paramref name="tasks"/> tasks (every entry NaN, no row finished).</summary>
    public AccuracyMatrix(int tasks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tasks, 1);
        _r = new double[tasks, tasks];
        for (int i = 0; i < tasks; i++)
            for (int j = 0; j < tasks; j++)
                _r[i, j] = double.NaN;
    }

    /// <summary>A matrix with every row given (a square array, e.g. from a paper or a test).</summary>
    /// <exception cref="ArgumentException">The array is not square or has a NaN on or below the diagonal.</exception>
    public AccuracyMatrix(double[,] r)
    {
        int t = r.GetLength(0);
        if (t == 0 || r.GetLength(1) != t)
            throw new ArgumentException($"accuracy matrix: expected a square [T, T] array with T >= 1, got [{r.GetLength(0)}, {r.GetLength(1)}].");
        for (int i = 0; i < t; i++)
            for (int j = 0; j <= i; j++)
                if (double.IsNaN(r[i, j]))
                    throw new ArgumentException($"accuracy matrix: R[{i}, {j}] is NaN; every entry on or below the diagonal is needed.");
        _r = (double[,])r.Clone();
        Rows = t;
    }

    /// <summary>Number of tasks T.</summary>
    public int Tasks => _r.GetLength(0);

    /// <summary>Rows filled so far (tasks finished).</summary>
    public int Rows { get; private set; }

    /// <summary>R[i, j] (NaN when not measured).</summary>
    public double this[int i, int j] => _r[i, j];

    /// <summary>Stores row <paramref name="i"/>: the accuracies on every task after training task i. Rows must come in order.</summary>
    /// <exception cref="ArgumentException">The row is out of order or has the wrong length.</exception>
    public void SetRow(int i, IReadOnlyList<double> accuracies)
    {
        if (i != Rows)
            throw new ArgumentException($"accuracy matrix: row {i} given, but row {Rows} is the next one.");
        if (accuracies.Count != Tasks)
            throw new ArgumentException($"accuracy matrix: row {i} has {accuracies.Count} entries, expected {Tasks}.");
        for (int j = 0; j < Tasks; j++)
            _r[i, j] = accuracies[j];
        Rows++;
    }

    /// <summary>Row <paramref name="i"/> as an array.</summary>
    public double[] Row(int i) => Enumerable.Range(0, Tasks).Select(j => _r[i, j]).ToArray();

    /// <summary>Average accuracy after task i: A_i = mean over j ≤ i of R[i, j].</summary>
    public double AverageAccuracy(int i)
    {
        CheckRow(i);
        double s = 0;
        for (int j = 0; j <= i; j++) s += _r[i, j];
        return s / (i + 1);
    }

    /// <summary>
    /// Forgetting after task i (Chaudhry et al. 2018, "Riemannian Walk"): F_i = mean over j &lt; i of
    /// (max over l &lt; i of R[l, j]) − R[i, j], the drop from the best accuracy a task ever had to its accuracy now.
    /// NaN for i = 0 (nothing to forget yet).
    /// </summary>
    public double Forgetting(int i)
    {
        CheckRow(i);
        if (i == 0)
            return double.NaN;
        double s = 0;
        for (int j = 0; j < i; j++)
        {
            double best = double.NegativeInfinity;
            for (int l = 0; l < i; l++)
                best = Math.Max(best, _r[l, j]);
            s += best - _r[i, j];
        }
        return s / i;
    }

    /// <summary>
    /// Backward transfer after task i (Lopez-Paz &amp; Ranzato 2017): BWT_i = mean over j &lt; i of R[i, j] − R[j, j];
    /// negative when learning later tasks hurt earlier ones. NaN for i = 0.
    /// </summary>
    public double BackwardTransfer(int i)
    {
        CheckRow(i);
        if (i == 0)
            return double.NaN;
        double s = 0;
        for (int j = 0; j < i; j++)
            s += _r[i, j] - _r[j, j];
        return s / i;
    }

    /// <summary>A_i for every finished row.</summary>
    public double[] AverageAccuracies() => Enumerable.Range(0, Rows).Select(AverageAccuracy).ToArray();

    /// <summary>F_i for every finished row (the first is NaN).</summary>
    public double[] Forgettings() => Enumerable.Range(0, Rows).Select(Forgetting).ToArray();

    /// <summary>BWT_i for every finished row (the first is NaN).</summary>
    public double[] BackwardTransfers() => Enumerable.Range(0, Rows).Select(BackwardTransfer).ToArray();

    private void CheckRow(int i)
    {
        if (i < 0 || i >= Rows)
            throw new ArgumentOutOfRangeException(nameof(i), $"accuracy matrix: row {i} is not filled ({Rows} of {Tasks} rows are).");
    }
}
