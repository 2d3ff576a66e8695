namespace Polymath.Learn;

/// <summary>Univariate feature scores (sklearn.feature_selection's score functions).</summary>
public static class FeatureScores
{
    /// <summary>ANOVA F statistic of each feature across the classes of y, with its p-value (F distribution).</summary>
    public static (double[] F, double[] PValues) FClassif(double[,] x, double[] y)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var classes = y.Distinct().Order().ToArray();
        int k = classes.Length;
        var index = classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i);
        var f = new double[d];
        var p = new double[d];
        for (int j = 0; j < d; j++)
        {
            var sum = new double[k];
            var count = new double[k];
            double total = 0;
            for (int i = 0; i < n; i++)
            {
                int c = index[y[i]];
                sum[c] += x[i, j];
                count[c]++;
                total += x[i, j];
            }
            double grand = total / n, between = 0, within = 0;
            for (int c = 0; c < k; c++)
                between += count[c] * Math.Pow(sum[c] / count[c] - grand, 2);
            for (int i = 0; i < n; i++)
            {
                int c = index[y[i]];
                within += Math.Pow(x[i, j] - sum[c] / count[c], 2);
            }
            double dfb = k - 1, dfw = n - k;
            f[j] = between / dfb / (within / dfw);
            p[j] = SpecialFunctions.FSurvival(f[j], dfb, dfw);
        }
        return (f, p);
    }

    /// <summary>F statistic of each feature's correlation with a real target: r² / (1 − r²) · (n − 2), with its p-value.</summary>
    public static (double[] F, double[] PValues) FRegression(double[,] x, double[] y)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        double ym = y.Average();
        var f = new double[d];
        var p = new double[d];
        var mean = MathUtil.ColumnMeans(x);
        for (int j = 0; j < d; j++)
        {
            double sxy = 0, sxx = 0, syy = 0;
            for (int i = 0; i < n; i++)
            {
                double a = x[i, j] - mean[j], b = y[i] - ym;
                sxy += a * b;
                sxx += a * a;
                syy += b * b;
            }
            double r = sxy / Math.Sqrt(sxx * syy);
            f[j] = r * r / (1 - r * r) * (n - 2);
            p[j] = SpecialFunctions.FSurvival(f[j], 1, n - 2);
        }
        return (f, p);
    }

    /// <summary>
    /// Mutual information (nats) between each continuous feature and discrete labels, by the k-nearest-neighbour
    /// estimator of Ross (2014): ψ(n) + ⟨ψ(k)⟩ − ⟨ψ(N_c)⟩ − ⟨ψ(m)⟩, on features scaled to unit variance and jittered
    /// by 1e-10 × max(1, mean |x|) Gaussian noise (seeded) so that repeated values do not tie, as sklearn does.
    /// Clipped at 0.
    /// </summary>
    public static double[] MutualInfoClassif(double[,] x, double[] y, int nNeighbors = 3, int randomState = 0)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var mi = new double[d];
        var means = MathUtil.ColumnMeans(x);
        var std = MathUtil.ColumnVariances(x, means).Select(Math.Sqrt).ToArray();
        var columns = new double[d][];
        var rng = new Random(randomState);
        for (int j = 0; j < d; j++)
        {
            columns[j] = new double[n];
            double meanAbs = 0;
            for (int i = 0; i < n; i++)
            {
                columns[j][i] = std[j] > 0 ? x[i, j] / std[j] : x[i, j];
                meanAbs += Math.Abs(columns[j][i]) / n;
            }
            for (int i = 0; i < n; i++)
                columns[j][i] += 1e-10 * Math.Max(1, meanAbs) * Gaussian(rng);
        }
        Parallel.For(0, d, new ParallelOptions { MaxDegreeOfParallelism = MathUtil.Threads(-1) }, j =>
            mi[j] = MutualInfoContinuousDiscrete(columns[j], y, nNeighbors));
        return mi;
    }

    private static double Gaussian(Random rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static double MutualInfoContinuousDiscrete(double[] c, double[] y, int nNeighbors)
    {
        int n = c.Length;
        var radius = new double[n];
        var kAll = new int[n];
        var labelCount = new int[n];
        foreach (var group in Enumerable.Range(0, n).GroupBy(i => y[i]))
        {
            var members = group.ToArray();
            int count = members.Length;
            if (count > 1)
            {
                int k = Math.Min(nNeighbors, count - 1);
                var values = members.Select(i => c[i]).ToArray();
                foreach (int i in members)
                {
                    var dist = values.Select(v => Math.Abs(v - c[i])).Order().ToArray();
                    // dist[0] is the point itself (0); the k-th neighbour is dist[k]. Strictly inside: the next float
                    // towards 0 (numpy's nextafter(r, 0), which leaves 0 at 0).
                    radius[i] = dist[k] > 0 ? Math.BitDecrement(dist[k]) : 0;
                    kAll[i] = k;
                }
            }
            foreach (int i in members)
                labelCount[i] = count;
        }
        var keep = Enumerable.Range(0, n).Where(i => labelCount[i] > 1).ToArray();
        if (keep.Length == 0)
            return 0;
        var sorted = keep.Select(i => c[i]).Order().ToArray();
        double sumM = 0, sumK = 0, sumN = 0;
        foreach (int i in keep)
        {
            // Points with |v − c_i| ≤ radius, itself included: binary search, then settle the edges with the same
            // |v − c_i| test the radius came from (c_i ± r rounds differently on grid-valued data).
            double ci = c[i], r = radius[i];
            int lo = LowerBound(sorted, ci - r), hi = UpperBound(sorted, ci + r);
            while (lo > 0 && Math.Abs(sorted[lo - 1] - ci) <= r) lo--;
            while (lo < hi && Math.Abs(sorted[lo] - ci) > r) lo++;
            while (hi < sorted.Length && Math.Abs(sorted[hi] - ci) <= r) hi++;
            while (hi > lo && Math.Abs(sorted[hi - 1] - ci) > r) hi--;
            sumM += SpecialFunctions.Digamma(hi - lo);
            sumK += SpecialFunctions.Digamma(kAll[i]);
            sumN += SpecialFunctions.Digamma(labelCount[i]);
        }
        int m = keep.Length;
        double value = SpecialFunctions.Digamma(m) + sumK / m - sumN / m - sumM / m;
        return Math.Max(0, value);
    }

    private static int LowerBound(double[] a, double v)
    {
        int lo = 0, hi = a.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (a[mid] < v) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static int UpperBound(double[] a, double v)
    {
        int lo = 0, hi = a.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (a[mid] <= v) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
