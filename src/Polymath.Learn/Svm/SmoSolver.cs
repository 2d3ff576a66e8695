namespace Polymath.Learn;

/// <summary>
/// Sequential minimal optimisation for the C-SVC dual: min ½αᵀQα − Σα subject to yᵀα = 0, 0 ≤ α ≤ C, with
/// Q_ij = y_i y_j K_ij. Working pairs are chosen by the second-order rule of Fan, Chen &amp; Lin (2005, "WSS3").
/// Shrinking: variables stuck at a bound drop out of selection and gradient updates; before stopping their
/// gradients are rebuilt from <c>gBar</c> (the contribution of variables at the upper bound) and optimality is
/// re-checked on the full set.
/// </summary>
internal sealed class SmoSolver
{
    private const double Tau = 1e-12;

    public static (double[] Alpha, double Rho, int Iterations) Solve(KernelCache cache, int[] y, double c, double eps, bool shrinking, int maxIter, CancellationToken cancel = default)
    {
        int n = y.Length;
        var alpha = new double[n];
        var g = new double[n];
        var gBar = new double[n];
        Array.Fill(g, -1.0);
        var active = new bool[n];
        Array.Fill(active, true);
        var activeList = Enumerable.Range(0, n).ToList();
        bool unshrunk = false;
        int shrinkCounter = Math.Min(n, 1000);
        int iter = 0;
        var qd = cache.Diagonal;
        bool IsUpper(int t) => alpha[t] >= c;
        bool IsLower(int t) => alpha[t] <= 0;
        bool InUp(int t) => y[t] > 0 ? !IsUpper(t) : !IsLower(t);
        bool InLow(int t) => y[t] > 0 ? !IsLower(t) : !IsUpper(t);

        void Reconstruct()
        {
            if (activeList.Count == n)
                return;
            for (int t = 0; t < n; t++)
                if (!active[t])
                    g[t] = gBar[t] - 1;
            for (int j = 0; j < n; j++)
            {
                if (alpha[j] > 0 && alpha[j] < c)
                {
                    var kj = cache.Row(j);
                    for (int t = 0; t < n; t++)
                        if (!active[t])
                            g[t] += alpha[j] * y[j] * y[t] * kj[t];
                }
            }
        }

        void Unshrink()
        {
            Reconstruct();
            Array.Fill(active, true);
            activeList = Enumerable.Range(0, n).ToList();
        }

        while (iter < maxIter)
        {
            if ((iter & 255) == 0)
                cancel.ThrowIfCancellationRequested();
            if (--shrinkCounter == 0)
            {
                shrinkCounter = Math.Min(n, 1000);
                if (shrinking)
                {
                    double gm1 = double.NegativeInfinity, gm2 = double.NegativeInfinity;
                    foreach (int t in activeList)
                    {
                        if (InUp(t))
                            gm1 = Math.Max(gm1, -y[t] * g[t]);
                        if (InLow(t))
                            gm2 = Math.Max(gm2, y[t] * g[t]);
                    }
                    if (!unshrunk && gm1 + gm2 <= eps * 10)
                    {
                        unshrunk = true;
                        Unshrink();
                    }
                    activeList.RemoveAll(t =>
                    {
                        bool shrink = IsUpper(t) ? (y[t] > 0 ? -g[t] > gm1 : -g[t] > gm2)
                            : IsLower(t) && (y[t] > 0 ? g[t] > gm2 : g[t] > gm1);
                        if (shrink)
                            active[t] = false;
                        return shrink;
                    });
                }
            }

            if (!SelectPair(out int i, out int j))
            {
                if (activeList.Count == n)
                    break;
                // Optimal on the active set: rebuild the full gradient and check again.
                Unshrink();
                if (!SelectPair(out i, out j))
                    break;
                shrinkCounter = 1;
            }
            iter++;
            var qi = cache.Row(i);
            var qj = cache.Row(j);
            double ci = c, cj = c;
            double oldAi = alpha[i], oldAj = alpha[j];
            double kij = qi[j];
            if (y[i] != y[j])
            {
                double quad = Math.Max(qd[i] + qd[j] - 2 * kij, Tau);
                double delta = (-g[i] - g[j]) / quad;
                double diff = alpha[i] - alpha[j];
                alpha[i] += delta;
                alpha[j] += delta;
                if (diff > 0)
                {
                    if (alpha[j] < 0) { alpha[j] = 0; alpha[i] = diff; }
                }
                else if (alpha[i] < 0) { alpha[i] = 0; alpha[j] = -diff; }
                if (diff > ci - cj)
                {
                    if (alpha[i] > ci) { alpha[i] = ci; alpha[j] = ci - diff; }
                }
                else if (alpha[j] > cj) { alpha[j] = cj; alpha[i] = cj + diff; }
            }
            else
            {
                double quad = Math.Max(qd[i] + qd[j] - 2 * kij, Tau);
                double delta = (g[i] - g[j]) / quad;
                double sum = alpha[i] + alpha[j];
                alpha[i] -= delta;
                alpha[j] += delta;
                if (sum > ci)
                {
                    if (alpha[i] > ci) { alpha[i] = ci; alpha[j] = sum - ci; }
                }
                else if (alpha[j] < 0) { alpha[j] = 0; alpha[i] = sum; }
                if (sum > cj)
                {
                    if (alpha[j] > cj) { alpha[j] = cj; alpha[i] = sum - cj; }
                }
                else if (alpha[i] < 0) { alpha[i] = 0; alpha[j] = sum; }
            }
            double dai = alpha[i] - oldAi, daj = alpha[j] - oldAj;
            // Gradient update over the active set: G_t += Q_ti Δα_i + Q_tj Δα_j with Q_ts = y_t y_s K_ts.
            double si = dai * y[i], sj = daj * y[j];
            foreach (int t in activeList)
                g[t] += y[t] * (qi[t] * si + qj[t] * sj);
            bool wasUi = oldAi >= c, wasUj = oldAj >= c;
            if (wasUi != IsUpper(i))
            {
                double s = (IsUpper(i) ? c : -c) * y[i];
                for (int t = 0; t < n; t++)
                    gBar[t] += y[t] * qi[t] * s;
            }
            if (wasUj != IsUpper(j))
            {
                double s = (IsUpper(j) ? c : -c) * y[j];
                for (int t = 0; t < n; t++)
                    gBar[t] += y[t] * qj[t] * s;
            }
        }
        if (activeList.Count < n)
            Unshrink();

        // rho: the average of y_t G_t over free variables, else the middle of the feasible interval.
        double ub = double.PositiveInfinity, lb = double.NegativeInfinity, sumFree = 0;
        int free = 0;
        for (int t = 0; t < n; t++)
        {
            double yg = y[t] * g[t];
            if (IsUpper(t))
            {
                if (y[t] < 0) ub = Math.Min(ub, yg); else lb = Math.Max(lb, yg);
            }
            else if (IsLower(t))
            {
                if (y[t] > 0) ub = Math.Min(ub, yg); else lb = Math.Max(lb, yg);
            }
            else
            {
                free++;
                sumFree += yg;
            }
        }
        double rho = free > 0 ? sumFree / free : (ub + lb) / 2;
        return (alpha, rho, iter);

        bool SelectPair(out int bestI, out int bestJ)
        {
            double gmax = double.NegativeInfinity, gmax2 = double.NegativeInfinity;
            bestI = -1;
            bestJ = -1;
            foreach (int t in activeList)
            {
                if (InUp(t) && -y[t] * g[t] >= gmax)
                {
                    gmax = -y[t] * g[t];
                    bestI = t;
                }
            }
            if (bestI < 0)
                return false;
            var ki = cache.Row(bestI);
            double objMin = double.PositiveInfinity;
            int ii = bestI;
            foreach (int t in activeList)
            {
                if (!InLow(t))
                    continue;
                double yg = y[t] * g[t];
                gmax2 = Math.Max(gmax2, yg);
                double b = gmax + yg;
                if (b > 0)
                {
                    double a = qd[ii] + qd[t] - 2 * ki[t];
                    double obj = -b * b / (a > 0 ? a : Tau);
                    if (obj <= objMin)
                    {
                        objMin = obj;
                        bestJ = t;
                    }
                }
            }
            return gmax + gmax2 >= eps && bestJ >= 0;
        }
    }
}
