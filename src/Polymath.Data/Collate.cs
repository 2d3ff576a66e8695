namespace Polymath.Data;

/// <summary>
/// Collate functions: turn a list of items into one batch (PyTorch's <c>default_collate</c>).
/// Each overload stacks tensors along a new dim 0, so items of shape [C,H,W] become a batch [B,C,H,W]
/// and 0-d labels become [B].
/// </summary>
public static class Collate
{
    /// <summary>Stacks the tensors into one [B, ...] tensor.</summary>
    /// <exception cref="ArgumentException">The items are empty or differ in shape.</exception>
    public static Tensor Default(IReadOnlyList<Tensor> items) => Tensor.Stack(items);

    /// <summary>Stacks field k of every item into batch field k (items from a <see cref="TensorDataset"/>).</summary>
    /// <exception cref="ArgumentException">The items are empty, have different numbers of fields, or shapes differ.</exception>
    public static Tensor[] Default(IReadOnlyList<Tensor[]> items)
    {
        if (items.Count == 0)
            throw new ArgumentException("collate: empty batch.");
        int fields = items[0].Length;
        var result = new Tensor[fields];
        var column = new Tensor[items.Count];
        for (int f = 0; f < fields; f++)
        {
            for (int i = 0; i < items.Count; i++)
            {
                if (items[i].Length != fields)
                    throw new ArgumentException($"collate: item {i} has {items[i].Length} fields but item 0 has {fields}.");
                column[i] = items[i][f];
            }
            result[f] = Tensor.Stack(column);
        }
        return result;
    }

    /// <summary>Stacks inputs and targets separately: (x[B,...], y[B,...]).</summary>
    /// <exception cref="ArgumentException">The items are empty or shapes differ.</exception>
    public static (Tensor, Tensor) Default(IReadOnlyList<(Tensor, Tensor)> items)
    {
        if (items.Count == 0)
            throw new ArgumentException("collate: empty batch.");
        var a = new Tensor[items.Count];
        var b = new Tensor[items.Count];
        for (int i = 0; i < items.Count; i++)
            (a[i], b[i]) = items[i];
        return (Tensor.Stack(a), Tensor.Stack(b));
    }

    /// <summary>Stacks inputs and turns integer labels into an int64 tensor [B].</summary>
    /// <exception cref="ArgumentException">The items are empty or shapes differ.</exception>
    public static (Tensor, Tensor) Default(IReadOnlyList<(Tensor, long)> items)
    {
        if (items.Count == 0)
            throw new ArgumentException("collate: empty batch.");
        var a = new Tensor[items.Count];
        var labels = new long[items.Count];
        for (int i = 0; i < items.Count; i++)
            (a[i], labels[i]) = items[i];
        return (Tensor.Stack(a), Tensor.From(labels, items.Count));
    }
}
