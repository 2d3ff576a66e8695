namespace Polymath.Quantum;

/// <summary>
/// A Pauli string such as "XZIY" (qubit 0 the rightmost letter, Qiskit's order) as bit masks: P|i⟩ = i^{#Y} (−1)^{|i ∧ z|} |i ⊕ x⟩.
/// Shared by the state-vector and density-matrix expectations.
/// </summary>
internal static class PauliMasks
{
    /// <summary>The X mask (X or Y on a qubit), the Z mask (Z or Y) and the number of Y letters.</summary>
    /// <exception cref="ArgumentException">A letter other than I, X, Y, Z (the message gives it and its position).</exception>
    public static (long X, long Z, int NumY) Parse(string pauli)
    {
        long x = 0, z = 0;
        int ny = 0;
        for (int c = 0; c < pauli.Length; c++)
        {
            int q = pauli.Length - 1 - c;
            switch (char.ToUpperInvariant(pauli[c]))
            {
                case 'I': break;
                case 'X': x |= 1L << q; break;
                case 'Z': z |= 1L << q; break;
                case 'Y': x |= 1L << q; z |= 1L << q; ny++; break;
                default: throw new ArgumentException($"Pauli string '{pauli}': letter '{pauli[c]}' at position {c} is not I, X, Y or Z");
            }
        }
        return (x, z, ny);
    }
}
