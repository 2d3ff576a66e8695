namespace Polymath.Quantum;

/// <summary>Seeded sampling from a discrete distribution: one cumulative sum, then a binary search per draw.</summary>
internal static class NoiseSampling
{
    /// <summary><paramref name="shots"/> indices drawn from <paramref name="weights"/> (non-negative, any total); zero-weight entries are never drawn.</summary>
    internal static long[] SampleIndices(double[] weights, int shots, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shots);
        var cdf = new double[weights.Length];
        double acc = 0;
        for (int i = 0; i < weights.Length; i++) { acc += Math.Max(0, weights[i]); cdf[i] = acc; }
        var rng = new Random(seed);
        var r = new long[shots];
        for (int s = 0; s < shots; s++)
        {
            double u = rng.NextDouble() * acc;
            int lo = 0, hi = cdf.Length - 1;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (cdf[mid] > u) hi = mid; else lo = mid + 1;
            }
            r[s] = lo;
        }
        return r;
    }

    /// <summary>A well-mixed 32-bit seed for trajectory <paramref name="index"/> of a run seeded with <paramref name="seed"/> (SplitMix64 finaliser).</summary>
    internal static int DeriveSeed(int seed, long index)
    {
        ulong z = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)index * 0xBF58476D1CE4E5B9UL + 0x94D049BB133111EBUL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return unchecked((int)(z & 0x7FFFFFFF));
    }
}
