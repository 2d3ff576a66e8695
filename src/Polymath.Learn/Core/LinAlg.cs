namespace Polymath.Learn;

/// <summary>Dense float64 linear algebra used by the estimators: Householder QR, Cholesky, symmetric eigen (Jacobi).</summary>
internal static class LinAlg
{
    /// <summary>Householder QR of a [n, p] (n ≥ p), in place: R in the upper triangle, reflectors below; returns the reflector scalars.</summary>
    public static (double[,] QR, double[] Beta, double[] RDiag) Qr(double[,] a)
    {
        int n = a.GetLength(0), p = a.GetLength(1);
        var qr = (double[,])a.Clone();
        var beta = new double[p];
        var rdiag = new double[p];
        for (int k = 0; k < p; k++)
        {
            double norm = 0;
            for (int i = k; i < n; i++)
                norm = Hypot(norm, qr[i, k]);
            if (norm == 0)
            {
                rdiag[k] = 0;
                continue;
            }
            if (qr[k, k] < 0)
                norm = -norm;
            for (int i = k; i < n; i++)
                qr[i, k] /= norm;
            qr[k, k] += 1;
            for (int j = k + 1; j < p; j++)
            {
                double s = 0;
                for (int i = k; i < n; i++)
                    s += qr[i, k] * qr[i, j];
                s = -s / qr[k, k];
                for (int i = k; i < n; i++)
                    qr[i, j] += s * qr[i, k];
            }
            rdiag[k] = -norm;
            beta[k] = qr[k, k];
        }
        return (qr, beta, rdiag);
    }

    private static double Hypot(double a, double b) => Math.Sqrt(a * a + b * b);

    /// <summary>Least squares min ||A w - y|| by QR; throws when A is rank deficient (relative tolerance on |R_kk|).</summary>
    public static (double[] W, double[,] RInverse) LeastSquares(double[,] a, double[] y, string who)
    {
        int n = a.GetLength(0), p = a.GetLength(1);
        if (n < p)
            throw new ArgumentException($"{who}: {n} samples for {p} coefficients; the normal equations are singular. Use Ridge (L2 penalty) or fewer features.");
        var (qr, _, rdiag) = Qr(a);
        double maxDiag = rdiag.Max(Math.Abs);
        for (int k = 0; k < p; k++)
            if (Math.Abs(rdiag[k]) <= 1e-10 * Math.Max(maxDiag, 1e-300) * Math.Max(n, p))
                throw new ArgumentException($"{who}: the design matrix is singular (column {k} is a linear combination of the others or constant); use Ridge (L2 penalty) or drop the column.");
        var b = (double[])y.Clone();
        // Apply Qᵀ to y.
        for (int k = 0; k < p; k++)
        {
            double s = 0;
            for (int i = k; i < n; i++)
                s += qr[i, k] * b[i];
            s = -s / qr[k, k];
            for (int i = k; i < n; i++)
                b[i] += s * qr[i, k];
        }
        var w = new double[p];
        for (int k = p - 1; k >= 0; k--)
        {
            double s = b[k];
            for (int j = k + 1; j < p; j++)
                s -= qr[k, j] * w[j];
            w[k] = s / rdiag[k];
        }
        // R⁻¹ (upper triangular), for the covariance (XᵀX)⁻¹ = R⁻¹R⁻ᵀ.
        var rinv = new double[p, p];
        for (int j = 0; j < p; j++)
        {
            rinv[j, j] = 1 / rdiag[j];
            for (int i = j - 1; i >= 0; i--)
            {
                double s = 0;
                for (int m = i + 1; m <= j; m++)
                    s += qr[i, m] * rinv[m, j];
                rinv[i, j] = -s / rdiag[i];
            }
        }
        return (w, rinv);
    }

