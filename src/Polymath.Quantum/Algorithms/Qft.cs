namespace Polymath.Quantum;

/// <summary>Circuit builders for standard algorithms.</summary>
public static partial class Algorithms
{
    /// <summary>
    /// The quantum Fourier transform on <paramref name="numQubits"/> qubits, with the final swaps (Qiskit's QFT):
    /// |j⟩ ↦ 2^{−n/2} Σₖ e^{2πi jk/2ⁿ} |k⟩ with j, k little-endian integers, i.e. the unitary DFT matrix.
    /// </summary>
    public static Circuit Qft(int numQubits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numQubits, 1);
        var c = new Circuit(numQubits);
        for (int j = numQubits - 1; j >= 0; j--)
        {
            c.H(j);
            for (int k = j - 1; k >= 0; k--) c.CP(Math.PI * Math.Pow(2, k - j), j, k);
        }
        for (int i = 0; i < numQubits / 2; i++) c.Swap(i, numQubits - 1 - i);
        return c;
    }
}
