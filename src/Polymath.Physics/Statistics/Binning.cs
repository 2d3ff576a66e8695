namespace Polymath.Physics;

/// <summary>
/// The binning (blocking) analysis of a correlated series (Flyvbjerg &amp; Petersen, J. Chem. Phys. 91, 461 (1989)):
/// the naive error of the mean of bins of length 2ᵏ grows with k and levels off at the true error once bins are longer
/// than the autocorrelation time.
/// </summary>
public static class Binning
{
    /// <summary>The error of the mean for bin lengths 1, 2, 4, … while at least <paramref name="minBins"/> bins remain.</summary>
    /// <exception cref="ArgumentException">Fewer than <paramref name="minBins"/> values (minBins ≥ 2).</exception>
    public static double[] ErrorByLevel(ReadOnlySpan<double> series, int minBins = 32)
    {
        if (minBins < 2 || series.Length < minBins)
            throw new ArgumentException($"binning: need at least {Math.Max(2, minBins)} values, got {series.Length}", nameof(series));
        var current = series.ToArray();
        var errors = new List<double>();
        while (current.Length >= minBins)
        {
            errors.Add(StandardError(current));
            var next = new double[current.Length / 2];
            for (int i = 0; i < next.Length; i++) next[i] = 0.5 * (current[2 * i] + current[2 * i + 1]);
            current = next;
        }
        return errors.ToArray();
    }

    /// <summary>The mean with the error at the last binning level (the plateau when the series is long enough).</summary>
    /// <exception cref="ArgumentException">Fewer than <paramref name="minBins"/> values.</exception>
    public static Estimate Mean(ReadOnlySpan<double> series, int minBins = 32)
    {
        double mean = 0;
        foreach (double x in series) mean += x;
        mean /= series.Length;
        var levels = ErrorByLevel(series, minBins);
        return new Estimate(mean, levels[^1]);
    }

    private static double StandardError(double[] x)
    {
        double mean = x.Average(), ss = 0;
        foreach (double v in x) ss += (v - mean) * (v - mean);
        return Math.Sqrt(ss / (x.Length - 1) / x.Length);
    }
}
