using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>
/// Linear support vector classifier trained by dual coordinate descent (Hsieh et al. 2008, liblinear), which touches
/// one sample at a time and so suits large sparse data (<see cref="Fit(SparseMatrix, double[])"/>). Loss: squared
/// hinge (default, as sklearn) or hinge. The intercept is learnt as the weight of a constant feature equal to
/// <see cref="InterceptScaling"/> (so it is regularised, as in liblinear). More than two classes: one-vs-rest.
/// </summary>
public sealed class LinearSVC : Classifier, IFeatureWeights
{
    /// <summary>Penalty C (default 1).</summary>
    public double C { get; set; } = 1.0;

    /// <summary>"squared_hinge" (default) or "hinge".</summary>
    public string Loss { get; set; } = "squared_hinge";

    /// <summary>Stop when the projected-gradient spread is below this (default 1e-4).</summary>
    public double Tol { get; set; } = 1e-4;

    /// <summary>Passes over the data at most (default 1000).</summary>
    public int MaxIter { get; set; } = 1000;

    /// <summary>Fit an intercept (default true).</summary>
    public bool FitIntercept { get; set; } = true;

    /// <summary>Value of the synthetic constant feature (default 1).</summary>
    public double InterceptScaling { get; set; } = 1.0;

    /// <summary>Seed of the coordinate order.</summary>
    public int RandomState { get; set; }

    /// <summary>Weights [rows, features]: 1 row for two classes (positive = Classes[1]), K rows otherwise.</summary>
    [JsonInclude] public double[,] Coef { get; private set; } = new double[0, 0];

    /// <summary>Intercepts.</summary>
    [JsonInclude] public double[] Intercept { get; private set; } = [];

    /// <summary>Fits on sparse data (CSR).</summary>
    /// <exception cref="ArgumentException">Length mismatch, missing labels or a single class.</exception>
    public void Fit(SparseMatrix x, double[] y)
    {
        ArgumentNullException.ThrowIfNull(x);
        // Validation of the labels and class encoding reuse the dense path on an empty-width stand-in.
        if (x.Rows != y.Length)
            throw new ArgumentException($"LinearSVC: x has {x.Rows} rows but y has {y.Length} values.", nameof(y));
        foreach (double v in x.Values)
            if (!double.IsFinite(v))
                throw new ArgumentException("LinearSVC: x holds NaN or infinity; impute or clean it first.", nameof(x));
        _sparse = x;
        try
        {
            Fit(new double[y.Length, 1], y);
        }
        finally
        {
            _sparse = null;
        }
        FeatureCount = x.Columns;
    }

    private SparseMatrix? _sparse;

    /// <inheritdoc />
    protected override void FitCore(double[,] x, int[] y)
    {
        var data = _sparse ?? SparseMatrix.FromDense(x);
        int n = data.Rows, d = data.Columns, k = Classes.Length;
        bool squared = Loss switch
        {
            "squared_hinge" => true,
            "hinge" => false,
            _ => throw new ArgumentException($"LinearSVC: unknown loss '{Loss}'; use \"squared_hinge\" or \"hinge\"."),
        };
        int rows = k == 2 ? 1 : k;
        Coef = new double[rows, d];
        Intercept = new double[rows];
        var qd = new double[n];
        double bias = FitIntercept ? InterceptScaling : 0;
        for (int i = 0; i < n; i++)
            qd[i] = data.RowSquaredNorm(i) + bias * bias;
        Parallel.For(0, rows, new ParallelOptions { MaxDegreeOfParallelism = MathUtil.Threads(-1) }, r =>
        {
            int positive = k == 2 ? 1 : r;
            var ys = y.Select(v => v == positive ? 1 : -1).ToArray();
            var (w, b) = DualCoordinateDescent(data, ys, qd, bias, squared);
            for (int j = 0; j < d; j++)
                Coef[r, j] = w[j];
            Intercept[r] = b * bias;
        });
    }

