namespace Polymath.Learn;

/// <summary>Split criteria of the CART trees.</summary>
public enum Criterion
{
    /// <summary>Gini impurity 1 − Σ p_k² (classification).</summary>
    Gini,

    /// <summary>Entropy −Σ p_k log p_k (classification).</summary>
    Entropy,

    /// <summary>Mean squared error around the node mean (regression).</summary>
    SquaredError,
}

/// <summary>Settings of one tree fit.</summary>
internal sealed record TreeSettings(Criterion Criterion, int MaxDepth, int MinSamplesSplit, int MinSamplesLeaf, int MaxFeatures, double MinImpurityDecrease, double CcpAlpha);

/// <summary>
/// Grows a CART tree depth first: at each node every candidate feature is sorted and every threshold between
/// distinct neighbouring values (midpoints) is scored; the best weighted impurity decrease wins (ties keep the
/// earlier feature and the lower threshold). Then minimal cost-complexity pruning with CcpAlpha (Breiman et al. 1984).
/// </summary>
internal sealed class TreeBuilder
{
    private const double FeatureThreshold = 1e-7; // values closer than this are treated as equal (as sklearn)
    private readonly double[,] _x;
    private readonly double[][] _cols;
    private readonly double[]? _w;
    private readonly int[]? _yClass;
    private readonly double[]? _yReal;
    private readonly int _classes;
    private readonly TreeSettings _s;
    private readonly Random? _rng;
    private readonly List<int> _feature = [], _left = [], _right = [];
    private readonly List<double> _threshold = [], _impurity = [], _samples = [];
    private readonly List<double[]> _value = [];
    private double[] _values = [];
    private int[] _features = [];
    private int[] _order = [];

    private TreeBuilder(double[,] x, double[][]? columns, double[]? weights, int[]? yClass, double[]? yReal, int classes, TreeSettings s, Random? rng)
    {
        _x = x;
        _cols = columns ?? Columns(x);
        _w = weights;
        _yClass = yClass;
        _yReal = yReal;
        _classes = classes;
        _s = s;
        _rng = rng;
    }

    /// <summary>
    /// Builds a classification tree on the given distinct sample indices; <paramref name="weights"/> (per row of x,
    /// null: all 1) carries bootstrap counts, so a forest sorts each drawn row once instead of once per copy.
    /// <paramref name="columns"/> is x column by column (null: made here), shared by the trees of a forest.
    /// </summary>
    public static TreeModel Classification(double[,] x, int[] y, int classes, int[] samples, TreeSettings s, Random? rng, double[]? weights = null, double[][]? columns = null) =>
        new TreeBuilder(x, columns, weights, y, null, classes, s, rng).Build(samples);

    /// <summary>Builds a regression tree (see <see cref="Classification"/> for the weights and columns).</summary>
    public static TreeModel Regression(double[,] x, double[] y, int[] samples, TreeSettings s, Random? rng, double[]? weights = null, double[][]? columns = null) =>
        new TreeBuilder(x, columns, weights, null, y, 0, s, rng).Build(samples);

    /// <summary>x column by column: each split scan gathers one feature from one contiguous array.</summary>
    public static double[][] Columns(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var cols = new double[d][];
        for (int j = 0; j < d; j++)
            cols[j] = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                cols[j][i] = x[i, j];
        return cols;
    }

    private double W(int i) => _w is null ? 1 : _w[i];

    private double WeightOf(int[] idx)
    {
        double s = 0;
        foreach (int i in idx)
            s += _w![i];
        return s;
    }

