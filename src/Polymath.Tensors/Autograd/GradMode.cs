namespace Polymath;

/// <summary>Whether operations record the graph for autograd; per thread, on by default.</summary>
public static class GradMode
{
    [ThreadStatic] private static bool t_disabled;

    /// <summary>True when new operations record their backward rules.</summary>
    public static bool IsEnabled => !t_disabled;

    /// <summary>Sets the mode and returns the previous value.</summary>
    public static bool Set(bool enabled)
    {
        bool previous = !t_disabled;
        t_disabled = !enabled;
        return previous;
    }
}

/// <summary>A scope that turns gradient recording off (or on) and restores the previous mode on dispose.</summary>
public readonly struct GradModeScope : IDisposable
{
    private readonly bool _previous;

    internal GradModeScope(bool enabled) => _previous = GradMode.Set(enabled);

    /// <summary>Restores the mode that was in force when the scope began.</summary>
    public void Dispose() => GradMode.Set(_previous);
}
