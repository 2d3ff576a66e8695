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
    private readonly int[]? _yClass;
    private readonly double[]? _yReal;
    private readonly int _classes;
    private readonly TreeSettings _s;
    private readonly Random? _rng;
    private readonly List<int> _feature = [], _left = [], _right = [], _samples = [];
    private readonly List<double> _threshold = [], _impurity = [];
    private readonly List<double[]> _value = [];

    private TreeBuilder(double[,] x, int[]? yClass, double[]? yReal, int classes, TreeSettings s, Random? rng)
    {
        _x = x;
        _yClass = yClass;
        _yReal = yReal;
        _classes = classes;
        _s = s;
        _rng = rng;
    }

    /// <summary>Builds a classification tree on the given sample indices (duplicates allowed: bootstrap).</summary>
    public static TreeModel Classification(double[,] x, int[] y, int classes, int[] samples, TreeSettings s, Random? rng) =>
        new TreeBuilder(x, y, null, classes, s, rng).Build(samples);

    /// <summary>Builds a regression tree.</summary>
    public static TreeModel Regression(double[,] x, double[] y, int[] samples, TreeSettings s, Random? rng) =>
        new TreeBuilder(x, null, y, 0, s, rng).Build(samples);

    private TreeModel Build(int[] samples)
    {
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
            _samples.Add(idx.Length);
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
            var l = new List<int>(split.LeftCount);
            var r = new List<int>(idx.Length - split.LeftCount);
            foreach (int i in idx)
                (_x[i, split.Feature] <= split.Threshold ? l : r).Add(i);
            // Right pushed first so the left subtree is grown first.
            stack.Push((r.ToArray(), depth + 1, node, false));
            stack.Push((l.ToArray(), depth + 1, node, true));
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
        int n = idx.Length;
        if (_yClass is not null)
        {
            var counts = new double[_classes];
            foreach (int i in idx)
                counts[_yClass[i]]++;
            double imp = ClassImpurity(counts, n);
            for (int k = 0; k < _classes; k++)
                counts[k] /= n;
            return (counts, imp);
        }
        double sum = 0, sq = 0;
        foreach (int i in idx)
        {
            sum += _yReal![i];
            sq += _yReal[i] * _yReal[i];
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
        int[] features = Enumerable.Range(0, d).ToArray();
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
        var values = new double[n];
        var order = new int[n];
        double bestScore = double.NegativeInfinity;
        int bestFeature = -1, bestLeft = 0;
        double bestThreshold = 0;
        var leftCounts = new double[Math.Max(_classes, 1)];
        var totalCounts = new double[Math.Max(_classes, 1)];
        if (_yClass is not null)
            foreach (int i in idx)
                totalCounts[_yClass[i]]++;
        double totalSum = 0;
        if (_yReal is not null)
            foreach (int i in idx)
                totalSum += _yReal[i];
        int minLeaf = Math.Max(_s.MinSamplesLeaf, 1);
        for (int fi = 0; fi < tryCount; fi++)
        {
            int f = features[fi];
            for (int i = 0; i < n; i++)
            {
                values[i] = _x[idx[i], f];
                order[i] = idx[i];
            }
            Array.Sort(values, order);
            if (values[n - 1] <= values[0] + FeatureThreshold)
                continue;
            Array.Clear(leftCounts);
            double leftSum = 0;
            for (int p = 1; p < n; p++)
            {
                int moved = order[p - 1];
                if (_yClass is not null)
                    leftCounts[_yClass[moved]]++;
                else
                    leftSum += _yReal![moved];
                if (values[p] <= values[p - 1] + FeatureThreshold || p < minLeaf || n - p < minLeaf)
                    continue;
                double score = _yClass is not null ? ClassSplitScore(leftCounts, totalCounts, p, n) : RegressionSplitScore(leftSum, totalSum, p, n);
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
            double decrease = (double)n / Math.Max(RootSamples, 1) * (parentImpurity - childWeighted);
            if (decrease < _s.MinImpurityDecrease)
                return (-1, 0, 0);
        }
        return (bestFeature, bestThreshold, bestLeft);
    }

    private int RootSamples => _samples.Count > 0 ? _samples[0] : 0;

    private double ChildImpurity(int[] idx, int feature, double threshold)
    {
        var l = idx.Where(i => _x[i, feature] <= threshold).ToArray();
        var r = idx.Where(i => _x[i, feature] > threshold).ToArray();
        return (l.Length * NodeStats(l).Impurity + r.Length * NodeStats(r).Impurity) / idx.Length;
    }

    /// <summary>Larger is better: the negative weighted child impurity, up to a constant per node.</summary>
    private double ClassSplitScore(double[] left, double[] total, int nl, int n)
    {
        int nr = n - nl;
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

    private static double RegressionSplitScore(double leftSum, double totalSum, int nl, int n)
    {
        double rightSum = totalSum - leftSum;
        return leftSum * leftSum / nl + rightSum * rightSum / (n - nl);
    }
}
