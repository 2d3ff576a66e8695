namespace Polymath.Physics;

/// <summary>The models this assembly simulates, by the names configuration files and commands use.</summary>
public static class PhysicsModels
{
    /// <summary>The 2D square-lattice Ising model (Monte Carlo).</summary>
    public const string Ising2D = "ising2d";

    /// <summary>The 1D transverse-field Ising chain (exact or variational ground states).</summary>
    public const string TransverseFieldIsing = "tfim";

    /// <summary>Every canonical name.</summary>
    public static readonly IReadOnlyList<string> Known = [Ising2D, TransverseFieldIsing];

    /// <summary>
    /// The canonical name of <paramref name="name"/>, case-insensitive, accepting the aliases "ising", "ising-2d",
    /// "transverse-field-ising" and "tfim1d".
    /// </summary>
    /// <exception cref="ArgumentException">An unknown model; the message lists the known ones.</exception>
    public static string Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "ising2d" or "ising" or "ising-2d" or "ising_2d" => Ising2D,
        "tfim" or "tfim1d" or "transverse-field-ising" or "transverse_field_ising" => TransverseFieldIsing,
        _ => throw new ArgumentException($"unknown physics model '{name}'; known models: {string.Join(", ", Known)}", nameof(name)),
    };
}
