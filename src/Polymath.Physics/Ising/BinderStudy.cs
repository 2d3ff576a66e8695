namespace Polymath.Physics;

/// <summary>The result of a <see cref="BinderStudy"/>: observables for every (L, T) and the crossings of consecutive sizes.</summary>
/// <param name="Observables">One entry per (L, T).</param>
/// <param name="Crossings">Crossings of U_L for consecutive sizes.</param>
public sealed record BinderStudyResult(IReadOnlyList<IsingObservables> Observables, IReadOnlyList<BinderCrossing> Crossings);

/// <summary>
/// The finite-size study of the Binder cumulant near T_c: Wolff chains for each L on a temperature grid around
/// T_c, then the crossings of consecutive sizes, which approach T_c = 2/ln(1+√2) as L grows.
/// </summary>
public static class BinderStudy
{
    /// <summary>The default sizes, L = 8, 16, 32, 64.</summary>
    public static readonly IReadOnlyList<int> DefaultSizes = [8, 16, 32, 64];

    /// <summary>An evenly spaced grid of <paramref name="count"/> temperatures T_c·(1 ± <paramref name="halfWidth"/>).</summary>
    /// <exception cref="ArgumentException">count below 2 or a half-width outside (0, 1).</exception>
    public static IReadOnlyList<double> GridAroundCriticalPoint(int count = 9, double halfWidth = 0.02)
    {
        if (count < 2) throw new ArgumentException($"Binder study: need at least 2 temperatures, not {count}", nameof(count));
        if (!(halfWidth > 0 && halfWidth < 1)) throw new ArgumentException($"Binder study: half-width {halfWidth} outside (0, 1)", nameof(halfWidth));
        return TemperatureGrid.Linear(Onsager.CriticalTemperature * (1 - halfWidth), Onsager.CriticalTemperature * (1 + halfWidth), count);
    }

    /// <summary>Runs the study.</summary>
    /// <param name="sizes">Lattice sides; null: <see cref="DefaultSizes"/>.</param>
    /// <param name="temperatures">Temperatures; null: <see cref="GridAroundCriticalPoint"/> with its defaults.</param>
    /// <param name="measurements">Measurements per chain.</param>
    /// <param name="replicas">Chains per (L, T).</param>
    /// <param name="seed">The run seed.</param>
    /// <param name="progress">Chains finished.</param>
    /// <param name="cancellationToken">Stops between sweeps.</param>
    /// <exception cref="ArgumentException">Invalid sizes or temperatures.</exception>
    public static BinderStudyResult Run(IReadOnlyList<int>? sizes = null, IReadOnlyList<double>? temperatures = null, int measurements = 4096,
        int replicas = 4, ulong seed = 1, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var options = new IsingRunOptions
        {
            Sizes = sizes ?? DefaultSizes,
            Temperatures = temperatures ?? GridAroundCriticalPoint(),
            Algorithm = IsingAlgorithm.Wolff,
            Replicas = replicas,
            BurnInSweeps = 200,
            PilotSweeps = 200,
            Measurements = measurements,
            Seed = seed,
        };
        var observables = IsingSimulation.Run(options, progress, cancellationToken);
        return new BinderStudyResult(observables, BinderCrossingFinder.Consecutive(observables));
    }
}
