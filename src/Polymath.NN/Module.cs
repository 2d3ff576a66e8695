using System.Text;

namespace Polymath.NN;

/// <summary>
/// The base of every layer and model, as PyTorch's nn.Module: it owns named parameters, buffers and
/// submodules, so a whole model can list its parameters with dotted names (<c>features.0.weight</c>), switch
/// between training and evaluation, freeze parts, and save or load its state. Subclasses register what they
/// own in their constructor (the .NET counterpart of assigning <c>self.weight = nn.Parameter(...)</c>) and
/// derive from <see cref="Module{TIn,TOut}"/> to define <c>Forward</c>.
/// </summary>
public abstract class Module
{
    private readonly OrderedDictionary<string, Tensor?> _parameters = new();
    private readonly OrderedDictionary<string, Tensor?> _buffers = new();
    private readonly HashSet<string> _nonPersistent = [];
    private readonly OrderedDictionary<string, Module?> _modules = new();

    /// <summary>True in training mode (the default); dropout and batch norm behave differently in each mode.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>The class name, as printed in <see cref="ToString"/>.</summary>
    public virtual string TypeName => GetType().Name;

    /// <summary>
    /// Registers (or replaces) a parameter: a leaf tensor that requires grad and is returned by
    /// <see cref="NamedParameters"/>. Pass null for an optional parameter that is absent (e.g. no bias).
    /// </summary>
    /// <returns>The registered tensor (for assigning to a field).</returns>
    /// <exception cref="ArgumentException">The name is empty, contains '.', or is already a buffer or submodule.</exception>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        CheckName(name, _buffers, _modules);
        if (!value.IsLeaf)
            throw new ArgumentException($"{TypeName}: parameter '{name}' must be a leaf tensor (call Detach() first); it was produced by {value.GradFn}.");
        if (!value.DType.IsFloatingPoint())
            throw new ArgumentException($"{TypeName}: parameter '{name}' must be floating point, got {value.DType.Name()}.");
        value.RequiresGrad = true;
        _parameters[name] = value;
        return value;
    }

    /// <summary>Registers an absent optional parameter (it is listed in state dicts as missing-by-design: not at all).</summary>
    protected void RegisterNullParameter(string name)
    {
        CheckName(name, _buffers, _modules);
        _parameters[name] = null;
    }

    /// <summary>
    /// Registers (or replaces) a buffer: state that is not trained (e.g. batch-norm running statistics). Persistent
    /// buffers are saved in <see cref="StateDict"/>; non-persistent ones are not.
    /// </summary>
    protected Tensor RegisterBuffer(string name, Tensor value, bool persistent = true)
    {
        CheckName(name, _parameters, _modules);
        _buffers[name] = value;
        if (persistent) _nonPersistent.Remove(name); else _nonPersistent.Add(name);
        return value;
    }

    /// <summary>Registers (or replaces) a submodule under <paramref name="name"/>; its parameters appear as <c>name.…</c>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name, _parameters, _buffers);
        _modules[name] = module;
        return module;
    }

    private void CheckName<T1, T2>(string name, OrderedDictionary<string, T1> other1, OrderedDictionary<string, T2> other2)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{TypeName}: invalid name '{name}' (must be non-empty and contain no '.').");
        if (other1.ContainsKey(name) || other2.ContainsKey(name))
            throw new ArgumentException($"{TypeName}: '{name}' is already registered as another kind of member.");
    }

    /// <summary>The parameter registered under <paramref name="name"/> directly on this module, or null.</summary>
    public Tensor? GetParameter(string name) => _parameters.TryGetValue(name, out var p) ? p : null;

    /// <summary>The buffer registered under <paramref name="name"/> directly on this module, or null.</summary>
    public Tensor? GetBuffer(string name) => _buffers.TryGetValue(name, out var b) ? b : null;

    /// <summary>The submodule registered under <paramref name="name"/> directly on this module, or null.</summary>
    public Module? GetSubmodule(string name) => _modules.TryGetValue(name, out var m) ? m : null;

    /// <summary>Replaces a registered parameter's tensor (weight tying, loading); the new tensor becomes a leaf that requires grad.</summary>
    /// <exception cref="KeyNotFoundException">No parameter of that name on this module.</exception>
    public void SetParameter(string name, Tensor value)
    {
        if (!_parameters.ContainsKey(name))
            throw new KeyNotFoundException($"{TypeName}: no parameter named '{name}' (has: {string.Join(", ", _parameters.Keys)}).");
        value.RequiresGrad = true;
        _parameters[name] = value;
        OnParameterReplaced(name, value);
    }

    /// <summary>The module at a dotted path below this one ("" is this module), or null when nothing is registered there.</summary>
    public Module? GetModule(string path)
    {
        Module? m = this;
        if (path.Length == 0)
            return m;
        foreach (var part in path.Split('.'))
        {
            m = m?.GetSubmodule(part);
            if (m is null)
                return null;
        }
        return m;
    }

    /// <summary>
    /// Replaces the submodule at a dotted path (e.g. <c>transformer.h.0.attn.c_attn</c>) by <paramref name="replacement"/>,
    /// keeping its name and place, so wrappers (LoRA, adapters, quantised layers) can be swapped in. The parent is asked
    /// first (<see cref="OnModuleReplacing"/>) and may refuse a module it cannot call; nothing changes then.
    /// </summary>
    /// <returns>The module that was there before.</returns>
    /// <exception cref="ArgumentException">No submodule at that path, or the parent refuses the replacement.</exception>
    public Module ReplaceModule(string path, Module replacement)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        int dot = path.LastIndexOf('.');
        string parentPath = dot < 0 ? "" : path[..dot], name = dot < 0 ? path : path[(dot + 1)..];
        var parent = GetModule(parentPath);
        if (parent is null || !parent._modules.TryGetValue(name, out var old) || old is null)
            throw new ArgumentException($"{TypeName}: no submodule at '{path}' to replace.");
        parent.OnModuleReplacing(name, old, replacement);
        parent._modules[name] = replacement;
        replacement.Train(parent.Training);
        return old;
    }

    /// <summary>
    /// Called by <see cref="ReplaceModule"/> before the child <paramref name="name"/> is replaced, so subclasses that call
    /// the child through a field can check the new module's type (throw <see cref="ArgumentException"/> to refuse) and update the field.
    /// </summary>
    protected virtual void OnModuleReplacing(string name, Module old, Module replacement)
    {
    }

    /// <summary>Called after <see cref="SetParameter"/> so subclasses holding the tensor in a field can update it.</summary>
    protected virtual void OnParameterReplaced(string name, Tensor value)
    {
    }

    /// <summary>Direct children with their names, in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren()
    {
        foreach (var (name, m) in _modules)
            if (m is not null)
                yield return (name, m);
    }

    /// <summary>Direct children, in registration order.</summary>
    public IEnumerable<Module> Children() => NamedChildren().Select(c => c.Module);

    /// <summary>This module and all below it with dotted names ("" for this one); a module shared twice is listed once.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        return Walk(prefix, seen);
    }

    private IEnumerable<(string, Module)> Walk(string prefix, HashSet<Module> seen)
    {
        if (!seen.Add(this))
            yield break;
        yield return (prefix, this);
        foreach (var (name, child) in NamedChildren())
            foreach (var item in child.Walk(Join(prefix, name), seen))
                yield return item;
    }

    /// <summary>All modules below and including this one.</summary>
    public IEnumerable<Module> Modules() => NamedModules().Select(m => m.Module);

    /// <summary>Every parameter with its dotted name (e.g. <c>encoder.layers.0.attn.qkv.weight</c>); a tensor shared by two modules is listed once.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters(bool recurse = true)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, module) in recurse ? NamedModules() : [("", this)])
            foreach (var (name, p) in module._parameters)
                if (p is not null && seen.Add(p))
                    yield return (Join(prefix, name), p);
    }

    /// <summary>Every parameter (see <see cref="NamedParameters"/>).</summary>
    public IEnumerable<Tensor> Parameters(bool recurse = true) => NamedParameters(recurse).Select(p => p.Parameter);

    /// <summary>Every buffer with its dotted name.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(bool recurse = true)
    {
        foreach (var (prefix, module) in recurse ? NamedModules() : [("", this)])
            foreach (var (name, b) in module._buffers)
                if (b is not null)
                    yield return (Join(prefix, name), b);
    }

    /// <summary>Every buffer.</summary>
    public IEnumerable<Tensor> Buffers(bool recurse = true) => NamedBuffers(recurse).Select(b => b.Buffer);

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    /// <summary>Sets training mode on this module and all below it.</summary>
    public Module Train(bool mode = true)
    {
        foreach (var m in Modules())
            m.Training = mode;
        return this;
    }

    /// <summary>Sets evaluation mode (<c>Train(false)</c>).</summary>
    public Module Eval() => Train(false);

    /// <summary>Turns gradient tracking of all parameters on or off (freezing when false).</summary>
    public Module RequiresGrad_(bool requiresGrad = true)
    {
        foreach (var p in Parameters())
            p.RequiresGrad = requiresGrad;
        return this;
    }

    /// <summary>Drops every parameter's gradient (sets it to null, as PyTorch's set_to_none).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters())
            p.ZeroGrad();
    }

    /// <summary>Calls <paramref name="fn"/> on every module below and including this one (children first, as PyTorch).</summary>
    public Module Apply(Action<Module> fn)
    {
        foreach (var child in Children())
            child.Apply(fn);
        fn(this);
        return this;
    }

    /// <summary>Converts every floating parameter and buffer to <paramref name="dtype"/> (in place: the module keeps its identity).</summary>
    public Module To(DType dtype)
    {
        foreach (var m in Modules())
        {
            foreach (var name in m._parameters.Keys.ToList())
                if (m._parameters[name] is { } p && p.DType != dtype && p.DType.IsFloatingPoint())
                {
                    var converted = p.Detach().To(dtype);
                    converted.RequiresGrad = p.RequiresGrad;
                    m._parameters[name] = converted;
                    m.OnParameterReplaced(name, converted);
                }
            foreach (var name in m._buffers.Keys.ToList())
                if (m._buffers[name] is { } b && b.DType != dtype && b.DType.IsFloatingPoint())
                {
                    m._buffers[name] = b.To(dtype);
                    m.OnBufferReplaced(name, m._buffers[name]!);
                }
        }
        return this;
    }

    /// <summary>Called when a buffer's tensor is replaced (dtype conversion, loading) so subclasses holding it in a field can update it.</summary>
    protected virtual void OnBufferReplaced(string name, Tensor value)
    {
    }

    /// <summary>
    /// The parameters and persistent buffers by dotted name, in registration order (what PyTorch's state_dict
    /// holds). The tensors are detached views of the live ones: copy them before changing the model if you need a snapshot.
    /// </summary>
    public OrderedDictionary<string, Tensor> StateDict()
    {
        var state = new OrderedDictionary<string, Tensor>();
        foreach (var (prefix, m) in NamedModules())
        {
            foreach (var (name, p) in m._parameters)
                if (p is not null)
                    state[Join(prefix, name)] = p.Detach();
            foreach (var (name, b) in m._buffers)
                if (b is not null && !m._nonPersistent.Contains(name))
                    state[Join(prefix, name)] = b.Detach();
        }
        return state;
    }

    /// <summary>
    /// Copies values from <paramref name="state"/> into the parameters and persistent buffers of the same names.
    /// With <paramref name="strict"/> any missing or unexpected key is an error; a shape mismatch always is.
    /// Nothing is changed unless the whole load is valid.
    /// </summary>
    /// <returns>The keys the model has that the state lacks, and those the state has that the model lacks.</returns>
    /// <exception cref="ArgumentException">Lists every missing, unexpected and mis-shaped key.</exception>
    public LoadStateDictResult LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var targets = new Dictionary<string, (Module Owner, string Name, bool IsBuffer)>();
        foreach (var (prefix, m) in NamedModules())
        {
            foreach (var (name, p) in m._parameters)
                if (p is not null)
                    targets[Join(prefix, name)] = (m, name, false);
            foreach (var (name, b) in m._buffers)
                if (b is not null && !m._nonPersistent.Contains(name))
                    targets[Join(prefix, name)] = (m, name, true);
        }
        var missing = targets.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !targets.ContainsKey(k)).ToList();
        var mismatched = new List<string>();
        foreach (var (key, (owner, name, isBuffer)) in targets)
        {
            if (!state.TryGetValue(key, out var value))
                continue;
            var current = isBuffer ? owner._buffers[name]! : owner._parameters[name]!;
            if (!current.Shape.SequenceEqual(value.Shape))
                mismatched.Add($"{key}: checkpoint [{string.Join(",", value.Shape)}] vs model [{string.Join(",", current.Shape)}]");
        }
        if (mismatched.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
        {
            var sb = new StringBuilder($"Error(s) in loading state dict for {TypeName}:");
            if (missing.Count > 0) sb.Append("\n  missing keys: ").Append(string.Join(", ", missing));
            if (unexpected.Count > 0) sb.Append("\n  unexpected keys: ").Append(string.Join(", ", unexpected));
            if (mismatched.Count > 0) sb.Append("\n  size mismatch: ").Append(string.Join("; ", mismatched));
            throw new ArgumentException(sb.ToString());
        }
        using (Tensor.NoGrad())
        {
            foreach (var (key, (owner, name, isBuffer)) in targets)
            {
                if (!state.TryGetValue(key, out var value))
                    continue;
                var current = isBuffer ? owner._buffers[name]! : owner._parameters[name]!;
                current.CopyFrom(value);
            }
        }
        return new LoadStateDictResult(missing, unexpected);
    }

    /// <summary>A PyTorch-style tree of the module and its children.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Print(sb, 0);
        return sb.ToString();
    }

    /// <summary>Extra text shown in parentheses after the type name, e.g. <c>in_features=784, out_features=10</c>.</summary>
    protected virtual string ExtraRepr() => "";

    private void Print(StringBuilder sb, int indent)
    {
        sb.Append(TypeName).Append('(').Append(ExtraRepr());
        if (_modules.Count == 0)
        {
            sb.Append(')');
            return;
        }
        sb.Append('\n');
        foreach (var (name, child) in NamedChildren())
        {
            sb.Append(' ', indent + 2).Append('(').Append(name).Append("): ");
            child.Print(sb, indent + 2);
            sb.Append('\n');
        }
        sb.Append(' ', indent).Append(')');
    }
}

/// <summary>What <see cref="Module.LoadStateDict"/> found: keys the model expected but the state lacked, and the reverse.</summary>
public sealed record LoadStateDictResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);
