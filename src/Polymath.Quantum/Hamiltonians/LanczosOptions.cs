namespace Polymath.Quantum;

/// <summary>Settings for <see cref="Lanczos"/>.</summary>
public sealed record LanczosOptions
{
    /// <summary>Stop when the Ritz residual ‖Hψ − Eψ‖ ≤ Tolerance·max(1, |E|). The energy error is then about residual²/gap. Default 1e-9.</summary>
    public double Tolerance { get; init; } = 1e-9;

    /// <summary>Most applications of H in total (over all restarts). Default 2000.</summary>
    public int MaxMatVecs { get; init; } = 2000;

    /// <summary>
    /// Most Krylov vectors held at once; when full, Lanczos restarts from the current Ritz vector. Null: as many as fit
    /// in 512 MiB, between 12 and 120 (all 2ⁿ when smaller). Memory is 16·2ⁿ bytes per vector.
    /// </summary>
    public int? MaxBasisSize { get; init; }

    /// <summary>Seed of the random start vector (the start vector has a component along every eigenvector with probability one).</summary>
    public int Seed { get; init; } = 12345;

    /// <summary>A start vector instead of a random one (must not be orthogonal to the wanted eigenvector).</summary>
    public StateVector? InitialState { get; init; }
}
