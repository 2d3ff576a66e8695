namespace Polymath.Quantum;

/// <summary>An eigenpair found by <see cref="Lanczos"/>.</summary>
/// <param name="Energy">The eigenvalue estimate, the Rayleigh quotient ⟨ψ|H|ψ⟩ of the normalised <paramref name="State"/>.</param>
/// <param name="State">The normalised eigenvector estimate.</param>
/// <param name="Residual">‖Hψ − Eψ‖, recomputed from the final state (an upper bound on the distance of E to the spectrum).</param>
/// <param name="MatVecs">Applications of H used.</param>
/// <param name="Restarts">How many times the Krylov basis was full and restarted.</param>
/// <param name="Converged">True when the residual met the tolerance.</param>
public sealed record LanczosResult(double Energy, StateVector State, double Residual, int MatVecs, int Restarts, bool Converged);
