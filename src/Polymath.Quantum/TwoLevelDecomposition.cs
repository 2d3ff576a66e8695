using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// Exact decomposition of a k-qubit unitary into multi-controlled single-qubit gates (Nielsen &amp; Chuang §4.5.1):
/// Givens rotations on pairs of basis states reduce U to a diagonal phase, so U is a product of at most
/// 2ᵏ(2ᵏ−1)/2 two-level unitaries; each two-level unitary on |s⟩, |t⟩ walks a Gray code from s towards t with
/// multi-controlled X gates, applies the 2×2 on the one differing qubit controlled on all others, and walks back.
/// Controls on 0 are X-conjugated. The circuit equals U exactly (no global phase is dropped).
/// </summary>
internal static class TwoLevelDecomposition
{
    public static Circuit Decompose(Complex[,] u)
    {
        int d = u.GetLength(0), k = System.Numerics.BitOperations.Log2((uint)d);
        var w = (Complex[,])u.Clone();
        var rotations = new List<(int S, int T, Complex[,] G)>();   // G acts on (|s⟩, |t⟩), applied to w from the left
        for (int c = 0; c < d - 1; c++)
            for (int r = c + 1; r < d; r++)
            {
                Complex a = w[c, c], b = w[r, c];
                if (b.Magnitude < 1e-15) continue;
                double n = Math.Sqrt(a.Magnitude * a.Magnitude + b.Magnitude * b.Magnitude);
                var g = new Complex[,] { { Complex.Conjugate(a) / n, Complex.Conjugate(b) / n }, { -b / n, a / n } };
                for (int j = 0; j < d; j++)
                {
                    Complex x = w[c, j], y = w[r, j];
                    w[c, j] = g[0, 0] * x + g[0, 1] * y;
                    w[r, j] = g[1, 0] * x + g[1, 1] * y;
                }
                rotations.Add((c, r, g));
            }
        // w = G_m…G_1·U is now diagonal: U = G_1†…G_m†·diag(w).
        var circuit = new Circuit(k);
        for (int s = 0; s + 1 < d; s += 2)
        {
            // The diagonal as two-level phases on (s, s+1) pairs: qubit 0 differs, the other bits fixed.
            Complex p0 = w[s, s] / w[s, s].Magnitude, p1 = w[s + 1, s + 1] / w[s + 1, s + 1].Magnitude;
            if ((p0 - 1).Magnitude > 1e-15 || (p1 - 1).Magnitude > 1e-15)
                TwoLevel(circuit, k, s, s + 1, new Complex[,] { { p0, 0 }, { 0, p1 } });
        }
        for (int i = rotations.Count - 1; i >= 0; i--)
        {
            var (s, t, g) = rotations[i];
            TwoLevel(circuit, k, s, t, MatrixUtil.Dagger(g));
        }
        return circuit;
    }

    /// <summary>Appends the two-level unitary that applies <paramref name="m"/> to the pair (|s⟩, |t⟩) and the identity elsewhere.</summary>
    private static void TwoLevel(Circuit circuit, int k, int s, int t, Complex[,] m)
    {
        // Gray code path s = g0, g1, …, gL = t, one differing bit at a time (lowest differing bit first).
        var path = new List<int> { s };
        int cur = s;
        for (int bit = 0; bit < k; bit++)
            if (((cur ^ t) >> bit & 1) != 0) { cur ^= 1 << bit; path.Add(cur); }
        // Move |s⟩ along the path to g_{L−1} with controlled flips; then |g_{L−1}⟩, |t⟩ differ in one qubit.
        var moves = new List<(int Qubit, int Pattern)>();
        for (int i = 0; i + 2 < path.Count; i++)
            moves.Add((BitIndex(path[i] ^ path[i + 1]), path[i]));
        foreach (var (q, pattern) in moves) ControlledOnPattern(circuit, k, new XGate(), q, pattern);
        int last = path[^2];
        int target = BitIndex(last ^ t);
        // The 2×2 acts on (|last⟩, |t⟩); if |last⟩ has the target bit set, it is the |1⟩ side: swap the basis order.
        var g = (last >> target & 1) == 0 ? m : new Complex[,] { { m[1, 1], m[1, 0] }, { m[0, 1], m[0, 0] } };
        ControlledOnPattern(circuit, k, new UnitaryGate(g), target, t);
        for (int i = moves.Count - 1; i >= 0; i--) ControlledOnPattern(circuit, k, new XGate(), moves[i].Qubit, moves[i].Pattern);
    }

    /// <summary>
    /// <paramref name="gate"/> on qubit <paramref name="target"/> where every other qubit equals its bit in
    /// <paramref name="pattern"/> (0-controls conjugated by X).
    /// </summary>
    private static void ControlledOnPattern(Circuit circuit, int k, Gate gate, int target, int pattern)
    {
        int[] controls = Enumerable.Range(0, k).Where(q => q != target).ToArray();
        int[] zeros = controls.Where(q => (pattern >> q & 1) == 0).ToArray();
        foreach (int q in zeros) circuit.X(q);
        if (controls.Length == 0) circuit.Append(gate, target);
        else circuit.Append(gate.Control(controls.Length), [.. controls, target]);
        foreach (int q in zeros) circuit.X(q);
    }

    private static int BitIndex(int oneBit) => System.Numerics.BitOperations.Log2((uint)oneBit);
}
