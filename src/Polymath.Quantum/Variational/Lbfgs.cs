namespace Polymath.Quantum;

/// <summary>
/// Limited-memory BFGS (Nocedal &amp; Wright, Numerical Optimization, 2nd ed., Alg. 7.4 two-loop recursion) with a line search
/// satisfying the strong Wolfe conditions (Alg. 3.5/3.6, c₁ = 1e-4, c₂ = 0.9, safeguarded quadratic interpolation in the zoom).
/// Stops when ‖∇f‖∞ ≤ <see cref="GradientTolerance"/>, when f changes by less than <see cref="ValueTolerance"/>·max(1, |f|)
/// over an iteration, or after <see cref="MaxIterations"/>.
/// </summary>
public sealed class Lbfgs : IOptimizer
{
    /// <summary>Pairs (s, y) kept. Default 10.</summary>
    public int Memory { get; init; } = 10;

    /// <summary>Iteration limit. Default 500.</summary>
    public int MaxIterations { get; init; } = 500;

    /// <summary>Gradient infinity-norm tolerance. Default 1e-8.</summary>
    public double GradientTolerance { get; init; } = 1e-8;

    /// <summary>Relative change in f below which it stops. Default 1e-14.</summary>
    public double ValueTolerance { get; init; } = 1e-14;

    /// <inheritdoc/>
    public bool UsesGradient => true;

    /// <inheritdoc/>
    public OptimizationResult Minimize(Func<double[], double> value, Func<double[], (double Value, double[] Gradient)>? valueAndGradient,
        double[] initial, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(initial);
        var fg = valueAndGradient ?? throw new ArgumentException("L-BFGS needs the gradient (valueAndGradient)", nameof(valueAndGradient));
        int n = initial.Length;
        int evaluations = 0;
        (double, double[]) Eval(double[] x) { evaluations++; return fg(x); }

        var x = (double[])initial.Clone();
        var (f, g) = Eval(x);
        var history = new List<double> { f };
        var s = new List<double[]>();
        var y = new List<double[]>();
        var rho = new List<double>();
        bool converged = false;
        int iter = 0;
        for (; iter < MaxIterations && !cancellationToken.IsCancellationRequested; iter++)
        {
            if (NormInf(g) <= GradientTolerance) { converged = true; break; }
            var p = Direction(g, s, y, rho);
            double slope = Dot(g, p);
            if (!(slope < 0))
            {
                // Not a descent direction (curvature information went stale): restart from steepest descent.
                s.Clear(); y.Clear(); rho.Clear();
                p = g.Select(v => -v).ToArray();
                slope = Dot(g, p);
            }
            double step0 = s.Count == 0 ? Math.Min(1, 1 / Math.Max(NormInf(g), 1e-300)) : 1;
            var ls = LineSearch(x, f, g, p, slope, step0, Eval);
            if (ls is null)
            {
                if (s.Count == 0) break;                   // even steepest descent made no progress
                s.Clear(); y.Clear(); rho.Clear();
                continue;
            }
            var (xn, fn, gn) = ls.Value;
            var sk = new double[n];
            var yk = new double[n];
            for (int i = 0; i < n; i++) { sk[i] = xn[i] - x[i]; yk[i] = gn[i] - g[i]; }
            double sy = Dot(sk, yk);
            if (sy > 1e-16 * Math.Sqrt(Dot(sk, sk) * Dot(yk, yk)))
            {
                s.Add(sk); y.Add(yk); rho.Add(1 / sy);
                if (s.Count > Memory) { s.RemoveAt(0); y.RemoveAt(0); rho.RemoveAt(0); }
            }
            double change = f - fn;
            x = xn; f = fn; g = gn;
            history.Add(f);
            if (Math.Abs(change) <= ValueTolerance * Math.Max(1, Math.Abs(f))) { converged = true; iter++; break; }
        }
        if (!converged && NormInf(g) <= GradientTolerance) converged = true;
        return new OptimizationResult(x, f, iter, evaluations, converged, history);
    }

