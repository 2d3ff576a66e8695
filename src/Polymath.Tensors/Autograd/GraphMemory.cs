namespace Polymath.Autograd;

/// <summary>Measures what a recorded graph holds for its backward pass (activation memory).</summary>
internal static class GraphMemory
{
    /// <summary>
    /// Bytes of the distinct storages saved by the nodes reachable from <paramref name="root"/>'s grad_fn, leaving out
    /// the storages of <paramref name="exclude"/> (e.g. the model's parameters, counted as weights instead). Views of
    /// one storage count once, at the storage's full length.
    /// </summary>
    public static long SavedBytes(Tensor root, IEnumerable<Tensor> exclude) => SavedBytes(root, exclude, out _);

    /// <summary>
    /// As <see cref="SavedBytes(Tensor, IEnumerable{Tensor})"/>; <paramref name="leafCastBytes"/> is the part held by
    /// casts of leaves (a <c>ToBackward</c> output whose input is a leaf: the 16-bit weight copies autocast makes),
    /// which the total includes.
    /// </summary>
    public static long SavedBytes(Tensor root, IEnumerable<Tensor> exclude, out long leafCastBytes)
    {
        leafCastBytes = 0;
        var skip = new HashSet<Storage>(exclude.Select(t => t.Storage), ReferenceEqualityComparer.Instance);
        var storages = new HashSet<Storage>(ReferenceEqualityComparer.Instance);
        var nodes = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Node>();
        if (root.GradFnNode is { } start && nodes.Add(start))
            stack.Push(start);
        long bytes = 0;
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            foreach (var t in node.SavedTensors)
                if (!skip.Contains(t.Storage) && storages.Add(t.Storage))
                {
                    long b = (long)t.Storage.Length * t.Storage.DType.ElementSize();
                    bytes += b;
                    if (IsLeafCast(t.GradFnNode))
                        leafCastBytes += b;
                }
            foreach (var next in node.Next)
                if (next is not null && nodes.Add(next))
                    stack.Push(next);
        }
        return bytes;
    }

    // A cast of a leaf, possibly seen through views (matmul saves the unsqueezed 16-bit weight, for instance).
    private static bool IsLeafCast(Node? node)
    {
        while (node is { Name: "ViewBackward" or "PermuteBackward" or "ExpandBackward", Next.Count: 1 })
            node = node.Next[0];
        return node is { Name: "ToBackward", Next.Count: 1 } && node.Next[0] is AccumulateGrad;
    }
}
