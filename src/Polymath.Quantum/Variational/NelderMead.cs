namespace Polymath.Quantum;

/// <summary>
/// The Nelder–Mead downhill simplex (Nelder &amp; Mead, Comput. J. 7 (1965) 308; standard coefficients: reflection 1,
/// expansion 2, contraction ½, shrink ½), gradient-free. Stops when the simplex's f values span less than
/// <see cref="ValueTolerance"/> and its vertices lie within <see cref="StepTolerance"/> of the best, or after
/// <see cref="MaxEvaluations"/>.
/// </summary>
public sealed class NelderMead : IOptimizer
{
    /// <summary>Size of the initial simplex along each axis. Default 0.3.</summary>
    public double InitialStep { get; init; } = 0.3;

    /// <summary>Evaluation limit. Default 20000.</summary>
    public int MaxEvaluations { get; init; } = 20000;

    /// <summary>Spread of f over the simplex at convergence. Default 1e-12.</summary>
    public double ValueTolerance { get; init; } = 1e-12;

    /// <summary>Largest coordinate distance to the best vertex at convergence. Default 1e-8.</summary>
    public double StepTolerance { get; init; } = 1e-8;

    /// <inheritdoc/>
    public bool UsesGradient => false;

    /// <inheritdoc/>
    public OptimizationResult Minimize(Func<double[], double> value, Func<double[], (double Value, double[] Gradient)>? valueAndGradient,
        double[] initial, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(initial);
        int n = initial.Length;
        int evals = 0;
        double F(double[] x) { evals++; return value(x); }
        var pts = new double[n + 1][];
        var fs = new double[n + 1];
        for (int k = 0; k <= n; k++)
        {
            pts[k] = (double[])initial.Clone();
            if (k > 0) pts[k][k - 1] += InitialStep;
            fs[k] = F(pts[k]);
        }
        var history = new List<double> { fs.Min() };
        bool converged = false;
        int iter = 0;
        while (evals < MaxEvaluations && !cancellationToken.IsCancellationRequested)
        {
            var order = Enumerable.Range(0, n + 1).OrderBy(k => fs[k]).ToArray();
            pts = order.Select(k => pts[k]).ToArray();
            fs = order.Select(k => fs[k]).ToArray();
            double spread = fs[n] - fs[0];
            double size = 0;
            for (int k = 1; k <= n; k++) for (int i = 0; i < n; i++) size = Math.Max(size, Math.Abs(pts[k][i] - pts[0][i]));
            if (spread <= ValueTolerance * Math.Max(1, Math.Abs(fs[0])) && size <= StepTolerance) { converged = true; break; }
            iter++;

            var centroid = new double[n];
            for (int k = 0; k < n; k++) for (int i = 0; i < n; i++) centroid[i] += pts[k][i] / n;
            double[] Along(double t) => centroid.Select((c, i) => c + t * (pts[n][i] - c)).ToArray();

            var xr = Along(-1); double fr = F(xr);
            if (fr < fs[0])
            {
                var xe = Along(-2); double fe = F(xe);
                if (fe < fr) { pts[n] = xe; fs[n] = fe; } else { pts[n] = xr; fs[n] = fr; }
            }
            else if (fr < fs[n - 1]) { pts[n] = xr; fs[n] = fr; }
            else
            {
                bool outside = fr < fs[n];
                var xc = Along(outside ? -0.5 : 0.5); double fc = F(xc);
                if (fc < (outside ? fr : fs[n])) { pts[n] = xc; fs[n] = fc; }
                else
                    for (int k = 1; k <= n; k++)
                    {
                        for (int i = 0; i < n; i++) pts[k][i] = pts[0][i] + 0.5 * (pts[k][i] - pts[0][i]);
                        fs[k] = F(pts[k]);
                    }
            }
            history.Add(fs.Min());
        }
        int best = Array.IndexOf(fs, fs.Min());
        return new OptimizationResult(pts[best], fs[best], iter, evals, converged, history);
    }
}
