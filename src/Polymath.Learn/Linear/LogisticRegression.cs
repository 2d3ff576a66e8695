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

    /// <summary>
    /// Standard errors [rows, features] from the inverse Hessian of the fitted objective (observed information plus
    /// the L2 penalty; with Penalty "none" these are the classical Wald standard errors). Two classes only; empty for
    /// the multinomial model, whose softmax parameters are not identifiable without the penalty.
    /// </summary>
    [JsonInclude] public double[,] StandardErrors { get; private set; } = new double[0, 0];

    /// <summary>Standard error of each intercept (two classes only).</summary>
    [JsonInclude] public double[] InterceptStandardErrors { get; private set; } = [];

    /// <summary>Wald statistics Coef / StandardErrors.</summary>
    [JsonInclude] public double[,] ZValues { get; private set; } = new double[0, 0];

    /// <summary>Two-sided p-values of the Wald statistics under H0: w = 0 (standard normal).</summary>
    [JsonInclude] public double[,] PValues { get; private set; } = new double[0, 0];

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
        // Several chunks per thread: on a busy machine a preempted thread then delays only a small share of the pass.
        int threads = MathUtil.Threads(-1);
        int chunks = Math.Max(1, Math.Min(4 * threads, n * d / 20_000));
        var partialGrads = new double[chunks][];
        var partialLoss = new double[chunks];
        var buffers = new double[chunks][];
        bool intercept = FitIntercept;
        double Objective(double[] w, double[] grad)
        {
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(chunks, threads) }, ch =>
            {
                var gr = partialGrads[ch] ??= new double[grad.Length];
                int start = (int)((long)n * ch / chunks), end = (int)((long)n * (ch + 1) / chunks);
                var buf = buffers[ch] ??= new double[2 * (end - start) * rows];
                partialLoss[ch] = ChunkLossGradient(x, y, w, rows, d, intercept, start, end, gr, buf);
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
        if (rows == 1)
            WaldStatistics(x, l2);
        else
            (StandardErrors, InterceptStandardErrors, ZValues, PValues) = (new double[0, 0], [], new double[0, 0], new double[0, 0]);
    }

    /// <summary>Inverse of H = Xᵀ diag(p(1−p)) X (+ λ on the weights) over [weights, intercept].</summary>
    private void WaldStatistics(double[,] x, double l2)
    {
        int n = x.GetLength(0), d = x.GetLength(1), p = FitIntercept ? d + 1 : d;
        var h = new double[p, p];
        var row = new double[p];
        for (int i = 0; i < n; i++)
        {
            var xi = MathUtil.Row(x, i);
            double z = MathUtil.Dot(xi, MathUtil.Row(Coef, 0)) + Intercept[0];
            double pi = MathUtil.Sigmoid(z), wgt = pi * (1 - pi);
            xi.CopyTo(row);
            if (FitIntercept)
                row[d] = 1;
            for (int a = 0; a < p; a++)
            {
                double va = wgt * row[a];
                for (int b = a; b < p; b++)
                    h[a, b] += va * row[b];
            }
        }
        for (int a = 0; a < p; a++)
        {
            if (a < d)
                h[a, a] += l2;
            for (int b = 0; b < a; b++)
                h[a, b] = h[b, a];
        }
        var se = new double[p];
        try
        {
            for (int a = 0; a < p; a++)
            {
                var unit = new double[p];
                unit[a] = 1;
                se[a] = Math.Sqrt(LinAlg.CholeskySolve(h, unit, nameof(LogisticRegression))[a]);
            }
        }
        catch (ArgumentException)
        {
            Array.Fill(se, double.NaN); // separable data without a penalty: the information matrix is singular
        }
        StandardErrors = new double[1, d];
        ZValues = new double[1, d];
        PValues = new double[1, d];
        for (int j = 0; j < d; j++)
        {
            StandardErrors[0, j] = se[j];
            ZValues[0, j] = Coef[0, j] / se[j];
            PValues[0, j] = SpecialFunctions.NormalTwoSidedP(ZValues[0, j]);
        }
        InterceptStandardErrors = FitIntercept ? [se[d]] : [double.NaN];
    }

    /// <summary>
    /// Log-loss and its gradient over rows [start, end): scores Z = X Wᵀ + b (4 classes per pass over a row), errors
    /// E = softmax(Z) − onehot(y) (sigmoid for one row of weights), then grad_r = Σ_i E_ir x_i (4 rows per pass).
    /// </summary>
    private static double ChunkLossGradient(double[,] x, int[] y, double[] w, int rows, int d, bool intercept, int start, int end, double[] gr, double[] buf)
    {
        int m = end - start, stride = d + 1;
        Array.Clear(gr);
        var z = buf.AsSpan(0, m * rows);
        var e = buf.AsSpan(m * rows, m * rows);
        int i0 = 0;
        if (rows < 4)
        {
            // Few classes: block four samples per pass over each weight row instead.
            for (; i0 + 4 <= m; i0 += 4)
                for (int r = 0; r < rows; r++)
                {
                    var wr = w.AsSpan(r * stride, d);
                    Simd.Dot4(MathUtil.Row(x, start + i0), MathUtil.Row(x, start + i0 + 1), MathUtil.Row(x, start + i0 + 2), MathUtil.Row(x, start + i0 + 3), wr,
                        out z[i0 * rows + r], out z[(i0 + 1) * rows + r], out z[(i0 + 2) * rows + r], out z[(i0 + 3) * rows + r]);
                    double b = intercept ? w[r * stride + d] : 0;
                    for (int t = 0; t < 4; t++)
                        z[(i0 + t) * rows + r] += b;
                }
        }
        for (int i = i0; i < m; i++)
        {
            var xi = MathUtil.Row(x, start + i);
            var zi = z.Slice(i * rows, rows);
            int r = 0;
            for (; r + 4 <= rows; r += 4)
                Simd.Dot4(w.AsSpan(r * stride, d), w.AsSpan((r + 1) * stride, d), w.AsSpan((r + 2) * stride, d), w.AsSpan((r + 3) * stride, d), xi,
                    out zi[r], out zi[r + 1], out zi[r + 2], out zi[r + 3]);
            for (; r < rows; r++)
                zi[r] = MathUtil.Dot(xi, w.AsSpan(r * stride, d));
            if (intercept)
                for (r = 0; r < rows; r++)
                    zi[r] += w[r * stride + d];
        }
        double loss = 0;
        if (rows == 1)
        {
            // y ∈ {0,1}: loss = softplus(z) − y z with softplus(z) = max(z, 0) + log(1 + e^−|z|); error = σ(z) − y.
            System.Numerics.Tensors.TensorPrimitives.Sigmoid(z, e);
            for (int i = 0; i < m; i++)
            {
                double zi = z[i];
                loss += Math.Max(zi, 0) - y[start + i] * zi;
                e[i] -= y[start + i];
            }
            System.Numerics.Tensors.TensorPrimitives.Abs(z, z);
            System.Numerics.Tensors.TensorPrimitives.Negate(z, z);
            System.Numerics.Tensors.TensorPrimitives.Exp(z, z);
            System.Numerics.Tensors.TensorPrimitives.Add(z, 1.0, z);
            System.Numerics.Tensors.TensorPrimitives.Log(z, z);
            loss += System.Numerics.Tensors.TensorPrimitives.Sum(z);
        }
        else
        {
            for (int i = 0; i < m; i++)
            {
                var zi = z.Slice(i * rows, rows);
                var ei = e.Slice(i * rows, rows);
                double max = System.Numerics.Tensors.TensorPrimitives.Max(zi);
                System.Numerics.Tensors.TensorPrimitives.Subtract(zi, max, ei);
                System.Numerics.Tensors.TensorPrimitives.Exp(ei, ei);
                double sum = System.Numerics.Tensors.TensorPrimitives.Sum(ei);
                int yi = y[start + i];
                loss += max + Math.Log(sum) - zi[yi];
                System.Numerics.Tensors.TensorPrimitives.Divide(ei, sum, ei);
                ei[yi] -= 1;
            }
        }
        for (int r = 0; r < rows; r++)
        {
            var g = gr.AsSpan(r * stride, d);
            double bias = 0;
            int i = 0;
            for (; i + 4 <= m; i += 4)
            {
                double e0 = e[i * rows + r], e1 = e[(i + 1) * rows + r], e2 = e[(i + 2) * rows + r], e3 = e[(i + 3) * rows + r];
                Simd.Axpy4(g, e0, MathUtil.Row(x, start + i), e1, MathUtil.Row(x, start + i + 1), e2, MathUtil.Row(x, start + i + 2), e3, MathUtil.Row(x, start + i + 3));
                bias += e0 + e1 + e2 + e3;
            }
            for (; i < m; i++)
            {
                double ei = e[i * rows + r];
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(MathUtil.Row(x, start + i), ei, g, g);
                bias += ei;
            }
            gr[r * stride + d] = bias;
        }
        return loss;
    }

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
