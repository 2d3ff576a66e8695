namespace Polymath.NN.Optim;

/// <summary>
/// A snapshot of an optimizer (PyTorch's <c>optimizer.state_dict()</c>): each group's options with the indices of its
/// parameters (numbered across all groups in order), and each parameter's state (step count and buffers such as
/// <c>exp_avg</c>) keyed by that index. The buffers are copies, so the snapshot does not change as training goes on;
/// every value is a plain number or tensor, so a checkpoint writer can store it as it is.
/// </summary>
/// <param name="Optimizer">The optimizer's type name (loading into another kind is an error).</param>
/// <param name="ParamGroups">Per group: its parameter indices and options.</param>
/// <param name="State">Per parameter index that has state: its step count and buffers.</param>
public sealed record OptimizerState(string Optimizer, IReadOnlyList<ParamGroupState> ParamGroups, IReadOnlyDictionary<int, ParamStateEntry> State);

/// <summary>One group in an <see cref="OptimizerState"/>.</summary>
/// <param name="Params">The indices of the group's parameters.</param>
/// <param name="Options">The group's options (lr, weight_decay, …).</param>
public sealed record ParamGroupState(IReadOnlyList<int> Params, IReadOnlyDictionary<string, double> Options);

/// <summary>One parameter's saved state in an <see cref="OptimizerState"/>.</summary>
/// <param name="Step">How many updates this parameter has had.</param>
/// <param name="Buffers">Its state tensors by name (e.g. <c>exp_avg</c>, <c>exp_avg_sq</c>, <c>momentum_buffer</c>).</param>
public sealed record ParamStateEntry(long Step, IReadOnlyDictionary<string, Tensor> Buffers);

/// <summary>
/// The live state an optimizer keeps for one parameter: its step count and named buffers shaped like the parameter.
/// Float32 buffers are backed by managed arrays the optimizer can update in a fused loop.
/// </summary>
public sealed class ParamState
{
    private readonly Dictionary<string, Tensor> _buffers = [];
    private readonly Dictionary<string, float[]> _arrays = [];

    /// <summary>How many updates the parameter has had.</summary>
    public long Step { get; set; }

    /// <summary>The state tensors by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Buffers => _buffers;

    /// <summary>The buffer called <paramref name="name"/>, or null.</summary>
    public Tensor? Get(string name) => _buffers.TryGetValue(name, out var t) ? t : null;

    /// <summary>
    /// The buffer called <paramref name="name"/>, created shaped and typed like <paramref name="like"/> and filled with
    /// <paramref name="fill"/> when absent.
    /// </summary>
    public Tensor GetOrCreate(string name, Tensor like, double fill = 0)
    {
        if (_buffers.TryGetValue(name, out var t))
            return t;
        if (like.DType == DType.Float32)
        {
            var array = new float[like.Numel];
            if (fill != 0)
                array.AsSpan().Fill((float)fill);
            _arrays[name] = array;
            t = Tensor.Wrap(array, like.Shape);
        }
        else
            t = Tensor.Full(like.Shape, fill, like.DType);
        _buffers[name] = t;
        return t;
    }

    /// <summary>The managed array behind a float32 buffer (row-major, the parameter's element count).</summary>
    internal float[] Array(string name) => _arrays[name];
}
