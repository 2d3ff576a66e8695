namespace Polymath.Learn;

/// <summary>Platt scaling and pairwise coupling for SVM probabilities.</summary>
internal static class Platt
{
    /// <summary>P(y = +1 | f) = 1 / (1 + exp(A f + B)), evaluated without overflow.</summary>
    public static double Probability(double f, double a, double b)
    {
        double z = a * f + b;
        return z >= 0 ? Math.Exp(-z) / (1 + Math.Exp(-z)) : 1 / (1 + Math.Exp(z));
    }

    /// <summary>
    /// Fits (A, B) by Newton's method with backtracking on the regularised targets of Platt (1999), following the
    /// numerically careful formulation of Lin, Lin &amp; Weng (2007).
    /// </summary>
    public static (double A, double B) Fit(double[] dec, int[] y)
    {
        int n = dec.Length;
        double prior1 = y.Count(v => v > 0), prior0 = n - prior1;
        double hi = (prior1 + 1) / (prior1 + 2), lo = 1 / (prior0 + 2);
        var t = y.Select(v => v > 0 ? hi : lo).ToArray();
        double a = 0, b = Math.Log((prior0 + 1) / (prior1 + 1));
        const double Sigma = 1e-12, MinStep = 1e-10, Eps = 1e-5;
        double F(double aa, double bb)
        {
            double s = 0;
            for (int i = 0; i < n; i++)
            {
                double z = dec[i] * aa + bb;
                s += z >= 0 ? t[i] * z + double.LogP1(Math.Exp(-z)) : (t[i] - 1) * z + double.LogP1(Math.Exp(z));
            }
            return s;
        }
        double fval = F(a, b);
        for (int iter = 0; iter < 100; iter++)
        {
            double h11 = Sigma, h22 = Sigma, h21 = 0, g1 = 0, g2 = 0;
            for (int i = 0; i < n; i++)
            {
                double z = dec[i] * a + b;
                double p = z >= 0 ? Math.Exp(-z) / (1 + Math.Exp(-z)) : 1 / (1 + Math.Exp(z));
                double q = 1 - p;
                double d2 = p * q;
                h11 += dec[i] * dec[i] * d2;
                h22 += d2;
                h21 += dec[i] * d2;
                double d1 = t[i] - p;
                g1 += dec[i] * d1;
                g2 += d1;
            }
            if (Math.Abs(g1) < Eps && Math.Abs(g2) < Eps)
                break;
            double det = h11 * h22 - h21 * h21;
            double da = -(h22 * g1 - h21 * g2) / det, db = -(-h21 * g1 + h11 * g2) / det;
            double gd = g1 * da + g2 * db;
            double step = 1;
            while (step >= MinStep)
            {
                double na = a + step * da, nb = b + step * db, nf = F(na, nb);
                if (nf < fval + 1e-4 * step * gd)
                {
                    (a, b, fval) = (na, nb, nf);
                    break;
                }
                step /= 2;
            }
            if (step < MinStep)
                break;
        }
        return (a, b);
    }

    /// <summary>
    /// Class probabilities from pairwise ones r[i, j] = P(i | i or j): minimises Σ (r_ji p_i − r_ij p_j)² subject to
    /// Σ p = 1 by the fixed-point iteration of Wu, Lin &amp; Weng (2004), method 2.
    /// </summary>
    public static double[] Couple(double[,] r)
    {
        int k = r.GetLength(0);
        var q = new double[k, k];
        for (int t = 0; t < k; t++)
            for (int j = 0; j < k; j++)
            {
                if (j == t)
                    continue;
                q[t, t] += r[j, t] * r[j, t];
                q[t, j] = -r[j, t] * r[t, j];
            }
        var p = Enumerable.Repeat(1.0 / k, k).ToArray();
        var qp = new double[k];
        for (int iter = 0; iter < Math.Max(100, k); iter++)
        {
            double pqp = 0;
            for (int t = 0; t < k; t++)
            {
                qp[t] = 0;
                for (int j = 0; j < k; j++)
                    qp[t] += q[t, j] * p[j];
                pqp += p[t] * qp[t];
            }
            double maxErr = 0;
            for (int t = 0; t < k; t++)
                maxErr = Math.Max(maxErr, Math.Abs(qp[t] - pqp));
            if (maxErr < 0.005 / k)
                break;
            for (int t = 0; t < k; t++)
            {
                double diff = (-qp[t] + pqp) / q[t, t];
                p[t] += diff;
                pqp = (pqp + diff * (diff * q[t, t] + 2 * qp[t])) / (1 + diff) / (1 + diff);
                for (int j = 0; j < k; j++)
                {
                    qp[j] = (qp[j] + diff * q[t, j]) / (1 + diff);
                    p[j] /= 1 + diff;
                }
            }
        }
        return p;
    }
}
