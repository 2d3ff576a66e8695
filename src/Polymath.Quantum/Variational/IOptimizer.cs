namespace Polymath.Quantum;

/// <summary>A minimiser of a function of a real vector.</summary>
public interface IOptimizer
{
    /// <summary>True when <see cref="Minimize"/> needs <c>valueAndGradient</c>.</summary>
    bool UsesGradient { get; }

    /// <summary>Minimises from <paramref name="initial"/> (not modified).</summary>
    /// <param name="value">f(x).</param>
    /// <param name="valueAndGradient">(f(x), ∇f(x)); required when <see cref="UsesGradient"/>.</param>
    /// <param name="initial">Starting point.</param>
    /// <param name="cancellationToken">Stops between iterations, returning the best point so far.</param>
    OptimizationResult Minimize(Func<double[], double> value, Func<double[], (double Value, double[] Gradient)>? valueAndGradient,
        double[] initial, CancellationToken cancellationToken = default);
}
