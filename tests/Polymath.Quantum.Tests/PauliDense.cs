using System.Numerics;

namespace Polymath.Quantum.Tests;

/// <summary>Dense references for Pauli-sum tests: Kronecker products of 2×2 Pauli matrices and plain-loop linear algebra.</summary>
internal static class PauliDense
{
    public static Complex[,] Letter(char c) => char.ToUpperInvariant(c) switch
    {
        'I' => new Complex[,] { { 1, 0 }, { 0, 1 } },
        'X' => new Complex[,] { { 0, 1 }, { 1, 0 } },
        'Y' => new Complex[,] { { 0, -Complex.ImaginaryOne }, { Complex.ImaginaryOne, 0 } },
        'Z' => new Complex[,] { { 1, 0 }, { 0, -1 } },
        _ => throw new ArgumentException(c.ToString()),
    };

    /// <summary>The leftmost letter is the leftmost Kronecker factor (qubit n−1), so qubit 0 is the rightmost.</summary>
    public static Complex[,] String(string letters)
    {
        Complex[,] m = new Complex[,] { { 1 } };
        foreach (char c in letters) m = Dense.Kron(m, Letter(c));
        return m;
    }

    public static Complex[,] Sum(params (Complex C, string P)[] terms)
    {
        int d = 1 << terms[0].P.Length;
        var m = new Complex[d, d];
        foreach (var (c, p) in terms)
        {
            var s = String(p);
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) m[i, j] += c * s[i, j];
        }
        return m;
    }

    public static Complex[,] Add(Complex[,] a, Complex[,] b, Complex sb)
    {
        var r = (Complex[,])a.Clone();
        for (int i = 0; i < a.GetLength(0); i++) for (int j = 0; j < a.GetLength(1); j++) r[i, j] += sb * b[i, j];
        return r;
    }

    public static Complex Dot(Complex[] a, Complex[] b)
    {
        Complex s = 0;
        for (int i = 0; i < a.Length; i++) s += Complex.Conjugate(a[i]) * b[i];
        return s;
    }

    public static double Norm(Complex[] a) => Math.Sqrt(Dot(a, a).Real);

    /// <summary>A random Hermitian-coefficient Pauli sum of <paramref name="count"/> random strings on <paramref name="n"/> qubits.</summary>
    public static (Complex C, string P)[] RandomTerms(int n, int count, Random rng, bool complex = false)
    {
        var r = new (Complex, string)[count];
        for (int k = 0; k < count; k++)
        {
            var chars = new char[n];
            for (int q = 0; q < n; q++) chars[q] = "IXYZ"[rng.Next(4)];
            r[k] = (new Complex(rng.NextDouble() * 2 - 1, complex ? rng.NextDouble() * 2 - 1 : 0), new string(chars));
        }
        return r;
    }

    /// <summary>Exact dense evolution e^{−iHt}ψ from a Taylor series in many small steps (an independent reference for small matrices).</summary>
    public static Complex[] EvolveTaylor(Complex[,] h, Complex[] psi, double t)
    {
        int steps = Math.Max(1, (int)Math.Ceiling(Math.Abs(t) * MaxRowSum(h) / 0.25));
        double dt = t / steps;
        var v = (Complex[])psi.Clone();
        for (int s = 0; s < steps; s++)
        {
            var term = (Complex[])v.Clone();
            var acc = (Complex[])v.Clone();
            for (int k = 1; k < 40; k++)
            {
                term = Dense.MulVec(h, term);
                for (int i = 0; i < term.Length; i++) term[i] *= new Complex(0, -dt) / k;
                for (int i = 0; i < acc.Length; i++) acc[i] += term[i];
            }
            v = acc;
        }
        return v;
    }

    private static double MaxRowSum(Complex[,] h)
    {
        double m = 0;
        for (int i = 0; i < h.GetLength(0); i++)
        {
            double s = 0;
            for (int j = 0; j < h.GetLength(1); j++) s += h[i, j].Magnitude;
            m = Math.Max(m, s);
        }
        return m;
    }
}
