namespace Polymath.Physics;

/// <summary>What a <see cref="TfimDatasetGenerator"/> writes: exact ground states of one chain across a list of fields.</summary>
public sealed record TfimDatasetOptions
{
    /// <summary>The model name; only <see cref="PhysicsModels.TransverseFieldIsing"/> (or an alias) is accepted here.</summary>
    public string Model { get; init; } = PhysicsModels.TransverseFieldIsing;

    /// <summary>Sites n (2..<see cref="TransverseFieldIsing.MaxExactSites"/>).</summary>
    public int Sites { get; init; } = 10;

    /// <summary>Transverse fields h (finite, ≥ 0).</summary>
    public IReadOnlyList<double> Fields { get; init; } = [];

    /// <summary>The coupling J.</summary>
    public double Coupling { get; init; } = 1;

    /// <summary>Periodic (true) or open chain.</summary>
    public bool Periodic { get; init; }

    /// <summary>Snapshots per field and basis.</summary>
    public int ShotsPerBasis { get; init; } = 1000;

    /// <summary>Also store the 2ⁿ amplitudes per field (re, im) — 16·2ⁿ bytes each.</summary>
    public bool IncludeAmplitudes { get; init; } = true;

    /// <summary>The seed of the snapshot draws.</summary>
    public ulong Seed { get; init; }

    /// <summary>Checks everything before any work starts.</summary>
    /// <exception cref="ArgumentException">An unknown model or a parameter out of range.</exception>
    /// <exception cref="InsufficientMemoryException">The ground-state searches would not fit in memory.</exception>
    public void Validate()
    {
        if (PhysicsModels.Parse(Model) != PhysicsModels.TransverseFieldIsing)
            throw new ArgumentException($"TFIM dataset: model '{Model}' is not the transverse-field Ising chain; use {nameof(IsingDatasetGenerator)} for the 2D Ising model", nameof(Model));
        if (Sites < 2 || Sites > TransverseFieldIsing.MaxExactSites)
            throw new ArgumentException($"TFIM dataset: the chain needs 2 to {TransverseFieldIsing.MaxExactSites} sites, not {Sites}", nameof(Sites));
        if (Fields is null || Fields.Count == 0) throw new ArgumentException("TFIM dataset: the field list is empty", nameof(Fields));
        for (int i = 0; i < Fields.Count; i++)
            if (!(Fields[i] >= 0) || !double.IsFinite(Fields[i]))
                throw new ArgumentException($"TFIM dataset: field #{i} is {Fields[i]}; fields must be finite and non-negative", nameof(Fields));
        if (!double.IsFinite(Coupling)) throw new ArgumentException($"TFIM dataset: the coupling must be finite, not {Coupling}", nameof(Coupling));
        if (ShotsPerBasis < 1) throw new ArgumentException($"TFIM dataset: ShotsPerBasis must be at least 1, not {ShotsPerBasis}", nameof(ShotsPerBasis));
        PhysicsChecks.Memory(32L * 16 << Sites, $"TFIM dataset ({Sites} sites)");
    }
}