    /// <summary>Solves the symmetric positive definite system A x = b by Cholesky; throws when A is not positive definite.</summary>
    public static double[] CholeskySolve(double[,] a, double[] b, string who)
    {
        int n = b.Length;
        var l = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            double s = a[j, j];
            for (int k = 0; k < j; k++)
                s -= l[j, k] * l[j, k];
            if (!(s > 0))
                throw new ArgumentException($"{who}: the system matrix is singular or not positive definite; increase alpha (the L2 penalty).");
            l[j, j] = Math.Sqrt(s);
            for (int i = j + 1; i < n; i++)
            {
                double t = a[i, j];
                for (int k = 0; k < j; k++)
                    t -= l[i, k] * l[j, k];
                l[i, j] = t / l[j, j];
            }
        }
        var z = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++)
                s -= l[i, k] * z[k];
            z[i] = s / l[i, i];
        }
        var x = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double s = z[i];
            for (int k = i + 1; k < n; k++)
                s -= l[k, i] * x[k];
            x[i] = s / l[i, i];
        }
        return x;
    }

    /// <summary>XᵀX of a [n, d] matrix (d × d), computed in parallel over row blocks.</summary>
    public static double[,] Gram(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        int blocks = Math.Min(MathUtil.Threads(-1), Math.Max(1, n / 256));
        var partial = new double[blocks][];
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = blocks }, b =>
        {
            var g = new double[d * d];
            int start = (int)((long)n * b / blocks), end = (int)((long)n * (b + 1) / blocks);
            for (int i = start; i < end; i++)
            {
                var r = MathUtil.Row(x, i);
                for (int p = 0; p < d; p++)
                {
                    double v = r[p];
                    if (v == 0)
                        continue;
                    var gp = g.AsSpan(p * d + p, d - p);
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(r[p..], v, gp, gp);
                }
            }
            partial[b] = g;
        });
        var result = new double[d, d];
        for (int p = 0; p < d; p++)
            for (int q = p; q < d; q++)
            {
                double s = 0;
                foreach (var g in partial)
                    s += g[p * d + q];
                result[p, q] = result[q, p] = s;
            }
        return result;
    }

    /// <summary>Eigenvalues (descending) and eigenvectors (columns) of a symmetric matrix by cyclic Jacobi rotations.</summary>
    public static (double[] Values, double[,] Vectors) SymmetricEigen(double[,] s)
    {
        int n = s.GetLength(0);
        var a = (double[,])s.Clone();
        var v = new double[n, n];
        for (int i = 0; i < n; i++)
            v[i, i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, diag = 0;
            for (int p = 0; p < n; p++)
            {
                diag += a[p, p] * a[p, p];
                for (int q = p + 1; q < n; q++)
                    off += a[p, q] * a[p, q];
            }
            if (off <= 1e-30 * Math.Max(diag, 1e-300))
                break;
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = a[p, q];
                    if (Math.Abs(apq) < 1e-300)
                        continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * apq);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0)
                        t = 1;
                    double c = 1 / Math.Sqrt(t * t + 1), sn = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - sn * akq;
                        a[k, q] = sn * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - sn * aqk;
                        a[q, k] = sn * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - sn * vkq;
                        v[k, q] = sn * vkp + c * vkq;
                    }
                }
        }
        var order = Enumerable.Range(0, n).OrderByDescending(i => a[i, i]).ToArray();
        var values = new double[n];
        var vectors = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            values[j] = a[order[j], order[j]];
            for (int i = 0; i < n; i++)
                vectors[i, j] = v[i, order[j]];
        }
        return (values, vectors);
    }

    /// <summary>
    /// Orthonormalises the columns of a [n, k] matrix in place by Cholesky QR, twice ("CholeskyQR2", Fukaya et al.
    /// 2014): G = QᵀQ, R = chol(G), Q ← Q R⁻¹. Row-wise work only, so it streams through memory; the second pass
    /// restores orthogonality to rounding. Columns that are numerically dependent are zeroed.
    /// </summary>
    public static void Orthonormalize(double[,] q)
    {
        for (int pass = 0; pass < 2; pass++)
            CholeskyQrPass(q);
    }

    private static void CholeskyQrPass(double[,] q)
    {
        int n = q.GetLength(0), k = q.GetLength(1);
        var g = Gram(q);
        var l = new double[k, k];
        var dead = new bool[k];
        double scale = 0;
        for (int j = 0; j < k; j++)
            scale = Math.Max(scale, g[j, j]);
        for (int j = 0; j < k; j++)
        {
            double sum = g[j, j];
            for (int m = 0; m < j; m++)
                sum -= l[j, m] * l[j, m];
            if (!(sum > 1e-24 * scale))
            {
                dead[j] = true;
                l[j, j] = 1;
                continue;
            }
            l[j, j] = Math.Sqrt(sum);
            for (int i = j + 1; i < k; i++)
            {
                double t = g[i, j];
                for (int m = 0; m < j; m++)
                    t -= l[i, m] * l[j, m];
                l[i, j] = t / l[j, j];
            }
        }
        // Each row r of Q solves x Lᵀ = r (forward substitution over the columns).
        System.Threading.Tasks.Parallel.For(0, n, MathUtil.ParallelOptionsFor((long)n * k * k), i =>
        {
            var row = MathUtil.Row(q, i);
            for (int j = 0; j < k; j++)
            {
                if (dead[j])
                {
                    row[j] = 0;
                    continue;
                }
                double t = row[j];
                for (int m = 0; m < j; m++)
                    t -= row[m] * l[j, m];
                row[j] = t / l[j, j];
            }
        });
    }
}
