namespace Polymath.Learn;

/// <summary>
/// Limited-memory BFGS (Nocedal 1980) with a backtracking Armijo line search, for smooth convex objectives.
/// Stops as scipy's L-BFGS-B (which sklearn's lbfgs solver calls): when the largest gradient component is ≤ gtol,
/// when the relative decrease (f_k − f_k+1) / max(|f_k|, |f_k+1|, 1) is ≤ ftol, or after maxIter iterations.
/// </summary>
internal static class Lbfgs
{
    /// <summary>Objective: fills grad and returns the value at w.</summary>
    public delegate double Objective(double[] w, double[] grad);

    public static (double[] W, int Iterations, double Value) Minimize(Objective f, double[] w0, int maxIter, double gtol, double ftol = 0, int memory = 10)
    {
        int n = w0.Length;
        var w = (double[])w0.Clone();
        var g = new double[n];
        double fx = f(w, g);
        var s = new List<double[]>();
        var yv = new List<double[]>();
        var rho = new List<double>();
        var d = new double[n];
        var wNew = new double[n];
        var gNew = new double[n];
        var alpha = new double[memory];
        int iter = 0;
        while (iter < maxIter)
        {
            if (MaxAbs(g) <= gtol)
                break;
            iter++;
            // Two-loop recursion: d = −H g.
            Array.Copy(g, d, n);
            for (int k = s.Count - 1; k >= 0; k--)
            {
                alpha[k] = rho[k] * Dot(s[k], d);
                Axpy(-alpha[k], yv[k], d);
            }
            double gamma = s.Count > 0 ? Dot(s[^1], yv[^1]) / Dot(yv[^1], yv[^1]) : 1 / Math.Max(Math.Sqrt(Dot(g, g)), 1e-12);
            for (int i = 0; i < n; i++)
                d[i] *= gamma;
            for (int k = 0; k < s.Count; k++)
            {
                double beta = rho[k] * Dot(yv[k], d);
                Axpy(alpha[k] - beta, s[k], d);
            }
            for (int i = 0; i < n; i++)
                d[i] = -d[i];
            double slope = Dot(g, d);
            if (slope >= 0)
            {
                // Not a descent direction (curvature pairs went stale): restart from steepest descent.
                s.Clear();
                yv.Clear();
                rho.Clear();
                for (int i = 0; i < n; i++)
                    d[i] = -g[i] / Math.Max(Math.Sqrt(Dot(g, g)), 1e-12);
                slope = Dot(g, d);
            }
            double step = 1, fNew = 0;
            bool accepted = false;
            for (int ls = 0; ls < 60; ls++)
            {
                for (int i = 0; i < n; i++)
                    wNew[i] = w[i] + step * d[i];
                fNew = f(wNew, gNew);
                if (fNew <= fx + 1e-4 * step * slope)
                {
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            if (!accepted)
                break;
            var sk = new double[n];
            var yk = new double[n];
            for (int i = 0; i < n; i++)
            {
                sk[i] = wNew[i] - w[i];
                yk[i] = gNew[i] - g[i];
            }
            double sy = Dot(sk, yk);
            if (sy > 1e-16 * Math.Sqrt(Dot(sk, sk) * Dot(yk, yk)))
            {
                if (s.Count == memory)
                {
                    s.RemoveAt(0);
                    yv.RemoveAt(0);
                    rho.RemoveAt(0);
                }
                s.Add(sk);
                yv.Add(yk);
                rho.Add(1 / sy);
            }
            Array.Copy(wNew, w, n);
            Array.Copy(gNew, g, n);
            bool stalled = fx - fNew <= Math.Max(ftol, 1e-16) * Math.Max(Math.Max(Math.Abs(fx), Math.Abs(fNew)), 1);
            fx = fNew;
            if (stalled)
                break;
        }
        return (w, iter, fx);
    }

    private static double Dot(double[] a, double[] b) => MathUtil.Dot(a, b);

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (int i = 0; i < y.Length; i++)
            y[i] += a * x[i];
    }

    private static double MaxAbs(double[] g)
    {
        double m = 0;
        foreach (double v in g)
            m = Math.Max(m, Math.Abs(v));
        return m;
    }
}
