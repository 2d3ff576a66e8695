namespace Polymath.Learn;

/// <summary>
/// Density-based clustering (Ester et al. 1996): a core point has at least <see cref="MinSamples"/> points (itself
/// included) within <see cref="Eps"/>; clusters are the core points reachable from one another plus their border
/// points; the rest is noise (label −1). Clusters are numbered in the order of their first core point, and grown
/// depth first, so labels are deterministic. Neighbourhoods are found by a parallel brute-force search.
/// </summary>
public sealed class DBSCAN
{
    /// <summary>Neighbourhood radius (default 0.5).</summary>
    public double Eps { get; set; } = 0.5;

    /// <summary>Points within Eps, itself included, for a core point (default 5).</summary>
    public int MinSamples { get; set; } = 5;

    /// <summary>Threads (-1: all cores).</summary>
    public int Threads { get; set; } = -1;

    /// <summary>Cluster of each row after fitting (−1: noise).</summary>
    public int[] Labels { get; private set; } = [];

    /// <summary>Indices of the core points.</summary>
    public int[] CoreSampleIndices { get; private set; } = [];

    /// <summary>Clusters x and returns the labels.</summary>
    /// <exception cref="ArgumentException">NaN in x.</exception>
    public int[] FitPredict(double[,] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        Check.NoNaN(x, nameof(DBSCAN));
        int n = x.GetLength(0);
        double eps2 = Eps * Eps;
        var neighbors = new int[n][];
        Parallel.For(0, n, MathUtil.ParallelOptionsFor((long)n * n * x.GetLength(1), Threads), i =>
        {
            var list = new List<int>();
            var xi = MathUtil.Row(x, i);
            for (int j = 0; j < n; j++)
                if (MathUtil.SquaredDistance(xi, MathUtil.Row(x, j)) <= eps2)
                    list.Add(j);
            neighbors[i] = list.ToArray();
        });
        var core = neighbors.Select(nb => nb.Length >= MinSamples).ToArray();
        var labels = Enumerable.Repeat(-1, n).ToArray();
        int label = 0;
        var stack = new Stack<int>();
        for (int start = 0; start < n; start++)
        {
            if (labels[start] != -1 || !core[start])
                continue;
            int i = start;
            while (true)
            {
                if (labels[i] == -1)
                {
                    labels[i] = label;
                    if (core[i])
                        foreach (int v in neighbors[i])
                            if (labels[v] == -1)
                                stack.Push(v);
                }
                if (stack.Count == 0)
                    break;
                i = stack.Pop();
            }
            label++;
        }
        Labels = labels;
        CoreSampleIndices = Enumerable.Range(0, n).Where(i => core[i]).ToArray();
        return labels;
    }
}
