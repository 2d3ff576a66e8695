using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>
/// Ridge regression: minimises ||y − Xw − b||² + α||w||² (the intercept is not penalised), solved exactly by
/// Cholesky on (XcᵀXc + αI) w = Xcᵀyc with centred data, as sklearn's "cholesky" solver.
/// </summary>
public sealed class Ridge : Regressor, IFeatureWeights
{
    /// <summary>L2 penalty strength α ≥ 0 (default 1).</summary>
    public double Alpha { get; set; } = 1.0;

    /// <summary>Fit an intercept (default true).</summary>
    public bool FitIntercept { get; set; } = true;

    /// <summary>Coefficients, one per feature.</summary>
    [JsonInclude] public double[] Coef { get; private set; } = [];

    /// <summary>Intercept.</summary>
    [JsonInclude] public double Intercept { get; private set; }

    /// <inheritdoc />
    protected override void FitCore(double[,] x, double[] y)
    {
        if (Alpha < 0)
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Ridge: alpha must be ≥ 0.");
        var (xc, yc, xm, ym) = LinearModel.Center(x, y, FitIntercept);
        int n = x.GetLength(0), d = x.GetLength(1);
        var g = LinAlg.Gram(xc);
        for (int j = 0; j < d; j++)
            g[j, j] += Alpha;
        var b = new double[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                b[j] += xc[i, j] * yc[i];
        Coef = LinAlg.CholeskySolve(g, b, nameof(Ridge));
        Intercept = FitIntercept ? ym - MathUtil.Dot(xm, Coef) : 0;
    }

    /// <inheritdoc />
    protected override double[] PredictCore(double[,] x) => LinearModel.Predict(x, Coef, Intercept);

    /// <inheritdoc />
    public double[] FeatureWeights() => Coef.Select(Math.Abs).ToArray();
}
