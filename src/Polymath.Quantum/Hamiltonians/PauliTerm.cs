using System.Numerics;

namespace Polymath.Quantum;

/// <summary>One term of a <see cref="PauliSum"/>: a complex coefficient times a Pauli string.</summary>
/// <param name="Coefficient">The coefficient.</param>
/// <param name="Pauli">The Pauli string.</param>
public readonly record struct PauliTerm(Complex Coefficient, PauliString Pauli)
{
    /// <inheritdoc/>
    public override string ToString() => $"{PauliSum.FormatCoefficient(Coefficient)}*{Pauli}";
}
