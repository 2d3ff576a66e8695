using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>
/// k-means clustering by Lloyd's iterations from k-means++ seeds (Arthur &amp; Vassilvitskii 2007, greedy variant
/// with 2 + ln k candidates per seed, as sklearn), restarted <see cref="NInit"/> times; the run with the lowest
/// inertia (sum of squared distances to the nearest centre) wins. Assignment steps run in parallel.
/// </summary>
public sealed class KMeans : Estimator
{
    /// <summary>Number of clusters (default 8).</summary>
    public int NClusters { get; set; } = 8;

    /// <summary>Restarts (default 10).</summary>
    public int NInit { get; set; } = 10;

    /// <summary>Lloyd iterations per run at most (default 300).</summary>
    public int MaxIter { get; set; } = 300;

    /// <summary>Stop when the centres move less than Tol × (mean feature variance) in squared distance (default 1e-4).</summary>
    public double Tol { get; set; } = 1e-4;

    /// <summary>Seed.</summary>
    public int RandomState { get; set; }

    /// <summary>Cluster centres [clusters, features].</summary>
    [JsonInclude] public double[,] ClusterCenters { get; private set; } = new double[0, 0];

    /// <summary>Cluster of each training row.</summary>
    [JsonInclude] public int[] Labels { get; private set; } = [];

    /// <summary>Sum of squared distances of the training rows to their centre.</summary>
    [JsonInclude] public double Inertia { get; private set; }

    /// <summary>Iterations of the best run.</summary>
    [JsonInclude] public int Iterations { get; private set; }

    /// <summary>Clusters x.</summary>
    /// <exception cref="ArgumentException">NaN in x or fewer rows than clusters.</exception>
    public void Fit(double[,] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        Check.NoNaN(x, nameof(KMeans));
        int n = x.GetLength(0), d = x.GetLength(1);
        if (NClusters < 1 || NClusters > n)
            throw new ArgumentException($"KMeans: n_clusters = {NClusters} but there are {n} rows.");
        FeatureCount = -1;
        var means = MathUtil.ColumnMeans(x);
        double tol = Tol * MathUtil.ColumnVariances(x, means).Average();
        var rng = new Random(RandomState);
        double bestInertia = double.PositiveInfinity;
        for (int run = 0; run < NInit; run++)
        {
            var centers = PlusPlus(x, NClusters, rng);
            var labels = new int[n];
            int iter;
            double inertia = 0;
            for (iter = 1; iter <= MaxIter; iter++)
            {
                inertia = Assign(x, centers, labels);
                var updated = new double[NClusters, d];
                var counts = new int[NClusters];
                for (int i = 0; i < n; i++)
                {
                    counts[labels[i]]++;
                    for (int j = 0; j < d; j++)
                        updated[labels[i], j] += x[i, j];
                }
                double shift = 0;
                for (int c = 0; c < NClusters; c++)
                {
                    if (counts[c] == 0)
                    {
                        // Empty cluster: move it to the row farthest from its centre.
                        int far = FarthestRow(x, centers, labels);
                        MathUtil.Row(x, far).CopyTo(MathUtil.Row(updated, c));
                    }
                    else
                    {
                        for (int j = 0; j < d; j++)
                            updated[c, j] /= counts[c];
                    }
                    shift += MathUtil.SquaredDistance(MathUtil.Row(updated, c), MathUtil.Row(centers, c));
                }
                centers = updated;
                if (shift <= tol)
                {
                    inertia = Assign(x, centers, labels);
                    break;
                }
            }
            if (inertia < bestInertia)
            {
                bestInertia = inertia;
                ClusterCenters = centers;
                Labels = labels;
                Iterations = Math.Min(iter, MaxIter);
            }
        }
        Inertia = bestInertia;
        FeatureCount = d;
    }

    /// <summary>Fit then return the labels.</summary>
    public int[] FitPredict(double[,] x)
    {
        Fit(x);
        return Labels;
    }

