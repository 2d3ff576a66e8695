using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Polymath.NN;

/// <summary>
/// Holds submodules by name, in insertion order, so their parameters are registered (PyTorch's nn.ModuleDict); a
/// child's weight appears as <c>heads.classifier.weight</c>. It has no forward: the owner calls its items.
/// </summary>
public class ModuleDict<T> : Module, IReadOnlyDictionary<string, T> where T : Module
{
    private readonly OrderedDictionary<string, T> _items = new();

    /// <summary>Creates the dictionary from (key, module) pairs in order.</summary>
    /// <exception cref="ArgumentException">A key is empty or contains '.'.</exception>
    public ModuleDict(params IEnumerable<KeyValuePair<string, T>> modules) => Update(modules);

    /// <inheritdoc/>
    public override string TypeName => "ModuleDict";

    /// <summary>Number of modules.</summary>
    public int Count => _items.Count;

    /// <summary>The module under <paramref name="key"/>; setting adds it (at the end) or replaces it (in place).</summary>
    /// <exception cref="KeyNotFoundException">Getting a key that is not present (the message lists the keys).</exception>
    /// <exception cref="ArgumentException">Setting an empty key or one containing '.'.</exception>
    public T this[string key]
    {
        get => _items.TryGetValue(key, out var m) ? m : throw new KeyNotFoundException($"ModuleDict: no module named '{key}' (has: {string.Join(", ", _items.Keys)}).");
        set
        {
            RegisterModule(key, value);
            _items[key] = value;
        }
    }

    /// <summary>Adds or replaces each (key, module) pair in order.</summary>
    /// <exception cref="ArgumentException">A key is empty or contains '.'.</exception>
    public ModuleDict<T> Update(IEnumerable<KeyValuePair<string, T>> modules)
    {
        foreach (var (key, module) in modules)
            this[key] = module;
        return this;
    }

    /// <summary>The keys, in insertion order.</summary>
    public IEnumerable<string> Keys => _items.Keys;

    /// <summary>The modules, in insertion order.</summary>
    public IEnumerable<T> Values => _items.Values;

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _items.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out T value) => _items.TryGetValue(key, out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A dictionary of modules of any type (PyTorch's nn.ModuleDict); see <see cref="ModuleDict{T}"/>.</summary>
public sealed class ModuleDict : ModuleDict<Module>
{
    /// <summary>Creates the dictionary from (key, module) pairs in order.</summary>
    public ModuleDict(params IEnumerable<KeyValuePair<string, Module>> modules)
        : base(modules)
    {
    }
}
