namespace Polymath.Quantum;

/// <summary>How <see cref="Simulator.RunNoisy"/> simulates a noisy circuit.</summary>
public enum NoiseMethod
{
    /// <summary>Density matrix for at most <see cref="Simulator.AutoDensityMatrixMaxQubits"/> qubits, trajectories above.</summary>
    Auto,

    /// <summary>Exact: evolve ρ (16·4ⁿ bytes), then sample the exact outcome distribution.</summary>
    DensityMatrix,

    /// <summary>Monte-Carlo: one state-vector trajectory per shot, Kraus operators drawn at random (16·2ⁿ bytes per thread).</summary>
    Trajectories,
}