    private TreeModel Build(int[] samples)
    {
        _values = new double[samples.Length];
        _order = new int[samples.Length];
        var stack = new Stack<(int[] Samples, int Depth, int Parent, bool IsLeft)>();
        stack.Push((samples, 0, -1, false));
        while (stack.Count > 0)
        {
            var (idx, depth, parent, isLeft) = stack.Pop();
            var (value, impurity) = NodeStats(idx);
            int node = _feature.Count;
            _feature.Add(-1);
            _threshold.Add(0);
            _left.Add(-1);
            _right.Add(-1);
            _samples.Add(_w is null ? idx.Length : WeightOf(idx));
            _impurity.Add(impurity);
            _value.Add(value);
            if (parent >= 0)
            {
                if (isLeft) _left[parent] = node; else _right[parent] = node;
            }
            bool leaf = depth >= _s.MaxDepth || idx.Length < _s.MinSamplesSplit || idx.Length < 2 * _s.MinSamplesLeaf || impurity <= 1e-12;
            if (leaf)
                continue;
            var split = BestSplit(idx, impurity);
            if (split.Feature < 0)
                continue;
            _feature[node] = split.Feature;
            _threshold[node] = split.Threshold;
            var column = _cols[split.Feature];
            var l = new int[split.LeftCount];
            var r = new int[idx.Length - split.LeftCount];
            int nl = 0, nr = 0;
            foreach (int i in idx)
            {
                if (column[i] <= split.Threshold)
                    l[nl++] = i;
                else
                    r[nr++] = i;
            }
            // Right pushed first so the left subtree is grown first.
            stack.Push((r, depth + 1, node, false));
            stack.Push((l, depth + 1, node, true));
        }
        var tree = new TreeModel
        {
            Feature = [.. _feature],
            Threshold = [.. _threshold],
            Left = [.. _left],
            Right = [.. _right],
            Value = [.. _value],
            Impurity = [.. _impurity],
            NodeSamples = [.. _samples],
        };
        return _s.CcpAlpha > 0 ? CostComplexity.Prune(tree, _s.CcpAlpha) : tree;
    }

    private (double[] Value, double Impurity) NodeStats(int[] idx)
    {
        double n = 0;
        if (_yClass is not null)
        {
            var counts = new double[_classes];
            foreach (int i in idx)
            {
                double w = W(i);
                counts[_yClass[i]] += w;
                n += w;
            }
            double imp = ClassImpurity(counts, n);
            for (int k = 0; k < _classes; k++)
                counts[k] /= n;
            return (counts, imp);
        }
        double sum = 0, sq = 0;
        foreach (int i in idx)
        {
            double w = W(i);
            sum += w * _yReal![i];
            sq += w * _yReal[i] * _yReal[i];
            n += w;
        }
        double mean = sum / n;
        return ([mean], Math.Max(sq / n - mean * mean, 0));
    }

    private double ClassImpurity(ReadOnlySpan<double> counts, double n)
    {
        double r = 0;
        if (_s.Criterion == Criterion.Entropy)
        {
            foreach (double c in counts)
                if (c > 0)
                {
                    double p = c / n;
                    r -= p * Math.Log2(p);
                }
            return r;
        }
        foreach (double c in counts)
            r += c * c;
        return 1 - r / (n * n);
    }

