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
    private readonly KernelCache _cache;
    private readonly double[] _y, _alpha, _g, _gBar, _qd;
    private readonly double _c, _eps;
    private readonly int _n;
    private int[] _active; // indices of the active variables in [0, _activeCount)
    private int _activeCount;
    private readonly bool[] _isActive;

    private SmoSolver(KernelCache cache, int[] y, double c, double eps)
    {
        _cache = cache;
        _n = y.Length;
        _y = y.Select(v => (double)v).ToArray();
        _alpha = new double[_n];
        _g = Enumerable.Repeat(-1.0, _n).ToArray();
        _gBar = new double[_n];
        _qd = cache.Diagonal;
        _c = c;
        _eps = eps;
        _active = Enumerable.Range(0, _n).ToArray();
        _activeCount = _n;
        _isActive = Enumerable.Repeat(true, _n).ToArray();
    }

    public static (double[] Alpha, double Rho, int Iterations) Solve(KernelCache cache, int[] y, double c, double eps, bool shrinking, int maxIter, CancellationToken cancel = default)
    {
        var s = new SmoSolver(cache, y, c, eps);
        int iter = s.Run(shrinking, maxIter, cancel);
        return (s._alpha, s.Rho(), iter);
    }

    // "Up" set: α may grow along y (room to move in the +y direction); "low" set: the opposite.
    private bool InUp(int t) => _y[t] > 0 ? _alpha[t] < _c : _alpha[t] > 0;

    private bool InLow(int t) => _y[t] > 0 ? _alpha[t] > 0 : _alpha[t] < _c;

    private int Run(bool shrinking, int maxIter, CancellationToken cancel)
    {
        int n = _n, iter = 0;
        bool unshrunk = false;
        int shrinkCounter = Math.Min(n, 1000);
        var y = _y;
        var g = _g;
        var alpha = _alpha;
        var qd = _qd;
        double c = _c;
        while (iter < maxIter)
        {
            if ((iter & 255) == 0)
                cancel.ThrowIfCancellationRequested();
            if (--shrinkCounter == 0)
            {
                shrinkCounter = Math.Min(n, 1000);
                if (shrinking)
                    unshrunk = Shrink(unshrunk);
            }
            if (!SelectPair(out int i, out int j))
            {
                if (_activeCount == n)
                    break;
                // Optimal on the active set: rebuild the full gradient and check again.
                Unshrink();
                if (!SelectPair(out i, out j))
                    break;
                shrinkCounter = 1;
            }
            iter++;
            var qi = _cache.Row(i);
            var qj = _cache.Row(j);
            double oldAi = alpha[i], oldAj = alpha[j];
            double quad = Math.Max(qd[i] + qd[j] - 2 * qi[j], Tau);
            double ai = alpha[i], aj = alpha[j];
            if (y[i] != y[j])
            {
                double delta = (-g[i] - g[j]) / quad;
                double diff = ai - aj;
                ai += delta;
                aj += delta;
                if (diff > 0)
                {
                    if (aj < 0) { aj = 0; ai = diff; }
                }
                else if (ai < 0) { ai = 0; aj = -diff; }
                if (diff > 0)
                {
                    if (ai > c) { ai = c; aj = c - diff; }
                }
                else if (aj > c) { aj = c; ai = c + diff; }
            }
            else
            {
                double delta = (g[i] - g[j]) / quad;
                double sum = ai + aj;
                ai -= delta;
                aj += delta;
                if (sum > c)
                {
                    if (ai > c) { ai = c; aj = sum - c; }
                    if (aj > c) { aj = c; ai = sum - c; }
                }
                else
                {
                    if (aj < 0) { aj = 0; ai = sum; }
                    if (ai < 0) { ai = 0; aj = sum; }
                }
            }
            alpha[i] = ai;
            alpha[j] = aj;
            // G_t += Q_ti Δα_i + Q_tj Δα_j over the active set, Q_ts = y_t y_s K_ts.
            double si = (ai - oldAi) * y[i], sj = (aj - oldAj) * y[j];
            var active = _active;
            for (int a = 0; a < _activeCount; a++)
            {
                int t = active[a];
                g[t] += y[t] * (qi[t] * si + qj[t] * sj);
            }
            UpdateGBar(i, oldAi, qi);
            UpdateGBar(j, oldAj, qj);
        }
        if (_activeCount < n)
            Unshrink();
        return iter;
    }

    private void UpdateGBar(int i, double old, double[] qi)
    {
        bool was = old >= _c, now = _alpha[i] >= _c;
        if (was == now)
            return;
        double s = (now ? _c : -_c) * _y[i];
        var gBar = _gBar;
        var y = _y;
        for (int t = 0; t < _n; t++)
            gBar[t] += y[t] * qi[t] * s;
    }

    private bool SelectPair(out int bestI, out int bestJ)
    {
        double gmax = double.NegativeInfinity, gmax2 = double.NegativeInfinity;
        bestI = -1;
        bestJ = -1;
        var active = _active;
        var y = _y;
        var g = _g;
        int count = _activeCount;
        for (int a = 0; a < count; a++)
        {
            int t = active[a];
            if (InUp(t) && -y[t] * g[t] >= gmax)
            {
                gmax = -y[t] * g[t];
                bestI = t;
            }
        }
        if (bestI < 0)
            return false;
        var ki = _cache.Row(bestI);
        var qd = _qd;
        double objMin = double.PositiveInfinity, qdi = qd[bestI];
        for (int a = 0; a < count; a++)
        {
            int t = active[a];
            if (!InLow(t))
                continue;
            double yg = y[t] * g[t];
            if (yg > gmax2)
                gmax2 = yg;
            double b = gmax + yg;
            if (b > 0)
            {
                double q = qdi + qd[t] - 2 * ki[t];
                double obj = -b * b / (q > 0 ? q : Tau);
                if (obj <= objMin)
                {
                    objMin = obj;
                    bestJ = t;
                }
            }
        }
        return gmax + gmax2 >= _eps && bestJ >= 0;
    }

    /// <summary>libsvm's rule: drop bounded variables whose gradient says they will stay at their bound.</summary>
    private bool Shrink(bool unshrunk)
    {
        double gm1 = double.NegativeInfinity, gm2 = double.NegativeInfinity;
        for (int a = 0; a < _activeCount; a++)
        {
            int t = _active[a];
            if (InUp(t))
                gm1 = Math.Max(gm1, -_y[t] * _g[t]);
            if (InLow(t))
                gm2 = Math.Max(gm2, _y[t] * _g[t]);
        }
        if (!unshrunk && gm1 + gm2 <= _eps * 10)
        {
            unshrunk = true;
            Unshrink();
        }
        int kept = 0;
        for (int a = 0; a < _activeCount; a++)
        {
            int t = _active[a];
            double yt = _y[t], gt = _g[t];
            bool upper = _alpha[t] >= _c, lower = _alpha[t] <= 0;
            bool shrink = upper ? (yt > 0 ? -gt > gm1 : -gt > gm2) : lower && (yt > 0 ? gt > gm2 : gt > gm1);
            if (shrink)
                _isActive[t] = false;
            else
                _active[kept++] = t;
        }
        _activeCount = kept;
        return unshrunk;
    }

    private void Unshrink()
    {
        if (_activeCount == _n)
            return;
        int n = _n;
        for (int t = 0; t < n; t++)
            if (!_isActive[t])
                _g[t] = _gBar[t] - 1;
        for (int j = 0; j < n; j++)
        {
            if (_alpha[j] > 0 && _alpha[j] < _c)
            {
                var kj = _cache.Row(j);
                double s = _alpha[j] * _y[j];
                for (int t = 0; t < n; t++)
                    if (!_isActive[t])
                        _g[t] += s * _y[t] * kj[t];
            }
        }
        Array.Fill(_isActive, true);
        for (int t = 0; t < n; t++)
            _active[t] = t;
        _activeCount = n;
    }

    /// <summary>ρ: the average of y_t G_t over free variables, else the middle of the feasible interval.</summary>
    private double Rho()
    {
        double ub = double.PositiveInfinity, lb = double.NegativeInfinity, sumFree = 0;
        int free = 0;
        for (int t = 0; t < _n; t++)
        {
            double yg = _y[t] * _g[t];
            if (_alpha[t] >= _c)
            {
                if (_y[t] < 0) ub = Math.Min(ub, yg); else lb = Math.Max(lb, yg);
            }
            else if (_alpha[t] <= 0)
            {
                if (_y[t] > 0) ub = Math.Min(ub, yg); else lb = Math.Max(lb, yg);
            }
            else
            {
                free++;
                sumFree += yg;
            }
        }
        return free > 0 ? sumFree / free : (ub + lb) / 2;
    }
}
