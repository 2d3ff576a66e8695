namespace Polymath.Physics.Learning;

/// <summary>The network that tells an ordered configuration from a disordered one.</summary>
public enum PhaseClassifierKind
{
    /// <summary>Fully connected: flatten → Linear(D, hidden) → tanh → Linear(hidden, 1) (Carrasquilla &amp; Melko's choice).</summary>
    Dense,

    /// <summary>Convolutional: Conv2d(1, channels, 3, padding 1) → ReLU → MaxPool2d(2) → Linear → ReLU → Linear(hidden, 1); 2D inputs only.</summary>
    Conv,
}

/// <summary>Names of <see cref="PhaseClassifierKind"/> as the command line spells them.</summary>
public static class PhaseClassifierKinds
{
    /// <summary>The accepted names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["dense", "cnn"];

    /// <summary>"dense" (or "fc", "mlp") or "cnn" (or "conv"), case-insensitive.</summary>
    /// <exception cref="ArgumentException">An unknown name; the message lists the known ones.</exception>
    public static PhaseClassifierKind Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "dense" or "fc" or "mlp" => PhaseClassifierKind.Dense,
        "cnn" or "conv" => PhaseClassifierKind.Conv,
        _ => throw new ArgumentException($"unknown classifier model '{name}'; known models: {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>The command-line name of <paramref name="kind"/>.</summary>
    public static string Name(PhaseClassifierKind kind) => kind == PhaseClassifierKind.Dense ? "dense" : "cnn";
}
