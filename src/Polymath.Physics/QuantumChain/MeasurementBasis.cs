namespace Polymath.Physics;

/// <summary>The single-qubit basis every qubit of a snapshot is measured in.</summary>
public enum MeasurementBasis
{
    /// <summary>The computational basis: bit 1 means Zᵢ = −1.</summary>
    Z,

    /// <summary>The X basis: a Hadamard on every qubit, then Z; bit 1 means Xᵢ = −1.</summary>
    X,
}
