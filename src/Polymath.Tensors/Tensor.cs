using Polymath.Autograd;

namespace Polymath;

/// <summary>
/// An n-dimensional array on the CPU with reverse-mode automatic differentiation.
/// A tensor is a view (shape, strides, offset) onto a shared <see cref="Polymath.Storage"/>;
/// reshapes, transposes and slices make new views without copying.
/// </summary>
public sealed partial class Tensor
{
    internal readonly Storage Storage;
    internal readonly int[] Sh;
    internal readonly int[] St;
    internal readonly int Off;
    private bool _requiresGrad;
    private AccumulateGrad? _accumulator;
    private List<Action<Tensor>>? _postAccumulateHooks;

    /// <summary>The node that produced this tensor, or null for leaves.</summary>
    internal Node? GradFnNode;

    /// <summary>The tensor this one is a view of (for refusing in-place writes autograd cannot follow).</summary>
    internal Tensor? ViewBase;

    internal Tensor(Storage storage, int[] shape, int[] strides, int offset)
    {
        Storage = storage;
        Sh = shape;
        St = strides;
        Off = offset;
        DType = storage.DType;
    }

    internal static Tensor Empty(int[] shape, DType dtype, bool zeroed = false)
    {
        foreach (int d in shape)
            if (d < 0)
                throw new ArgumentException($"Tensor shape {ShapeUtil.Format(shape)} has a negative dimension.");
        return new Tensor(Storage.Allocate(dtype, ShapeUtil.Numel(shape), zeroed), shape, ShapeUtil.ContiguousStrides(shape), 0);
    }

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The size of each dimension (a copy).</summary>
    public int[] Shape => (int[])Sh.Clone();

    internal ReadOnlySpan<int> ShapeSpan => Sh;

    /// <summary>Elements to step in storage per index step in each dimension (a copy).</summary>
    public int[] Strides => (int[])St.Clone();

    /// <summary>Position of element [0,...,0] in the storage.</summary>
    public int StorageOffset => Off;

    /// <summary>Number of dimensions.</summary>
    public int Rank => Sh.Length;

    /// <summary>Number of elements.</summary>
    public long Numel => ShapeUtil.Numel(Sh);

    /// <summary>Size of one dimension (negative dims count from the end).</summary>
    public int Size(int dim) => Sh[ShapeUtil.WrapDim(dim, Rank, "size")];

    /// <summary>True when the elements are laid out densely in row-major order.</summary>
    public bool IsContiguous => ShapeUtil.IsContiguous(Sh, St);

    /// <summary>True when this tensor and <paramref name="other"/> view the same storage.</summary>
    public bool SharesStorageWith(Tensor other) => ReferenceEquals(Storage, other.Storage);

