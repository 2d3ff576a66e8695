namespace Polymath.Quantum;

/// <summary>The two-qubit gate of an ansatz's entangling layers.</summary>
public enum EntanglingGate
{
    /// <summary>Controlled-Z (symmetric in its qubits).</summary>
    CZ,

    /// <summary>CNOT, control on the lower qubit of each pair.</summary>
    CX,
}
