using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>
/// Principal component analysis. "full": eigen-decomposition (Householder + QL) of the covariance of the centred data, i.e.
/// the right singular vectors of X − mean; "randomized": Halko, Martinsson &amp; Tropp (2011) range finder with
/// power iterations, then an exact decomposition of the small projected matrix; "auto" picks randomized for
/// large inputs where few components are asked for (sklearn's rule). Signs follow sklearn's svd_flip: the largest
/// |score| of each component on the training data is positive. Whitening scales scores to unit variance.
/// </summary>
public sealed class PCA : Transformer
{
    /// <summary>Components kept; null (default) keeps min(samples, features).</summary>
    public int? NComponents { get; set; }

    /// <summary>"auto" (default), "full" or "randomized".</summary>
    public string SvdSolver { get; set; } = "auto";

    /// <summary>Divide scores by the component standard deviation (default false).</summary>
    public bool Whiten { get; set; }

    /// <summary>Power iterations of the randomized solver; null chooses 7 for few components, else 4 (as sklearn).</summary>
    public int? IteratedPower { get; set; }

    /// <summary>Extra random directions of the randomized solver (default 10).</summary>
    public int NOversamples { get; set; } = 10;

    /// <summary>Seed of the randomized solver.</summary>
    public int RandomState { get; set; }

    /// <summary>Principal axes [components, features], by decreasing variance.</summary>
    [JsonInclude] public double[,] Components { get; private set; } = new double[0, 0];

    /// <summary>Variance explained by each component (divides by n − 1).</summary>
    [JsonInclude] public double[] ExplainedVariance { get; private set; } = [];

    /// <summary>Fraction of the total variance explained by each component.</summary>
    [JsonInclude] public double[] ExplainedVarianceRatio { get; private set; } = [];

    /// <summary>Singular values of the centred data for each component.</summary>
    [JsonInclude] public double[] SingularValues { get; private set; } = [];

    /// <summary>Column means removed before projecting.</summary>
    [JsonInclude] public double[] Mean { get; private set; } = [];

    /// <summary>The solver actually used.</summary>
    [JsonInclude] public string SolverUsed { get; private set; } = "";

    /// <inheritdoc />
    protected override void FitCore(double[,] x, double[]? y)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        int k = NComponents ?? Math.Min(n, d);
        if (k < 1 || k > Math.Min(n, d))
            throw new ArgumentOutOfRangeException(nameof(NComponents), k, $"PCA: n_components must be in 1..{Math.Min(n, d)} (min of samples and features).");
        Mean = MathUtil.ColumnMeans(x);
        var xc = new double[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                xc[i, j] = x[i, j] - Mean[j];
        string solver = SvdSolver switch
        {
            "auto" => Math.Max(n, d) <= 500 || k >= 0.8 * Math.Min(n, d) ? "full" : "randomized",
            "full" or "randomized" => SvdSolver,
            _ => throw new ArgumentException($"PCA: unknown svd_solver '{SvdSolver}'; use auto, full or randomized."),
        };
        SolverUsed = solver;
        double totalVar = MathUtil.ColumnVariances(x, Mean).Sum() * n / Math.Max(n - 1, 1);
        double[] sv;
        double[,] axes;
        if (solver == "full")
        {
            var (values, vectors) = LinAlg.SymmetricEigen(LinAlg.Gram(xc));
            sv = values.Take(k).Select(v => Math.Sqrt(Math.Max(v, 0))).ToArray();
            axes = new double[k, d];
            for (int c = 0; c < k; c++)
                for (int j = 0; j < d; j++)
                    axes[c, j] = vectors[j, c];
        }
        else
        {
            (sv, axes) = Randomized(xc, k);
        }
        // svd_flip on U: make the largest |score| of each component positive.
        for (int c = 0; c < k; c++)
        {
            double best = 0;
            var axis = MathUtil.Row(axes, c);
            for (int i = 0; i < n; i++)
            {
                double s = MathUtil.Dot(MathUtil.Row(xc, i), axis);
                if (Math.Abs(s) > Math.Abs(best))
                    best = s;
            }
            if (best < 0)
                for (int j = 0; j < d; j++)
                    axes[c, j] = -axes[c, j];
        }
        Components = axes;
        SingularValues = sv;
        ExplainedVariance = sv.Select(s => s * s / Math.Max(n - 1, 1)).ToArray();
        ExplainedVarianceRatio = ExplainedVariance.Select(v => totalVar > 0 ? v / totalVar : 0).ToArray();
    }