    private (double[] W, double B) DualCoordinateDescent(SparseMatrix x, int[] y, double[] qdBase, double bias, bool squared)
    {
        int n = x.Rows;
        double diag = squared ? 0.5 / C : 0, upper = squared ? double.PositiveInfinity : C;
        var w = new double[x.Columns];
        double wb = 0;
        var alpha = new double[n];
        var order = Enumerable.Range(0, n).ToArray();
        var rng = new Random(RandomState);
        for (int iter = 0; iter < MaxIter; iter++)
        {
            rng.Shuffle(order);
            double pgMax = double.NegativeInfinity, pgMin = double.PositiveInfinity;
            foreach (int i in order)
            {
                double qii = qdBase[i] + diag;
                double g = y[i] * (x.RowDot(i, w) + wb * bias) - 1 + diag * alpha[i];
                double pg = alpha[i] == 0 ? Math.Min(g, 0) : alpha[i] == upper ? Math.Max(g, 0) : g;
                pgMax = Math.Max(pgMax, pg);
                pgMin = Math.Min(pgMin, pg);
                if (pg == 0)
                    continue;
                double old = alpha[i];
                alpha[i] = Math.Min(Math.Max(old - g / qii, 0), upper);
                double delta = (alpha[i] - old) * y[i];
                x.AddRow(i, delta, w);
                wb += delta * bias;
            }
            if (pgMax - pgMin <= Tol)
                break;
        }
        return (w, wb);
    }

    /// <summary>Decision scores [samples, rows of Coef].</summary>
    public double[,] DecisionFunction(double[,] x)
    {
        CheckPredictInput(x);
        return MathUtil.Linear(x, Coef, Intercept);
    }

    /// <summary>Predicted labels for sparse rows.</summary>
    public double[] Predict(SparseMatrix x)
    {
        CheckFitted();
        if (x.Columns != FeatureCount)
            throw new ArgumentException($"LinearSVC was fitted on {FeatureCount} features but got {x.Columns} columns.", nameof(x));
        var r = new double[x.Rows];
        var w = Enumerable.Range(0, Coef.GetLength(0)).Select(c => Enumerable.Range(0, FeatureCount).Select(j => Coef[c, j]).ToArray()).ToArray();
        for (int i = 0; i < x.Rows; i++)
        {
            if (w.Length == 1)
            {
                r[i] = Classes[x.RowDot(i, w[0]) + Intercept[0] > 0 ? 1 : 0];
                continue;
            }
            int best = 0;
            double bestScore = double.NegativeInfinity;
            for (int c = 0; c < w.Length; c++)
            {
                double s = x.RowDot(i, w[c]) + Intercept[c];
                if (s > bestScore)
                    (best, bestScore) = (c, s);
            }
            r[i] = Classes[best];
        }
        return r;
    }

    /// <inheritdoc />
    protected override int[] PredictIndices(double[,] x)
    {
        var z = MathUtil.Linear(x, Coef, Intercept);
        if (Coef.GetLength(0) == 1)
            return Enumerable.Range(0, x.GetLength(0)).Select(i => z[i, 0] > 0 ? 1 : 0).ToArray();
        return MathUtil.ArgMaxRows(z);
    }

    /// <summary>Not available: a linear SVM gives no probabilities (use SVC with Probability, or LogisticRegression).</summary>
    protected override double[,] PredictProbaCore(double[,] x) =>
        throw new NotSupportedException("LinearSVC has no probability estimates; use LogisticRegression or SVC { Probability = true }.");

    /// <inheritdoc />
    public double[] FeatureWeights()
    {
        var w = new double[FeatureCount];
        for (int r = 0; r < Coef.GetLength(0); r++)
            for (int j = 0; j < FeatureCount; j++)
                w[j] += Coef[r, j] * Coef[r, j];
        return w.Select(Math.Sqrt).ToArray(); // root of the summed squares: RFE's ranking for several classes
    }
}
