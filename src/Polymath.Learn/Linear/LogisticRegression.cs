using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>
/// Logistic regression with an L2 penalty: minimises Σ log-loss + ||W||² / (2C) (intercepts not penalised) by
/// L-BFGS with the stopping rules of sklearn's lbfgs solver (gradient ≤ Tol, relative decrease ≤ FTol, MaxIter). Two classes use one sigmoid weight vector; more classes use the multinomial
/// (softmax) model with one weight row per class.
/// </summary>
public sealed class LogisticRegression : Classifier, IFeatureWeights
{
    /// <summary>Inverse regularisation strength (default 1); larger C means a weaker penalty.</summary>
    public double C { get; set; } = 1.0;

    /// <summary>"l2" (default) or "none".</summary>
    public string Penalty { get; set; } = "l2";

    /// <summary>Fit intercepts (default true).</summary>
    public bool FitIntercept { get; set; } = true;

    /// <summary>L-BFGS iterations at most (default 100, as sklearn).</summary>
    public int MaxIter { get; set; } = 100;

    /// <summary>Stop when the largest gradient component is below this (default 1e-4).</summary>
    public double Tol { get; set; } = 1e-4;

    /// <summary>
    /// Stop when an iteration lowers the objective by less than this fraction (default 2.2e-9, scipy's L-BFGS-B
    /// default, which sklearn inherits); 0 runs until <see cref="Tol"/> or <see cref="MaxIter"/>.
    /// </summary>
    public double FTol { get; set; } = 2.220446049250313e-09;

    /// <summary>Weights [rows, features]: one row for two classes (positive class = Classes[1]), K rows otherwise.</summary>
    [JsonInclude] public double[,] Coef { get; private set; } = new double[0, 0];

    /// <summary>Intercepts, one per row of <see cref="Coef"/>.</summary>
    [JsonInclude] public double[] Intercept { get; private set; } = [];

    /// <summary>L-BFGS iterations used by the last fit.</summary>
    [JsonInclude] public int Iterations { get; private set; }

    /// <inheritdoc />
    protected override void FitCore(double[,] x, int[] y)
    {
        int n = x.GetLength(0), d = x.GetLength(1), k = Classes.Length;
        int rows = k == 2 ? 1 : k;
        int stride = d + 1;
        double penalty = Penalty switch
        {
            "l2" => 1.0,
            "none" => 0.0,
            _ => throw new ArgumentException($"LogisticRegression: unknown penalty '{Penalty}'; use \"l2\" or \"none\"."),
        };
        if (!(C > 0))
            throw new ArgumentOutOfRangeException(nameof(C), C, "LogisticRegression: C must be > 0.");
        double l2 = penalty / C;
        int chunks = Math.Max(1, Math.Min(MathUtil.Threads(-1), n * d / 20_000));
        var partialGrads = new double[chunks][];
        var partialLoss = new double[chunks];
        double Objective(double[] w, double[] grad)
        {
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, ch =>
            {
                var gr = partialGrads[ch] ??= new double[grad.Length];
                Array.Clear(gr);
                var z = new double[rows];
                double loss = 0;
                int start = (int)((long)n * ch / chunks), end = (int)((long)n * (ch + 1) / chunks);
                for (int i = start; i < end; i++)
                {
                    var xi = MathUtil.Row(x, i);
                    for (int r = 0; r < rows; r++)
                        z[r] = MathUtil.Dot(xi, w.AsSpan(r * stride, d)) + (FitIntercept ? w[r * stride + d] : 0);
                    if (rows == 1)
                    {
                        // y ∈ {0,1}: loss = log(1 + e^z) − y z, stable for both signs of z.
                        double zi = z[0];
                        loss += (zi > 0 ? zi + double.LogP1(Math.Exp(-zi)) : double.LogP1(Math.Exp(zi))) - y[i] * zi;
                        double err = MathUtil.Sigmoid(zi) - y[i];
                        AddScaled(gr.AsSpan(0, d), xi, err);
                        gr[d] += err;
                    }
                    else
                    {
                        double max = z[0], sum = 0;
                        for (int r = 1; r < rows; r++)
                            max = Math.Max(max, z[r]);
                        for (int r = 0; r < rows; r++)
                            sum += Math.Exp(z[r] - max);
                        double logSum = max + Math.Log(sum);
                        loss += logSum - z[y[i]];
                        for (int r = 0; r < rows; r++)
                        {
                            double err = Math.Exp(z[r] - logSum) - (r == y[i] ? 1 : 0);
                            AddScaled(gr.AsSpan(r * stride, d), xi, err);
                            gr[r * stride + d] += err;
                        }
                    }
                }
                partialLoss[ch] = loss;
            });
            double total = 0;
            Array.Clear(grad);
            for (int ch = 0; ch < chunks; ch++)
            {
                total += partialLoss[ch];
                for (int j = 0; j < grad.Length; j++)
                    grad[j] += partialGrads[ch][j];
            }
            for (int r = 0; r < rows; r++)
            {
                if (!FitIntercept)
                    grad[r * stride + d] = 0;
                for (int j = 0; j < d; j++)
                {
                    double wj = w[r * stride + j];
                    total += 0.5 * l2 * wj * wj;
                    grad[r * stride + j] += l2 * wj;
                }
            }
            return total;
        }
        var (wOpt, iters, _) = Lbfgs.Minimize(Objective, new double[rows * stride], MaxIter, Tol, FTol);
        Iterations = iters;
        Coef = new double[rows, d];
        Intercept = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < d; j++)
                Coef[r, j] = wOpt[r * stride + j];
            Intercept[r] = FitIntercept ? wOpt[r * stride + d] : 0;
        }
    }

    private static void AddScaled(Span<double> dst, ReadOnlySpan<double> x, double a) =>
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(x, a, dst, dst);

    /// <summary>Decision scores: [samples, 1] log-odds for two classes, [samples, K] logits otherwise.</summary>
    public double[,] DecisionFunction(double[,] x)
    {
        CheckPredictInput(x);
        return MathUtil.Linear(x, Coef, Intercept);
    }

    /// <inheritdoc />
    protected override double[,] PredictProbaCore(double[,] x)
    {
        var z = MathUtil.Linear(x, Coef, Intercept);
        int n = x.GetLength(0);
        if (Coef.GetLength(0) == 1)
        {
            var p = new double[n, 2];
            for (int i = 0; i < n; i++)
            {
                p[i, 1] = MathUtil.Sigmoid(z[i, 0]);
                p[i, 0] = 1 - p[i, 1];
            }
            return p;
        }
        MathUtil.SoftmaxRows(z);
        return z;
    }

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
