namespace Polymath.Quantum;

/// <summary>Circuit builders for standard algorithms, one file per algorithm under Algorithms/.</summary>
public static partial class Algorithms
{
    /// <summary>
    /// The quantum Fourier transform on <paramref name="numQubits"/> qubits (Qiskit's QFT):
    /// |j⟩ ↦ 2^{−n/2} Σₖ e^{2πi jk/2ⁿ} |k⟩ with j, k little-endian integers, i.e. the unitary DFT matrix.
    /// Without the final swaps (<paramref name="swaps"/> false) the output qubits come in reverse order: qubit n−1−m
    /// then holds what qubit m holds in the DFT, the phase e^{2πi j 2^m/2ⁿ} on its |1⟩.
    /// </summary>
    public static Circuit Qft(int numQubits, bool swaps = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numQubits, 1);
        var c = new Circuit(numQubits);
        AppendQft(c, Enumerable.Range(0, numQubits).ToArray(), swaps);
        return c;
    }

    /// <summary>The inverse QFT: the exact inverse of <see cref="Qft"/> with the same <paramref name="swaps"/> choice.</summary>
    public static Circuit InverseQft(int numQubits, bool swaps = true) => Qft(numQubits, swaps).Inverse();

    /// <summary>Appends the QFT on <paramref name="qubits"/> (qubits[0] least significant) to <paramref name="c"/>.</summary>
    internal static void AppendQft(Circuit c, int[] qubits, bool swaps)
    {
        int n = qubits.Length;
        for (int j = n - 1; j >= 0; j--)
        {
            c.H(qubits[j]);
            for (int k = j - 1; k >= 0; k--) c.CP(Math.PI * Math.Pow(2, k - j), qubits[j], qubits[k]);
        }
        if (swaps) for (int i = 0; i < n / 2; i++) c.Swap(qubits[i], qubits[n - 1 - i]);
    }

    /// <summary>Appends the inverse QFT on <paramref name="qubits"/>: the gates of <see cref="AppendQft"/> reversed and inverted.</summary>
    internal static void AppendInverseQft(Circuit c, int[] qubits, bool swaps)
    {
        int n = qubits.Length;
        if (swaps) for (int i = n / 2 - 1; i >= 0; i--) c.Swap(qubits[i], qubits[n - 1 - i]);
        for (int j = 0; j < n; j++)
        {
            for (int k = 0; k < j; k++) c.CP(-Math.PI * Math.Pow(2, k - j), qubits[j], qubits[k]);
            c.H(qubits[j]);
        }
    }
}
