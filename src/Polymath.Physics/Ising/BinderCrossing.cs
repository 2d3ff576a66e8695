namespace Polymath.Physics;

/// <summary>Where the Binder cumulants of two lattice sizes cross.</summary>
/// <param name="SmallSize">The smaller L.</param>
/// <param name="LargeSize">The larger L.</param>
/// <param name="Temperature">The crossing temperature with its error (propagated from the cumulants' error bars).</param>
/// <param name="InsideRange">Whether the difference of the cumulants changes sign inside the temperatures measured.</param>
public sealed record BinderCrossing(int SmallSize, int LargeSize, Estimate Temperature, bool InsideRange);

/// <summary>
/// Finds the temperature where U_L(T) of two sizes cross (Binder, Z. Phys. B 43, 119 (1981)): at T_c the cumulant is
/// size-independent up to corrections to scaling, below it U grows towards 2/3 with L, above it falls towards 0.
/// </summary>
public static class BinderCrossingFinder
{
    /// <summary>
    /// Fits the difference d(T) = U_large(T) − U_small(T) with a straight line by weighted least squares (weights 1/σ²,
    /// σ² = σ_small² + σ_large²) and returns its root T* = −a/b, with the error from the fit's covariance (delta
    /// method). The fit uses the <paramref name="window"/> shared temperatures nearest the first sign change of d (all
    /// of them when d does not change sign), because d curves away from the crossing.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 2 shared temperatures, a window below 2, or a slope of zero (no crossing).</exception>
    public static BinderCrossing Find(IReadOnlyList<IsingObservables> small, IReadOnlyList<IsingObservables> large, int window = 4)
    {
        if (window < 2) throw new ArgumentException($"Binder crossing: the fit window needs at least 2 temperatures, not {window}", nameof(window));
        ArgumentNullException.ThrowIfNull(small);
        ArgumentNullException.ThrowIfNull(large);
        if (small.Count == 0 || large.Count == 0) throw new ArgumentException("Binder crossing: a size has no measurements");
        var bigByT = large.ToDictionary(o => o.Temperature);
        var points = new List<(double T, double D, double W)>();
        foreach (var s in small.OrderBy(o => o.Temperature))
        {
            if (!bigByT.TryGetValue(s.Temperature, out var b)) continue;
            double var = s.Binder.Error * s.Binder.Error + b.Binder.Error * b.Binder.Error;
            points.Add((s.Temperature, b.Binder.Value - s.Binder.Value, var > 0 ? 1 / var : 1e12));
        }
        if (points.Count < 2)
            throw new ArgumentException($"Binder crossing: L = {small[0].Size} and L = {large[0].Size} share {points.Count} temperature(s); need at least 2");
        int change = Enumerable.Range(0, points.Count - 1).FirstOrDefault(i => Math.Sign(points[i].D) != Math.Sign(points[i + 1].D), -1);
        bool inside = change >= 0;
        if (inside && points.Count > window)
        {
            int start = Math.Clamp(change + 1 - window / 2, 0, points.Count - window);
            points = points.GetRange(start, window);
        }
        // Weighted least squares d = a + b·(T − T̄), centred so that a and b are uncorrelated.
        double sw = points.Sum(p => p.W), tbar = points.Sum(p => p.W * p.T) / sw;
        double sxx = points.Sum(p => p.W * (p.T - tbar) * (p.T - tbar));
        double a = points.Sum(p => p.W * p.D) / sw;
        double slope = points.Sum(p => p.W * (p.T - tbar) * p.D) / sxx;
        if (slope == 0 || !double.IsFinite(slope))
            throw new ArgumentException($"Binder crossing: U_{large[0].Size} − U_{small[0].Size} has no slope in T; the curves do not cross");
        double root = tbar - a / slope;
        double x = root - tbar;
        // Var(a) = 1/Σw, Var(b) = 1/Sxx, Cov = 0 in the centred form; T* = T̄ − a/b.
        double variance = (1 / sw + x * x / sxx) / (slope * slope);
        // Scale by the reduced χ² when the line fits worse than the error bars say (curvature, underestimated errors).
        int dof = points.Count - 2;
        if (dof > 0)
        {
            double chi2 = points.Sum(p => p.W * Math.Pow(p.D - a - slope * (p.T - tbar), 2)) / dof;
            if (chi2 > 1) variance *= chi2;
        }
        return new BinderCrossing(small[0].Size, large[0].Size, new Estimate(root, Math.Sqrt(variance)), inside);
    }

    /// <summary>The crossings of consecutive sizes (L₁ with L₂, L₂ with L₃, …) from one run's observables.</summary>
    /// <exception cref="ArgumentException">Fewer than 2 sizes, or as for <see cref="Find"/>.</exception>
    public static IReadOnlyList<BinderCrossing> Consecutive(IReadOnlyList<IsingObservables> observables, int window = 4)
    {
        ArgumentNullException.ThrowIfNull(observables);
        var bySize = observables.GroupBy(o => o.Size).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
        if (bySize.Count < 2) throw new ArgumentException($"Binder crossing: need at least 2 lattice sizes, got {bySize.Count}");
        return bySize.Zip(bySize.Skip(1)).Select(p => Find(p.First, p.Second, window)).ToList();
    }
}
