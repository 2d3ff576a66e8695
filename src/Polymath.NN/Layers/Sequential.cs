namespace Polymath.NN;

/// <summary>Runs its children in order, feeding each one's output to the next; they are named "0", "1", … as in PyTorch.</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> _layers = [];

    /// <summary>Creates the container from layers in order.</summary>
    public Sequential(params Module<Tensor, Tensor>[] layers)
    {
        foreach (var layer in layers)
            Append(layer);
    }

    /// <summary>Adds a layer at the end, named by its position.</summary>
    public Sequential Append(Module<Tensor, Tensor> layer)
    {
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>Number of layers.</summary>
    public int Count => _layers.Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public Module<Tensor, Tensor> this[int index] => _layers[index];

    /// <inheritdoc/>
    protected override void OnModuleReplacing(string name, Module old, Module replacement)
    {
        if (replacement is not Module<Tensor, Tensor> layer)
            throw new ArgumentException($"Sequential: layer '{name}' must be replaced by a Tensor → Tensor module, got {replacement.TypeName}.");
        _layers[int.Parse(name, System.Globalization.CultureInfo.InvariantCulture)] = layer;
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        foreach (var layer in _layers)
            input = layer.Call(input);
        return input;
    }
}
