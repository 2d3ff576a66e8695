namespace Polymath.Physics.Learning;

/// <summary>
/// Finite-size scaling by data collapse: the classifier's mean output P_L(T) should be one function of
/// x = (T − T_c)·L^(1/ν) for every L. (T_c, ν) are chosen on a grid to minimise the mean squared distance, in units of
/// the combined error, between each curve's points and the other sizes' curves interpolated at the same x
/// (Bhattacharjee &amp; Seno, J. Phys. A 34, 6375 (2001)); only points with output in [0.05, 0.95] count, since
/// saturated points collapse for any (T_c, ν). Errors: the half-widths of the region where the summed cost rises by
/// one above its minimum (the χ² rule), projected on each axis.
/// </summary>
public static class DataCollapse
{
    /// <summary>Finds (T_c, ν) for the curves of <paramref name="sizes"/>.</summary>
    /// <param name="sizes">At least two sizes' results.</param>
    /// <param name="criticalRange">Where to look for T_c.</param>
    /// <param name="nuRange">Where to look for ν.</param>
    /// <remarks>
    /// A 101 × 101 scan of the ranges finds the minimum and the region where the cost rises by one; a second 61 × 61
    /// scan over that region (widened by one coarse cell) places both more finely, so the grid's cell does not set the
    /// error.
    /// </remarks>
    /// <exception cref="ArgumentException">Fewer than two sizes.</exception>
    public static CollapseFit Fit(IReadOnlyList<PhaseSizeResult> sizes, (double Min, double Max) criticalRange, (double Min, double Max) nuRange)
    {
        if (sizes.Count < 2) throw new ArgumentException($"data collapse: needs at least two sizes, got {sizes.Count}", nameof(sizes));
        var coarse = Scan(sizes, criticalRange, nuRange, 100);
        if (coarse is null)
            return new CollapseFit(new Estimate(double.NaN, double.NaN), new Estimate(double.NaN, double.NaN), double.NaN, 0);
        double cellT = (criticalRange.Max - criticalRange.Min) / 100, cellNu = (nuRange.Max - nuRange.Min) / 100;
        var box = ((Math.Max(criticalRange.Min, coarse.TcLo - cellT), Math.Min(criticalRange.Max, coarse.TcHi + cellT)),
                   (Math.Max(nuRange.Min, coarse.NuLo - cellNu), Math.Min(nuRange.Max, coarse.NuHi + cellNu)));
        var fine = Scan(sizes, box.Item1, box.Item2, 60) ?? coarse;
        // A minimum on the border of the search ranges is not a minimum: the curves do not determine (T_c, ν) there.
        bool edge = fine.Tc <= criticalRange.Min + cellT || fine.Tc >= criticalRange.Max - cellT || fine.Nu <= nuRange.Min + cellNu || fine.Nu >= nuRange.Max - cellNu;
        return new CollapseFit(new Estimate(fine.Tc, Math.Max(fine.CellT / 2, Math.Max(fine.TcHi - fine.Tc, fine.Tc - fine.TcLo))),
            new Estimate(fine.Nu, Math.Max(fine.CellNu / 2, Math.Max(fine.NuHi - fine.Nu, fine.Nu - fine.NuLo))), fine.CostPerPoint, fine.Points) { AtRangeEdge = edge };
    }

    /// <summary>
    /// <see cref="Fit"/> on the networks' mean curves, with the spread between networks in the errors: the fit is
    /// repeated leaving out one network at a time (the other networks' mean curves, the ensemble's error bars), and the
    /// jackknife variance of those fits, (k − 1)/k · Σ (x₍ᵢ₎ − x̄)², is added in quadrature to the χ²-rule error of the
    /// full ensemble. Without per-network curves (or with one network) this is <see cref="Fit"/>.
    /// With three or more sizes the fit is also repeated leaving out one size at a time, and that jackknife variance is
    /// added too: corrections to scaling make the sizes disagree about (T_c, ν) by more than the curves' noise, and the
    /// χ² rule alone does not see it (on the transverse-field chain n = 16, 32, 64 it gave h_c 7σ from 1).
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two sizes, or sizes with different numbers of networks.</exception>
    public static CollapseFit FitEnsemble(IReadOnlyList<PhaseSizeResult> sizes, (double Min, double Max) criticalRange, (double Min, double Max) nuRange)
    {
        var withNetworks = FitNetworkJackknife(sizes, criticalRange, nuRange);
        if (sizes.Count < 3 || !double.IsFinite(withNetworks.Critical.Value)) return withNetworks;
        var tcs = new double[sizes.Count];
        var nus = new double[sizes.Count];
        for (int left = 0; left < sizes.Count; left++)
        {
            var f = Fit(sizes.Where((_, i) => i != left).ToList(), criticalRange, nuRange);
            (tcs[left], nus[left]) = (f.Critical.Value, f.Nu.Value);
        }
        if (tcs.Any(t => !double.IsFinite(t)))
            return withNetworks with { Critical = new Estimate(withNetworks.Critical.Value, double.PositiveInfinity), Nu = new Estimate(withNetworks.Nu.Value, double.PositiveInfinity) };
        double st = Jackknife(tcs), sn = Jackknife(nus);
        return withNetworks with
        {
            Critical = new Estimate(withNetworks.Critical.Value, Math.Sqrt(withNetworks.Critical.Error * withNetworks.Critical.Error + st * st)),
            Nu = new Estimate(withNetworks.Nu.Value, Math.Sqrt(withNetworks.Nu.Error * withNetworks.Nu.Error + sn * sn)),
            CriticalSizeError = st, NuSizeError = sn,
        };
    }

