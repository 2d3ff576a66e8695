using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>
/// Lasso: minimises (1/2n)||y − Xw − b||² + α||w||₁ by cyclic coordinate descent with soft thresholding
/// (Friedman, Hastie &amp; Tibshirani 2010). Stops when the duality gap falls below Tol·||y||², as sklearn does.
/// </summary>
public sealed class Lasso : Regressor, IFeatureWeights
{
    /// <summary>L1 penalty α (default 1).</summary>
    public double Alpha { get; set; } = 1.0;

    /// <summary>Fit an intercept (default true).</summary>
    public bool FitIntercept { get; set; } = true;

    /// <summary>Maximum passes over the coordinates (default 1000).</summary>
    public int MaxIter { get; set; } = 1000;

    /// <summary>Duality-gap tolerance, relative to ||y||² (default 1e-4).</summary>
    public double Tol { get; set; } = 1e-4;

    /// <summary>Coefficients, one per feature (many exactly 0).</summary>
    [JsonInclude] public double[] Coef { get; private set; } = [];

    /// <summary>Intercept.</summary>
    [JsonInclude] public double Intercept { get; private set; }

    /// <summary>Passes run by the last fit.</summary>
    [JsonInclude] public int Iterations { get; private set; }

    /// <inheritdoc />
    protected override void FitCore(double[,] x, double[] y)
    {
        var (xc, yc, xm, ym) = LinearModel.Center(x, y, FitIntercept);
        int n = x.GetLength(0), d = x.GetLength(1);
        // Column-major copy: each coordinate step walks one column.
        var cols = new double[d][];
        var colNorm = new double[d];
        for (int j = 0; j < d; j++)
        {
            cols[j] = new double[n];
            for (int i = 0; i < n; i++)
                cols[j][i] = xc[i, j];
            colNorm[j] = MathUtil.Dot(cols[j], cols[j]);
        }
        var w = new double[d];
        var r = (double[])yc.Clone();
        double alphaN = Alpha * n;
        double tol = Tol * MathUtil.Dot(yc, yc);
        int iter;
        for (iter = 1; iter <= MaxIter; iter++)
        {
            double maxChange = 0, maxW = 0;
            for (int j = 0; j < d; j++)
            {
                if (colNorm[j] == 0)
                    continue;
                double old = w[j];
                double rho = MathUtil.Dot(cols[j], r) + old * colNorm[j];
                double updated = Math.Sign(rho) * Math.Max(Math.Abs(rho) - alphaN, 0) / colNorm[j];
                if (updated != old)
                {
                    double delta = updated - old;
                    var c = cols[j];
                    for (int i = 0; i < n; i++)
                        r[i] -= delta * c[i];
                    w[j] = updated;
                }
                maxChange = Math.Max(maxChange, Math.Abs(updated - old));
                maxW = Math.Max(maxW, Math.Abs(updated));
            }
            if (maxW == 0 || maxChange / maxW < Tol || iter == MaxIter)
            {
                if (DualityGap(cols, r, yc, w, alphaN) < tol)
                    break;
            }
        }
        Iterations = Math.Min(iter, MaxIter);
        Coef = w;
        Intercept = FitIntercept ? ym - MathUtil.Dot(xm, Coef) : 0;
    }

    private static double DualityGap(double[][] cols, double[] r, double[] y, double[] w, double alphaN)
    {
        double dualNorm = 0;
        foreach (var c in cols)
            dualNorm = Math.Max(dualNorm, Math.Abs(MathUtil.Dot(c, r)));
        double rNorm2 = MathUtil.Dot(r, r);
        double scale = dualNorm > alphaN ? alphaN / dualNorm : 1;
        double gap = dualNorm > alphaN ? 0.5 * (rNorm2 + rNorm2 * scale * scale) : rNorm2;
        gap += alphaN * w.Sum(Math.Abs) - scale * MathUtil.Dot(r, y);
        return gap;
    }

    /// <inheritdoc />
    protected override double[] PredictCore(double[,] x) => LinearModel.Predict(x, Coef, Intercept);

    /// <inheritdoc />
    public double[] FeatureWeights() => Coef.Select(Math.Abs).ToArray();
}