    /// <summary>−H·g by the two-loop recursion, with the initial Hessian scaled by sᵀy/yᵀy.</summary>
    private static double[] Direction(double[] g, List<double[]> s, List<double[]> y, List<double> rho)
    {
        var q = (double[])g.Clone();
        int m = s.Count;
        var alpha = new double[m];
        for (int k = m - 1; k >= 0; k--)
        {
            alpha[k] = rho[k] * Dot(s[k], q);
            for (int i = 0; i < q.Length; i++) q[i] -= alpha[k] * y[k][i];
        }
        double gamma = m > 0 ? Dot(s[m - 1], y[m - 1]) / Dot(y[m - 1], y[m - 1]) : 1;
        for (int i = 0; i < q.Length; i++) q[i] *= gamma;
        for (int k = 0; k < m; k++)
        {
            double beta = rho[k] * Dot(y[k], q);
            for (int i = 0; i < q.Length; i++) q[i] += s[k][i] * (alpha[k] - beta);
        }
        for (int i = 0; i < q.Length; i++) q[i] = -q[i];
        return q;
    }

    private const double C1 = 1e-4, C2 = 0.9;

    /// <summary>A step along <paramref name="p"/> meeting the strong Wolfe conditions, or null if none was found.</summary>
    private static (double[] X, double F, double[] G)? LineSearch(double[] x, double f0, double[] g0, double[] p, double slope0, double step,
        Func<double[], (double, double[])> eval)
    {
        (double A, double F, double D, double[] X, double[] G) At(double a)
        {
            var xa = new double[x.Length];
            for (int i = 0; i < x.Length; i++) xa[i] = x[i] + a * p[i];
            var (fa, ga) = eval(xa);
            return (a, fa, Dot(ga, p), xa, ga);
        }

        var prev = (A: 0.0, F: f0, D: slope0, X: x, G: g0);
        var best = prev;
        for (int i = 0; i < 30; i++)
        {
            var cur = At(step);
            if (cur.F < best.F) best = cur;
            if (double.IsNaN(cur.F) || cur.F > f0 + C1 * step * slope0 || (i > 0 && cur.F >= prev.F))
                return Zoom(prev, cur);
            if (Math.Abs(cur.D) <= -C2 * slope0) return (cur.X, cur.F, cur.G);
            if (cur.D >= 0) return Zoom(cur, prev);
            prev = cur;
            step *= 2;
        }
        return best.A > 0 ? (best.X, best.F, best.G) : null;

        (double[], double, double[])? Zoom((double A, double F, double D, double[] X, double[] G) lo, (double A, double F, double D, double[] X, double[] G) hi)
        {
            for (int k = 0; k < 40; k++)
            {
                // Minimiser of the quadratic through f(lo), f'(lo), f(hi), kept inside the middle 80% of the bracket.
                double width = hi.A - lo.A;
                double denom = 2 * (hi.F - lo.F - lo.D * width);
                double a = denom > 0 ? lo.A - lo.D * width * width / denom : lo.A + width / 2;
                double left = Math.Min(lo.A, hi.A) + 0.1 * Math.Abs(width), right = Math.Max(lo.A, hi.A) - 0.1 * Math.Abs(width);
                if (!(a >= left && a <= right)) a = lo.A + width / 2;
                var cur = At(a);
                if (cur.F > f0 + C1 * a * slope0 || cur.F >= lo.F) hi = cur;
                else
                {
                    if (Math.Abs(cur.D) <= -C2 * slope0) return (cur.X, cur.F, cur.G);
                    if (cur.D * (hi.A - lo.A) >= 0) hi = lo;
                    lo = cur;
                }
                if (Math.Abs(hi.A - lo.A) <= 1e-16 * Math.Max(1, Math.Abs(lo.A))) break;
            }
            // No Wolfe point within the budget (flat to round-off): accept the best sufficient-decrease point.
            return lo.A > 0 && lo.F < f0 ? (lo.X, lo.F, lo.G) : null;
        }
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static double NormInf(double[] a) => a.Length == 0 ? 0 : a.Max(Math.Abs);
}
