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
                    var held = grads.TryGetValue(next, out var acc) ? acc.Add(g) : g;
                    grads[next] = held;
                    holders[held.Storage] = holders.GetValueOrDefault(held.Storage) + 1;
                }
                if (--pending[next] == 0)
                    ready.Push(next);
            }
        }
    }
}
