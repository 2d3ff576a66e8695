namespace Polymath.Physics;

/// <summary>
/// What an <see cref="IsingSimulation"/> runs: one chain per (L, T, replica), each with burn-in, a pilot phase that
/// measures autocorrelation times, and a production phase of evenly spaced measurements.
/// </summary>
public sealed record IsingRunOptions
{
    /// <summary>Lattice sides L (each 2..<see cref="IsingLattice.MaxSize"/>).</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [16];

    /// <summary>Temperatures T &gt; 0 (units of J/k_B).</summary>
    public IReadOnlyList<double> Temperatures { get; init; } = [];

    /// <summary>Independent chains per (L, T); their blocks are pooled for the error bars.</summary>
    public int Replicas { get; init; } = 2;

    /// <summary>The update algorithm.</summary>
    public IsingAlgorithm Algorithm { get; init; } = IsingAlgorithm.Metropolis;

    /// <summary>Sweeps discarded before the pilot phase.</summary>
    public int BurnInSweeps { get; init; } = 1000;

    /// <summary>
    /// Sweeps of the pilot phase, measured every sweep to estimate τ_int of E and |m| (they are discarded too, so the
    /// total thermalisation is BurnInSweeps + PilotSweeps). 0 skips the pilot; then <see cref="MeasurementSpacing"/> is required.
    /// </summary>
    public int PilotSweeps { get; init; } = 1000;

    /// <summary>Measurements kept per chain.</summary>
    public int Measurements { get; init; } = 2048;

    /// <summary>Sweeps between measurements; null picks max(1, ⌈τ_int⌉) from the pilot (the larger τ of E and |m|).</summary>
    public int? MeasurementSpacing { get; init; }

    /// <summary>Jackknife blocks per chain (pooled over replicas).</summary>
    public int BlocksPerChain { get; init; } = 16;

    /// <summary>Start from random spins (true) or all +1 (false, default: the ordered start equilibrates faster below T_c).</summary>
    public bool HotStart { get; init; }

    /// <summary>The run seed; with the same options the results are the same for any thread count.</summary>
    public ulong Seed { get; init; }

    /// <summary>Chains run at once; null uses <see cref="Threads.Count"/>.</summary>
    public int? MaxParallelism { get; init; }

    /// <summary>The number of chains: sizes × temperatures × replicas.</summary>
    public int ChainCount => Sizes.Count * Temperatures.Count * Replicas;

    /// <summary>Checks everything before any work starts.</summary>
    /// <exception cref="ArgumentException">A parameter is out of range; the message names it and its value.</exception>
    /// <exception cref="InsufficientMemoryException">The chains running at once would not fit in the memory available to the process.</exception>
    public void Validate()
    {
        if (Sizes is null || Sizes.Count == 0) throw new ArgumentException("Ising run: no lattice sizes given", nameof(Sizes));
        foreach (int l in Sizes)
            if (l < 2 || l > IsingLattice.MaxSize)
                throw new ArgumentException($"Ising run: lattice side L = {l} is outside [2, {IsingLattice.MaxSize}]", nameof(Sizes));
        if (Sizes.Distinct().Count() != Sizes.Count) throw new ArgumentException($"Ising run: a lattice size is listed twice ({string.Join(", ", Sizes)})", nameof(Sizes));
        PhysicsChecks.Temperatures(Temperatures, "Ising run");
        if (Replicas < 1) throw new ArgumentException($"Ising run: Replicas must be at least 1, not {Replicas}", nameof(Replicas));
        if (!Enum.IsDefined(Algorithm)) throw new ArgumentException($"Ising run: unknown algorithm {(int)Algorithm}", nameof(Algorithm));
        if (BurnInSweeps < 0) throw new ArgumentException($"Ising run: BurnInSweeps must not be negative, not {BurnInSweeps}", nameof(BurnInSweeps));
        if (PilotSweeps < 0 || PilotSweeps is > 0 and < 16)
            throw new ArgumentException($"Ising run: PilotSweeps must be 0 or at least 16, not {PilotSweeps}", nameof(PilotSweeps));
        if (PilotSweeps == 0 && MeasurementSpacing is null)
            throw new ArgumentException("Ising run: without a pilot phase (PilotSweeps = 0) MeasurementSpacing must be given", nameof(MeasurementSpacing));
        if (MeasurementSpacing is < 1) throw new ArgumentException($"Ising run: MeasurementSpacing must be at least 1, not {MeasurementSpacing}", nameof(MeasurementSpacing));
        if (BlocksPerChain < 2) throw new ArgumentException($"Ising run: BlocksPerChain must be at least 2, not {BlocksPerChain}", nameof(BlocksPerChain));
        if (Measurements < BlocksPerChain * 2)
            throw new ArgumentException($"Ising run: {Measurements} measurements per chain are too few for {BlocksPerChain} blocks (need at least {BlocksPerChain * 2})", nameof(Measurements));
        if (MaxParallelism is < 1) throw new ArgumentException($"Ising run: MaxParallelism must be at least 1, not {MaxParallelism}", nameof(MaxParallelism));
        int parallel = Math.Min(ChainCount, MaxParallelism ?? Threads.Count);
        long largest = Sizes.Max(l => (long)l * l);
        // Per running chain: spins (1 B/site), Metropolis uniforms (4 B/site), Wolff stack (4 B/site), plus the series.
        long perChain = largest * 9 + (long)(Measurements + PilotSweeps) * 5 * sizeof(double);
        PhysicsChecks.Memory(perChain * parallel, $"Ising run ({parallel} chains of up to {Sizes.Max()}×{Sizes.Max()} spins at once)");
    }
}
