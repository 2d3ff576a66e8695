namespace Polymath.Physics.Learning;

/// <summary>
/// Where a classifier's mean output crosses 1/2 as the control parameter grows: a weighted straight line through the
/// four grid points around the crossing (two on each side), its root taken as the estimate.
/// </summary>
public static class PhaseCrossing
{
    /// <summary>Points fitted on each side of the crossing.</summary>
    public const int PointsPerSide = 2;

    /// <summary>
    /// The crossing of <paramref name="means"/> (the mean output per grid value, rising from ordered to disordered)
    /// through 1/2. The sign change is placed where the fewest points lie on the wrong side, so one noisy point far away
    /// cannot move it.
    /// </summary>
    /// <param name="grid">Ascending parameter values.</param>
    /// <param name="means">Mean output at each.</param>
    /// <param name="errors">Standard error of each mean (weights of the fit; a floor of 1e-4 keeps saturated points finite).</param>
    /// <returns>The crossing, or NaN when the curve never crosses 1/2.</returns>
    public static double Find(IReadOnlyList<double> grid, IReadOnlyList<double> means, IReadOnlyList<double> errors)
    {
        int n = grid.Count;
        if (n < 2 || means.Count != n || errors.Count != n) throw new ArgumentException($"crossing: {n} grid values, {means.Count} means, {errors.Count} errors");
        int bestSplit = -1, fewest = int.MaxValue;
        for (int split = 1; split < n; split++)
        {
            int wrong = 0;
            for (int i = 0; i < split; i++) if (means[i] >= 0.5) wrong++;
            for (int i = split; i < n; i++) if (means[i] < 0.5) wrong++;
            if (wrong < fewest) (fewest, bestSplit) = (wrong, split);
        }
        if (bestSplit < 0 || means.Take(bestSplit).All(m => m >= 0.5) || means.Skip(bestSplit).All(m => m < 0.5))
            return double.NaN;
        int lo = Math.Max(0, bestSplit - PointsPerSide), hi = Math.Min(n, bestSplit + PointsPerSide);
        double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (int i = lo; i < hi; i++)
        {
            double e = Math.Max(errors[i], 1e-4), w = 1 / (e * e), x = grid[i], y = means[i];
            sw += w; sx += w * x; sy += w * y; sxx += w * x * x; sxy += w * x * y;
        }
        double det = sw * sxx - sx * sx;
        double slope = (sw * sxy - sx * sy) / det, intercept = (sy - slope * sx) / sw;
        if (!(slope > 0)) // flat or falling locally: interpolate the two points that straddle the split instead
        {
            double x0 = grid[bestSplit - 1], x1 = grid[bestSplit], y0 = means[bestSplit - 1], y1 = means[bestSplit];
            return y1 == y0 ? 0.5 * (x0 + x1) : x0 + (0.5 - y0) * (x1 - x0) / (y1 - y0);
        }
        return (0.5 - intercept) / slope;
    }

    /// <summary>Mean and standard error of the outputs at each grid value.</summary>
    /// <param name="grid">Ascending parameter values.</param>
    /// <param name="groups">For each grid value, the indices of its samples in <paramref name="outputs"/>.</param>
    /// <param name="outputs">One output per sample.</param>
    public static (double[] Means, double[] Errors) Curve(IReadOnlyList<double> grid, IReadOnlyList<int[]> groups, IReadOnlyList<double> outputs)
    {
        var means = new double[grid.Count];
        var errors = new double[grid.Count];
        for (int g = 0; g < grid.Count; g++)
        {
            var idx = groups[g];
            double m = 0;
            foreach (int i in idx) m += outputs[i];
            m /= idx.Length;
            double v = 0;
            foreach (int i in idx) v += (outputs[i] - m) * (outputs[i] - m);
            means[g] = m;
            errors[g] = idx.Length > 1 ? Math.Sqrt(v / (idx.Length - 1) / idx.Length) : 0;
        }
        return (means, errors);
    }

    /// <summary>
    /// The crossing and its bootstrap error: the samples of every grid value are resampled with replacement
    /// <paramref name="resamples"/> times and the crossing found again; the error is the standard deviation of those.
    /// </summary>
    public static Estimate Bootstrap(IReadOnlyList<double> grid, IReadOnlyList<int[]> groups, IReadOnlyList<double> outputs, int resamples, ulong seed)
    {
        var (means, errors) = Curve(grid, groups, outputs);
        double center = Find(grid, means, errors);
        if (double.IsNaN(center)) return new Estimate(double.NaN, double.NaN);
        var gen = new Generator(seed);
        var values = new List<double>(resamples);
        var bm = new double[grid.Count];
        for (int b = 0; b < resamples; b++)
        {
            for (int g = 0; g < grid.Count; g++)
            {
                var idx = groups[g];
                double sum = 0;
                for (int k = 0; k < idx.Length; k++) sum += outputs[idx[(int)gen.NextLong(0, idx.Length)]];
                bm[g] = sum / idx.Length;
            }
            double c = Find(grid, bm, errors);
            if (double.IsFinite(c)) values.Add(c);
        }
        double mean = values.Average();
        double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, values.Count - 1));
        return new Estimate(center, sd);
    }
}