    /// <summary>Nearest centre of each row.</summary>
    public int[] Predict(double[,] x)
    {
        CheckPredictInput(x);
        var labels = new int[x.GetLength(0)];
        Assign(x, ClusterCenters, labels);
        return labels;
    }

    /// <summary>Euclidean distance of each row to each centre [samples, clusters].</summary>
    public double[,] Transform(double[,] x)
    {
        CheckPredictInput(x);
        int n = x.GetLength(0), k = ClusterCenters.GetLength(0);
        var r = new double[n, k];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < k; c++)
                r[i, c] = Math.Sqrt(MathUtil.SquaredDistance(MathUtil.Row(x, i), MathUtil.Row(ClusterCenters, c)));
        return r;
    }

    /// <summary>Negative inertia of x under the fitted centres (higher is better, as sklearn's score).</summary>
    public double Score(double[,] x)
    {
        CheckPredictInput(x);
        var labels = new int[x.GetLength(0)];
        return -Assign(x, ClusterCenters, labels);
    }

    private static double Assign(double[,] x, double[,] centers, int[] labels)
    {
        int n = x.GetLength(0), k = centers.GetLength(0);
        var partial = new double[n];
        Parallel.For(0, n, MathUtil.ParallelOptionsFor((long)n * k * x.GetLength(1)), i =>
        {
            var xi = MathUtil.Row(x, i);
            double best = double.PositiveInfinity;
            int arg = 0;
            for (int c = 0; c < k; c++)
            {
                double dd = MathUtil.SquaredDistance(xi, MathUtil.Row(centers, c));
                if (dd < best)
                {
                    best = dd;
                    arg = c;
                }
            }
            labels[i] = arg;
            partial[i] = best;
        });
        return partial.Sum();
    }

    private static int FarthestRow(double[,] x, double[,] centers, int[] labels)
    {
        int best = 0;
        double far = -1;
        for (int i = 0; i < x.GetLength(0); i++)
        {
            double dd = MathUtil.SquaredDistance(MathUtil.Row(x, i), MathUtil.Row(centers, labels[i]));
            if (dd > far)
                (far, best) = (dd, i);
        }
        return best;
    }

    private static double[,] PlusPlus(double[,] x, int k, Random rng)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        int trials = 2 + (int)Math.Log(k);
        var centers = new double[k, d];
        int first = rng.Next(n);
        MathUtil.Row(x, first).CopyTo(MathUtil.Row(centers, 0));
        var closest = new double[n];
        for (int i = 0; i < n; i++)
            closest[i] = MathUtil.SquaredDistance(MathUtil.Row(x, i), MathUtil.Row(centers, 0));
        var candidateDist = new double[n];
        for (int c = 1; c < k; c++)
        {
            double pot = closest.Sum();
            int bestCandidate = -1;
            double bestPot = double.PositiveInfinity;
            double[]? bestDist = null;
            for (int t = 0; t < trials; t++)
            {
                // Sample a row with probability proportional to its squared distance to the nearest centre.
                double r = rng.NextDouble() * pot, acc = 0;
                int cand = n - 1;
                for (int i = 0; i < n; i++)
                {
                    acc += closest[i];
                    if (acc > r)
                    {
                        cand = i;
                        break;
                    }
                }
                double newPot = 0;
                var cx = MathUtil.Row(x, cand).ToArray();
                for (int i = 0; i < n; i++)
                {
                    candidateDist[i] = Math.Min(closest[i], MathUtil.SquaredDistance(MathUtil.Row(x, i), cx));
                    newPot += candidateDist[i];
                }
                if (newPot < bestPot)
                {
                    bestPot = newPot;
                    bestCandidate = cand;
                    bestDist = (double[])candidateDist.Clone();
                }
            }
            MathUtil.Row(x, bestCandidate).CopyTo(MathUtil.Row(centers, c));
            closest = bestDist!;
        }
        return centers;
    }
}
