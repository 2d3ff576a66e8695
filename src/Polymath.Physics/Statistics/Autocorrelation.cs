namespace Polymath.Physics;

/// <summary>The integrated autocorrelation time of a series and the window it was summed over.</summary>
/// <param name="Tau">τ_int = ½ + Σ_{t=1}^{W} ρ(t), in units of the series' spacing (½ for uncorrelated data).</param>
/// <param name="Window">The summation window W chosen by Sokal's rule.</param>
/// <param name="Error">Madras–Sokal error estimate of τ_int: τ·√(2(2W + 1)/n).</param>
/// <param name="Reliable">Whether the series is at least 50·τ_int long (shorter series underestimate τ).</param>
public readonly record struct AutocorrelationTime(double Tau, int Window, double Error, bool Reliable);

/// <summary>
/// Integrated autocorrelation times with automatic windowing (Sokal, "Monte Carlo methods in statistical mechanics",
/// Cargèse lectures 1996; Madras &amp; Sokal, J. Stat. Phys. 50, 109 (1988)): sum the normalised autocorrelation ρ(t)
/// up to the first W with W ≥ c·τ_int(W), c = 6 by default.
/// </summary>
public static class Autocorrelation
{
    /// <summary>Sokal's window factor: c = 6 is good when ρ decays roughly exponentially.</summary>
    public const double DefaultWindowFactor = 6;

    /// <summary>The normalised autocorrelation ρ(t) = Γ(t)/Γ(0) for t = 0..maxLag (direct sums, O(n·maxLag)).</summary>
    /// <exception cref="ArgumentException">Fewer than 2 values.</exception>
    public static double[] Function(ReadOnlySpan<double> series, int maxLag)
    {
        int n = series.Length;
        if (n < 2) throw new ArgumentException($"autocorrelation: need at least 2 values, got {n}", nameof(series));
        maxLag = Math.Clamp(maxLag, 0, n - 1);
        double mean = 0;
        foreach (double x in series) mean += x;
        mean /= n;
        var centred = new double[n];
        for (int i = 0; i < n; i++) centred[i] = series[i] - mean;
        var rho = new double[maxLag + 1];
        double g0 = 0;
        for (int i = 0; i < n; i++) g0 += centred[i] * centred[i];
        g0 /= n;
        rho[0] = 1;
        if (g0 == 0) return rho; // a constant series: no correlation to measure
        for (int t = 1; t <= maxLag; t++)
        {
            double g = 0;
            for (int i = 0; i + t < n; i++) g += centred[i] * centred[i + t];
            rho[t] = g / (n - t) / g0;
        }
        return rho;
    }

    /// <summary>τ_int of <paramref name="series"/> with Sokal's automatic window.</summary>
    /// <param name="series">Consecutive measurements.</param>
    /// <param name="windowFactor">Sokal's c.</param>
    /// <exception cref="ArgumentException">Fewer than 2 values.</exception>
    public static AutocorrelationTime IntegratedTime(ReadOnlySpan<double> series, double windowFactor = DefaultWindowFactor)
    {
        int n = series.Length;
        // ρ is computed in growing chunks of lags, so a short τ costs O(n·τ) rather than O(n²).
        int maxLag = Math.Min(n - 1, 64);
        while (true)
        {
            var rho = Function(series, maxLag);
            double tau = 0.5;
            for (int w = 1; w <= maxLag; w++)
            {
                tau += rho[w];
                if (w >= windowFactor * tau) return Result(tau, w, n);
            }
            if (maxLag == n - 1) return Result(Math.Max(tau, 0.5), maxLag, n, reliable: false);
            maxLag = Math.Min(n - 1, maxLag * 4);
        }
    }

    private static AutocorrelationTime Result(double tau, int window, int n, bool reliable = true)
    {
        tau = Math.Max(tau, 0.5);
        return new AutocorrelationTime(tau, window, tau * Math.Sqrt(2.0 * (2 * window + 1) / n), reliable && n >= 50 * tau);
    }
}
