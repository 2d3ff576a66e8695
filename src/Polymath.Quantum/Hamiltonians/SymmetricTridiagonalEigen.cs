namespace Polymath.Quantum;

/// <summary>
/// Eigenvalues and eigenvectors of a real symmetric tridiagonal matrix by the implicitly shifted QL algorithm
/// (Wilkinson-type shift from the leading 2×2 block, Givens rotations chased down the band; Bowdler, Martin,
/// Reinsch &amp; Wilkinson, Numer. Math. 11 (1968) 293). Used by <see cref="HermitianEigensolver"/> and <see cref="Lanczos"/>.
/// </summary>
internal static class SymmetricTridiagonalEigen
{
    private const int MaxSweepsPerEigenvalue = 60;

    /// <summary>
    /// Diagonalises in place: on entry <paramref name="d"/> is the diagonal and <paramref name="e"/>[i] couples i and i+1
    /// (length n, last entry ignored); on exit <paramref name="d"/> holds the eigenvalues (unsorted) and, when
    /// <paramref name="z"/> is given (n×n row-major, usually the identity), its columns are rotated into the eigenvectors.
    /// </summary>
    /// <exception cref="InvalidOperationException">No convergence (only for non-finite input).</exception>
    public static void Diagonalize(double[] d, double[] e, double[]? z)
    {
        int n = d.Length;
        if (n == 0) return;
        e[n - 1] = 0;
        for (int l = 0; l < n; l++)
        {
            int iterations = 0;
            int m;
            do
            {
                // Find the first negligible coupling at or after l: the block l..m is unreduced.
                for (m = l; m < n - 1; m++)
                {
                    double dd = Math.Abs(d[m]) + Math.Abs(d[m + 1]);
                    if (Math.Abs(e[m]) + dd == dd) break;        // negligible at working precision
                }
                if (m == l) break;
                if (++iterations > MaxSweepsPerEigenvalue)
                    throw new InvalidOperationException($"tridiagonal QL did not converge for eigenvalue {l} after {MaxSweepsPerEigenvalue} sweeps (non-finite input?)");

                // Shift: eigenvalue of the leading 2×2 block closer to d[l].
                double g = (d[l + 1] - d[l]) / (2 * e[l]);
                double r = Hypot(g, 1);
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
                double s = 1, c = 1, p = 0;
                int i;
                bool underflow = false;
                for (i = m - 1; i >= l; i--)
                {
                    double f = s * e[i], b = c * e[i];
                    r = Hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0)
                    {
                        // The rotation underflowed: deflate here and sweep again.
                        d[i + 1] -= p;
                        e[m] = 0;
                        underflow = true;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                    if (z is not null)
                        for (int k = 0; k < n; k++)
                        {
                            int row = k * n;
                            double zi1 = z[row + i + 1], zi = z[row + i];
                            z[row + i + 1] = s * zi + c * zi1;
                            z[row + i] = c * zi - s * zi1;
                        }
                }
                if (underflow) continue;
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            } while (m != l);
        }
    }

    /// <summary>The permutation that sorts <paramref name="d"/> ascending (ties by index); apply it to eigenvector columns too.</summary>
    public static int[] SortAscending(double[] d)
    {
        var order = Enumerable.Range(0, d.Length).ToArray();
        Array.Sort(order, (a, b) => d[a] != d[b] ? d[a].CompareTo(d[b]) : a.CompareTo(b));
        return order;
    }

    private static double Hypot(double a, double b)
    {
        double x = Math.Abs(a), y = Math.Abs(b);
        if (x < y) (x, y) = (y, x);
        if (x == 0) return 0;
        double t = y / x;
        return x * Math.Sqrt(1 + t * t);
    }
}
