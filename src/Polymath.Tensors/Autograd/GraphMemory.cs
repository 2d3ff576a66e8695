namespace Polymath.Autograd;

/// <summary>Measures what a recorded graph holds for its backward pass (activation memory).</summary>
internal static class GraphMemory
{
    /// <summary>
    /// Bytes of the distinct storages saved by the nodes reachable from <paramref name="root"/>'s grad_fn, leaving out
    /// the storages of <paramref name="exclude"/> (e.g. the model's parameters, counted as weights instead). Views of
    /// one storage count once, at the storage's full length.
    /// </summary>
    public static long SavedBytes(Tensor root, IEnumerable<Tensor> exclude)
    {
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
                    bytes += (long)t.Storage.Length * t.Storage.DType.ElementSize();
            foreach (var next in node.Next)
                if (next is not null && nodes.Add(next))
                    stack.Push(next);
        }
        return bytes;
    }
}
