namespace Polymath.Quantum;

/// <summary>
/// Circuits for e^{−iθP} for one Pauli string P (θ may be symbolic). One-qubit strings become RX/RY/RZ(2θ) and the
/// two-qubit XX, YY, ZZ become RXX/RYY/RZZ(2θ); any other string is rotated to Z's (H for X; S† then H for Y, since
/// H·S†·Y·S·H = Z), its parity collected onto the highest qubit of its support by a CX ladder, rotated by RZ(2θ), and
/// everything undone. The identity string is the global phase −θ. All forms are exact, global phase included.
/// </summary>
public static class PauliEvolution
{
    /// <summary>A new circuit on <see cref="PauliString.NumQubits"/> qubits holding e^{−iθP}.</summary>
    public static Circuit Circuit(PauliString pauli, ParameterExpression theta, bool useTwoQubitRotations = true) =>
        Append(new Circuit(pauli.NumQubits), pauli, theta, useTwoQubitRotations);

    /// <summary>
    /// Appends e^{−iθP} to <paramref name="circuit"/> (P's qubit q on circuit qubit q) and returns the circuit.
    /// With <paramref name="useTwoQubitRotations"/> false, two-qubit strings also use the CX ladder.
    /// </summary>
    /// <exception cref="ArgumentException">The string is wider than the circuit.</exception>
    public static Circuit Append(Circuit circuit, PauliString pauli, ParameterExpression theta, bool useTwoQubitRotations = true)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(theta);
        if (pauli.NumQubits > circuit.NumQubits)
            throw new ArgumentException($"a {pauli.NumQubits}-qubit Pauli string does not fit a {circuit.NumQubits}-qubit circuit");
        var support = pauli.Support;
        var angle = 2 * theta;
        if (support.Count == 0)
        {
            circuit.GlobalPhase -= theta;
            return circuit;
        }
        if (support.Count == 1)
        {
            int q = support[0];
            return pauli[q] switch { 'X' => circuit.RX(angle, q), 'Y' => circuit.RY(angle, q), _ => circuit.RZ(angle, q) };
        }
        if (support.Count == 2 && useTwoQubitRotations && pauli[support[0]] == pauli[support[1]])
        {
            int a = support[0], b = support[1];
            return pauli[a] switch { 'X' => circuit.RXX(angle, a, b), 'Y' => circuit.RYY(angle, a, b), _ => circuit.RZZ(angle, a, b) };
        }
        foreach (int q in support) ToZBasis(circuit, pauli[q], q);
        for (int k = 0; k + 1 < support.Count; k++) circuit.CX(support[k], support[k + 1]);
        circuit.RZ(angle, support[^1]);
        for (int k = support.Count - 2; k >= 0; k--) circuit.CX(support[k], support[k + 1]);
        foreach (int q in support) FromZBasis(circuit, pauli[q], q);
        return circuit;
    }

    private static void ToZBasis(Circuit c, char letter, int q)
    {
        if (letter == 'X') c.H(q);
        else if (letter == 'Y') c.Sdg(q).H(q);
    }

    private static void FromZBasis(Circuit c, char letter, int q)
    {
        if (letter == 'X') c.H(q);
        else if (letter == 'Y') c.H(q).S(q);
    }
}
