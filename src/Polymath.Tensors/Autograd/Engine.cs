namespace Polymath.Autograd;

/// <summary>Runs the backward pass: one walk over the graph in reverse topological order.</summary>
internal static class Engine
{
    public static void Backward(Tensor root, Tensor gradient, bool retainGraph)
    {
        Node? start = root.GradNode;
        if (start is null)
            throw new InvalidOperationException(
                "Backward: the tensor does not require grad and has no grad_fn (did you forget RequiresGrad = true, or run inside NoGrad?).");

        // Count how many edges point at each node so a node runs only after all its consumers.
        var pending = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Node>();
        stack.Push(start);
        pending[start] = 0;
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            foreach (var next in node.Next)
            {
                if (next is null)
                    continue;
                if (pending.TryGetValue(next, out int c))
                    pending[next] = c + 1;
                else
                {
                    pending[next] = 1;
                    stack.Push(next);
                }
            }
        }

        var grads = new Dictionary<Node, Tensor>(ReferenceEqualityComparer.Instance) { [start] = gradient };
        // How many places each gradient buffer was handed to. A leaf may keep a buffer only it received
        // (no copy); the caller's gradient, or one that also went elsewhere (x + w), is copied first.
        var holders = new Dictionary<Storage, int>(ReferenceEqualityComparer.Instance) { [gradient.Storage] = 2 };
        var ready = new Stack<Node>();
        ready.Push(start);
        using var _ = Tensor.NoGrad();
        while (ready.Count > 0)
        {
            var node = ready.Pop();
            // A node none of whose consumers produced a gradient still runs so its inputs' counts fall.
            Tensor?[] inputGrads = [];
            if (grads.Remove(node, out var grad))
            {
                if (node is AccumulateGrad sink)
                    sink.Accumulate(grad, owned: holders.GetValueOrDefault(grad.Storage) == 1);
                else if (node is SliceNode slice && slice.Next[0] is { } target)
                {
                    // Add into the input's gradient buffer when it is ours alone; otherwise start one.
                    if (grads.TryGetValue(target, out var buffer) && Owned(buffer, holders))
                        slice.AddInto(buffer, grad);
                    else
                    {
                        var full = slice.Apply(grad)[0]!;
                        if (buffer is not null)
                            full.AddInPlace(buffer);
                        grads[target] = full;
                        holders[full.Storage] = 1;
                    }
                }
                else
                    inputGrads = node.Apply(grad);
                if (!retainGraph)
                    node.Release();
            }
            for (int i = 0; i < node.Next.Count; i++)
            {
                var next = node.Next[i];
                if (next is null)
                    continue;
                var g = i < inputGrads.Length ? inputGrads[i] : null;
                if (g is not null)
                {
                    if (grads.TryGetValue(next, out var acc))
                    {
                        // A second gradient for the same node: add in place into a buffer only this walk holds.
                        if (Owned(acc, holders) && ShapeUtil.SameShape(acc.ShapeSpan, g.ShapeSpan))
                            acc.AddInPlace(g);
                        else
                        {
                            var sum = acc.Add(g);
                            grads[next] = sum;
                            holders[sum.Storage] = 1;
                        }
                    }
                    else
                    {
                        grads[next] = g;
                        holders[g.Storage] = holders.GetValueOrDefault(g.Storage) + 1;
                    }
                }
                if (--pending[next] == 0)
                    ready.Push(next);
            }
        }
    }

    // A gradient buffer the walk may write into: handed to exactly one place, dense, and the whole of its storage.
    private static bool Owned(Tensor t, Dictionary<Storage, int> holders) =>
        holders.GetValueOrDefault(t.Storage) == 1 && t.IsContiguous && t.StorageOffset == 0 && t.Storage.Length == t.Numel;
}
