using System.Numerics;

namespace Polymath.Quantum;

/// <summary>Small dense complex-matrix helpers used by gates (row-major <c>Complex[,]</c>).</summary>
internal static class MatrixUtil
{
    /// <summary>Largest |(U†U − I)ᵢⱼ| above which a matrix is rejected as non-unitary: float64 round-off on
    /// products of a few dozen terms stays near 1e-14, while a real modelling error is ≫ 1e-10.</summary>
    internal const double UnitarityTolerance = 1e-10;

    internal static Complex[,] Identity(int d)
    {
        var m = new Complex[d, d];
        for (int i = 0; i < d; i++) m[i, i] = Complex.One;
        return m;
    }

    internal static Complex[,] Multiply(Complex[,] a, Complex[,] b)
    {
        int n = a.GetLength(0), k = a.GetLength(1), m = b.GetLength(1);
        var r = new Complex[n, m];
        for (int i = 0; i < n; i++)
            for (int p = 0; p < k; p++)
            {
                var aip = a[i, p];
                if (aip == Complex.Zero) continue;
                for (int j = 0; j < m; j++) r[i, j] += aip * b[p, j];
            }
        return r;
    }

    internal static Complex[,] Dagger(Complex[,] a)
    {
        int n = a.GetLength(0), m = a.GetLength(1);
        var r = new Complex[m, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) r[j, i] = Complex.Conjugate(a[i, j]);
        return r;
    }

    /// <summary>max |(U†U − I)ᵢⱼ|.</summary>
    internal static double UnitarityDeviation(Complex[,] u)
    {
        var p = Multiply(Dagger(u), u);
        double dev = 0;
        int d = p.GetLength(0);
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) dev = Math.Max(dev, (p[i, j] - (i == j ? 1 : 0)).Magnitude);
        return dev;
    }

    internal static void EnsureUnitary(Complex[,] u, string where)
    {
        if (u.GetLength(0) != u.GetLength(1)) throw new ArgumentException($"{where}: matrix is {u.GetLength(0)}×{u.GetLength(1)}, not square");
        double dev = UnitarityDeviation(u);
        if (!(dev <= UnitarityTolerance))
            throw new ArgumentException($"{where}: matrix is not unitary: max |(U†U − I)ij| = {dev:G4} exceeds tolerance {UnitarityTolerance:G2}");
    }

    /// <summary>
    /// Angles with U = e^{iγ}·U3(θ, φ, λ), U3 = [[cos θ/2, −e^{iλ} sin θ/2], [e^{iφ} sin θ/2, e^{i(φ+λ)} cos θ/2]].
    /// </summary>
    internal static (double Theta, double Phi, double Lambda, double Gamma) U3Angles(Complex[,] u)
    {
        // Normalise det to e^{2iγ'} style by reading phases off the entries.
        double c = u[0, 0].Magnitude, s = u[1, 0].Magnitude;
        double theta = 2 * Math.Atan2(s, c);
        double gamma, phi, lambda;
        const double Tiny = 1e-12;
        if (s < Tiny)
        {
            gamma = u[0, 0].Phase; phi = 0; lambda = u[1, 1].Phase - gamma;
        }
        else if (c < Tiny)
        {
            gamma = u[1, 0].Phase; phi = 0; lambda = (-u[0, 1]).Phase - gamma;
        }
        else
        {
            gamma = u[0, 0].Phase; phi = u[1, 0].Phase - gamma; lambda = (-u[0, 1]).Phase - gamma;
        }
        return (theta, phi, lambda, gamma);
    }

    /// <summary>A square root V (V·V = U) of a 2×2 unitary, itself unitary: V = (U + sI)/t, s = ±√det U, t = √(tr U + 2s).</summary>
    internal static Complex[,] Sqrt2x2(Complex[,] u)
    {
        Complex det = u[0, 0] * u[1, 1] - u[0, 1] * u[1, 0];
        Complex tr = u[0, 0] + u[1, 1];
        Complex s = Complex.Sqrt(det);
        if ((tr + 2 * s).Magnitude < 1e-8) s = -s;
        Complex t = Complex.Sqrt(tr + 2 * s);
        return new Complex[,] { { (u[0, 0] + s) / t, u[0, 1] / t }, { u[1, 0] / t, (u[1, 1] + s) / t } };
    }

    internal static Complex[,] Controlled(Complex[,] u, int numControls)
    {
        int d = u.GetLength(0);
        int nc = 1 << numControls;
        int cm = nc - 1;
        var r = new Complex[d * nc, d * nc];
        for (int i = 0; i < d * nc; i++)
        {
            if ((i & cm) != cm) { r[i, i] = Complex.One; continue; }
            for (int j = 0; j < d; j++) r[i, (j << numControls) | cm] = u[i >> numControls, j];
        }
        return r;
    }
}
