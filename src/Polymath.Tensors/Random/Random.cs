namespace Polymath;

/// <summary>
/// The global random state: one default <see cref="Generator"/> used by every random operation that is
/// not given its own. Named <c>Polymath.Random</c>; inside namespace Polymath it hides
/// <see cref="System.Random"/>, which must be written fully qualified there.
/// </summary>
public static class Random
{
    /// <summary>
    /// Seed of <see cref="Default"/> at start-up. Fixed (as in PyTorch) so that a program that never seeds
    /// is still reproducible run to run.
    /// </summary>
    public const ulong DefaultSeed = 67280421310721UL;

    /// <summary>The default generator.</summary>
    public static Generator Default { get; } = new(DefaultSeed);

    /// <summary>Reseeds the default generator and rewinds it to offset 0 (like <c>torch.manual_seed</c>).</summary>
    public static void Seed(ulong seed) => Default.ManualSeed(seed);

    /// <summary>
    /// A new independent generator whose seed is drawn from <see cref="Default"/> (advancing it by one
    /// block): reproducible under <see cref="Seed"/>, and suitable for per-thread or per-worker streams.
    /// </summary>
    public static Generator Fork() => new(Default.NextUInt64());
}
