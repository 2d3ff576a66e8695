namespace Polymath.Quantum;

/// <summary>What an <see cref="IOptimizer"/> found.</summary>
/// <param name="X">The best point.</param>
/// <param name="Value">f at <paramref name="X"/>.</param>
/// <param name="Iterations">Iterations made.</param>
/// <param name="FunctionEvaluations">Calls of f (each gradient call counted once here too).</param>
/// <param name="Converged">True when a convergence test (not an iteration limit) stopped it.</param>
/// <param name="History">f at the best point after each iteration (index 0: the start).</param>
public sealed record OptimizationResult(double[] X, double Value, int Iterations, int FunctionEvaluations, bool Converged, IReadOnlyList<double> History);