    /// <summary>
    /// Whether gradients flow to this tensor. Settable on leaves of floating dtype only;
    /// results of ops on tensors that require grad require grad themselves.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set on a non-leaf, or on an integer/bool tensor.</exception>
    public bool RequiresGrad
    {
        get => _requiresGrad || GradFnNode is not null;
        set
        {
            if (GradFnNode is not null)
                throw new InvalidOperationException("RequiresGrad can only be changed on leaf tensors; use Detach() to make a leaf from a computed tensor.");
            if (value && !DType.IsFloatingPoint())
                throw new InvalidOperationException($"Only floating-point tensors can require gradients, this one is {DType.Name()}.");
            _requiresGrad = value;
        }
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor, for fluent construction.</summary>
    public Tensor RequiresGrad_(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    /// <summary>True for tensors not produced by a recorded op.</summary>
    public bool IsLeaf => GradFnNode is null;

    /// <summary>The backward node that produced this tensor (null for leaves), e.g. for inspecting the graph.</summary>
    public Node? GradFn => GradFnNode;

    /// <summary>The accumulated gradient of a leaf after <see cref="Backward"/>; null until then.</summary>
    public Tensor? Grad { get; set; }

    internal Node? GradNode => GradFnNode ?? (_requiresGrad ? _accumulator ??= new AccumulateGrad(this) : null);

    internal void AccumulateGradient(Tensor g, bool owned = false)
    {
        if (!ShapeUtil.SameShape(g.Sh, Sh))
            g = g.SumToShape(Sh);
        if (Grad is null)
        {
            // A tensor of our own: the same gradient buffer can reach several leaves (x + w) or be the caller's,
            // and a later accumulation into one Grad must not change the others. A buffer that only this leaf
            // received (the engine says so) is kept as it is, saving a copy per parameter per step.
            var converted = g.To(DType);
            Grad = !ReferenceEquals(converted, g) ? converted : owned && g.IsContiguous && g.Off == 0 && g.Storage.Length == g.Numel ? g : g.Clone();
        }
        else
            Grad.AddInPlace(g);
    }

    /// <summary>
    /// Adds a hook that runs during <see cref="Backward"/> right after this leaf's gradient has been accumulated into
    /// <see cref="Grad"/> (PyTorch's <c>register_post_accumulate_grad_hook</c>). It runs once per backward pass that
    /// reaches the leaf, after every contribution of that pass has been summed, on the thread running the pass;
    /// data-parallel training uses it to start reducing gradients while the rest of the backward pass still runs.
    /// </summary>
    /// <param name="hook">Called with this tensor; it may read or change <see cref="Grad"/> in place.</param>
    /// <returns>A handle whose Dispose removes the hook.</returns>
    /// <exception cref="InvalidOperationException">The tensor is not a leaf that requires grad.</exception>
    public IDisposable RegisterPostAccumulateGradHook(Action<Tensor> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (!IsLeaf || !_requiresGrad)
            throw new InvalidOperationException(
                $"RegisterPostAccumulateGradHook: only a leaf tensor that requires grad accumulates a gradient; this one (shape {ShapeUtil.Format(Sh)}) is " +
                (IsLeaf ? "a leaf with RequiresGrad = false." : $"computed by {GradFnNode!.Name}."));
        var hooks = _postAccumulateHooks ??= [];
        hooks.Add(hook);
        return new HookHandle(() => hooks.Remove(hook));
    }

    internal void RunPostAccumulateHooks()
    {
        if (_postAccumulateHooks is not { Count: > 0 } hooks)
            return;
        // A copy: a hook may remove itself.
        foreach (var hook in hooks.ToArray())
            hook(this);
    }

    private sealed class HookHandle(Action remove) : IDisposable
    {
        private Action? _remove = remove;

        public void Dispose()
        {
            _remove?.Invoke();
            _remove = null;
        }
    }

    /// <summary>
    /// Computes gradients of this tensor with respect to every leaf that requires grad, adding them into
    /// their <see cref="Grad"/>. A non-scalar tensor needs <paramref name="gradient"/> of its own shape.
    /// </summary>
    /// <exception cref="InvalidOperationException">No graph, a freed graph, or a saved tensor modified in place.</exception>
    /// <exception cref="ArgumentException">Missing or mis-shaped gradient.</exception>
    public void Backward(Tensor? gradient = null, bool retainGraph = false)
    {
        if (gradient is null)
        {
            if (Numel != 1)
                throw new ArgumentException($"Backward: grad can be implicitly created only for scalar outputs; this tensor has shape {ShapeUtil.Format(Sh)}. Pass a gradient of that shape.");
            gradient = OnesLike(this);
        }
        else if (!ShapeUtil.SameShape(gradient.Sh, Sh))
        {
            throw new ArgumentException($"Backward: gradient shape {ShapeUtil.Format(gradient.Sh)} does not match tensor shape {ShapeUtil.Format(Sh)}.");
        }
        // Backward rules run in the dtypes the forward chose; autocast does not apply to them (as in PyTorch).
        using (Amp.Autocast.Disable())
            Engine.Backward(this, gradient.DType == DType ? gradient : gradient.To(DType), retainGraph);
    }

    /// <summary>A new leaf sharing this tensor's data, cut off from the graph.</summary>
    public Tensor Detach() => new(Storage, Sh, St, Off);

    /// <summary>Drops the accumulated gradient (sets <see cref="Grad"/> to null, as PyTorch's set_to_none).</summary>
    public void ZeroGrad() => Grad = null;

    /// <summary>Turns gradient recording off for the current thread until the scope is disposed.</summary>
    public static GradModeScope NoGrad() => new(false);

    /// <summary>Turns gradient recording on for the current thread until the scope is disposed.</summary>
    public static GradModeScope EnableGrad() => new(true);

    internal T[] Data<T>() where T : unmanaged => Storage is Storage<T> s
        ? s.Data
        : throw new InvalidOperationException($"Tensor is {DType.Name()}, not {DTypes.Of<T>().Name()}.");

    /// <summary>True when autograd must record an op on these inputs.</summary>
    internal static bool Recording(Tensor a) => a.RequiresGrad && GradMode.IsEnabled;

    internal static bool Recording(Tensor a, Tensor b) => (a.RequiresGrad || b.RequiresGrad) && GradMode.IsEnabled;

    internal static bool Recording(ReadOnlySpan<Tensor> inputs)
    {
        if (!GradMode.IsEnabled)
            return false;
        foreach (var t in inputs)
            if (t.RequiresGrad)
                return true;
        return false;
    }

    /// <summary>Makes this tensor the output of a recorded op with the given backward rule.</summary>
    internal Tensor SetGradFn(string name, Tensor[] inputs, Tensor[] saved, Func<Tensor, Tensor?[]> backward)
    {
        var next = new Node?[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
            next[i] = inputs[i].RequiresGrad ? inputs[i].GradNode : null;
        var node = new Node(name, next, backward);
        foreach (var s in saved)
            node.Save(s);
        GradFnNode = node;
        return this;
    }
}
