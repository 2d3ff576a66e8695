namespace Polymath.NN.Optim;

/// <summary>
/// The base of the optimizers (PyTorch's <c>torch.optim.Optimizer</c>). It holds parameter groups, each with its own
/// options (missing options take the optimizer's <see cref="Defaults"/>), and per-parameter state. <see cref="Step()"/>
/// updates every parameter that has a gradient, in place and without recording autograd history.
/// </summary>
/// <example>
/// <code>
/// var opt = new AdamW(model.Parameters(), lr: 3e-4);
/// opt.ZeroGrad();
/// Losses.CrossEntropy(model.Call(x), y).Backward();
/// opt.Step();
/// </code>
/// </example>
public abstract class Optimizer
{
    private readonly List<ParamGroup> _groups = [];
    private readonly Dictionary<Tensor, ParamState> _state = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates the optimizer with one group holding <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentException">No parameters, a parameter listed twice, or an invalid option.</exception>
    protected Optimizer(IEnumerable<Tensor> parameters, IReadOnlyDictionary<string, double> defaults)
    {
        Defaults = new Dictionary<string, double>(defaults);
        ValidateOptions(Defaults);
        AddParamGroup(parameters);
    }

    /// <summary>The options a new group gets unless it overrides them.</summary>
    public IReadOnlyDictionary<string, double> Defaults { get; }

    /// <summary>The parameter groups, in the order they were added.</summary>
    public IReadOnlyList<ParamGroup> ParamGroups => _groups;

    /// <summary>The class name, used in errors and state dicts.</summary>
    public virtual string TypeName => GetType().Name;

