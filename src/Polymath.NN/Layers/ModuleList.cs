using System.Collections;
using System.Globalization;

namespace Polymath.NN;

/// <summary>
/// Holds submodules in a list so their parameters are registered (PyTorch's nn.ModuleList); they are named "0", "1", …
/// in order, so a child's weight appears as <c>layers.3.weight</c>. It has no forward: the owner calls its items.
/// The type parameter lets a model keep its layers typed (e.g. <c>ModuleList&lt;Linear&gt;</c>).
/// </summary>
public class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> _items = [];

    /// <summary>Creates the list from modules in order.</summary>
    public ModuleList(params IEnumerable<T> modules) => Extend(modules);

    /// <inheritdoc/>
    public override string TypeName => "ModuleList";

    /// <summary>Number of modules.</summary>
    public int Count => _items.Count;

    /// <summary>The module at <paramref name="index"/> (negative counts from the end); setting replaces it under the same name.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is out of range.</exception>
    public T this[int index]
    {
        get => _items[Wrap(index)];
        set
        {
            int i = Wrap(index);
            RegisterModule(i.ToString(CultureInfo.InvariantCulture), value);
            _items[i] = value;
        }
    }

    /// <inheritdoc/>
    protected override void OnModuleReplacing(string name, Module old, Module replacement)
    {
        if (replacement is not T item)
            throw new ArgumentException($"ModuleList: item '{name}' must be replaced by a {typeof(T).Name}, got {replacement.TypeName}.");
        _items[int.Parse(name, CultureInfo.InvariantCulture)] = item;
    }

    /// <summary>Adds a module at the end, named by its position.</summary>
    public ModuleList<T> Append(T module)
    {
        RegisterModule(_items.Count.ToString(CultureInfo.InvariantCulture), module);
        _items.Add(module);
        return this;
    }

    /// <summary>Adds modules at the end, in order.</summary>
    public ModuleList<T> Extend(IEnumerable<T> modules)
    {
        foreach (var m in modules)
            Append(m);
        return this;
    }

    private int Wrap(int index)
    {
        int i = index < 0 ? index + _items.Count : index;
        if (i < 0 || i >= _items.Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"ModuleList: index {index} is out of range for {_items.Count} modules.");
        return i;
    }

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A list of modules of any type (PyTorch's nn.ModuleList); see <see cref="ModuleList{T}"/>.</summary>
public sealed class ModuleList : ModuleList<Module>
{
    /// <summary>Creates the list from modules in order.</summary>
    public ModuleList(params IEnumerable<Module> modules)
        : base(modules)
    {
    }
}
