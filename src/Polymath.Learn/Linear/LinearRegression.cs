using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>
/// Ordinary least squares, y ≈ X·w + b, solved by Householder QR of the centred design (no normal equations are
/// formed, so conditioning is that of X, not XᵀX). After fitting it reports the classical inference table:
/// standard errors, t statistics and two-sided p-values (Student t with n − p − 1 degrees of freedom), and R².
/// </summary>
public sealed class LinearRegression : Regressor, IFeatureWeights
{
    /// <summary>Fit an intercept (true, default) or force the line through the origin.</summary>
    public bool FitIntercept { get; set; } = true;

    /// <summary>Coefficients w, one per feature (sklearn's <c>coef_</c>).</summary>
    [JsonInclude] public double[] Coef { get; private set; } = [];

    /// <summary>Intercept b (0 when <see cref="FitIntercept"/> is false).</summary>
    [JsonInclude] public double Intercept { get; private set; }

    /// <summary>Standard error of each coefficient: sqrt(σ² · diag((XᵀX)⁻¹)), σ² = RSS / (n − p − 1). NaN when n ≤ p + 1.</summary>
    [JsonInclude] public double[] StandardErrors { get; private set; } = [];

    /// <summary>Standard error of the intercept (NaN without one).</summary>
    [JsonInclude] public double InterceptStandardError { get; private set; }

    /// <summary>t statistic of each coefficient, Coef / StandardErrors.</summary>
    [JsonInclude] public double[] TValues { get; private set; } = [];

    /// <summary>Two-sided p-value of each coefficient under H0: w_j = 0.</summary>
    [JsonInclude] public double[] PValues { get; private set; } = [];

    /// <summary>t statistic of the intercept.</summary>
    [JsonInclude] public double InterceptTValue { get; private set; }

    /// <summary>Two-sided p-value of the intercept.</summary>
    [JsonInclude] public double InterceptPValue { get; private set; }

    /// <summary>R² on the training data.</summary>
    [JsonInclude] public double RSquared { get; private set; }

    /// <summary>Residual degrees of freedom, n − p − (1 if intercept).</summary>
    [JsonInclude] public int ResidualDegreesOfFreedom { get; private set; }

    /// <inheritdoc />
    protected override void FitCore(double[,] x, double[] y)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        int p = FitIntercept ? d + 1 : d;
        var means = FitIntercept ? MathUtil.ColumnMeans(x) : new double[d];
        // Centred columns plus a constant column: the constant is orthogonal to the centred ones, so QR stays well conditioned.
        var a = new double[n, p];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
                a[i, j] = x[i, j] - means[j];
            if (FitIntercept)
                a[i, d] = 1;
        }
        var (w, rinv) = LinAlg.LeastSquares(a, y, nameof(LinearRegression));
        Coef = w[..d];
        double centredIntercept = FitIntercept ? w[d] : 0;
        Intercept = centredIntercept - MathUtil.Dot(means, Coef);

        double rss = 0, tss = 0, ymean = y.Average();
        for (int i = 0; i < n; i++)
        {
            double r = y[i] - Intercept - MathUtil.Dot(MathUtil.Row(x, i), Coef);
            rss += r * r;
            tss += (y[i] - ymean) * (y[i] - ymean);
        }
        RSquared = tss > 0 ? 1 - rss / tss : double.NaN;
        ResidualDegreesOfFreedom = n - p;
        double sigma2 = ResidualDegreesOfFreedom > 0 ? rss / ResidualDegreesOfFreedom : double.NaN;

        // Covariance of the centred parameters: σ² R⁻¹R⁻ᵀ; the intercept b = b_c − x̄·w maps it with T = [0 | 1] − [x̄ | 0].
        var cov = new double[p, p];
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++)
            {
                double s = 0;
                for (int k = Math.Max(i, j); k < p; k++)
                    s += rinv[i, k] * rinv[j, k];
                cov[i, j] = sigma2 * s;
            }
        StandardErrors = new double[d];
        TValues = new double[d];
        PValues = new double[d];
        for (int j = 0; j < d; j++)
        {
            StandardErrors[j] = Math.Sqrt(cov[j, j]);
            TValues[j] = Coef[j] / StandardErrors[j];
            PValues[j] = SpecialFunctions.StudentTwoSidedP(TValues[j], ResidualDegreesOfFreedom);
        }
        if (FitIntercept)
        {
            var t = new double[p];
            for (int j = 0; j < d; j++)
                t[j] = -means[j];
            t[d] = 1;
            double v = 0;
            for (int i = 0; i < p; i++)
                for (int j = 0; j < p; j++)
                    v += t[i] * cov[i, j] * t[j];
            InterceptStandardError = Math.Sqrt(v);
            InterceptTValue = Intercept / InterceptStandardError;
            InterceptPValue = SpecialFunctions.StudentTwoSidedP(InterceptTValue, ResidualDegreesOfFreedom);
        }
        else
        {
            InterceptStandardError = InterceptTValue = InterceptPValue = double.NaN;
        }
    }

    /// <inheritdoc />
    protected override double[] PredictCore(double[,] x) => LinearModel.Predict(x, Coef, Intercept);

    /// <inheritdoc />
    public double[] FeatureWeights() => Coef.Select(Math.Abs).ToArray();
}

/// <summary>Helpers shared by the linear models.</summary>
internal static class LinearModel
{
    public static double[] Predict(double[,] x, double[] coef, double intercept)
    {
        int n = x.GetLength(0);
        var r = new double[n];
        for (int i = 0; i < n; i++)
            r[i] = MathUtil.Dot(MathUtil.Row(x, i), coef) + intercept;
        return r;
    }

    /// <summary>Centres x and y (when asked) and returns the means.</summary>
    public static (double[,] Xc, double[] Yc, double[] XMean, double YMean) Center(double[,] x, double[] y, bool center)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var xm = center ? MathUtil.ColumnMeans(x) : new double[d];
        double ym = center ? y.Average() : 0;
        var xc = new double[n, d];
        var yc = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
                xc[i, j] = x[i, j] - xm[j];
            yc[i] = y[i] - ym;
        }
        return (xc, yc, xm, ym);
    }
}