    private (double[] Sv, double[,] Axes) Randomized(double[,] xc, int k)
    {
        int n = xc.GetLength(0), d = xc.GetLength(1);
        int l = Math.Min(k + NOversamples, Math.Min(n, d));
        int powers = IteratedPower ?? (k < 0.1 * Math.Min(n, d) ? 7 : 4);
        var rng = new Random(RandomState);
        // Tall data: one pass to form XᵀX (n·d² flops) is cheaper than the 2·(powers + 1) passes over X of the range
        // finder (4·n·d·l·(powers + 1) flops), so the power iterations then run on XᵀX, whose eigenvectors are the
        // right singular vectors of X.
        if (d <= 4 * (powers + 1) * l)
            return RandomizedOnGram(LinAlg.Gram(xc), k, l, powers, rng);
        // Row-major layouts chosen so every product is a dot of two contiguous rows or a row axpy.
        var omegaT = new double[l, d];
        for (int i = 0; i < l; i++)
            for (int j = 0; j < d; j++)
                omegaT[i, j] = Gaussian(rng);
        var q = TimesTransposed(xc, omegaT); // X Ω: [n, l]
        LinAlg.Orthonormalize(q);
        for (int it = 0; it < powers; it++)
        {
            var zt = MatTMul(q, xc); // Qᵀ X: [l, d]
            var z = Transpose(zt);
            LinAlg.Orthonormalize(z);
            q = TimesTransposed(xc, Transpose(z)); // X Z: [n, l]
            LinAlg.Orthonormalize(q);
        }
        var b = MatTMul(q, xc); // Qᵀ X: [l, d]
        // SVD of the small B through the eigen-decomposition of B Bᵀ (l × l): B = U S Vᵀ, V = Bᵀ U / S.
        var bbt = new double[l, l];
        for (int i = 0; i < l; i++)
            for (int j = i; j < l; j++)
            {
                double s = 0;
                for (int c = 0; c < d; c++)
                    s += b[i, c] * b[j, c];
                bbt[i, j] = bbt[j, i] = s;
            }
        var (values, u) = LinAlg.SymmetricEigen(bbt);
        var sv = new double[k];
        var axes = new double[k, d];
        for (int c = 0; c < k; c++)
        {
            sv[c] = Math.Sqrt(Math.Max(values[c], 0));
            for (int j = 0; j < d; j++)
            {
                double s = 0;
                for (int i = 0; i < l; i++)
                    s += b[i, j] * u[i, c];
                axes[c, j] = sv[c] > 0 ? s / sv[c] : 0;
            }
        }
        return (sv, axes);
    }

