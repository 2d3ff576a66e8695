using System.Numerics;

namespace Polymath.Quantum.Tests;

/// <summary>Random unitaries for kernel tests: dense (Gram–Schmidt), diagonal phases, and phased permutations.</summary>
internal static class RandomMatrices
{
    public static Complex[,] Unitary(int k, Random rng)
    {
        int d = 1 << k;
        var cols = new Complex[d][];
        for (int c = 0; c < d; c++)
        {
            var v = Enumerable.Range(0, d).Select(_ => new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5)).ToArray();
            for (int p = 0; p < c; p++)
            {
                Complex dot = Complex.Zero;
                for (int i = 0; i < d; i++) dot += Complex.Conjugate(cols[p][i]) * v[i];
                for (int i = 0; i < d; i++) v[i] -= dot * cols[p][i];
            }
            double norm = Math.Sqrt(v.Sum(x => x.Magnitude * x.Magnitude));
            cols[c] = v.Select(x => x / norm).ToArray();
        }
        var m = new Complex[d, d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) m[i, j] = cols[j][i];
        return m;
    }

    public static Complex[,] DiagonalUnitary(int k, Random rng)
    {
        int d = 1 << k;
        var m = new Complex[d, d];
        for (int i = 0; i < d; i++) m[i, i] = rng.Next(3) == 0 ? Complex.One : Complex.FromPolarCoordinates(1, rng.NextDouble() * 6);
        return m;
    }

    public static Complex[,] MonomialUnitary(int k, Random rng)
    {
        int d = 1 << k;
        var perm = Enumerable.Range(0, d).OrderBy(_ => rng.Next()).ToArray();
        var m = new Complex[d, d];
        for (int i = 0; i < d; i++) m[i, perm[i]] = rng.Next(2) == 0 ? Complex.One : Complex.FromPolarCoordinates(1, rng.NextDouble() * 6);
        return m;
    }
}
