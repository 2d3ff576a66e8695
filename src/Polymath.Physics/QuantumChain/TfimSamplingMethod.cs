namespace Polymath.Physics;

/// <summary>How a <see cref="TfimDatasetGenerator"/> obtains the chain's measurement snapshots.</summary>
public enum TfimSamplingMethod
{
    /// <summary>The exact ground state by sparse Lanczos (up to <see cref="TransverseFieldIsing.MaxExactSites"/> sites): Z and X snapshots, amplitudes.</summary>
    Exact,

    /// <summary>
    /// Continuous-time cluster QMC (<see cref="TfimClusterQmc"/>) at β = <see cref="TfimDatasetOptions.BetaPerSite"/>·n/J:
    /// Z snapshots of chains far beyond exact diagonalisation; no X snapshots and no amplitudes.
    /// </summary>
    ClusterQmc,
}

/// <summary>Names of <see cref="TfimSamplingMethod"/> as written in options and files.</summary>
public static class TfimSamplingMethods
{
    /// <summary>The name of a method: "exact" or "qmc".</summary>
    public static string Name(TfimSamplingMethod method) => method == TfimSamplingMethod.ClusterQmc ? "qmc" : "exact";

    /// <summary>Parses "exact" (also "lanczos", "ed") or "qmc" (also "cluster-qmc"), case-insensitively.</summary>
    /// <exception cref="ArgumentException">Any other name, listing the valid ones.</exception>
    public static TfimSamplingMethod Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "exact" or "lanczos" or "ed" => TfimSamplingMethod.Exact,
        "qmc" or "cluster-qmc" => TfimSamplingMethod.ClusterQmc,
        _ => throw new ArgumentException($"unknown TFIM sampling method '{name}'; use exact or qmc", nameof(name)),
    };
}
