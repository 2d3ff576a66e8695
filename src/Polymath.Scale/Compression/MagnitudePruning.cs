namespace Polymath.Scale.Compression;

/// <summary>
/// 0/1 masks over a model's weights (PyTorch's <c>weight_mask</c> buffers of torch.nn.utils.prune). A masked weight is
/// multiplied by its mask after every optimizer step (<see cref="Apply"/>) and its gradient is masked
/// (<see cref="MaskGradients"/>), so fine-tuning keeps the pruned entries at exactly zero.
/// </summary>
public sealed class PruningMask
{
    private readonly Dictionary<string, (Tensor Parameter, Tensor Mask)> _masks;

    internal PruningMask(Dictionary<string, (Tensor, Tensor)> masks) => _masks = masks;

    /// <summary>The masks by parameter name (1 keeps, 0 prunes; same shape and dtype as the parameter).</summary>
    public IReadOnlyDictionary<string, Tensor> Masks => _masks.ToDictionary(kv => kv.Key, kv => kv.Value.Mask);

    /// <summary>Zeroes the pruned weights in place.</summary>
    public void Apply()
    {
        using (Tensor.NoGrad())
            foreach (var (p, m) in _masks.Values)
                p.MulInPlace(m);
    }

    /// <summary>Zeroes the gradients of pruned weights (call between Backward and Step).</summary>
    public void MaskGradients()
    {
        using (Tensor.NoGrad())
            foreach (var (p, m) in _masks.Values)
                p.Grad?.MulInPlace(m);
    }

    /// <summary>Fraction of masked entries over all masked parameters.</summary>
    public double Sparsity
    {
        get
        {
            long zeros = 0, total = 0;
            foreach (var (_, m) in _masks.Values)
            {
                total += m.Numel;
                zeros += m.ToDoubleArray().Count(v => v == 0);
            }
            return total == 0 ? 0 : (double)zeros / total;
        }
    }
}

/// <summary>
/// Unstructured magnitude pruning: the weights with the smallest |w| are set to zero, either over all prunable
/// weights together (<see cref="Global"/>) or in each layer separately (<see cref="PerLayer"/>). Prunable weights are
/// the <c>weight</c> of every Linear and Conv2d (biases are kept). Ties are broken by position, so the count pruned is
/// exactly ⌊sparsity · n⌋.
/// </summary>
public static class MagnitudePruning
{
    /// <summary>The prunable weights of <paramref name="model"/> by dotted name.</summary>
    public static List<(string Name, Tensor Weight)> PrunableWeights(Module model) =>
        [.. model.NamedModules().Where(m => m.Module is Linear or Conv2d)
            .Select(m => (m.Name.Length == 0 ? "weight" : m.Name + ".weight", m.Module is Linear l ? l.Weight : ((Conv2d)m.Module).Weight))];

    /// <summary>Prunes the globally smallest <paramref name="sparsity"/> fraction of all prunable weights; returns the masks (already applied).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Sparsity outside [0, 1).</exception>
    /// <exception cref="ArgumentException">The model has no Linear or Conv2d weight.</exception>
    public static PruningMask Global(Module model, double sparsity, PruningMask? previous = null) => Prune(model, sparsity, true, previous);

    /// <summary>Prunes the smallest <paramref name="sparsity"/> fraction of each layer's weight separately.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Sparsity outside [0, 1).</exception>
    public static PruningMask PerLayer(Module model, double sparsity, PruningMask? previous = null) => Prune(model, sparsity, false, previous);

    /// <summary>Fraction of exact zeros among the prunable weights.</summary>
    public static double Sparsity(Module model)
    {
        long zeros = 0, total = 0;
        foreach (var (_, w) in PrunableWeights(model))
        {
            total += w.Numel;
            zeros += w.Detach().ToDoubleArray().Count(v => v == 0);
        }
        return total == 0 ? 0 : (double)zeros / total;
    }

    private static PruningMask Prune(Module model, double sparsity, bool global, PruningMask? previous)
    {
        if (!(sparsity >= 0 && sparsity < 1))
            throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity, "sparsity must be in [0, 1).");
        var weights = PrunableWeights(model);
        if (weights.Count == 0)
            throw new ArgumentException($"{model.GetType().Name}: no Linear or Conv2d weight to prune.");
        var values = weights.Select(w => w.Weight.Detach().ToDoubleArray()).ToList();
        var keep = values.Select(v => Enumerable.Repeat(1.0, v.Length).ToArray()).ToList();
        if (global)
        {
            var order = new List<(double Abs, int Layer, int Index)>();
            for (int l = 0; l < values.Count; l++)
                for (int i = 0; i < values[l].Length; i++)
                    order.Add((Math.Abs(values[l][i]), l, i));
            order.Sort();
            int k = (int)Math.Floor(sparsity * order.Count);
            for (int j = 0; j < k; j++)
                keep[order[j].Layer][order[j].Index] = 0;
        }
        else
        {
            for (int l = 0; l < values.Count; l++)
            {
                var idx = Enumerable.Range(0, values[l].Length).OrderBy(i => Math.Abs(values[l][i])).ThenBy(i => i).ToArray();
                int k = (int)Math.Floor(sparsity * idx.Length);
                for (int j = 0; j < k; j++)
                    keep[l][idx[j]] = 0;
            }
        }
        var masks = new Dictionary<string, (Tensor, Tensor)>();
        for (int l = 0; l < weights.Count; l++)
        {
            var (name, w) = weights[l];
            // Once pruned, always pruned: an earlier mask of a schedule stays in force.
            if (previous is not null && previous.Masks.TryGetValue(name, out var old))
            {
                var o = old.ToDoubleArray();
                for (int i = 0; i < o.Length; i++)
                    if (o[i] == 0) keep[l][i] = 0;
            }
            var mask = Tensor.From(keep[l], w.Shape.ToArray()).To(w.DType);
            masks[name] = (w, mask);
        }
        var result = new PruningMask(masks);
        result.Apply();
        return result;
    }
}