    private static double Jackknife(double[] x)
    {
        double m = x.Average();
        return Math.Sqrt((x.Length - 1.0) / x.Length * x.Sum(v => (v - m) * (v - m)));
    }

    // The full fit with the leave-one-network-out jackknife in its errors.
    private static CollapseFit FitNetworkJackknife(IReadOnlyList<PhaseSizeResult> sizes, (double Min, double Max) criticalRange, (double Min, double Max) nuRange)
    {
        var full = Fit(sizes, criticalRange, nuRange);
        int k = sizes.Count > 0 ? sizes[0].NetworkMeanOutputs.Length : 0;
        if (sizes.Any(s => s.NetworkMeanOutputs.Length != k))
            throw new ArgumentException($"data collapse: the sizes have different numbers of networks ({string.Join(", ", sizes.Select(s => s.NetworkMeanOutputs.Length))})", nameof(sizes));
        if (k < 2 || !double.IsFinite(full.Critical.Value)) return full;
        var tcs = new double[k];
        var nus = new double[k];
        for (int left = 0; left < k; left++)
        {
            var reduced = sizes.Select(s =>
            {
                var mean = new double[s.Grid.Length];
                for (int g = 0; g < mean.Length; g++)
                {
                    double sum = 0;
                    for (int r = 0; r < k; r++) if (r != left) sum += s.NetworkMeanOutputs[r][g];
                    mean[g] = sum / (k - 1);
                }
                return s with { MeanOutput = mean };
            }).ToList();
            var f = Fit(reduced, criticalRange, nuRange);
            (tcs[left], nus[left]) = (f.Critical.Value, f.Nu.Value);
        }
        if (tcs.Any(t => !double.IsFinite(t))) return full with { Critical = new Estimate(full.Critical.Value, double.PositiveInfinity), Nu = new Estimate(full.Nu.Value, double.PositiveInfinity) };
        double jt = Jackknife(tcs), jn = Jackknife(nus);
        return full with
        {
            Critical = new Estimate(full.Critical.Value, Math.Sqrt(full.Critical.Error * full.Critical.Error + jt * jt)),
            Nu = new Estimate(full.Nu.Value, Math.Sqrt(full.Nu.Error * full.Nu.Error + jn * jn)),
            CriticalNetworkError = jt, NuNetworkError = jn, Networks = k,
        };
    }

    private sealed record ScanResult(double Tc, double Nu, double CostPerPoint, int Points, double TcLo, double TcHi, double NuLo, double NuHi, double CellT, double CellNu);

