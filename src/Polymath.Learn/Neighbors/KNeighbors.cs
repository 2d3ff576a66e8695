namespace Polymath.Learn;

/// <summary>
/// k-nearest-neighbour classifier by brute-force Euclidean search (queries in parallel). Votes are uniform or
/// weighted by inverse distance; ties in the vote go to the smaller class label; ties in distance keep the earlier
/// training row. The training set is stored in the model.
/// </summary>
public sealed class KNeighborsClassifier : Classifier
{
    /// <summary>Neighbours k (default 5).</summary>
    public int NNeighbors { get; set; } = 5;

    /// <summary>"uniform" (default) or "distance".</summary>
    public string Weights { get; set; } = "uniform";

    /// <summary>Threads (-1: all cores).</summary>
    public int Threads { get; set; } = -1;

    /// <summary>Training rows.</summary>
    [System.Text.Json.Serialization.JsonInclude] public double[,] TrainX { get; private set; } = new double[0, 0];

    /// <summary>Training class indices.</summary>
    [System.Text.Json.Serialization.JsonInclude] public int[] TrainY { get; private set; } = [];

    /// <inheritdoc />
    protected override void FitCore(double[,] x, int[] y)
    {
        if (NNeighbors < 1 || NNeighbors > y.Length)
            throw new ArgumentOutOfRangeException(nameof(NNeighbors), NNeighbors, $"KNeighborsClassifier: k must be in 1..{y.Length} (the training rows).");
        TrainX = (double[,])x.Clone();
        TrainY = (int[])y.Clone();
    }

    /// <inheritdoc />
    protected override double[,] PredictProbaCore(double[,] x)
    {
        int n = x.GetLength(0), k = Classes.Length;
        var p = new double[n, k];
        var (idx, dist) = NearestNeighbors.Search(TrainX, x, NNeighbors, Threads);
        for (int i = 0; i < n; i++)
        {
            double total = 0;
            bool exact = Weights == "distance" && Enumerable.Range(0, NNeighbors).Any(j => dist[i, j] == 0);
            for (int j = 0; j < NNeighbors; j++)
            {
                double w = Weights == "distance" ? (exact ? (dist[i, j] == 0 ? 1 : 0) : 1 / dist[i, j]) : 1;
                p[i, TrainY[idx[i, j]]] += w;
                total += w;
            }
            for (int c = 0; c < k; c++)
                p[i, c] /= total;
        }
        return p;
    }
}

/// <summary>k-nearest-neighbour regressor: the (optionally inverse-distance weighted) mean target of the k nearest rows.</summary>
public sealed class KNeighborsRegressor : Regressor
{
    /// <summary>Neighbours k (default 5).</summary>
    public int NNeighbors { get; set; } = 5;

    /// <summary>"uniform" (default) or "distance".</summary>
    public string Weights { get; set; } = "uniform";

    /// <summary>Threads (-1: all cores).</summary>
    public int Threads { get; set; } = -1;

    /// <summary>Training rows.</summary>
    [System.Text.Json.Serialization.JsonInclude] public double[,] TrainX { get; private set; } = new double[0, 0];

    /// <summary>Training targets.</summary>
    [System.Text.Json.Serialization.JsonInclude] public double[] TrainY { get; private set; } = [];

    /// <inheritdoc />
    protected override void FitCore(double[,] x, double[] y)
    {
        if (NNeighbors < 1 || NNeighbors > y.Length)
            throw new ArgumentOutOfRangeException(nameof(NNeighbors), NNeighbors, $"KNeighborsRegressor: k must be in 1..{y.Length}.");
        TrainX = (double[,])x.Clone();
        TrainY = (double[])y.Clone();
    }

    /// <inheritdoc />
    protected override double[] PredictCore(double[,] x)
    {
        int n = x.GetLength(0);
        var (idx, dist) = NearestNeighbors.Search(TrainX, x, NNeighbors, Threads);
        var r = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = 0, total = 0;
            bool exact = Weights == "distance" && Enumerable.Range(0, NNeighbors).Any(j => dist[i, j] == 0);
            for (int j = 0; j < NNeighbors; j++)
            {
                double w = Weights == "distance" ? (exact ? (dist[i, j] == 0 ? 1 : 0) : 1 / dist[i, j]) : 1;
                s += w * TrainY[idx[i, j]];
                total += w;
            }
            r[i] = s / total;
        }
        return r;
    }
}

/// <summary>Brute-force k-nearest-neighbour search.</summary>
public static class NearestNeighbors
{
    /// <summary>Indices and Euclidean distances [queries, k] of the k nearest rows of <paramref name="data"/>, nearest first.</summary>
    public static (int[,] Indices, double[,] Distances) Search(double[,] data, double[,] queries, int k, int threads = -1)
    {
        int n = data.GetLength(0), q = queries.GetLength(0);
        var idx = new int[q, k];
        var dist = new double[q, k];
        Parallel.For(0, q, MathUtil.ParallelOptionsFor((long)q * n * data.GetLength(1), threads), () => new double[n], (i, _, d2) =>
        {
            var xi = MathUtil.Row(queries, i);
            for (int t = 0; t < n; t++)
            {
                d2[t] = MathUtil.SquaredDistance(xi, MathUtil.Row(data, t));
            }
            // Keep the k smallest by (distance, index): a bounded insertion into the first k slots.
            var bestD = new double[k];
            var bestI = new int[k];
            int count = 0;
            for (int t = 0; t < n; t++)
            {
                double v = d2[t];
                if (count == k && v >= bestD[k - 1])
                    continue;
                int pos = count < k ? count++ : k - 1;
                while (pos > 0 && bestD[pos - 1] > v)
                {
                    bestD[pos] = bestD[pos - 1];
                    bestI[pos] = bestI[pos - 1];
                    pos--;
                }
                bestD[pos] = v;
                bestI[pos] = t;
            }
            for (int j = 0; j < k; j++)
            {
                idx[i, j] = bestI[j];
                dist[i, j] = Math.Sqrt(bestD[j]);
            }
            return d2;
        }, _ => { });
        return (idx, dist);
    }
}
