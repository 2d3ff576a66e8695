namespace Polymath.Quantum;

public static partial class Algorithms
{
    /// <summary>
    /// Quantum phase estimation of <paramref name="unitary"/> with <paramref name="countingQubits"/> = t counting qubits.
    /// Qubits 0..t−1 count, qubits t.. hold the target, which <paramref name="eigenstatePreparation"/> (on the target
    /// qubits only; null: |0…0⟩) prepares first. Counting qubit j controls U^(2^j) (the power is formed as a matrix by
    /// repeated squaring, so it costs one gate), then the inverse QFT; classical bit j receives counting qubit j. For an
    /// eigenvector with U|ψ⟩ = e^{2πiφ}|ψ⟩ the count y (little-endian) estimates φ ≈ y/2ᵗ: exactly when 2ᵗφ is an integer,
    /// otherwise with <see cref="PhaseEstimationProbability"/>.
    /// </summary>
    public static Circuit PhaseEstimation(Gate unitary, int countingQubits, Circuit? eigenstatePreparation = null)
    {
        ArgumentNullException.ThrowIfNull(unitary);
        ArgumentOutOfRangeException.ThrowIfLessThan(countingQubits, 1);
        int t = countingQubits, m = unitary.NumQubits;
        if (eigenstatePreparation is not null && eigenstatePreparation.NumQubits != m)
            throw new ArgumentException($"eigenstate preparation acts on {eigenstatePreparation.NumQubits} qubits but the unitary on {m}", nameof(eigenstatePreparation));
        var c = new Circuit(0);
        var count = c.AddQuantumRegister("count", t);
        var target = c.AddQuantumRegister("target", m);
        var meas = c.AddClassicalRegister("c", t);
        if (eigenstatePreparation is not null) c = c.Compose(eigenstatePreparation, target.Indices);
        for (int j = 0; j < t; j++) c.H(count[j]);
        var power = unitary.Matrix;
        for (int j = 0; j < t; j++)
        {
            var pj = new UnitaryGate(power, j == 0 ? unitary.Name : $"{unitary.Name}^{1L << j}");
            c.Append(pj.Control(1), [count[j], .. target.Indices]);
            if (j + 1 < t) power = MatrixUtil.Multiply(power, power);
        }
        AppendInverseQft(c, count.Indices, swaps: true);
        for (int j = 0; j < t; j++) c.Measure(count[j], meas[j]);
        return c;
    }

    /// <summary>Phase estimation of the unitary of a (small, unitary) circuit: see <see cref="PhaseEstimation(Gate, int, Circuit?)"/>.</summary>
    public static Circuit PhaseEstimation(Circuit unitary, int countingQubits, Circuit? eigenstatePreparation = null)
    {
        ArgumentNullException.ThrowIfNull(unitary);
        return PhaseEstimation(new UnitaryGate(unitary.ToMatrix(), "U"), countingQubits, eigenstatePreparation);
    }

    /// <summary>
    /// The textbook probability that phase estimation with t counting qubits reads y for an eigenphase φ:
    /// |2^{−t} Σₖ e^{2πik(φ − y/2ᵗ)}|² = sin²(π2ᵗδ) / (2^{2t} sin²(πδ)), δ = φ − y/2ᵗ (1 when δ is an integer).
    /// </summary>
    public static double PhaseEstimationProbability(double phase, int countingQubits, long y)
    {
        double n = Math.Pow(2, countingQubits);
        double delta = phase - y / n;
        double s = Math.Sin(Math.PI * delta);
        if (Math.Abs(s) < 1e-15) return 1;
        double num = Math.Sin(Math.PI * n * delta);
        return num * num / (n * n * s * s);
    }

    /// <summary>Phase estimation of P(2πφ) (eigenvector |1⟩, prepared with X): the circuit to estimate a known phase φ.</summary>
    public static Circuit PhaseEstimationOfPhaseGate(double phase, int countingQubits) =>
        PhaseEstimation(new PhaseGate(2 * Math.PI * phase), countingQubits, new Circuit(1).X(0));
}
