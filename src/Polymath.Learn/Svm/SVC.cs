using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>
/// C-support vector classifier solved by SMO (<see cref="SmoSolver"/>: second-order working-set selection,
/// shrinking, an LRU kernel cache) with linear, polynomial or RBF kernels. More than two classes: one-vs-one by
/// default (K(K−1)/2 binary machines, fitted in parallel, majority vote, ties to the lower class), as libsvm/sklearn;
/// <see cref="DecisionFunctionShape"/> "ovr" aggregates the pairwise scores per class for <see cref="DecisionFunction"/>.
/// <see cref="MultiClass"/> "ovr" instead trains K machines, class k against the rest, and predicts the largest score.
/// With <see cref="Probability"/> on, each pair gets a Platt sigmoid fitted on 5-fold cross-validated decision
/// values and the pairs are coupled into class probabilities (Wu, Lin &amp; Weng 2004).
/// </summary>
public sealed class SVC : Classifier
{
    /// <summary>Penalty C &gt; 0 on the slack (default 1).</summary>
    public double C { get; set; } = 1.0;

    /// <summary>Kernel (default RBF).</summary>
    public KernelType Kernel { get; set; } = KernelType.Rbf;

    /// <summary>Polynomial degree (default 3).</summary>
    public int Degree { get; set; } = 3;

    /// <summary>Kernel γ; null (default) means sklearn's "scale": 1 / (features · Var(X)).</summary>
    public double? Gamma { get; set; }

    /// <summary>Constant of the polynomial kernel (default 0).</summary>
    public double Coef0 { get; set; }

    /// <summary>Stopping tolerance on the KKT violation (default 1e-3).</summary>
    public double Tol { get; set; } = 1e-3;

    /// <summary>Use the shrinking heuristic (default true).</summary>
    public bool Shrinking { get; set; } = true;

    /// <summary>Kernel cache size in MB (default 200).</summary>
    public double CacheSize { get; set; } = 200;

    /// <summary>SMO iterations at most per binary problem (default 10,000,000).</summary>
    public int MaxIter { get; set; } = 10_000_000;

    /// <summary>Fit Platt probabilities (5× more work; default false).</summary>
    public bool Probability { get; set; }

    /// <summary>"ovr" (default) or "ovo": the shape of <see cref="DecisionFunction"/> for more than two classes.</summary>
    public string DecisionFunctionShape { get; set; } = "ovr";

    /// <summary>"ovo" (default: one machine per pair of classes, as sklearn) or "ovr" (one machine per class against the rest).</summary>
    public string MultiClass { get; set; } = "ovo";

    /// <summary>Seed of the cross-validation folds of the probability fit.</summary>
    public int RandomState { get; set; }

    /// <summary>Worker threads for the pairwise problems and kernel rows (-1: all cores).</summary>
    public int Threads { get; set; } = -1;

    /// <summary>The γ actually used.</summary>
    [JsonInclude] public double GammaUsed { get; private set; }

    /// <summary>Support vectors (union over the pairwise machines), [vectors, features].</summary>
    [JsonInclude] public double[,] SupportVectors { get; private set; } = new double[0, 0];

    /// <summary>Training-row index of each support vector.</summary>
    [JsonInclude] public int[] Support { get; private set; } = [];

    /// <summary>True when the machines are one-vs-rest (class k positive) rather than pairs.</summary>
    [JsonInclude] public bool OneVsRest { get; private set; }

    /// <summary>For machine p — pair (a &lt; b) in order (0,1), (0,2)…, or class p against the rest — indices into <see cref="SupportVectors"/>.</summary>
    [JsonInclude] public int[][] PairSupport { get; private set; } = [];

    /// <summary>For pair p: α_t·y_t for each of its support vectors (y = +1 for the lower class).</summary>
    [JsonInclude] public double[][] PairDualCoef { get; private set; } = [];

    /// <summary>For pair p: the intercept (−ρ); decision = Σ coef·K + intercept, positive means the lower class.</summary>
    [JsonInclude] public double[] PairIntercept { get; private set; } = [];

    /// <summary>Platt parameters (A, B) per pair when <see cref="Probability"/> was on; P = 1/(1+exp(A·f + B)).</summary>
    [JsonInclude] public double[][] ProbabilityAB { get; private set; } = [];

    /// <summary>SMO iterations of each pairwise problem.</summary>
    [JsonInclude] public int[] Iterations { get; private set; } = [];

    private Kernel KernelFunction => new(Kernel, GammaUsed, Coef0, Degree);

