namespace Polymath.Quantum;

/// <summary>The outcome of <see cref="Vqe.Run"/>.</summary>
/// <param name="Energy">The lowest energy found, E(θ*) recomputed at the returned parameters.</param>
/// <param name="Parameters">θ*, in the ansatz's parameter order.</param>
/// <param name="History">The optimizer's best energy after each iteration (index 0: the start).</param>
/// <param name="InitialParameters">Where it started.</param>
/// <param name="EnergyEvaluations">Circuit simulations used for energies (parameter-shift runs included).</param>
/// <param name="GradientEvaluations">Gradient evaluations.</param>
/// <param name="Converged">Whether the optimizer met its convergence test.</param>
public sealed record VqeResult(double Energy, double[] Parameters, IReadOnlyList<double> History, double[] InitialParameters,
    int EnergyEvaluations, int GradientEvaluations, bool Converged);
