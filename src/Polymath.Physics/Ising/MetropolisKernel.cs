using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Polymath.Physics;

/// <summary>
/// The vectorised checkerboard Metropolis sweep. Each site's uniform u is first turned into an acceptance code
/// a = [u &lt; e^(−4β)] + [u &lt; e^(−8β)] ∈ {0, 1, 2}; a flip with k = sᵢ·Σ neighbours (ΔE = 2k) is then accepted
/// exactly when k ≤ 2a, the same decision as u &lt; min(1, e^(−2βk)). Sites of one colour do not neighbour each
/// other, so updating 32 of them at once (the other colour's lanes masked off) gives bit-identical lattices to the
/// scalar sweep, which stays as the reference and handles the wrap-around columns.
/// </summary>
internal static unsafe class MetropolisKernel
{
    /// <summary>Writes the acceptance code of each uniform.</summary>
    // AggressiveOptimization: tier-0 code of this vector loop is many times slower and would dominate short runs.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Codes(ReadOnlySpan<float> uniforms, Span<sbyte> codes, float p2, float p4)
    {
        int n = uniforms.Length, i = 0;
        fixed (float* u = uniforms)
        fixed (sbyte* a = codes)
        {
            if (Vector256.IsHardwareAccelerated)
            {
                var v2 = Vector256.Create(p2);
                var v4 = Vector256.Create(p4);
                for (; i + 32 <= n; i += 32)
                {
                    // Compare masks are −1 where true: the code is minus the sum of the two masks.
                    Vector256<short> lo = Vector256.Narrow(Code(u + i, v2, v4), Code(u + i + 8, v2, v4));
                    Vector256<short> hi = Vector256.Narrow(Code(u + i + 16, v2, v4), Code(u + i + 24, v2, v4));
                    Vector256.Narrow(lo, hi).Store(a + i);
                }
            }
            for (; i < n; i++) a[i] = (sbyte)((u[i] < p2 ? 1 : 0) + (u[i] < p4 ? 1 : 0));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Code(float* u, Vector256<float> p2, Vector256<float> p4)
    {
        var x = Vector256.Load(u);
        return -(Vector256.LessThan(x, p2).AsInt32() + Vector256.LessThan(x, p4).AsInt32());
    }

    /// <summary>
    /// Updates the sites of one colour (column parity <paramref name="parity"/>) in columns [1, L − 1) of a row that
    /// fit whole 32-lane blocks, and returns the first column it did not cover. Adds Σ 2k and Σ −2s of accepted flips.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Row(sbyte* row, sbyte* up, sbyte* down, sbyte* codes, int l, int parity, ref long de, ref long dm)
    {
        if (!Vector256.IsHardwareAccelerated || l < 34) return 1;
        // Lane t is column j + t; with j odd, even lanes hold odd columns.
        var colour = parity == 1 ? EvenLanes : ~EvenLanes;
        var sumK = Vector256<short>.Zero;
        var sumS = Vector256<short>.Zero;
        int j = 1;
        for (; j + 32 <= l - 1; j += 32)
        {
            var s = Vector256.Load(row + j);
            var nb = Vector256.Load(up + j) + Vector256.Load(down + j) + Vector256.Load(row + j - 1) + Vector256.Load(row + j + 1);
            var negative = Vector256.LessThan(s, Vector256<sbyte>.Zero);
            var k = Vector256.ConditionalSelect(negative, -nb, nb);
            var code = Vector256.Load(codes + j);
            var code2 = code + code;
            var accept = Vector256.LessThanOrEqual(k, code2) & colour;
            Vector256.ConditionalSelect(accept, -s, s).Store(row + j);
            var kAccepted = k & accept;
            var sAccepted = s & accept;
            var (kLo, kHi) = Vector256.Widen(kAccepted);
            var (sLo, sHi) = Vector256.Widen(sAccepted);
            sumK += kLo + kHi;
            sumS += sLo + sHi;
        }
        de += 2 * Sum(sumK);
        dm -= 2 * Sum(sumS);
        return j;
    }

    private static readonly Vector256<sbyte> EvenLanes = Vector256.Create(
        (sbyte)-1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0);

    private static long Sum(Vector256<short> v)
    {
        var (lo, hi) = Vector256.Widen(v);
        return Vector256.Sum(lo + hi);
    }
}
