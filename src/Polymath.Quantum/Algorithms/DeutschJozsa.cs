namespace Polymath.Quantum;

public static partial class Algorithms
{
    /// <summary>
    /// The Deutsch–Jozsa oracle |x⟩|y⟩ ↦ |x⟩|y ⊕ f(x)⟩ on n + 1 qubits (input 0..n−1, output qubit n) for the constant
    /// function f = <paramref name="value"/>.
    /// </summary>
    public static Circuit DeutschJozsaConstantOracle(int numInputs, bool value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numInputs, 1);
        var c = new Circuit(numInputs + 1);
        if (value) c.X(numInputs);
        return c;
    }

    /// <summary>
    /// The Deutsch–Jozsa oracle for the balanced function f(x) = popcount(x ∧ <paramref name="mask"/>) mod 2 (balanced for
    /// any non-zero mask: flipping one masked bit pairs inputs with opposite values). One CX per set bit of the mask.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The mask is 0 (that function is constant) or has bits beyond the inputs.</exception>
    public static Circuit DeutschJozsaBalancedOracle(int numInputs, long mask)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numInputs, 1);
        if (mask <= 0 || numInputs < 63 && mask >> numInputs != 0)
            throw new ArgumentOutOfRangeException(nameof(mask), $"balanced-oracle mask {mask} must be non-zero and fit in {numInputs} bits");
        var c = new Circuit(numInputs + 1);
        for (int q = 0; q < numInputs; q++) if ((mask >> q & 1) != 0) c.CX(q, numInputs);
        return c;
    }

    /// <summary>
    /// Deutsch–Jozsa around <paramref name="oracle"/> (n + 1 qubits, output qubit n): the input register is measured into
    /// classical bits 0..n−1 and reads all zeros with probability 1 for a constant function and 0 for a balanced one.
    /// </summary>
    public static Circuit DeutschJozsa(Circuit oracle)
    {
        ArgumentNullException.ThrowIfNull(oracle);
        int n = oracle.NumQubits - 1;
        if (n < 1) throw new ArgumentException($"a Deutsch–Jozsa oracle needs at least 2 qubits; this one has {oracle.NumQubits}", nameof(oracle));
        var c = new Circuit(n + 1, n).X(n).H(n);
        for (int q = 0; q < n; q++) c.H(q);
        c = c.Compose(oracle);
        for (int q = 0; q < n; q++) c.H(q).Measure(q, q);
        return c;
    }
}
