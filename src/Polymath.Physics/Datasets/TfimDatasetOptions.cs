namespace Polymath.Physics;

/// <summary>
/// What a <see cref="TfimDatasetGenerator"/> writes: snapshots of one chain's ground state across a list of fields, from
/// the exact (Lanczos) ground state or from cluster QMC at low temperature (<see cref="Method"/>).
/// </summary>
public sealed record TfimDatasetOptions
{
    /// <summary>The model name; only <see cref="PhysicsModels.TransverseFieldIsing"/> (or an alias) is accepted here.</summary>
    public string Model { get; init; } = PhysicsModels.TransverseFieldIsing;

    /// <summary>Sites n: 2..<see cref="TransverseFieldIsing.MaxExactSites"/> exactly, 2..<see cref="MaxQmcSites"/> by QMC.</summary>
    public int Sites { get; init; } = 10;

    /// <summary>Transverse fields h (finite, ≥ 0).</summary>
    public IReadOnlyList<double> Fields { get; init; } = [];

    /// <summary>The coupling J.</summary>
    public double Coupling { get; init; } = 1;

    /// <summary>Periodic (true) or open chain.</summary>
    public bool Periodic { get; init; }

    /// <summary>Snapshots per field and basis.</summary>
    public int ShotsPerBasis { get; init; } = 1000;

    /// <summary>Also store the 2ⁿ amplitudes per field (re, im) — 16·2ⁿ bytes each. Exact method only; QMC has no wavefunction.</summary>
    public bool IncludeAmplitudes { get; init; } = true;

    /// <summary>Exact ground states (Z and X snapshots, amplitudes) or cluster QMC (Z snapshots of long chains).</summary>
    public TfimSamplingMethod Method { get; init; } = TfimSamplingMethod.Exact;

    /// <summary>
    /// QMC only: β = BetaPerSite·n/|J|. At h = J the lowest excitation sits about π|J|/(2n) up (the odd-parity level), so
    /// the default 2 leaves it e^(−π) ≈ 4% of the weight; a fixed ratio keeps the finite-size scaling form of β ∝ n.
    /// </summary>
    public double BetaPerSite { get; init; } = 2;

    /// <summary>QMC only: cluster sweeps discarded before the first snapshot.</summary>
    public int ThermalizationSweeps { get; init; } = 100;

    /// <summary>QMC only: sweeps between snapshots (|m|'s integrated autocorrelation time is ≈ 0.6 sweeps at h = J, n = 64–128).</summary>
    public int SweepsPerShot { get; init; } = 1;

    /// <summary>The longest chain QMC is allowed here.</summary>
    public const int MaxQmcSites = 4096;

    /// <summary>The seed of the snapshot draws.</summary>
    public ulong Seed { get; init; }

    /// <summary>Checks everything before any work starts.</summary>
    /// <exception cref="ArgumentException">An unknown model or a parameter out of range.</exception>
    /// <exception cref="InsufficientMemoryException">The ground-state searches would not fit in memory.</exception>
    public void Validate()
    {
        if (PhysicsModels.Parse(Model) != PhysicsModels.TransverseFieldIsing)
            throw new ArgumentException($"TFIM dataset: model '{Model}' is not the transverse-field Ising chain; use {nameof(IsingDatasetGenerator)} for the 2D Ising model", nameof(Model));
        int maxSites = Method == TfimSamplingMethod.ClusterQmc ? MaxQmcSites : TransverseFieldIsing.MaxExactSites;
        if (Sites < 2 || Sites > maxSites)
            throw new ArgumentException($"TFIM dataset: the chain needs 2 to {maxSites} sites for the {TfimSamplingMethods.Name(Method)} method, not {Sites}", nameof(Sites));
        if (Fields is null || Fields.Count == 0) throw new ArgumentException("TFIM dataset: the field list is empty", nameof(Fields));
        for (int i = 0; i < Fields.Count; i++)
            if (!(Fields[i] >= 0) || !double.IsFinite(Fields[i]))
                throw new ArgumentException($"TFIM dataset: field #{i} is {Fields[i]}; fields must be finite and non-negative", nameof(Fields));
        if (!double.IsFinite(Coupling)) throw new ArgumentException($"TFIM dataset: the coupling must be finite, not {Coupling}", nameof(Coupling));
        if (ShotsPerBasis < 1) throw new ArgumentException($"TFIM dataset: ShotsPerBasis must be at least 1, not {ShotsPerBasis}", nameof(ShotsPerBasis));
        if (Method == TfimSamplingMethod.ClusterQmc)
        {
            if (Coupling == 0) throw new ArgumentException("TFIM dataset: QMC needs a non-zero coupling J (β is measured in units of 1/|J|)", nameof(Coupling));
            if (!(BetaPerSite > 0) || !double.IsFinite(BetaPerSite)) throw new ArgumentException($"TFIM dataset: BetaPerSite must be finite and positive, not {BetaPerSite}", nameof(BetaPerSite));
            if (ThermalizationSweeps < 0) throw new ArgumentException($"TFIM dataset: ThermalizationSweeps must be non-negative, not {ThermalizationSweeps}", nameof(ThermalizationSweeps));
            if (SweepsPerShot < 1) throw new ArgumentException($"TFIM dataset: SweepsPerShot must be at least 1, not {SweepsPerShot}", nameof(SweepsPerShot));
            // The snapshots of one field are held until written; the zz table is n² doubles per field.
            PhysicsChecks.Memory((long)Sites * ShotsPerBasis + 8L * Sites * Sites * Fields.Count, $"TFIM QMC dataset ({Sites} sites)");
        }
        else PhysicsChecks.Memory(32L * 16 << Sites, $"TFIM dataset ({Sites} sites)");
    }
}
