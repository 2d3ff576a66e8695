using System.Numerics;

namespace Polymath.Quantum.Tests;

/// <summary>Independent dense reference: Kronecker products (little-endian: qubit 0 is the rightmost factor) and plain loops.</summary>
internal static class Dense
{
    public static Complex[,] Kron(Complex[,] a, Complex[,] b)
    {
        int ar = a.GetLength(0), ac = a.GetLength(1), br = b.GetLength(0), bc = b.GetLength(1);
        var r = new Complex[ar * br, ac * bc];
        for (int i = 0; i < ar; i++) for (int j = 0; j < ac; j++)
            for (int k = 0; k < br; k++) for (int l = 0; l < bc; l++) r[i * br + k, j * bc + l] = a[i, j] * b[k, l];
        return r;
    }

    public static Complex[,] Eye(int d)
    {
        var m = new Complex[d, d];
        for (int i = 0; i < d; i++) m[i, i] = 1;
        return m;
    }

    /// <summary>I_{2^(n−lo−k)} ⊗ G ⊗ I_{2^lo}: gate G on contiguous qubits lo..lo+k−1 in ascending order.</summary>
    public static Complex[,] OnContiguous(Complex[,] g, int lo, int n)
    {
        int k = (int)Math.Log2(g.GetLength(0));
        return Kron(Kron(Eye(1 << (n - lo - k)), g), Eye(1 << lo));
    }

    /// <summary>Gate G with its qubit j on qubits[j]: M[i, j] = G[sub(i), sub(j)] when the other bits agree.</summary>
    public static Complex[,] Embed(Complex[,] g, int[] qubits, int n)
    {
        int d = 1 << n;
        long mask = qubits.Aggregate(0L, (m, q) => m | 1L << q);
        int Sub(int i) { int s = 0; for (int j = 0; j < qubits.Length; j++) s |= (i >> qubits[j] & 1) << j; return s; }
        var m = new Complex[d, d];
        for (int r = 0; r < d; r++) for (int c = 0; c < d; c++)
            if ((r & ~mask) == (c & ~mask)) m[r, c] = g[Sub(r), Sub(c)];
        return m;
    }

    public static Complex[,] Mul(Complex[,] a, Complex[,] b)
    {
        int n = a.GetLength(0), k = a.GetLength(1), m = b.GetLength(1);
        var r = new Complex[n, m];
        for (int i = 0; i < n; i++) for (int p = 0; p < k; p++) for (int j = 0; j < m; j++) r[i, j] += a[i, p] * b[p, j];
        return r;
    }

    public static Complex[] MulVec(Complex[,] a, Complex[] v)
    {
        var r = new Complex[v.Length];
        for (int i = 0; i < v.Length; i++) for (int j = 0; j < v.Length; j++) r[i] += a[i, j] * v[j];
        return r;
    }

    public static Complex[] RandomState(int n, Random rng)
    {
        var v = new Complex[1 << n];
        double norm = 0;
        for (int i = 0; i < v.Length; i++) { v[i] = new(rng.NextDouble() * 2 - 1, rng.NextDouble() * 2 - 1); norm += v[i].Magnitude * v[i].Magnitude; }
        for (int i = 0; i < v.Length; i++) v[i] /= Math.Sqrt(norm);
        return v;
    }

    public static double MaxDiff(Complex[,] a, Complex[,] b)
    {
        double d = 0;
        for (int i = 0; i < a.GetLength(0); i++) for (int j = 0; j < a.GetLength(1); j++) d = Math.Max(d, (a[i, j] - b[i, j]).Magnitude);
        return d;
    }

    public static double MaxDiff(Complex[] a, Complex[] b) => a.Zip(b).Max(t => (t.First - t.Second).Magnitude);

    /// <summary>min over global phase e^{iφ} of max|A − e^{iφ}B|, with φ read off the largest entry of B.</summary>
    public static double MaxDiffUpToPhase(Complex[,] a, Complex[,] b)
    {
        int bi = 0, bj = 0;
        for (int i = 0; i < b.GetLength(0); i++) for (int j = 0; j < b.GetLength(1); j++)
            if (b[i, j].Magnitude > b[bi, bj].Magnitude) (bi, bj) = (i, j);
        Complex phase = a[bi, bj] / b[bi, bj];
        phase /= phase.Magnitude;
        var s = (Complex[,])b.Clone();
        for (int i = 0; i < s.GetLength(0); i++) for (int j = 0; j < s.GetLength(1); j++) s[i, j] *= phase;
        return MaxDiff(a, s);
    }
}
