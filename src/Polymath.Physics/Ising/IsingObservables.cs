namespace Polymath.Physics;

/// <summary>
/// Thermodynamic estimates at one (L, T) from all its replicas, with blocked-jackknife errors. With N = L² spins,
/// e = E/N and m = M/N per measurement:
/// C = N(⟨e²⟩ − ⟨e⟩²)/T², χ = N(⟨m²⟩ − ⟨|m|⟩²)/T (the finite-lattice susceptibility built on |m|), U = 1 − ⟨m⁴⟩/(3⟨m²⟩²).
/// </summary>
/// <param name="Size">L.</param>
/// <param name="Temperature">T.</param>
/// <param name="Replicas">Independent chains pooled.</param>
/// <param name="MeasurementsPerReplica">Measurements kept per chain.</param>
/// <param name="Spacing">Sweeps between measurements.</param>
/// <param name="ThermalizationSweeps">Sweeps discarded per chain (burn-in + pilot).</param>
/// <param name="Energy">⟨e⟩, energy per spin.</param>
/// <param name="AbsMagnetization">⟨|m|⟩.</param>
/// <param name="SpecificHeat">C per spin.</param>
/// <param name="Susceptibility">χ per spin.</param>
/// <param name="Binder">The Binder cumulant U.</param>
/// <param name="TauEnergy">τ_int of e in sweeps (from the pilot phase, averaged over replicas; null without a pilot).</param>
/// <param name="TauAbsMagnetization">τ_int of |m| in sweeps (as for <paramref name="TauEnergy"/>).</param>
public sealed record IsingObservables(int Size, double Temperature, int Replicas, int MeasurementsPerReplica, int Spacing, long ThermalizationSweeps,
    Estimate Energy, Estimate AbsMagnetization, Estimate SpecificHeat, Estimate Susceptibility, Estimate Binder,
    AutocorrelationTime? TauEnergy, AutocorrelationTime? TauAbsMagnetization)
{
    /// <summary>
    /// Whether the thermalisation was at least 20 τ_int (Sokal's rule of thumb) for both E and |m| and the pilot long
    /// enough to trust τ. False when there was no pilot.
    /// </summary>
    public bool Equilibrated =>
        TauEnergy is { } te && TauAbsMagnetization is { } tm && te.Reliable && tm.Reliable
        && ThermalizationSweeps >= 20 * Math.Max(te.Tau, tm.Tau);
}