    /// <summary>
    /// Adds a group of parameters with its own options (PyTorch's <c>add_param_group</c>), e.g. a smaller learning rate
    /// for a pretrained backbone: <c>opt.AddParamGroup(backbone.Parameters(), new Dictionary&lt;string, double&gt; { ["lr"] = 1e-5 })</c>.
    /// </summary>
    /// <exception cref="ArgumentException">No parameters, a parameter already in a group, a non-floating parameter,
    /// an option this optimizer does not know, or an invalid value (such as a negative learning rate).</exception>
    public void AddParamGroup(IEnumerable<Tensor> parameters, IReadOnlyDictionary<string, double>? options = null)
    {
        var list = parameters.ToList();
        if (list.Count == 0)
            throw new ArgumentException($"{TypeName}: a parameter group needs at least one parameter.");
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var p in list)
        {
            if (!p.DType.IsFloatingPoint())
                throw new ArgumentException($"{TypeName}: can only optimize floating-point tensors, got {p.DType.Name()} of shape [{string.Join(",", p.Shape)}].");
            if (!p.IsLeaf)
                throw new ArgumentException($"{TypeName}: can't optimize a non-leaf tensor (produced by {p.GradFn}); pass the parameters themselves.");
            if (!seen.Add(p) || _groups.Any(g => g.Params.Any(q => ReferenceEquals(q, p))))
                throw new ArgumentException($"{TypeName}: some parameters appear in more than one parameter group (or twice in one).");
        }
        var merged = new Dictionary<string, double>(Defaults);
        if (options is not null)
            foreach (var (key, value) in options)
            {
                if (!Defaults.ContainsKey(key))
                    throw new ArgumentException($"{TypeName}: unknown option '{key}' (known: {string.Join(", ", Defaults.Keys)}).");
                merged[key] = value;
            }
        ValidateOptions(merged);
        _groups.Add(new ParamGroup(list, merged));
    }

    /// <summary>Checks a group's options; the base checks <c>lr</c> ≥ 0 and, when present, <c>weight_decay</c> ≥ 0 and <c>eps</c> ≥ 0.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it and its value).</exception>
    protected virtual void ValidateOptions(IReadOnlyDictionary<string, double> options)
    {
        if (!options.TryGetValue("lr", out var lr) || !(lr >= 0))
            throw new ArgumentException($"{TypeName}: invalid learning rate {(options.ContainsKey("lr") ? lr : double.NaN)} (must be >= 0).");
        Require(options, "weight_decay", v => v >= 0, ">= 0");
        Require(options, "eps", v => v >= 0, ">= 0");
    }

    /// <summary>Throws when option <paramref name="name"/> is present and fails <paramref name="valid"/>.</summary>
    protected void Require(IReadOnlyDictionary<string, double> options, string name, Func<double, bool> valid, string expected)
    {
        if (options.TryGetValue(name, out var v) && !valid(v))
            throw new ArgumentException($"{TypeName}: invalid {name} value {v} (must be {expected}).");
    }

    /// <summary>Drops every parameter's gradient (sets it to null, PyTorch's <c>set_to_none=True</c>).</summary>
    public void ZeroGrad()
    {
        foreach (var group in _groups)
            foreach (var p in group.Params)
                p.ZeroGrad();
    }

    /// <summary>Updates every parameter that has a gradient, once, in place and outside autograd.</summary>
    public void Step()
    {
        using (Tensor.NoGrad())
        {
            foreach (var group in _groups)
                foreach (var p in group.Params)
                {
                    if (p.Grad is not { } grad)
                        continue;
                    if (!grad.Shape.SequenceEqual(p.Shape))
                        throw new InvalidOperationException($"{TypeName}: gradient [{string.Join(",", grad.Shape)}] does not match its parameter [{string.Join(",", p.Shape)}].");
                    Update(group, p, grad, StateOf(p));
                }
        }
    }

    /// <summary>Evaluates <paramref name="closure"/> (which should zero the gradients, compute the loss and call Backward), then steps.</summary>
    /// <returns>The closure's loss.</returns>
    public Tensor Step(Func<Tensor> closure)
    {
        Tensor loss;
        using (Tensor.EnableGrad())
            loss = closure();
        Step();
        return loss;
    }

    /// <summary>Applies one update to <paramref name="param"/> from <paramref name="grad"/>; runs under <see cref="Tensor.NoGrad"/>.</summary>
    protected abstract void Update(ParamGroup group, Tensor param, Tensor grad, ParamState state);

    /// <summary>The state of <paramref name="param"/> (created empty on first use).</summary>
    public ParamState StateOf(Tensor param)
    {
        if (!_state.TryGetValue(param, out var s))
            _state[param] = s = new ParamState();
        return s;
    }

    /// <summary>
    /// A snapshot of the groups' options and every parameter's state, with parameters numbered across groups in order
    /// (as PyTorch's state_dict). Buffers are copied.
    /// </summary>
    public OptimizerState StateDict()
    {
        var groups = new List<ParamGroupState>();
        var state = new Dictionary<int, ParamStateEntry>();
        int index = 0;
        foreach (var group in _groups)
        {
            var indices = new List<int>();
            foreach (var p in group.Params)
            {
                if (_state.TryGetValue(p, out var s))
                    state[index] = new ParamStateEntry(s.Step, s.Buffers.ToDictionary(kv => kv.Key, kv => kv.Value.Clone()));
                indices.Add(index++);
            }
            groups.Add(new ParamGroupState(indices, new Dictionary<string, double>(group.Options)));
        }
        return new OptimizerState(TypeName, groups, state);
    }

    /// <summary>
    /// Restores options and state from <paramref name="state"/>, matching parameters by index. The optimizer must have
    /// been built over parameters of the same shapes in the same groups; nothing changes unless the whole state fits.
    /// </summary>
    /// <exception cref="ArgumentException">Another optimizer type, a different number of groups or parameters, or a buffer whose shape differs from its parameter.</exception>
    public void LoadStateDict(OptimizerState state)
    {
        if (state.Optimizer != TypeName)
            throw new ArgumentException($"{TypeName}: cannot load the state of a {state.Optimizer}.");
        if (state.ParamGroups.Count != _groups.Count)
            throw new ArgumentException($"{TypeName}: loaded state has {state.ParamGroups.Count} parameter groups, the optimizer has {_groups.Count}.");
        var byIndex = new List<Tensor>();
        for (int g = 0; g < _groups.Count; g++)
        {
            if (state.ParamGroups[g].Params.Count != _groups[g].Params.Count)
                throw new ArgumentException($"{TypeName}: loaded group {g} has {state.ParamGroups[g].Params.Count} parameters, the optimizer's has {_groups[g].Params.Count}.");
            ValidateOptions(state.ParamGroups[g].Options);
            byIndex.AddRange(_groups[g].Params);
        }
        foreach (var (index, entry) in state.State)
        {
            if (index < 0 || index >= byIndex.Count)
                throw new ArgumentException($"{TypeName}: loaded state names parameter {index}, but there are {byIndex.Count}.");
            foreach (var (name, buffer) in entry.Buffers)
                if (!buffer.Shape.SequenceEqual(byIndex[index].Shape))
                    throw new ArgumentException($"{TypeName}: loaded '{name}' of parameter {index} is [{string.Join(",", buffer.Shape)}], the parameter is [{string.Join(",", byIndex[index].Shape)}].");
        }

        for (int g = 0; g < _groups.Count; g++)
            foreach (var (key, value) in state.ParamGroups[g].Options)
                _groups[g][key] = value;
        _state.Clear();
        using (Tensor.NoGrad())
            foreach (var (index, entry) in state.State)
            {
                var param = byIndex[index];
                var s = StateOf(param);
                s.Step = entry.Step;
                foreach (var (name, buffer) in entry.Buffers)
                    s.GetOrCreate(name, param).CopyFrom(buffer);
            }
    }

    /// <summary>The option map for a constructor: the pairs given.</summary>
    protected static Dictionary<string, double> Options(params (string Name, double Value)[] pairs) => pairs.ToDictionary(p => p.Name, p => p.Value);
}
