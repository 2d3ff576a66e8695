using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Polymath;

/// <summary>
/// Vectorized single-precision Box–Muller built only from IEEE basic operations (+, −, ×, √, conversions,
/// bit operations; no FMA or library approximations), so the result is bit-identical in every JIT tier
/// and with or without hardware acceleration. (Library vector log/sin/cos may differ by an ulp between
/// tier-0 and tier-1 code, which would make output depend on which thread ran first.)
/// </summary>
internal static class BoxMuller
{
    /// <summary>
    /// 16 words → 16 normals. Pair k: radius word w0 = words[2k], angle word w1 = words[2k+1].
    /// u1 = (⌊w0/2⌋ + ½)·2⁻³¹ ∈ (0, 1] (never 0, so the log is finite; tail reaches 6.66σ).
    /// Angle: top two bits of w1 pick a quadrant, the next 24 bits the position inside it; the
    /// quadrant is applied exactly by sign flips, so sin/cos only need polynomials on [−π/4, π/4).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Float16(ReadOnlySpan<uint> words, float mean, float std, Span<float> dst)
    {
        Vector256<ulong> lo = Vector256.Create(words.Slice(0, 8)).AsUInt64();
        Vector256<ulong> hi = Vector256.Create(words.Slice(8, 8)).AsUInt64();
        Vector256<uint> w0 = Vector256.Narrow(lo, hi);                  // even words
        Vector256<uint> w1 = Vector256.Narrow(lo >>> 32, hi >>> 32);    // odd words

        // Radius': sqrt(-ln u1) = sqrt(-2 ln u1) * sqrt(1/2); the sqrt(1/2) belongs to the rotation below.
        Vector256<float> u1 = (Vector256.ConvertToSingle((w0 >>> 1).AsInt32()) + Vector256.Create(0.5f))
                              * Vector256.Create(1.0f / 2147483648.0f);
        Vector256<float> r = Vector256.Sqrt(-Log(u1));

        // x in [-pi/4, pi/4): offset from the centre pi/4 + q*pi/2 of quadrant q.
        Vector256<float> f = Vector256.ConvertToSingle(((w1 >>> 6) & Vector256.Create(0xFFFFFFu)).AsInt32())
                             * Vector256.Create(1.0f / 16777216.0f);
        Vector256<float> x = (f - Vector256.Create(0.5f)) * Vector256.Create((float)(Math.PI / 2));
        Vector256<float> z = x * x;
        Vector256<float> sx = x + x * z * ((Vector256.Create(-1.9515295891E-4f) * z + Vector256.Create(8.3321608736E-3f)) * z
                                           - Vector256.Create(1.6666654611E-1f));
        Vector256<float> cx = Vector256.Create(1f) - Vector256.Create(0.5f) * z
                              + z * z * ((Vector256.Create(2.443315711809948E-5f) * z - Vector256.Create(1.388731625493765E-3f)) * z
                                         + Vector256.Create(4.166664568298827E-2f));

        // cos/sin of the centre are (sc, ss)·sqrt(1/2): sc < 0 for q = 1, 2; ss < 0 for q = 2, 3.
        Vector256<uint> signBit = Vector256.Create(0x80000000u);
        Vector256<float> signC = ((w1 ^ (w1 << 1)) & signBit).AsSingle();
        Vector256<float> signS = (w1 & signBit).AsSingle();
        Vector256<float> cosT = (cx ^ signC) - (sx ^ signS);
        Vector256<float> sinT = (cx ^ signS) + (sx ^ signC);

        Vector256<float> vMean = Vector256.Create(mean);
        Vector256<float> vStd = Vector256.Create(std);
        Vector256<float> z0 = vMean + vStd * (r * cosT);
        Vector256<float> z1 = vMean + vStd * (r * sinT);

        // Interleave back: element 2k = z0[k], 2k+1 = z1[k].
        if (Avx.IsSupported)
        {
            Vector256<float> a = Avx.UnpackLow(z0, z1);   // pairs 0,1 | 4,5
            Vector256<float> b = Avx.UnpackHigh(z0, z1);  // pairs 2,3 | 6,7
            Avx.Permute2x128(a, b, 0x20).CopyTo(dst);
            Avx.Permute2x128(a, b, 0x31).CopyTo(dst.Slice(8));
        }
        else
        {
            for (int k = 0; k < 8; k++)
            {
                dst[2 * k] = z0.GetElement(k);
                dst[2 * k + 1] = z1.GetElement(k);
            }
        }
    }

    /// <summary>Natural log for positive normal floats (Cephes logf, ~1 ulp), from basic operations only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Log(Vector256<float> v)
    {
        Vector256<int> bitsI = v.AsInt32();
        // v = m * 2^e with m in [0.5, 1).
        Vector256<int> e = ((bitsI >>> 23) & Vector256.Create(0xFF)) - Vector256.Create(126);
        Vector256<float> m = ((bitsI & Vector256.Create(unchecked((int)0x807FFFFF))) | Vector256.Create(0x3F000000)).AsSingle();
        // If m < sqrt(1/2): m = 2m - 1, e -= 1; else m = m - 1 (keeps m in [sqrt(1/2)-1, sqrt(2)-1)).
        Vector256<float> small = Vector256.LessThan(m, Vector256.Create(0.707106781186547524f));
        e += small.AsInt32(); // all-ones lanes = -1
        m = m + (m & small) - Vector256.Create(1f);
        Vector256<float> fe = Vector256.ConvertToSingle(e);
        Vector256<float> z = m * m;
        Vector256<float> y = Vector256.Create(7.0376836292E-2f);
        y = y * m + Vector256.Create(-1.1514610310E-1f);
        y = y * m + Vector256.Create(1.1676998740E-1f);
        y = y * m + Vector256.Create(-1.2420140846E-1f);
        y = y * m + Vector256.Create(1.4249322787E-1f);
        y = y * m + Vector256.Create(-1.6668057665E-1f);
        y = y * m + Vector256.Create(2.0000714765E-1f);
        y = y * m + Vector256.Create(-2.4999993993E-1f);
        y = y * m + Vector256.Create(3.3333331174E-1f);
        y = y * m * z;
        y += Vector256.Create(-2.12194440e-4f) * fe;
        y += Vector256.Create(-0.5f) * z;
        Vector256<float> res = m + y;
        res += Vector256.Create(0.693359375f) * fe;
        return res;
    }
}