    // Grid search over (T_c, ν) with `steps` cells per axis; the best cost per point and the χ²-rule region around it.
    private static ScanResult? Scan(IReadOnlyList<PhaseSizeResult> sizes, (double Min, double Max) criticalRange, (double Min, double Max) nuRange, int steps)
    {
        var cost = new double[steps + 1, steps + 1];
        var terms = new int[steps + 1, steps + 1];
        double best = double.PositiveInfinity;
        (int I, int J) at = (0, 0);
        double cellT = (criticalRange.Max - criticalRange.Min) / steps, cellNu = (nuRange.Max - nuRange.Min) / steps;
        for (int i = 0; i <= steps; i++)
        {
            double tc = criticalRange.Min + cellT * i;
            for (int j = 0; j <= steps; j++)
            {
                double nu = nuRange.Min + cellNu * j;
                var (sum, count) = Cost(sizes, tc, nu);
                cost[i, j] = sum;
                terms[i, j] = count;
                // Require most of the transition points to take part, so a (T_c, ν) that squeezes curves apart cannot win by overlapping nothing.
                if (count >= 4 && sum / count < best) (best, at) = (sum / count, (i, j));
            }
        }
        if (double.IsPositiveInfinity(best)) return null;
        // The χ² rule on the summed cost at the best point's number of terms.
        int n = terms[at.I, at.J];
        double threshold = best * n + 1;
        double tcLo = double.PositiveInfinity, tcHi = double.NegativeInfinity, nuLo = double.PositiveInfinity, nuHi = double.NegativeInfinity;
        for (int i = 0; i <= steps; i++)
            for (int j = 0; j <= steps; j++)
            {
                if (terms[i, j] < 4 || cost[i, j] / terms[i, j] * n > threshold) continue;
                double tc = criticalRange.Min + cellT * i, nu = nuRange.Min + cellNu * j;
                (tcLo, tcHi, nuLo, nuHi) = (Math.Min(tcLo, tc), Math.Max(tcHi, tc), Math.Min(nuLo, nu), Math.Max(nuHi, nu));
            }
        return new ScanResult(criticalRange.Min + cellT * at.I, nuRange.Min + cellNu * at.J, best, n, tcLo, tcHi, nuLo, nuHi, cellT, cellNu);
    }

    /// <summary>Sum of squared, error-scaled distances of each curve's transition points from the other curves, and how many points took part.</summary>
    public static (double Sum, int Count) Cost(IReadOnlyList<PhaseSizeResult> sizes, double criticalValue, double nu)
    {
        double sum = 0;
        int count = 0;
        for (int a = 0; a < sizes.Count; a++)
        {
            var p = sizes[a];
            double sa = Math.Pow(p.Size, 1 / nu);
            for (int k = 0; k < p.Grid.Length; k++)
            {
                double y = p.MeanOutput[k];
                if (y < 0.05 || y > 0.95) continue;
                double x = (p.Grid[k] - criticalValue) * sa;
                for (int b = 0; b < sizes.Count; b++)
                {
                    if (b == a) continue;
                    var q = sizes[b];
                    double sb = Math.Pow(q.Size, 1 / nu);
                    // q's grid in x is ascending; find the bracketing pair.
                    double tq = criticalValue + x / sb;
                    int hi = Array.BinarySearch(q.Grid, tq);
                    if (hi >= 0) hi = Math.Min(hi + 1, q.Grid.Length - 1);
                    else hi = ~hi;
                    if (hi <= 0 || hi >= q.Grid.Length) continue;
                    int lo = hi - 1;
                    double w = (tq - q.Grid[lo]) / (q.Grid[hi] - q.Grid[lo]);
                    double yq = q.MeanOutput[lo] + w * (q.MeanOutput[hi] - q.MeanOutput[lo]);
                    double eq = q.MeanOutputError[lo] * (1 - w) + q.MeanOutputError[hi] * w;
                    double variance = Math.Max(1e-6, p.MeanOutputError[k] * p.MeanOutputError[k] + eq * eq);
                    sum += (y - yq) * (y - yq) / variance;
                    count++;
                }
            }
        }
        return (sum, count);
    }
}

/// <summary>The result of <see cref="DataCollapse.Fit"/>.</summary>
/// <param name="Critical">T_c (or h_c) of the best collapse, with its error.</param>
/// <param name="Nu">ν of the best collapse, with its error.</param>
/// <param name="CostPerPoint">Mean squared error-scaled distance at the best point (about 1 for a collapse within the error bars).</param>
/// <param name="Points">Point pairs that took part there.</param>
public sealed record CollapseFit(Estimate Critical, Estimate Nu, double CostPerPoint, int Points)
{
    /// <summary>The part of <see cref="Critical"/>'s error from the spread between networks (jackknife; 0 when not computed).</summary>
    public double CriticalNetworkError { get; init; }

    /// <summary>The part of <see cref="Nu"/>'s error from the spread between networks (jackknife; 0 when not computed).</summary>
    public double NuNetworkError { get; init; }

    /// <summary>
    /// True when the best (T_c, ν) lies within one coarse cell of the edge of the search ranges: the curves do not
    /// determine them, and the fit should not be used as an estimate.
    /// </summary>
    public bool AtRangeEdge { get; init; }

    /// <summary>The part of <see cref="Critical"/>'s error from leaving out one size at a time (jackknife; 0 when not computed).</summary>
    public double CriticalSizeError { get; init; }

    /// <summary>The part of <see cref="Nu"/>'s error from leaving out one size at a time (jackknife; 0 when not computed).</summary>
    public double NuSizeError { get; init; }

    /// <summary>Networks per size behind the jackknife (0 when not computed).</summary>
    public int Networks { get; init; }
}
