namespace Polymath.Learn;

/// <summary>Log-gamma, digamma and the regularised incomplete beta function, for p-values and mutual information.</summary>
internal static class SpecialFunctions
{
    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7; about 15 digits).</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5)
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        x -= 1;
        double a = Lanczos[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++)
            a += Lanczos[i] / (x + i);
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(a);
    }

    /// <summary>ψ(x) for x &gt; 0: recurrence up to x ≥ 6, then the asymptotic series.</summary>
    public static double Digamma(double x)
    {
        double r = 0;
        while (x < 6)
        {
            r -= 1 / x;
            x += 1;
        }
        double f = 1 / (x * x);
        return r + Math.Log(x) - 0.5 / x - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
    }

    /// <summary>Regularised incomplete beta I_x(a, b) by Lentz's continued fraction.</summary>
    public static double IncompleteBeta(double a, double b, double x)
    {
        if (x <= 0)
            return 0;
        if (x >= 1)
            return 1;
        double lnFront = LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x);
        if (x > (a + 1) / (a + b + 2))
            return 1 - IncompleteBeta(b, a, 1 - x);
        return Math.Exp(lnFront) * BetaContinuedFraction(a, b, x) / a;
    }

    private static double BetaContinuedFraction(double a, double b, double x)
    {
        const double Tiny = 1e-300, Eps = 1e-16;
        double c = 1, d = 1 - (a + b) * x / (a + 1);
        d = Math.Abs(d) < Tiny ? Tiny : d;
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= 10000; m++)
        {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + aa * d;
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = 1 + aa / c;
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + aa * d;
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = 1 + aa / c;
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < Eps)
                break;
        }
        return h;
    }

    /// <summary>
    /// Regularised upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a): the power series of P for x &lt; a + 1, Lentz's
    /// continued fraction otherwise.
    /// </summary>
    public static double UpperIncompleteGamma(double a, double x)
    {
        if (x <= 0)
            return 1;
        double lnFront = -x + a * Math.Log(x) - LogGamma(a);
        if (x < a + 1)
        {
            double term = 1 / a, sum = term;
            for (int n = 1; n < 10000 && Math.Abs(term) > Math.Abs(sum) * 1e-17; n++)
            {
                term *= x / (a + n);
                sum += term;
            }
            return 1 - sum * Math.Exp(lnFront);
        }
        const double Tiny = 1e-300;
        double b = x + 1 - a, c = 1 / Tiny, d = 1 / b, h = d;
        for (int i = 1; i < 10000; i++)
        {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = b + an / c;
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < 1e-16)
                break;
        }
        return Math.Exp(lnFront) * h;
    }

    /// <summary>Two-sided p-value of a standard normal statistic: erfc(|z| / √2) = Q(½, z²/2).</summary>
    public static double NormalTwoSidedP(double z) => double.IsNaN(z) ? double.NaN : UpperIncompleteGamma(0.5, z * z / 2);

    /// <summary>Two-sided p-value of a Student t statistic with <paramref name="dof"/> degrees of freedom.</summary>
    public static double StudentTwoSidedP(double t, double dof) =>
        double.IsNaN(t) ? double.NaN : IncompleteBeta(dof / 2, 0.5, dof / (dof + t * t));

    /// <summary>Upper-tail p-value P(F ≥ f) of an F distribution with (d1, d2) degrees of freedom.</summary>
    public static double FSurvival(double f, double d1, double d2) =>
        double.IsNaN(f) ? double.NaN : f <= 0 ? 1 : IncompleteBeta(d2 / 2, d1 / 2, d2 / (d2 + d1 * f));
}
