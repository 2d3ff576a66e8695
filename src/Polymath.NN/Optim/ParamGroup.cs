namespace Polymath.NN.Optim;

/// <summary>
/// A group of parameters that share hyper-parameters (PyTorch's <c>param_groups[i]</c>): the tensors and a
/// name → value table of numeric options (<c>lr</c>, <c>weight_decay</c>, <c>momentum</c>, <c>beta1</c>, …).
/// Learning-rate schedulers read and write <see cref="Lr"/> (and add keys such as <c>initial_lr</c>).
/// </summary>
public sealed class ParamGroup
{
    private readonly Dictionary<string, double> _options;

    internal ParamGroup(IReadOnlyList<Tensor> parameters, Dictionary<string, double> options)
    {
        Params = parameters;
        _options = options;
    }

    /// <summary>The parameters of this group, in the order given.</summary>
    public IReadOnlyList<Tensor> Params { get; }

    /// <summary>Every option of this group by name (PyTorch's group dict without <c>params</c>).</summary>
    public IReadOnlyDictionary<string, double> Options => _options;

    /// <summary>The learning rate of this group.</summary>
    /// <exception cref="ArgumentException">Set to a negative or NaN value.</exception>
    public double Lr
    {
        get => this["lr"];
        set => this["lr"] = value;
    }

    /// <summary>The option called <paramref name="name"/>; setting adds it when absent.</summary>
    /// <exception cref="KeyNotFoundException">Reading an option the group does not have (the message lists those it has).</exception>
    /// <exception cref="ArgumentException">Setting <c>lr</c> to a negative or NaN value.</exception>
    public double this[string name]
    {
        get => _options.TryGetValue(name, out var v) ? v
            : throw new KeyNotFoundException($"param group: no option '{name}' (has: {string.Join(", ", _options.Keys)}).");
        set
        {
            if (name == "lr" && !(value >= 0))
                throw new ArgumentException($"param group: invalid learning rate {value} (must be >= 0).");
            _options[name] = value;
        }
    }

    /// <summary>True when the group has an option called <paramref name="name"/>.</summary>
    public bool Has(string name) => _options.ContainsKey(name);
}