    private static (double[] Sv, double[,] Axes) RandomizedOnGram(double[,] g, int k, int l, int powers, Random rng)
    {
        int d = g.GetLength(0);
        var q = new double[d, l];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < l; j++)
                q[i, j] = Gaussian(rng);
        q = Multiply(g, q);
        LinAlg.Orthonormalize(q);
        for (int it = 0; it < powers; it++)
        {
            q = Multiply(g, q);
            LinAlg.Orthonormalize(q);
        }
        // Rayleigh–Ritz: eigen-decompose Qᵀ G Q (l × l); its eigenvectors rotate Q onto G's leading eigenvectors.
        var gq = Multiply(g, q);
        var small = new double[l, l];
        for (int a = 0; a < l; a++)
            for (int b = 0; b < l; b++)
            {
                double s = 0;
                for (int i = 0; i < d; i++)
                    s += q[i, a] * gq[i, b];
                small[a, b] = s;
            }
        for (int a = 0; a < l; a++)
            for (int b = a + 1; b < l; b++)
                small[a, b] = small[b, a] = (small[a, b] + small[b, a]) / 2;
        var (values, u) = LinAlg.SymmetricEigen(small);
        var sv = new double[k];
        var axes = new double[k, d];
        for (int c = 0; c < k; c++)
        {
            sv[c] = Math.Sqrt(Math.Max(values[c], 0));
            for (int j = 0; j < d; j++)
            {
                double s = 0;
                for (int a = 0; a < l; a++)
                    s += q[j, a] * u[a, c];
                axes[c, j] = s;
            }
        }
        return (sv, axes);
    }

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), m = a.GetLength(1), p = b.GetLength(1);
        var r = new double[n, p];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < m; t++)
            {
                double v = a[i, t];
                for (int j = 0; j < p; j++)
                    r[i, j] += v * b[t, j];
            }
        return r;
    }

    private static double Gaussian(Random rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>A [n, k] · Bᵀ for B [m, k]: [n, m], each entry a dot of two contiguous rows.</summary>
    private static double[,] TimesTransposed(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), m = b.GetLength(0);
        var r = new double[n, m];
        Parallel.For(0, n, MathUtil.ParallelOptionsFor((long)n * m * a.GetLength(1)), i =>
        {
            var ai = MathUtil.Row(a, i);
            for (int j = 0; j < m; j++)
                r[i, j] = MathUtil.Dot(ai, MathUtil.Row(b, j));
        });
        return r;
    }

    private static double[,] Transpose(double[,] a)
    {
        int n = a.GetLength(0), m = a.GetLength(1);
        var r = new double[m, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
                r[j, i] = a[i, j];
        return r;
    }

    /// <summary>Aᵀ [k, n] · B [n, m] for A [n, k].</summary>
    private static double[,] MatTMul(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), k = a.GetLength(1), m = b.GetLength(1);
        int chunks = Math.Max(1, Math.Min(MathUtil.Threads(-1), (int)((long)n * k * m / 200_000)));
        var parts = new double[chunks][,];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c =>
        {
            var r = new double[k, m];
            int start = (int)((long)n * c / chunks), end = (int)((long)n * (c + 1) / chunks);
            for (int i = start; i < end; i++)
            {
                var bi = MathUtil.Row(b, i);
                for (int p = 0; p < k; p++)
                {
                    var rp = MathUtil.Row(r, p);
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(bi, a[i, p], rp, rp);
                }
            }
            parts[c] = r;
        });
        var sum = parts[0];
        for (int c = 1; c < chunks; c++)
            for (int p = 0; p < k; p++)
                for (int j = 0; j < m; j++)
                    sum[p, j] += parts[c][p, j];
        return sum;
    }

    /// <inheritdoc />
    protected override double[,] TransformCore(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1), k = Components.GetLength(0);
        var r = new double[n, k];
        var centred = new double[d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
                centred[j] = x[i, j] - Mean[j];
            for (int c = 0; c < k; c++)
            {
                double s = MathUtil.Dot(centred, MathUtil.Row(Components, c));
                r[i, c] = Whiten ? s / Math.Sqrt(ExplainedVariance[c]) : s;
            }
        }
        return r;
    }

    /// <summary>Maps scores back to the original feature space (the projection onto the kept components).</summary>
    public double[,] InverseTransform(double[,] scores)
    {
        CheckFitted();
        int n = scores.GetLength(0), k = Components.GetLength(0), d = Mean.Length;
        if (scores.GetLength(1) != k)
            throw new ArgumentException($"PCA: InverseTransform expects {k} columns, got {scores.GetLength(1)}.", nameof(scores));
        var r = new double[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                double s = Mean[j];
                for (int c = 0; c < k; c++)
                    s += scores[i, c] * (Whiten ? Math.Sqrt(ExplainedVariance[c]) : 1) * Components[c, j];
                r[i, j] = s;
            }
        return r;
    }
}
