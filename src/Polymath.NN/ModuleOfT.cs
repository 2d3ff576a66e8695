namespace Polymath.NN;

/// <summary>
/// A module with one input and one output. Subclasses implement <see cref="Forward"/>; callers use
/// <see cref="Call"/> (PyTorch's <c>model(x)</c>), which also runs the registered forward hooks.
/// </summary>
public abstract class Module<TIn, TOut> : Module
{
    private readonly List<Func<Module, TIn, TIn>> _preHooks = [];
    private readonly List<Func<Module, TIn, TOut, TOut>> _hooks = [];

    /// <summary>The computation. Call <see cref="Call"/> rather than this so hooks run.</summary>
    public abstract TOut Forward(TIn input);

    /// <summary>Runs the pre-hooks, <see cref="Forward"/>, then the forward hooks (each may replace the value).</summary>
    public TOut Call(TIn input)
    {
        foreach (var hook in _preHooks)
            input = hook(this, input);
        var output = Forward(input);
        foreach (var hook in _hooks)
            output = hook(this, input, output);
        return output;
    }

    /// <summary>Adds a hook called after each forward with (module, input, output); it returns the output to use (return the argument to keep it).</summary>
    /// <returns>A handle whose Dispose removes the hook.</returns>
    public IDisposable RegisterForwardHook(Func<Module, TIn, TOut, TOut> hook)
    {
        _hooks.Add(hook);
        return new HookHandle(() => _hooks.Remove(hook));
    }

    /// <summary>Adds a hook called before each forward with (module, input); it returns the input to use.</summary>
    public IDisposable RegisterForwardPreHook(Func<Module, TIn, TIn> hook)
    {
        _preHooks.Add(hook);
        return new HookHandle(() => _preHooks.Remove(hook));
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
}
