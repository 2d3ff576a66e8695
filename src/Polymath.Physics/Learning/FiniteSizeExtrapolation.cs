namespace Polymath.Physics.Learning;

/// <summary>
/// The fit T*(L) = T_c + a·L^(−1/ν) of crossings measured at several sizes, by weighted least squares (weights 1/σ²).
/// With ν fixed the model is linear in (T_c, a) and the covariance is (XᵀWX)⁻¹; with ν free, ν is found by a scan of
/// χ²(ν) refined by golden section, and the covariance of (T_c, a, ν) comes from the linearised model at the minimum.
/// Either covariance is scaled by χ²/dof when that exceeds 1, so scatter beyond the error bars widens the error
/// instead of being ignored.
/// </summary>
public static class FiniteSizeExtrapolation
{
    /// <summary>Fits with the exponent fixed (ν = 1 for the 2D Ising and the transverse-field chain universality class).</summary>
    /// <exception cref="ArgumentException">Fewer than two sizes, mismatched lists, or a non-positive error.</exception>
    public static FiniteSizeFit FitFixed(IReadOnlyList<int> sizes, IReadOnlyList<Estimate> crossings, double nu = 1)
    {
        Check(sizes, crossings, 2);
        var (tc, a, cov, chi2) = Linear(sizes, crossings, nu);
        int dof = sizes.Count - 2;
        double scale = dof > 0 ? Math.Max(1, chi2 / dof) : 1;
        return new FiniteSizeFit(new Estimate(tc, Math.Sqrt(cov[0] * scale)), new Estimate(a, Math.Sqrt(cov[2] * scale)),
            new Estimate(nu, 0), NuFree: false, chi2, dof);
    }

    /// <summary>Fits T_c, a and ν together (needs at least four sizes for one degree of freedom).</summary>
    /// <exception cref="ArgumentException">Fewer than four sizes, mismatched lists, or a non-positive error.</exception>
    public static FiniteSizeFit FitFree(IReadOnlyList<int> sizes, IReadOnlyList<Estimate> crossings, double nuMin = 0.3, double nuMax = 3)
    {
        Check(sizes, crossings, 4);
        double Chi2(double nu) => Linear(sizes, crossings, nu).Chi2;
        int steps = 60;
        double best = nuMin, bestChi = double.PositiveInfinity;
        for (int i = 0; i <= steps; i++)
        {
            double nu = nuMin + (nuMax - nuMin) * i / steps, c = Chi2(nu);
            if (c < bestChi) (best, bestChi) = (nu, c);
        }
        double lo = Math.Max(nuMin, best - (nuMax - nuMin) / steps), hi = Math.Min(nuMax, best + (nuMax - nuMin) / steps);
        double g = (Math.Sqrt(5) - 1) / 2;
        for (int i = 0; i < 60; i++)
        {
            double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
            if (Chi2(x1) < Chi2(x2)) hi = x2; else lo = x1;
        }
        double nuBest = 0.5 * (lo + hi);
        var (tc, a, _, chi2) = Linear(sizes, crossings, nuBest);
        // Linearised covariance: Jacobian columns ∂T*/∂(T_c, a, ν) = (1, x, a·x·ln L / ν²) with x = L^(−1/ν).
        var jtj = new double[3, 3];
        for (int k = 0; k < sizes.Count; k++)
        {
            double x = Math.Pow(sizes[k], -1 / nuBest), w = 1 / (crossings[k].Error * crossings[k].Error);
            double[] j = [1, x, a * x * Math.Log(sizes[k]) / (nuBest * nuBest)];
            for (int r = 0; r < 3; r++) for (int c = 0; c < 3; c++) jtj[r, c] += w * j[r] * j[c];
        }
        var inv = Invert3(jtj);
        int dof = sizes.Count - 3;
        double scale = Math.Max(1, chi2 / dof);
        bool edge = nuBest - nuMin < 1e-3 * (nuMax - nuMin) || nuMax - nuBest < 1e-3 * (nuMax - nuMin);
        return new FiniteSizeFit(new Estimate(tc, Math.Sqrt(inv[0, 0] * scale)), new Estimate(a, Math.Sqrt(inv[1, 1] * scale)),
            new Estimate(nuBest, Math.Sqrt(inv[2, 2] * scale)), NuFree: true, chi2, dof, edge);
    }

    private static void Check(IReadOnlyList<int> sizes, IReadOnlyList<Estimate> crossings, int minimum)
    {
        if (sizes.Count != crossings.Count) throw new ArgumentException($"finite-size fit: {sizes.Count} sizes but {crossings.Count} crossings");
        if (sizes.Count < minimum) throw new ArgumentException($"finite-size fit: needs at least {minimum} sizes, got {sizes.Count}");
        for (int i = 0; i < sizes.Count; i++)
            if (!(crossings[i].Error > 0) || !double.IsFinite(crossings[i].Value))
                throw new ArgumentException($"finite-size fit: the crossing of size {sizes[i]} is {crossings[i]} (needs a finite value and a positive error)");
    }

    private static (double Tc, double A, double[] Cov, double Chi2) Linear(IReadOnlyList<int> sizes, IReadOnlyList<Estimate> y, double nu)
    {
        double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (int k = 0; k < sizes.Count; k++)
        {
            double x = Math.Pow(sizes[k], -1 / nu), w = 1 / (y[k].Error * y[k].Error);
            sw += w; sx += w * x; sy += w * y[k].Value; sxx += w * x * x; sxy += w * x * y[k].Value;
        }
        double det = sw * sxx - sx * sx;
        double tc = (sxx * sy - sx * sxy) / det, a = (sw * sxy - sx * sy) / det;
        double chi2 = 0;
        for (int k = 0; k < sizes.Count; k++)
        {
            double r = (y[k].Value - tc - a * Math.Pow(sizes[k], -1 / nu)) / y[k].Error;
            chi2 += r * r;
        }
        return (tc, a, [sxx / det, -sx / det, sw / det], chi2);
    }

    private static double[,] Invert3(double[,] m)
    {
        double a = m[0, 0], b = m[0, 1], c = m[0, 2], d = m[1, 0], e = m[1, 1], f = m[1, 2], g = m[2, 0], h = m[2, 1], i = m[2, 2];
        double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
        return new double[,]
        {
            { (e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det },
            { (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det },
            { (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det },
        };
    }
}

/// <summary>The result of a <see cref="FiniteSizeExtrapolation"/> fit.</summary>
/// <param name="Critical">The L → ∞ intercept (T_c or h_c) with its error.</param>
/// <param name="Amplitude">a of a·L^(−1/ν).</param>
/// <param name="Nu">ν (error 0 when fixed).</param>
/// <param name="NuFree">Whether ν was fitted.</param>
/// <param name="ChiSquared">χ² of the fit.</param>
/// <param name="DegreesOfFreedom">Sizes minus fitted parameters.</param>
/// <param name="NuAtScanEdge">ν free ended at an end of its scan range: the data do not determine ν, and the fit should not be trusted.</param>
public sealed record FiniteSizeFit(Estimate Critical, Estimate Amplitude, Estimate Nu, bool NuFree, double ChiSquared, int DegreesOfFreedom, bool NuAtScanEdge = false)
{
    /// <summary>The fitted T*(L).</summary>
    public double At(double size) => Critical.Value + Amplitude.Value * Math.Pow(size, -1 / Nu.Value);
}
