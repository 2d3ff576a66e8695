namespace Polymath.Learn;

/// <summary>
/// Minimal cost-complexity pruning: R(t) = (samples_t / samples_root) · impurity_t; a subtree's weakest link has
/// effective α = (R(t) − R(leaves under t)) / (leaves − 1). Collapse the weakest links while their α ≤ ccpAlpha.
/// </summary>
internal static class CostComplexity
{
    public static TreeModel Prune(TreeModel tree, double ccpAlpha)
    {
        int m = tree.NodeCount;
        double total = tree.NodeSamples[0];
        var isLeaf = tree.Left.Select(l => l < 0).ToArray();
        var risk = new double[m];
        for (int t = 0; t < m; t++)
            risk[t] = tree.NodeSamples[t] / total * tree.Impurity[t];
        var parent = new int[m];
        Array.Fill(parent, -1);
        for (int t = 0; t < m; t++)
            if (tree.Left[t] >= 0)
            {
                parent[tree.Left[t]] = t;
                parent[tree.Right[t]] = t;
            }
        while (true)
        {
            var leafRisk = new double[m];
            var leaves = new int[m];
            // Children have larger indices than parents (depth-first numbering), so a reverse sweep sums subtrees.
            for (int t = m - 1; t >= 0; t--)
            {
                if (isLeaf[t] || !Reachable(t))
                {
                    leafRisk[t] = risk[t];
                    leaves[t] = 1;
                }
                else
                {
                    leafRisk[t] = leafRisk[tree.Left[t]] + leafRisk[tree.Right[t]];
                    leaves[t] = leaves[tree.Left[t]] + leaves[tree.Right[t]];
                }
            }
            double minAlpha = double.PositiveInfinity;
            var alpha = new double[m];
            for (int t = 0; t < m; t++)
            {
                if (isLeaf[t] || !Reachable(t))
                    continue;
                alpha[t] = (risk[t] - leafRisk[t]) / (leaves[t] - 1);
                minAlpha = Math.Min(minAlpha, alpha[t]);
            }
            if (double.IsPositiveInfinity(minAlpha) || minAlpha > ccpAlpha)
                break;
            for (int t = 0; t < m; t++)
                if (!isLeaf[t] && Reachable(t) && alpha[t] <= minAlpha + 1e-15)
                    isLeaf[t] = true;
        }
        return Compact(tree, isLeaf);

        bool Reachable(int t)
        {
            for (int p = parent[t]; p >= 0; p = parent[p])
                if (isLeaf[p])
                    return false;
            return true;
        }
    }

    private static TreeModel Compact(TreeModel tree, bool[] isLeaf)
    {
        var map = new Dictionary<int, int>();
        var keep = new List<int>();
        var stack = new Stack<int>();
        stack.Push(0);
        while (stack.Count > 0)
        {
            int t = stack.Pop();
            map[t] = keep.Count;
            keep.Add(t);
            if (!isLeaf[t])
            {
                stack.Push(tree.Right[t]);
                stack.Push(tree.Left[t]);
            }
        }
        return new TreeModel
        {
            Feature = keep.Select(t => isLeaf[t] ? -1 : tree.Feature[t]).ToArray(),
            Threshold = keep.Select(t => isLeaf[t] ? 0 : tree.Threshold[t]).ToArray(),
            Left = keep.Select(t => isLeaf[t] ? -1 : map[tree.Left[t]]).ToArray(),
            Right = keep.Select(t => isLeaf[t] ? -1 : map[tree.Right[t]]).ToArray(),
            Value = keep.Select(t => tree.Value[t]).ToArray(),
            Impurity = keep.Select(t => tree.Impurity[t]).ToArray(),
            NodeSamples = keep.Select(t => tree.NodeSamples[t]).ToArray(),
        };
    }
}
