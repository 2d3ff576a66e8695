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
    /// <exception cref="ArgumentException">Fewer than two sizes.</exception>
    public static CollapseFit Fit(IReadOnlyList<PhaseSizeResult> sizes, (double Min, double Max) criticalRange, (double Min, double Max) nuRange)
    {
        if (sizes.Count < 2) throw new ArgumentException($"data collapse: needs at least two sizes, got {sizes.Count}", nameof(sizes));
        const int steps = 100;
        var cost = new double[steps + 1, steps + 1];
        var terms = new int[steps + 1, steps + 1];
        double best = double.PositiveInfinity;
        (int I, int J) at = (0, 0);
        for (int i = 0; i <= steps; i++)
        {
            double tc = criticalRange.Min + (criticalRange.Max - criticalRange.Min) * i / steps;
            for (int j = 0; j <= steps; j++)
            {
                double nu = nuRange.Min + (nuRange.Max - nuRange.Min) * j / steps;
                var (sum, count) = Cost(sizes, tc, nu);
                cost[i, j] = sum;
                terms[i, j] = count;
                // Require most of the transition points to take part, so a (T_c, ν) that squeezes curves apart cannot win by overlapping nothing.
                if (count >= 4 && sum / count < best) (best, at) = (sum / count, (i, j));
            }
        }
        if (double.IsPositiveInfinity(best))
            return new CollapseFit(new Estimate(double.NaN, double.NaN), new Estimate(double.NaN, double.NaN), double.NaN, 0);
        // The χ² rule on the summed cost at the best point's number of terms.
        int n = terms[at.I, at.J];
        double threshold = best * n + 1;
        double tcLo = double.PositiveInfinity, tcHi = double.NegativeInfinity, nuLo = double.PositiveInfinity, nuHi = double.NegativeInfinity;
        for (int i = 0; i <= steps; i++)
            for (int j = 0; j <= steps; j++)
            {
                if (terms[i, j] < 4 || cost[i, j] / terms[i, j] * n > threshold) continue;
                double tc = criticalRange.Min + (criticalRange.Max - criticalRange.Min) * i / steps;
                double nu = nuRange.Min + (nuRange.Max - nuRange.Min) * j / steps;
                (tcLo, tcHi, nuLo, nuHi) = (Math.Min(tcLo, tc), Math.Max(tcHi, tc), Math.Min(nuLo, nu), Math.Max(nuHi, nu));
            }
        double cellT = (criticalRange.Max - criticalRange.Min) / steps, cellNu = (nuRange.Max - nuRange.Min) / steps;
        double tcBest = criticalRange.Min + cellT * at.I, nuBest = nuRange.Min + cellNu * at.J;
        return new CollapseFit(new Estimate(tcBest, Math.Max(cellT / 2, Math.Max(tcHi - tcBest, tcBest - tcLo))),
            new Estimate(nuBest, Math.Max(cellNu / 2, Math.Max(nuHi - nuBest, nuBest - nuLo))), best, n);
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
public sealed record CollapseFit(Estimate Critical, Estimate Nu, double CostPerPoint, int Points);
