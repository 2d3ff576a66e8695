namespace Polymath.Quantum;

public static partial class Algorithms
{
    /// <summary>The GHZ state (|0…0⟩ + |1…1⟩)/√2 on <paramref name="numQubits"/> qubits: H then a CX chain (depth n).</summary>
    public static Circuit Ghz(int numQubits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numQubits, 1);
        var c = new Circuit(numQubits).H(0);
        for (int q = 1; q < numQubits; q++) c.CX(q - 1, q);
        return c;
    }

    /// <summary>
    /// The W state (|0…01⟩ + |0…10⟩ + … + |10…0⟩)/√n on <paramref name="numQubits"/> qubits, with exact amplitudes 1/√n.
    /// The excitation starts on qubit 0 and is passed along: for k = 0..n−2 a controlled RY(2·arccos √(1/(n−k))) from
    /// qubit k onto k+1 leaves amplitude 1/√n behind, and CX(k+1 → k) moves the rest on.
    /// </summary>
    public static Circuit WState(int numQubits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numQubits, 1);
        var c = new Circuit(numQubits).X(0);
        for (int k = 0; k < numQubits - 1; k++)
        {
            c.CRY(2 * Math.Acos(Math.Sqrt(1.0 / (numQubits - k))), k, k + 1);
            c.CX(k + 1, k);
        }
        return c;
    }
}
