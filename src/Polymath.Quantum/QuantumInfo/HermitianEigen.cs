using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// Eigendecomposition of a Hermitian complex matrix by the cyclic complex Jacobi method: each step removes the phase of
/// an off-diagonal entry a_pq with a diagonal unitary and then zeroes it with a real plane rotation. Accurate to round-off
/// (small eigenvalues keep high relative accuracy), O(d³) per sweep, some 6–10 sweeps: meant for the d ≤ a few hundred
/// matrices of quantum-information read-outs, not for big dense problems.
/// </summary>
public static class HermitianEigen
{
    private const int MaxSweeps = 100;

    /// <summary>
    /// Eigenvalues in ascending order and the matching orthonormal eigenvectors as the columns of a d×d matrix:
    /// A = V·diag(λ)·V†. Only the lower triangle's conjugate-symmetric partner is assumed: A is symmetrised first.
    /// </summary>
    /// <exception cref="ArgumentException">A is not square, or is not Hermitian within 1e-8·max|A|.</exception>
    public static (double[] Values, Complex[,] Vectors) Decompose(Complex[,] matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.GetLength(0);
        if (matrix.GetLength(1) != n) throw new ArgumentException($"eigendecomposition needs a square matrix, got {n}×{matrix.GetLength(1)}", nameof(matrix));
        var a = new Complex[n, n];
        double scale = 0, asym = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++)
        {
            scale = Math.Max(scale, matrix[i, j].Magnitude);
            asym = Math.Max(asym, (matrix[i, j] - Complex.Conjugate(matrix[j, i])).Magnitude);
            a[i, j] = (matrix[i, j] + Complex.Conjugate(matrix[j, i])) / 2;
        }
        if (asym > 1e-8 * Math.Max(scale, 1e-300))
            throw new ArgumentException($"matrix is not Hermitian: max |A − A†| = {asym:G4} (max |A| = {scale:G4})", nameof(matrix));
        var v = new Complex[n, n];
        for (int i = 0; i < n; i++) v[i, i] = Complex.One;

        for (int sweep = 0; sweep < MaxSweeps; sweep++)
        {
            double off = 0, diag = 0;
            for (int i = 0; i < n; i++)
            {
                diag += a[i, i].Real * a[i, i].Real;
                for (int j = i + 1; j < n; j++) off += a[i, j].Real * a[i, j].Real + a[i, j].Imaginary * a[i, j].Imaginary;
            }
            if (off <= 1e-32 * (diag + 2 * off)) break;          // off-diagonal mass negligible next to the whole matrix
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                    Rotate(a, v, p, q, n);
        }

        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = a[i, i].Real;
        var order = Enumerable.Range(0, n).OrderBy(i => values[i]).ToArray();
        var sortedValues = order.Select(i => values[i]).ToArray();
        var sortedVectors = new Complex[n, n];
        for (int c = 0; c < n; c++) for (int r = 0; r < n; r++) sortedVectors[r, c] = v[r, order[c]];
        return (sortedValues, sortedVectors);
    }

    /// <summary>Eigenvalues only, ascending.</summary>
    public static double[] Eigenvalues(Complex[,] matrix) => Decompose(matrix).Values;

    /// <summary>A ← G†AG and V ← VG with G = diag(1, e^{−iφ})·[[c, s], [−s, c]] in the (p, q) plane, which zeroes a_pq = |h|e^{iφ}.</summary>
    private static void Rotate(Complex[,] a, Complex[,] v, int p, int q, int n)
    {
        Complex h = a[p, q];
        double g = h.Magnitude;
        if (g == 0) return;
        double app = a[p, p].Real, aqq = a[q, q].Real;
        // Skip entries already negligible next to both diagonal entries (the classical Jacobi test).
        if (g * 1e18 < Math.Abs(app) && g * 1e18 < Math.Abs(aqq)) { a[p, q] = a[q, p] = Complex.Zero; return; }
        Complex phase = h / g;                                  // e^{iφ}
        double theta = (aqq - app) / (2 * g);
        double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
        if (theta == 0) t = 1;
        double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
        Complex gpp = c, gpq = s, gqp = -s * Complex.Conjugate(phase), gqq = c * Complex.Conjugate(phase);

        for (int k = 0; k < n; k++)                              // A ← A·G (columns p, q)
        {
            Complex akp = a[k, p], akq = a[k, q];
            a[k, p] = akp * gpp + akq * gqp;
            a[k, q] = akp * gpq + akq * gqq;
        }
        for (int k = 0; k < n; k++)                              // A ← G†·A (rows p, q)
        {
            Complex apk = a[p, k], aqk = a[q, k];
            a[p, k] = Complex.Conjugate(gpp) * apk + Complex.Conjugate(gqp) * aqk;
            a[q, k] = Complex.Conjugate(gpq) * apk + Complex.Conjugate(gqq) * aqk;
        }
        a[p, q] = a[q, p] = Complex.Zero;
        a[p, p] = a[p, p].Real;
        a[q, q] = a[q, q].Real;
        for (int k = 0; k < n; k++)                              // V ← V·G
        {
            Complex vkp = v[k, p], vkq = v[k, q];
            v[k, p] = vkp * gpp + vkq * gqp;
            v[k, q] = vkp * gpq + vkq * gqq;
        }
    }
}