    private (int Feature, double Threshold, int LeftCount) BestSplit(int[] idx, double parentImpurity)
    {
        int n = idx.Length, d = _x.GetLength(1);
        var features = _features.Length == d ? _features : _features = Enumerable.Range(0, d).ToArray();
        int tryCount = d;
        if (_s.MaxFeatures < d && _rng is not null)
        {
            // Partial Fisher–Yates: the first MaxFeatures entries are a uniform sample without replacement.
            for (int i = 0; i < _s.MaxFeatures; i++)
            {
                int j = _rng.Next(i, d);
                (features[i], features[j]) = (features[j], features[i]);
            }
            tryCount = _s.MaxFeatures;
        }
        var values = _values;
        var order = _order;
        double bestScore = double.NegativeInfinity;
        int bestFeature = -1, bestLeft = 0;
        double bestThreshold = 0;
        var leftCounts = new double[Math.Max(_classes, 1)];
        var totalCounts = new double[Math.Max(_classes, 1)];
        double totalW = 0, totalSum = 0;
        foreach (int i in idx)
        {
            double w = W(i);
            totalW += w;
            if (_yClass is not null)
                totalCounts[_yClass[i]] += w;
            else
                totalSum += w * _yReal![i];
        }
        int minLeaf = Math.Max(_s.MinSamplesLeaf, 1);
        for (int fi = 0; fi < tryCount; fi++)
        {
            int f = features[fi];
            var column = _cols[f];
            for (int i = 0; i < n; i++)
            {
                values[i] = column[idx[i]];
                order[i] = idx[i];
            }
            Array.Sort(values, order, 0, n);
            if (values[n - 1] <= values[0] + FeatureThreshold)
                continue;
            Array.Clear(leftCounts);
            double leftSum = 0, leftW = 0;
            // Gini keeps Σ left² and Σ right² up to date in O(1) per moved sample instead of summing over classes.
            bool gini = _yClass is not null && _s.Criterion == Criterion.Gini;
            double leftSq = 0, rightSq = 0;
            if (gini)
                foreach (double c in totalCounts)
                    rightSq += c * c;
            for (int p = 1; p < n; p++)
            {
                int moved = order[p - 1];
                double w = W(moved);
                leftW += w;
                if (_yClass is not null)
                {
                    int c = _yClass[moved];
                    if (gini)
                    {
                        double cl = leftCounts[c], cr = totalCounts[c] - cl;
                        leftSq += w * (2 * cl + w);
                        rightSq -= w * (2 * cr - w);
                    }
                    leftCounts[c] += w;
                }
                else
                {
                    leftSum += w * _yReal![moved];
                }
                if (values[p] <= values[p - 1] + FeatureThreshold || p < minLeaf || n - p < minLeaf)
                    continue;
                double score = gini ? leftSq / leftW + rightSq / (totalW - leftW)
                    : _yClass is not null ? ClassSplitScore(leftCounts, totalCounts, leftW, totalW) : RegressionSplitScore(leftSum, totalSum, leftW, totalW);
                if (score > bestScore)
                {
                    bestScore = score;
                    bestFeature = f;
                    bestLeft = p;
                    double t = values[p - 1] / 2 + values[p] / 2;
                    bestThreshold = t >= values[p] || double.IsInfinity(t) ? values[p - 1] : t;
                }
            }
        }
        if (bestFeature < 0)
            return (-1, 0, 0);
        if (_s.MinImpurityDecrease > 0)
        {
            // Weighted decrease relative to the parent, in the units of sklearn's min_impurity_decrease (fraction of all samples).
            double childWeighted = ChildImpurity(idx, bestFeature, bestThreshold);
            double decrease = idx.Sum(W) / Math.Max(RootSamples, 1) * (parentImpurity - childWeighted);
            if (decrease < _s.MinImpurityDecrease)
                return (-1, 0, 0);
        }
        return (bestFeature, bestThreshold, bestLeft);
    }

    private double RootSamples => _samples.Count > 0 ? _samples[0] : 0;

    private double ChildImpurity(int[] idx, int feature, double threshold)
    {
        var l = idx.Where(i => _cols[feature][i] <= threshold).ToArray();
        var r = idx.Where(i => _cols[feature][i] > threshold).ToArray();
        double wl = l.Sum(W), wr = r.Sum(W);
        return (wl * NodeStats(l).Impurity + wr * NodeStats(r).Impurity) / (wl + wr);
    }

    /// <summary>Larger is better: the negative weighted child impurity, up to a constant per node.</summary>
    private double ClassSplitScore(double[] left, double[] total, double nl, double n)
    {
        double nr = n - nl;
        if (_s.Criterion == Criterion.Entropy)
        {
            double hl = 0, hr = 0;
            for (int k = 0; k < left.Length; k++)
            {
                double cl = left[k], cr = total[k] - left[k];
                if (cl > 0) hl -= cl * Math.Log2(cl / nl);
                if (cr > 0) hr -= cr * Math.Log2(cr / nr);
            }
            return -(hl + hr);
        }
        double sl = 0, sr = 0;
        for (int k = 0; k < left.Length; k++)
        {
            double cl = left[k], cr = total[k] - left[k];
            sl += cl * cl;
            sr += cr * cr;
        }
        return sl / nl + sr / nr;
    }

    private static double RegressionSplitScore(double leftSum, double totalSum, double nl, double n)
    {
        double rightSum = totalSum - leftSum;
        return leftSum * leftSum / nl + rightSum * rightSum / (n - nl);
    }
}
