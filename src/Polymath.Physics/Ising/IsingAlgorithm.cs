namespace Polymath.Physics;

/// <summary>How an <see cref="IsingChain"/> moves through configuration space.</summary>
public enum IsingAlgorithm
{
    /// <summary>
    /// Single-spin Metropolis (Metropolis et al., J. Chem. Phys. 21, 1087 (1953)) in checkerboard order: one sweep
    /// visits every site once, first the sites with even row + column, then the odd ones.
    /// </summary>
    Metropolis,

    /// <summary>
    /// Wolff single-cluster updates (Wolff, Phys. Rev. Lett. 62, 361 (1989)); one sweep flips clusters until at least
    /// N spins have been flipped in total, so times are in units comparable with Metropolis sweeps.
    /// </summary>
    Wolff,
}
