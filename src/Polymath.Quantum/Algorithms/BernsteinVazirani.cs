namespace Polymath.Quantum;

public static partial class Algorithms
{
    /// <summary>
    /// Bernstein–Vazirani for the hidden string <paramref name="secret"/> (a bit string, qubit 0 rightmost): the oracle
    /// f(x) = s·x mod 2 is a CX from each input qubit whose secret bit is 1 onto the ancilla |−⟩. Qubits 0..n−1 are the
    /// input, qubit n the ancilla; classical bits 0..n−1 receive the input measurement, which equals the secret with
    /// certainty after one run.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="secret"/> is empty or holds a character other than '0' and '1'.</exception>
    public static Circuit BernsteinVazirani(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length == 0 || secret.Any(ch => ch is not ('0' or '1')))
            throw new ArgumentException($"Bernstein–Vazirani secret '{secret}' must be a non-empty string of '0' and '1'", nameof(secret));
        int n = secret.Length;
        var c = new Circuit(n + 1, n);
        c.X(n).H(n);
        for (int q = 0; q < n; q++) c.H(q);
        c.Barrier();
        for (int q = 0; q < n; q++) if (secret[n - 1 - q] == '1') c.CX(q, n);
        c.Barrier();
        for (int q = 0; q < n; q++) c.H(q).Measure(q, q);
        return c;
    }
}
