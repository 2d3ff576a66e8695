namespace Polymath.Kernels;

/// <summary>Scalar special functions .NET's Math lacks, accurate to about 1e-15 in double.</summary>
internal static class SpecialFunctions
{
    private const double TwoOverSqrtPi = 1.1283791670955126;
    private const double OneOverSqrtPi = 0.5641895835477563;

    /// <summary>The error function.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x))
            return x;
        double ax = Math.Abs(x);
        if (ax < 3.0)
        {
            // erf(x) = 2/sqrt(pi) e^{-x^2} sum 2^n x^{2n+1} / (1*3*...*(2n+1)): all terms positive, no cancellation.
            double x2 = ax * ax, term = ax, sum = ax;
            for (int n = 1; n < 200; n++)
            {
                term *= 2.0 * x2 / (2 * n + 1);
                sum += term;
                if (term < 1e-17 * sum)
                    break;
            }
            double r = TwoOverSqrtPi * Math.Exp(-x2) * sum;
            return x < 0 ? -r : r;
        }
        double e = 1.0 - ErfcLarge(ax);
        return x < 0 ? -e : e;
    }

    // erfc(x) for x >= 3 by its continued fraction, evaluated bottom-up at a fixed depth.
    private static double ErfcLarge(double x)
    {
        double f = x;
        for (int k = 60; k >= 1; k--)
            f = x + k / 2.0 / f;
        return Math.Exp(-x * x) * OneOverSqrtPi / f;
    }
}
