namespace Polymath.Autograd;

/// <summary>
/// One recorded operation in the backward graph: the rule that turns the gradient of its output
/// into gradients of its inputs, and edges to the nodes that produced those inputs.
/// </summary>
public class Node
{
    private Func<Tensor, Tensor?[]>? _backward;
    private readonly List<(Tensor Tensor, int Version)> _saved = [];

    internal Node(string name, Node?[] next, Func<Tensor, Tensor?[]>? backward)
    {
        Name = name;
        Next = next;
        _backward = backward;
    }

    /// <summary>The op that produced this node, e.g. "MulBackward".</summary>
    public string Name { get; }

    /// <summary>Nodes of the inputs, in argument order; null where an input needs no gradient.</summary>
    public IReadOnlyList<Node?> Next { get; }

    internal bool Released => _backward is null;

    /// <summary>Remembers a tensor the backward rule reads, so an in-place write to it is detected.</summary>
    /// <summary>The tensors this node keeps for its backward rule.</summary>
    internal IEnumerable<Tensor> SavedTensors => _saved.Select(s => s.Tensor);

    internal Tensor Save(Tensor t)
    {
        _saved.Add((t, t.Storage.Version));
        return t;
    }

    internal virtual Tensor?[] Apply(Tensor grad)
    {
        if (_backward is null)
            throw new InvalidOperationException(
                $"{Name}: trying to backward through the graph a second time (its saved tensors were freed after the first Backward). " +
                "Pass retainGraph: true to the first Backward call if you need to backward twice.");
        foreach (var (tensor, version) in _saved)
        {
            if (tensor.Storage.Version != version)
                throw new InvalidOperationException(
                    $"{Name}: a tensor of shape {ShapeUtil.Format(tensor.ShapeSpan)} needed for gradient computation was modified by an in-place operation " +
                    $"(its version is {tensor.Storage.Version}, expected {version}).");
        }
        return _backward(grad);
    }

    internal virtual void Release()
    {
        _backward = null;
        _saved.Clear();
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>The sink for a leaf tensor: adds incoming gradients into its <see cref="Tensor.Grad"/>.</summary>
internal sealed class AccumulateGrad : Node
{
    private readonly WeakReference<Tensor> _leaf;

    public AccumulateGrad(Tensor leaf) : base("AccumulateGrad", [], null) => _leaf = new WeakReference<Tensor>(leaf);

    internal override Tensor?[] Apply(Tensor grad)
    {
        Accumulate(grad, owned: false);
        return [];
    }

    /// <summary>Adds <paramref name="grad"/> into the leaf's gradient; an owned buffer may become the gradient itself.</summary>
    internal void Accumulate(Tensor grad, bool owned)
    {
        if (_leaf.TryGetTarget(out var leaf))
        {
            leaf.AccumulateGradient(grad, owned);
            leaf.RunPostAccumulateHooks();
        }
    }

    internal override void Release()
    {
    }
}