    /// <inheritdoc />
    protected override void FitCore(double[,] x, int[] y)
    {
        if (!(C > 0))
            throw new ArgumentOutOfRangeException(nameof(C), C, "SVC: C must be > 0.");
        int d = x.GetLength(1);
        if (Gamma is double g)
        {
            GammaUsed = g;
        }
        else
        {
            var flat = MathUtil.Flat(x);
            double mean = 0, sq = 0;
            foreach (double v in flat) mean += v;
            mean /= flat.Length;
            foreach (double v in flat) sq += (v - mean) * (v - mean);
            double var = sq / flat.Length;
            GammaUsed = var > 0 ? 1.0 / (d * var) : 1.0;
        }
        int k = Classes.Length;
        if (MultiClass is not ("ovo" or "ovr"))
            throw new ArgumentException($"SVC: MultiClass must be \"ovo\" or \"ovr\", got '{MultiClass}'.");
        OneVsRest = MultiClass == "ovr" && k > 2;
        var pairs = OneVsRest ? Enumerable.Range(0, k).Select(c => (c, -1)).ToList() : Pairs(k);
        var machines = new (int[] Rows, double[] Coef, double Intercept, int Iter, double[] AB)[pairs.Count];
        int threads = MathUtil.Threads(Threads);
        int outer = Math.Min(threads, pairs.Count);
        int inner = Math.Max(1, threads / outer);
        Parallel.For(0, pairs.Count, new ParallelOptions { MaxDegreeOfParallelism = outer }, p =>
        {
            var (a, b) = pairs[p];
            var rows = Enumerable.Range(0, y.Length).Where(i => b < 0 || y[i] == a || y[i] == b).ToArray();
            var xs = MathUtil.TakeRows(x, rows);
            var ys = rows.Select(i => y[i] == a ? 1 : -1).ToArray();
            var (coefs, intercept, iters) = TrainBinary(xs, ys, inner);
            var sv = new List<int>();
            var cf = new List<double>();
            for (int t = 0; t < rows.Length; t++)
                if (coefs[t] != 0)
                {
                    sv.Add(rows[t]);
                    cf.Add(coefs[t]);
                }
            double[] ab = Probability ? FitPlatt(xs, ys, inner) : [];
            machines[p] = (sv.ToArray(), cf.ToArray(), intercept, iters, ab);
        });
        var union = machines.SelectMany(m => m.Rows).Distinct().Order().ToArray();
        var pos = new Dictionary<int, int>();
        for (int i = 0; i < union.Length; i++)
            pos[union[i]] = i;
        Support = union;
        SupportVectors = MathUtil.TakeRows(x, union);
        PairSupport = machines.Select(m => m.Rows.Select(r => pos[r]).ToArray()).ToArray();
        PairDualCoef = machines.Select(m => m.Coef).ToArray();
        PairIntercept = machines.Select(m => m.Intercept).ToArray();
        Iterations = machines.Select(m => m.Iter).ToArray();
        ProbabilityAB = Probability ? machines.Select(m => m.AB).ToArray() : [];
    }

    private (double[] Coef, double Intercept, int Iter) TrainBinary(double[,] x, int[] y, int threads)
    {
        var cache = new KernelCache(x, KernelFunction, CacheSize, threads);
        var (alpha, rho, iters) = SmoSolver.Solve(cache, y, C, Tol, Shrinking, MaxIter);
        var coef = new double[y.Length];
        for (int t = 0; t < y.Length; t++)
            coef[t] = alpha[t] * y[t];
        return (coef, -rho, iters);
    }

    /// <summary>Platt scaling on 5-fold cross-validated decision values (seeded shuffle).</summary>
    private double[] FitPlatt(double[,] x, int[] y, int threads)
    {
        int n = y.Length;
        var order = Enumerable.Range(0, n).ToArray();
        new Random(RandomState).Shuffle(order);
        var dec = new double[n];
        const int Folds = 5;
        for (int f = 0; f < Folds; f++)
        {
            var test = order.Where((_, i) => i % Folds == f).ToArray();
            var train = order.Where((_, i) => i % Folds != f).ToArray();
            var yt = MathUtil.Take(y, train);
            if (yt.All(v => v == yt[0]))
            {
                foreach (int i in test) dec[i] = yt[0];
                continue;
            }
            var xt = MathUtil.TakeRows(x, train);
            var (coef, b, _) = TrainBinary(xt, yt, threads);
            var kernel = KernelFunction;
            var norms = Learn.Kernel.SquaredNorms(xt);
            foreach (int i in test)
            {
                var xi = MathUtil.Row(x, i);
                double ni = MathUtil.Dot(xi, xi), s = b;
                for (int t = 0; t < train.Length; t++)
                    if (coef[t] != 0)
                        s += coef[t] * kernel.Compute(xi, MathUtil.Row(xt, t), ni, norms[t]);
                dec[i] = s;
            }
        }
        var (a, bb) = Platt.Fit(dec, y);
        return [a, bb];
    }

    private static List<(int A, int B)> Pairs(int k)
    {
        var r = new List<(int, int)>();
        for (int a = 0; a < k; a++)
            for (int b = a + 1; b < k; b++)
                r.Add((a, b));
        return r;
    }

