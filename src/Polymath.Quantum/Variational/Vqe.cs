namespace Polymath.Quantum;

/// <summary>
/// The variational quantum eigensolver (Peruzzo et al., Nat. Commun. 5, 4213 (2014)): minimise E(θ) = ⟨ψ(θ)|H|ψ(θ)⟩ over
/// the parameters of an <see cref="Ansatz"/> with a classical <see cref="IOptimizer"/>, on exact state-vector energies.
/// </summary>
public static class Vqe
{
    /// <summary>Runs VQE.</summary>
    /// <param name="hamiltonian">A Hermitian operator on the ansatz's qubits.</param>
    /// <param name="ansatz">The parameterised circuit.</param>
    /// <param name="optimizer">The optimizer; gradient-based ones get exact gradients by <paramref name="gradient"/>.</param>
    /// <param name="initialParameters">The start; null draws each parameter uniformly from [−π, π) with <paramref name="seed"/>.</param>
    /// <param name="seed">Seed of the random start.</param>
    /// <param name="gradient">Adjoint (default) or parameter shift.</param>
    /// <param name="cancellationToken">Stops the optimizer between iterations.</param>
    public static VqeResult Run(PauliSum hamiltonian, Ansatz ansatz, IOptimizer optimizer, double[]? initialParameters = null, int seed = 0,
        GradientMethod gradient = GradientMethod.Adjoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var energy = new EnergyFunction(hamiltonian, ansatz);
        var start = initialParameters is null ? RandomParameters(ansatz.NumParameters, seed) : (double[])initialParameters.Clone();
        if (start.Length != ansatz.NumParameters)
            throw new ArgumentException($"{start.Length} initial parameters for an ansatz with {ansatz.NumParameters}", nameof(initialParameters));
        var result = optimizer.Minimize(x => energy.Energy(x), x => energy.EnergyAndGradient(x, gradient), start, cancellationToken);
        double final = energy.Energy(result.X);
        return new VqeResult(final, result.X, result.History, start, energy.Evaluations, energy.GradientEvaluations, result.Converged);
    }

    /// <summary>Seeded uniform draws from [−π, π).</summary>
    public static double[] RandomParameters(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (rng.NextDouble() * 2 - 1) * Math.PI).ToArray();
    }
}
