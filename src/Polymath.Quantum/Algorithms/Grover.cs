namespace Polymath.Quantum;

public static partial class Algorithms
{
    /// <summary>
    /// The Grover oracle on <paramref name="numQubits"/> qubits that flips the sign of each basis state in
    /// <paramref name="marked"/> (little-endian integers): for each marked state, X on its 0 bits, a multi-controlled Z
    /// (controls on all other qubits, a diagonal gate) and the X gates again.
    /// </summary>
    /// <exception cref="ArgumentException">A marked state is outside [0, 2ⁿ) or repeated.</exception>
    public static Circuit GroverOracle(int numQubits, IEnumerable<long> marked)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numQubits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(numQubits, 62);
        ArgumentNullException.ThrowIfNull(marked);
        var c = new Circuit(numQubits);
        var seen = new HashSet<long>();
        foreach (long m in marked)
        {
            if (m < 0 || m >> numQubits != 0) throw new ArgumentException($"marked state {m} is outside [0, 2^{numQubits})", nameof(marked));
            if (!seen.Add(m)) throw new ArgumentException($"marked state {m} is listed twice", nameof(marked));
            var zeros = Enumerable.Range(0, numQubits).Where(q => (m >> q & 1) == 0).ToArray();
            foreach (int q in zeros) c.X(q);
            AppendMultiControlledZ(c, numQubits);
            foreach (int q in zeros) c.X(q);
        }
        return c;
    }

    /// <summary>
    /// Grover's diffuser 2|s⟩⟨s| − I on <paramref name="numQubits"/> qubits, |s⟩ the uniform superposition: H, X on all,
    /// multi-controlled Z, X, H, with global phase π so that the circuit is exactly that reflection.
    /// </summary>
    public static Circuit GroverDiffuser(int numQubits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numQubits, 1);
        var c = new Circuit(numQubits) { GlobalPhase = Math.PI };
        for (int q = 0; q < numQubits; q++) c.H(q).X(q);
        AppendMultiControlledZ(c, numQubits);
        for (int q = 0; q < numQubits; q++) c.X(q).H(q);
        return c;
    }

    /// <summary>Z on qubit n−1 controlled by all others: −1 on |1…1⟩ only.</summary>
    private static void AppendMultiControlledZ(Circuit c, int n)
    {
        if (n == 1) c.Z(0);
        else c.Append(new ZGate().Control(n - 1), Enumerable.Range(0, n).ToArray());
    }

    /// <summary>The Grover angle θ with sin θ = √(M/N), N = 2ⁿ.</summary>
    public static double GroverAngle(int numQubits, long numMarked)
    {
        double n = Math.Pow(2, numQubits);
        if (numMarked < 1 || numMarked > n) throw new ArgumentOutOfRangeException(nameof(numMarked), $"number of marked states {numMarked} must lie in [1, 2^{numQubits}]");
        return Math.Asin(Math.Sqrt(numMarked / n));
    }

    /// <summary>The textbook optimal iteration count k = ⌊π/(4θ)⌋, sin θ = √(M/N).</summary>
    public static int GroverIterations(int numQubits, long numMarked) => (int)Math.Floor(Math.PI / (4 * GroverAngle(numQubits, numMarked)));

    /// <summary>The probability sin²((2k+1)θ) of measuring a marked state after <paramref name="iterations"/> Grover iterations.</summary>
    public static double GroverSuccessProbability(int numQubits, long numMarked, int iterations)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        double s = Math.Sin((2 * iterations + 1) * GroverAngle(numQubits, numMarked));
        return s * s;
    }

    /// <summary>
    /// Grover search for <paramref name="marked"/> on <paramref name="numQubits"/> qubits: H on all, then
    /// <paramref name="iterations"/> (default <see cref="GroverIterations"/>) rounds of oracle and diffuser. With
    /// <paramref name="measure"/>, every qubit q is measured into classical bit q.
    /// </summary>
    public static Circuit Grover(int numQubits, IReadOnlyCollection<long> marked, int? iterations = null, bool measure = false)
    {
        ArgumentNullException.ThrowIfNull(marked);
        int k = iterations ?? GroverIterations(numQubits, marked.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var oracle = GroverOracle(numQubits, marked);
        var diffuser = GroverDiffuser(numQubits);
        var c = new Circuit(numQubits, measure ? numQubits : 0);
        for (int q = 0; q < numQubits; q++) c.H(q);
        for (int i = 0; i < k; i++) c = c.Compose(oracle).Compose(diffuser);
        if (measure) for (int q = 0; q < numQubits; q++) c.Measure(q, q);
        return c;
    }
}
