namespace Polymath.Physics;

/// <summary>
/// What an <see cref="IsingDatasetGenerator"/> writes: for every L, <see cref="SamplesPerTemperature"/> spin
/// configurations at each temperature, taken from <see cref="Replicas"/> independent chains per (L, T) at a spacing of
/// about 2τ_int so that consecutive samples are nearly independent.
/// </summary>
public sealed record IsingDatasetOptions
{
    /// <summary>The model name; only <see cref="PhysicsModels.Ising2D"/> (or an alias, see <see cref="PhysicsModels.Parse"/>) is accepted here.</summary>
    public string Model { get; init; } = PhysicsModels.Ising2D;

    /// <summary>Lattice sides L.</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [16];

    /// <summary>Temperatures T &gt; 0.</summary>
    public IReadOnlyList<double> Temperatures { get; init; } = [];

    /// <summary>Configurations saved per (L, T), shared out over the replicas.</summary>
    public int SamplesPerTemperature { get; init; } = 100;

    /// <summary>Independent chains per (L, T).</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>The update algorithm (Wolff by default: near T_c it decorrelates in a few sweeps).</summary>
    public IsingAlgorithm Algorithm { get; init; } = IsingAlgorithm.Wolff;

    /// <summary>Sweeps discarded before the pilot.</summary>
    public int BurnInSweeps { get; init; } = 500;

    /// <summary>Pilot sweeps (discarded) that measure τ_int; 0 requires <see cref="Spacing"/>.</summary>
    public int PilotSweeps { get; init; } = 500;

    /// <summary>Sweeps between saved samples; null uses max(1, ⌈2τ_int⌉) from the pilot.</summary>
    public int? Spacing { get; init; }

    /// <summary>The run seed; the files are identical for any thread count.</summary>
    public ulong Seed { get; init; }

    /// <summary>Chains run at once; null uses <see cref="Threads.Count"/>.</summary>
    public int? MaxParallelism { get; init; }

    /// <summary>Configurations the run writes in total (for progress bars): sizes × temperatures × samples per temperature.</summary>
    public long TotalSamples => (long)Sizes.Count * Temperatures.Count * SamplesPerTemperature;

    /// <summary>The equivalent <see cref="IsingRunOptions"/> (for the chains' set-up and the shared checks).</summary>
    public IsingRunOptions ToRunOptions() => new()
    {
        Sizes = Sizes, Temperatures = Temperatures, Replicas = Replicas, Algorithm = Algorithm, BurnInSweeps = BurnInSweeps,
        PilotSweeps = PilotSweeps, MeasurementSpacing = Spacing, Seed = Seed, MaxParallelism = MaxParallelism,
        Measurements = Math.Max(4, (SamplesPerTemperature + Replicas - 1) / Replicas), BlocksPerChain = 2,
    };

    /// <summary>Checks everything before any work starts.</summary>
    /// <exception cref="ArgumentException">An unknown model or a parameter out of range; the message names it.</exception>
    /// <exception cref="InsufficientMemoryException">The chains running at once would not fit in memory.</exception>
    public void Validate()
    {
        if (PhysicsModels.Parse(Model) != PhysicsModels.Ising2D)
            throw new ArgumentException($"Ising dataset: model '{Model}' is not the 2D Ising model; use {nameof(TfimDatasetGenerator)} for the quantum chain", nameof(Model));
        if (SamplesPerTemperature < 1) throw new ArgumentException($"Ising dataset: SamplesPerTemperature must be at least 1, not {SamplesPerTemperature}", nameof(SamplesPerTemperature));
        if (Replicas > SamplesPerTemperature)
            throw new ArgumentException($"Ising dataset: {Replicas} replicas for {SamplesPerTemperature} samples per temperature leaves chains without samples", nameof(Replicas));
        ToRunOptions().Validate();
        long total = 0;
        foreach (int l in Sizes) total = checked(total + (long)SamplesPerTemperature * Temperatures.Count * l * l);
        if (total > 1L << 40) throw new ArgumentException($"Ising dataset: {PhysicsChecks.Format(total)} of spins is more than the 1 TiB this generator allows", nameof(SamplesPerTemperature));
    }
}
