namespace Polymath.Scale.Compression;

/// <summary>
/// Structured pruning that really shrinks layers: in every Linear and Conv2d but the last, the output neurons or
/// channels with the smallest L1 weight norm are removed, and the next Linear/Conv2d loses the matching inputs (through
/// ReLU, max-pooling, dropout and a Flatten, where each channel owns a block of H·W features). The result is a smaller
/// float Sequential that computes what the original computes with those neurons' weights and biases set to zero.
/// </summary>
public static class StructuredPruning
{
    /// <summary>Which outputs each prunable layer keeps (sorted ascending), by the layer's name.</summary>
    public sealed record Plan(IReadOnlyDictionary<string, int[]> Kept);

    /// <summary>
    /// Chooses the outputs to keep: in each Linear/Conv2d except the last, ⌈(1 − amount)·outputs⌉ (at least 1) with the
    /// largest L1 norm of their weights (ties: the lower index).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Amount outside [0, 1).</exception>
    /// <exception cref="NotQuantizableException">A layer the pruner does not understand (named).</exception>
    public static Plan Choose(Module model, double amount)
    {
        if (!(amount >= 0 && amount < 1))
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "amount must be in [0, 1).");
        var layers = LayerSequence.Of(model);
        var prunable = layers.Where(l => l.Layer is Linear or Conv2d).ToList();
        var kept = new Dictionary<string, int[]>();
        for (int i = 0; i < prunable.Count - 1; i++)
        {
            var (name, layer) = prunable[i];
            var w = Weight(layer);
            int outs = w.Size(0), per = (int)(w.Numel / outs);
            var values = w.Detach().ToDoubleArray();
            var norms = Enumerable.Range(0, outs).Select(o => values.AsSpan(o * per, per).ToArray().Sum(Math.Abs)).ToArray();
            int keep = Math.Max(1, (int)Math.Ceiling((1 - amount) * outs - 1e-9));
            kept[name] = [.. Enumerable.Range(0, outs).OrderByDescending(o => norms[o]).ThenBy(o => o).Take(keep).Order()];
        }
        return new Plan(kept);
    }

    /// <summary>Prunes with <see cref="Choose"/> and rebuilds the smaller model.</summary>
    public static Sequential Prune(Module model, double amount) => Apply(model, Choose(model, amount));

    /// <summary>Builds the smaller float Sequential for <paramref name="plan"/> (new parameters; the model is not changed).</summary>
    /// <exception cref="ArgumentException">The plan does not fit the model (a kept index out of range, a Flatten size that does not divide).</exception>
    public static Sequential Apply(Module model, Plan plan)
    {
        var layers = LayerSequence.Of(model);
        var result = new Sequential();
        int[]? inputKept = null; // outputs kept by the previous Linear/Conv2d
        int channelsBefore = 0; // its output count before pruning
        bool flattened = false;
        foreach (var (name, layer) in layers)
        {
            switch (layer)
            {
                case Linear lin:
                {
                    var cols = inputKept is null ? null : flattened ? ExpandBlocks(inputKept, channelsBefore, lin.InFeatures, name) : inputKept;
                    var rows = plan.Kept.GetValueOrDefault(name);
                    var w = Select(lin.Weight, rows, cols);
                    var b = lin.Bias is null ? null : Select(lin.Bias, rows, null);
                    var small = new Linear(w.Size(1), w.Size(0), lin.Bias is not null);
                    small.SetParameter("weight", w);
                    if (b is not null) small.SetParameter("bias", b);
                    result.Append(small);
                    (inputKept, channelsBefore, flattened) = (rows, lin.OutFeatures, false);
                    break;
                }
                case Conv2d conv:
                {
                    if (flattened)
                        throw new ArgumentException($"StructuredPruning: Conv2d '{name}' after a Flatten is not supported.");
                    var rows = plan.Kept.GetValueOrDefault(name);
                    var w = Select(conv.Weight, rows, inputKept);
                    var b = conv.Bias is null ? null : Select(conv.Bias, rows, null);
                    var small = new Conv2d(w.Size(1), w.Size(0), conv.KernelSize, conv.Stride, conv.Padding, conv.Dilation, 1, conv.Bias is not null);
                    small.SetParameter("weight", w);
                    if (b is not null) small.SetParameter("bias", b);
                    result.Append(small);
                    (inputKept, channelsBefore) = (rows, conv.OutChannels);
                    break;
                }
                case Flatten:
                    flattened = true;
                    result.Append(layer);
                    break;
                default:
                    result.Append(layer);
                    break;
            }
        }
        return result;
    }

    /// <summary>Parameter count of a model's Linear and Conv2d layers (weights and biases).</summary>
    public static long ParameterCount(Module model) => model.Parameters().Sum(p => p.Numel);

    private static Tensor Weight(Module<Tensor, Tensor> layer) => layer is Linear l ? l.Weight : ((Conv2d)layer).Weight;

    // Channel c of a [C, H, W] map flattened owns features c·HW … c·HW + HW − 1.
    private static int[] ExpandBlocks(int[] channels, int channelCount, int features, string name)
    {
        if (features % channelCount != 0)
            throw new ArgumentException($"StructuredPruning: Linear '{name}' has {features} inputs, not a multiple of the {channelCount} channels before the Flatten.");
        int block = features / channelCount;
        return [.. channels.SelectMany(c => Enumerable.Range(c * block, block))];
    }

    // Rows (dim 0) and columns (dim 1) of a weight, copied into a new leaf tensor; null keeps all.
    private static Tensor Select(Tensor t, int[]? rows, int[]? cols)
    {
        var src = t.Detach().Contiguous().To(DType.Float32).ToArray();
        var shape = t.Shape.ToArray();
        int r = shape[0], c = shape.Length > 1 ? shape[1] : 1, inner = shape.Length > 2 ? (int)(t.Numel / (r * c)) : 1;
        rows ??= [.. Enumerable.Range(0, r)];
        cols ??= [.. Enumerable.Range(0, c)];
        if (rows.Any(i => i < 0 || i >= r) || cols.Any(j => j < 0 || j >= c))
            throw new ArgumentException($"StructuredPruning: the plan selects indices outside a weight of shape [{string.Join(",", shape)}].");
        var dst = new float[rows.Length * cols.Length * inner];
        int at = 0;
        foreach (int i in rows)
            foreach (int j in cols)
            {
                Array.Copy(src, (i * c + j) * inner, dst, at, inner);
                at += inner;
            }
        shape[0] = rows.Length;
        if (shape.Length > 1) shape[1] = cols.Length;
        return Tensor.From(dst, shape).To(t.DType);
    }
}
