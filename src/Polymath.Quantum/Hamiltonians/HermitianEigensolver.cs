using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// Dense eigensolver for complex Hermitian matrices: Householder reduction to a Hermitian tridiagonal matrix,
/// a diagonal unitary that makes its off-diagonal real, then implicitly shifted QL on the real tridiagonal and
/// back-transformation (A = Q·D·T·D†·Q†, eigenvectors Q·D·Z). O(n³); practical up to a few thousand rows
/// (12 qubits = 4096 takes minutes, 8–10 qubits well under a few seconds).
/// </summary>
public static class HermitianEigensolver
{
    /// <summary>Relative tolerance for the Hermiticity check: max |Aᵢⱼ − conj(Aⱼᵢ)| ≤ 1e-10·max(1, max|Aᵢⱼ|).</summary>
    public const double HermiticityTolerance = 1e-10;

    /// <summary>Eigenvalues (ascending) and, if <paramref name="computeVectors"/>, orthonormal eigenvectors (columns) of <paramref name="matrix"/>.</summary>
    /// <exception cref="ArgumentException">Not square, or not Hermitian (the message gives the worst entry and its deviation).</exception>
    public static EigenDecomposition Solve(Complex[,] matrix, bool computeVectors = true)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.GetLength(0);
        if (matrix.GetLength(1) != n) throw new ArgumentException($"HermitianEigensolver: matrix is {n}×{matrix.GetLength(1)}, not square", nameof(matrix));
        CheckHermitian(matrix);

        var a = new Complex[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) a[i * n + j] = matrix[i, j];
        Complex[]? q = null;
        if (computeVectors)
        {
            q = new Complex[n * n];
            for (int i = 0; i < n; i++) q[i * n + i] = Complex.One;
        }
        Tridiagonalize(a, n, q);

        // Make the tridiagonal real: T' = D†·T·D with D = diag(φ), φ₀ = 1, φᵢ₊₁ = φᵢ·eᵢ/|eᵢ|.
        var d = new double[n];
        var e = new double[n];
        var phase = new Complex[n];
        if (n > 0) phase[0] = Complex.One;
        for (int i = 0; i < n; i++) d[i] = a[i * n + i].Real;
        for (int i = 0; i + 1 < n; i++)
        {
            Complex ei = a[(i + 1) * n + i];
            double m = ei.Magnitude;
            e[i] = m;
            phase[i + 1] = m == 0 ? phase[i] : phase[i] * (ei / m);
        }

        double[]? z = null;
        if (computeVectors)
        {
            z = new double[n * n];
            for (int i = 0; i < n; i++) z[i * n + i] = 1;
        }
        SymmetricTridiagonalEigen.Diagonalize(d, e, z);
        int[] order = SymmetricTridiagonalEigen.SortAscending(d);
        var values = order.Select(k => d[k]).ToArray();
        if (!computeVectors) return new EigenDecomposition(values, null);

        // Eigenvectors V = (Q·D)·Z, columns reordered.
        var qd = new Complex[n * n];
        for (int r = 0; r < n; r++) for (int c = 0; c < n; c++) qd[r * n + c] = q![r * n + c] * phase[c];
        var v = new Complex[n, n];
        var row = new Complex[n];
        for (int r = 0; r < n; r++)
        {
            Array.Clear(row);
            for (int c = 0; c < n; c++)
            {
                Complex x = qd[r * n + c];
                if (x == Complex.Zero) continue;
                int zr = c * n;
                for (int j = 0; j < n; j++) row[j] += x * z![zr + j];
            }
            for (int j = 0; j < n; j++) v[r, j] = row[order[j]];
        }
        return new EigenDecomposition(values, v);
    }

    /// <summary>Eigenvalues only, ascending.</summary>
    public static double[] Eigenvalues(Complex[,] matrix) => Solve(matrix, computeVectors: false).Values;

    private static void CheckHermitian(Complex[,] m)
    {
        int n = m.GetLength(0);
        double scale = 1, worst = 0;
        int wi = 0, wj = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) scale = Math.Max(scale, m[i, j].Magnitude);
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++)
            {
                double dev = (m[i, j] - Complex.Conjugate(m[j, i])).Magnitude;
                if (!(dev <= worst)) { worst = dev; wi = i; wj = j; }
            }
        if (!(worst <= HermiticityTolerance * scale))
            throw new ArgumentException($"HermitianEigensolver: matrix is not Hermitian: |A[{wi},{wj}] − conj(A[{wj},{wi}])| = {worst:G4} exceeds {HermiticityTolerance:G2}·{scale:G4}", nameof(m));
    }

    /// <summary>
    /// Householder steps k = 0..n−3: P = I − 2vv† on rows/columns k+1.. maps column k below the diagonal to α·e₁
    /// (α = −e^{i·arg x₀}‖x‖, so x†(αe₁) is real), then A ← PAP via a rank-2 update and Q ← QP.
    /// </summary>
    private static void Tridiagonalize(Complex[] a, int n, Complex[]? q)
    {
        var v = new Complex[n];
        var p = new Complex[n];
        for (int k = 0; k + 2 < n; k++)
        {
            int s = k + 1, m = n - s;
            double tail = 0;
            for (int i = s + 1; i < n; i++) tail += Norm2(a[i * n + k]);
            if (tail == 0) continue;                       // already tridiagonal in this column
            Complex x0 = a[s * n + k];
            double xnorm = Math.Sqrt(tail + Norm2(x0));
            Complex unit = x0 == Complex.Zero ? Complex.One : x0 / x0.Magnitude;
            Complex alpha = -unit * xnorm;

            for (int i = 0; i < m; i++) v[i] = a[(s + i) * n + k];
            v[0] -= alpha;
            double vnorm = 0;
            for (int i = 0; i < m; i++) vnorm += Norm2(v[i]);
            vnorm = Math.Sqrt(vnorm);
            for (int i = 0; i < m; i++) v[i] /= vnorm;

            // p = A₂₂·v, K = v†p (real), w = p − K·v, A₂₂ ← A₂₂ − 2vw† − 2wv†.
            double kk = 0;
            for (int i = 0; i < m; i++)
            {
                Complex acc = Complex.Zero;
                int row = (s + i) * n + s;
                for (int j = 0; j < m; j++) acc += a[row + j] * v[j];
                p[i] = acc;
                kk += (Complex.Conjugate(v[i]) * acc).Real;
            }
            for (int i = 0; i < m; i++) p[i] -= kk * v[i];
            for (int i = 0; i < m; i++)
            {
                int row = (s + i) * n + s;
                Complex vi = v[i], wi = p[i];
                for (int j = 0; j < m; j++)
                    a[row + j] -= 2 * (vi * Complex.Conjugate(p[j]) + wi * Complex.Conjugate(v[j]));
            }
            a[s * n + k] = alpha;
            a[k * n + s] = Complex.Conjugate(alpha);
            for (int i = s + 1; i < n; i++) { a[i * n + k] = Complex.Zero; a[k * n + i] = Complex.Zero; }

            if (q is null) continue;
            for (int r = 0; r < n; r++)
            {
                int row = r * n + s;
                Complex qv = Complex.Zero;
                for (int j = 0; j < m; j++) qv += q[row + j] * v[j];
                qv *= 2;
                for (int j = 0; j < m; j++) q[row + j] -= qv * Complex.Conjugate(v[j]);
            }
        }
    }

    private static double Norm2(Complex c) => c.Real * c.Real + c.Imaginary * c.Imaginary;
}
