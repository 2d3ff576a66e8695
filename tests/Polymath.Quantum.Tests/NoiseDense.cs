using System.Numerics;

namespace Polymath.Quantum.Tests;

/// <summary>Independent dense references for mixed states: ρ as a Complex[,], gates and Kraus operators embedded by <see cref="Dense.Embed"/>, plain loops.</summary>
internal static class NoiseDense
{
    public static readonly Complex[,] I2 = { { 1, 0 }, { 0, 1 } };
    public static readonly Complex[,] X = { { 0, 1 }, { 1, 0 } };
    public static readonly Complex[,] Y = { { 0, -Complex.ImaginaryOne }, { Complex.ImaginaryOne, 0 } };
    public static readonly Complex[,] Z = { { 1, 0 }, { 0, -1 } };

    public static Complex[,] Dagger(Complex[,] a)
    {
        var r = new Complex[a.GetLength(1), a.GetLength(0)];
        for (int i = 0; i < a.GetLength(0); i++) for (int j = 0; j < a.GetLength(1); j++) r[j, i] = Complex.Conjugate(a[i, j]);
        return r;
    }

    /// <summary>|ψ⟩⟨ψ|.</summary>
    public static Complex[,] Outer(Complex[] v)
    {
        var r = new Complex[v.Length, v.Length];
        for (int i = 0; i < v.Length; i++) for (int j = 0; j < v.Length; j++) r[i, j] = v[i] * Complex.Conjugate(v[j]);
        return r;
    }

    /// <summary>Σ Kᵢ ρ Kᵢ† with each K embedded on <paramref name="qubits"/> of an n-qubit register.</summary>
    public static Complex[,] ApplyKraus(Complex[,] rho, IEnumerable<Complex[,]> kraus, int[] qubits, int n)
    {
        int d = rho.GetLength(0);
        var r = new Complex[d, d];
        foreach (var k in kraus)
        {
            var full = Dense.Embed(k, qubits, n);
            var t = Dense.Mul(Dense.Mul(full, rho), Dagger(full));
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) r[i, j] += t[i, j];
        }
        return r;
    }

    public static Complex[,] ApplyUnitary(Complex[,] rho, Complex[,] u, int[] qubits, int n) => ApplyKraus(rho, [u], qubits, n);

    public static Complex Trace(Complex[,] a)
    {
        Complex s = 0;
        for (int i = 0; i < a.GetLength(0); i++) s += a[i, i];
        return s;
    }

    /// <summary>The Pauli string's matrix by Kronecker products; the leftmost letter is the most significant qubit.</summary>
    public static Complex[,] Pauli(string s)
    {
        Complex[,] m = { { 1 } };
        foreach (char c in s) m = Dense.Kron(m, c switch { 'I' => I2, 'X' => X, 'Y' => Y, _ => Z });
        return m;
    }

    public static double ExpectationPauli(Complex[,] rho, string pauli) => Trace(Dense.Mul(rho, Pauli(pauli))).Real;

    /// <summary>A random full-rank density matrix A·A†/Tr(A·A†).</summary>
    public static Complex[,] RandomDensity(int n, Random rng, int rank = -1)
    {
        int d = 1 << n, r = rank < 0 ? d : rank;
        var a = new Complex[d, r];
        for (int i = 0; i < d; i++) for (int j = 0; j < r; j++) a[i, j] = new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5);
        var rho = Dense.Mul(a, Dagger(a));
        var tr = Trace(rho);
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) rho[i, j] /= tr;
        return rho;
    }

    /// <summary>A random unitary (<see cref="RandomMatrices.Unitary"/>).</summary>
    public static Complex[,] RandomUnitary(int k, Random rng) => RandomMatrices.Unitary(k, rng);

    /// <summary>Random Kraus operators of a k-qubit channel: the d×d blocks of the first d columns V of a random (count·d)-dimensional unitary, so Σ K†K = V†V = I.</summary>
    public static Complex[][,] RandomKraus(int k, int count, Random rng)
    {
        int d = 1 << k;
        int big = 1;
        while (big < count * d) big <<= 1;
        var u = RandomUnitary((int)Math.Log2(big), rng);
        var ks = new Complex[count][,];
        if (big != count * d) throw new ArgumentException("count·2^k must be a power of two");   // so the blocks tile the isometry exactly
        for (int m = 0; m < count; m++)
        {
            ks[m] = new Complex[d, d];
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) ks[m][i, j] = u[m * d + i, j];
        }
        return ks;
    }

    /// <summary>Tr over every qubit not in <paramref name="keep"/>; the result is little-endian in keep's order.</summary>
    public static Complex[,] PartialTraceKeep(Complex[,] rho, int[] keep, int n)
    {
        int d = 1 << n, dk = 1 << keep.Length;
        long mask = keep.Aggregate(0L, (m, q) => m | 1L << q);
        int Sub(int i) { int s = 0; for (int j = 0; j < keep.Length; j++) s |= (i >> keep[j] & 1) << j; return s; }
        var r = new Complex[dk, dk];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++)
            if ((i & ~mask) == (j & ~mask)) r[Sub(i), Sub(j)] += rho[i, j];
        return r;
    }

    public static double Tvd(IReadOnlyDictionary<string, int> counts, int shots, IReadOnlyDictionary<string, double> probs)
    {
        double tvd = 0;
        foreach (var k in counts.Keys.Union(probs.Keys))
            tvd += Math.Abs(counts.GetValueOrDefault(k) / (double)shots - probs.GetValueOrDefault(k));
        return tvd / 2;
    }

    /// <summary>Largest |count − N·p| / √(N·p(1−p)) over outcomes; outcomes with p = 0 must not occur at all.</summary>
    public static double MaxZ(IReadOnlyDictionary<string, int> counts, int shots, IReadOnlyDictionary<string, double> probs)
    {
        double z = 0;
        foreach (var k in counts.Keys.Union(probs.Keys))
        {
            double p = probs.GetValueOrDefault(k);
            int c = counts.GetValueOrDefault(k);
            if (p <= 1e-12) { if (c > 0) return double.PositiveInfinity; continue; }
            z = Math.Max(z, Math.Abs(c - shots * p) / Math.Sqrt(shots * p * (1 - p) + 1e-300));
        }
        return z;
    }
}