    /// <summary>Pairwise decision values [samples, pairs] (positive: the lower class of the pair).</summary>
    private double[,] PairDecisions(double[,] x)
    {
        int n = x.GetLength(0), m = SupportVectors.GetLength(0), pairs = PairIntercept.Length;
        var kernel = KernelFunction;
        var svNorms = Learn.Kernel.SquaredNorms(SupportVectors);
        var result = new double[n, pairs];
        var sv = SupportVectors;
        Parallel.For(0, n, MathUtil.ParallelOptionsFor((long)n * m * x.GetLength(1), Threads), () => new double[m], (i, _, kv) =>
        {
            var xi = MathUtil.Row(x, i);
            double ni = MathUtil.Dot(xi, xi);
            for (int s = 0; s < m; s++)
                kv[s] = kernel.Compute(xi, MathUtil.Row(sv, s), ni, svNorms[s]);
            for (int p = 0; p < pairs; p++)
            {
                double sum = PairIntercept[p];
                var idx = PairSupport[p];
                var cf = PairDualCoef[p];
                for (int t = 0; t < idx.Length; t++)
                    sum += cf[t] * kv[idx[t]];
                result[i, p] = sum;
            }
            return kv;
        }, _ => { });
        return result;
    }

    /// <summary>
    /// Decision values: [samples, 1] for two classes (positive: Classes[1], as sklearn); otherwise [samples, pairs]
    /// ("ovo") or [samples, classes] ("ovr": votes plus a squashed sum of confidences, as sklearn).
    /// </summary>
    public double[,] DecisionFunction(double[,] x)
    {
        CheckPredictInput(x);
        var dec = PairDecisions(x);
        int n = x.GetLength(0), k = Classes.Length;
        if (k == 2)
        {
            var r = new double[n, 1];
            for (int i = 0; i < n; i++)
                r[i, 0] = -dec[i, 0];
            return r;
        }
        if (DecisionFunctionShape == "ovo" || OneVsRest)
            return dec;
        var votes = new double[n, k];
        var conf = new double[n, k];
        var pairs = Pairs(k);
        for (int i = 0; i < n; i++)
            for (int p = 0; p < pairs.Count; p++)
            {
                var (a, b) = pairs[p];
                votes[i, dec[i, p] > 0 ? a : b] += 1;
                conf[i, a] += dec[i, p];
                conf[i, b] -= dec[i, p];
            }
        for (int i = 0; i < n; i++)
            for (int c = 0; c < k; c++)
                votes[i, c] += conf[i, c] / (3 * (Math.Abs(conf[i, c]) + 1));
        return votes;
    }

    /// <inheritdoc />
    protected override int[] PredictIndices(double[,] x)
    {
        var dec = PairDecisions(x);
        int n = x.GetLength(0), k = Classes.Length;
        if (OneVsRest)
            return MathUtil.ArgMaxRows(dec);
        var pairs = Pairs(k);
        var result = new int[n];
        var votes = new int[k];
        for (int i = 0; i < n; i++)
        {
            Array.Clear(votes);
            for (int p = 0; p < pairs.Count; p++)
                votes[dec[i, p] > 0 ? pairs[p].A : pairs[p].B]++;
            int best = 0;
            for (int c = 1; c < k; c++)
                if (votes[c] > votes[best])
                    best = c;
            result[i] = best;
        }
        return result;
    }

    /// <inheritdoc />
    protected override double[,] PredictProbaCore(double[,] x)
    {
        if (ProbabilityAB.Length == 0)
            throw new InvalidOperationException("SVC: probability estimates need Probability = true at fit time (command line: --param Probability=true).");
        var dec = PairDecisions(x);
        int n = x.GetLength(0), k = Classes.Length;
        var result = new double[n, k];
        if (OneVsRest)
        {
            // Each machine's Platt probability of "its class"; renormalised across classes.
            for (int i = 0; i < n; i++)
            {
                double sum = 0;
                for (int c = 0; c < k; c++)
                    sum += result[i, c] = Math.Clamp(Platt.Probability(dec[i, c], ProbabilityAB[c][0], ProbabilityAB[c][1]), 1e-7, 1 - 1e-7);
                for (int c = 0; c < k; c++)
                    result[i, c] /= sum;
            }
            return result;
        }
        var pairs = Pairs(k);
        for (int i = 0; i < n; i++)
        {
            var r = new double[k, k];
            for (int p = 0; p < pairs.Count; p++)
            {
                var (a, b) = pairs[p];
                double pr = Math.Clamp(Platt.Probability(dec[i, p], ProbabilityAB[p][0], ProbabilityAB[p][1]), 1e-7, 1 - 1e-7);
                r[a, b] = pr;
                r[b, a] = 1 - pr;
            }
            var probs = k == 2 ? [r[0, 1], r[1, 0]] : Platt.Couple(r);
            for (int c = 0; c < k; c++)
                result[i, c] = probs[c];
        }
        return result;
    }
}
