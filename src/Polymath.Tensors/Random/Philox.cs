using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Polymath;

/// <summary>
/// Philox4x32-10 counter-based bijection (Salmon, Moraes, Dror, Shaw, "Parallel random numbers:
/// as easy as 1, 2, 3", SC 2011). Output = f(key, counter) with no hidden state, so any range of the
/// stream can be produced independently: that is what makes fills reproducible for any thread count.
/// </summary>
/// <remarks>
/// Counter layout used by <see cref="Generator"/>: c0,c1 = low/high half of a 64-bit block index,
/// c2 = sub-stream (0 for the main stream; 1, 2, ... for rejection-sampling retries), c3 = 0.
/// Key = the 64-bit seed (k0 = low half, k1 = high half). Each block yields four 32-bit words.
/// The AVX2 path and the scalar path are bit-identical (integer arithmetic only).
/// </remarks>
internal static class Philox
{
    private const uint M0 = 0xD2511F53;
    private const uint M1 = 0xCD9E8D57;
    private const uint W0 = 0x9E3779B9; // golden ratio
    private const uint W1 = 0xBB67AE85; // sqrt(3) - 1

    /// <summary>One Philox4x32-10 evaluation on an arbitrary 128-bit counter.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1,
                             out uint r0, out uint r1, out uint r2, out uint r3)
    {
        for (int round = 0; round < 10; round++)
        {
            ulong p0 = (ulong)M0 * c0;
            ulong p1 = (ulong)M1 * c2;
            uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0;
            uint n1 = (uint)p1;
            uint n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            uint n3 = (uint)p0;
            c0 = n0; c1 = n1; c2 = n2; c3 = n3;
            k0 += W0; k1 += W1;
        }
        r0 = c0; r1 = c1; r2 = c2; r3 = c3;
    }

    /// <summary>Block <paramref name="block"/> of sub-stream <paramref name="stream"/> under <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block(ulong key, ulong block, uint stream,
                             out uint r0, out uint r1, out uint r2, out uint r3)
        => Block((uint)block, (uint)(block >> 32), stream, 0, (uint)key, (uint)(key >> 32), out r0, out r1, out r2, out r3);

    /// <summary>
    /// Writes blocks <paramref name="firstBlock"/> .. firstBlock + dest.Length/4 - 1 of the main stream
    /// to <paramref name="dest"/> (block-major: dest[4*b + lane]). dest.Length must be a multiple of 4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Fill(ulong key, ulong firstBlock, Span<uint> dest)
    {
        int blocks = dest.Length / 4;
        int b = 0;
        if (Avx2.IsSupported)
        {
            for (; b + 8 <= blocks; b += 8)
                Fill8Avx2(key, firstBlock + (ulong)b, dest.Slice(4 * b, 32));
        }
        for (; b < blocks; b++)
        {
            Block(key, firstBlock + (ulong)b, 0, out uint r0, out uint r1, out uint r2, out uint r3);
            int o = 4 * b;
            dest[o] = r0; dest[o + 1] = r1; dest[o + 2] = r2; dest[o + 3] = r3;
        }
    }

    // Eight blocks at once, structure-of-arrays in registers, transposed back to block-major on store.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Fill8Avx2(ulong key, ulong first, Span<uint> dest)
    {
        // Block indices first..first+7; the high word may differ per lane if the low word wraps.
        Vector256<ulong> idxLo = Vector256.Create(first) + Vector256.Create(0UL, 1, 2, 3);
        Vector256<ulong> idxHi = Vector256.Create(first) + Vector256.Create(4UL, 5, 6, 7);
        // Pack to 32-bit lanes: lanes j=0..7 hold block first+j.
        Vector256<uint> c0 = Vector256.Narrow(idxLo, idxHi);
        Vector256<uint> c1 = Vector256.Narrow(idxLo >>> 32, idxHi >>> 32);
        Vector256<uint> c2 = Vector256<uint>.Zero;
        Vector256<uint> c3 = Vector256<uint>.Zero;
        Vector256<uint> k0 = Vector256.Create((uint)key);
        Vector256<uint> k1 = Vector256.Create((uint)(key >> 32));
        Vector256<uint> m0 = Vector256.Create(M0);
        Vector256<uint> m1 = Vector256.Create(M1);
        Vector256<uint> w0 = Vector256.Create(W0);
        Vector256<uint> w1 = Vector256.Create(W1);

        for (int round = 0; round < 10; round++)
        {
            MulHiLo(m0, c0, out Vector256<uint> hi0, out Vector256<uint> lo0);
            MulHiLo(m1, c2, out Vector256<uint> hi1, out Vector256<uint> lo1);
            Vector256<uint> n0 = hi1 ^ c1 ^ k0;
            Vector256<uint> n2 = hi0 ^ c3 ^ k1;
            c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
            k0 += w0; k1 += w1;
        }

        // 4x8 transpose: c0..c3 (lane = block) -> block-major words.
        Vector256<uint> t0 = Avx2.UnpackLow(c0, c1);
        Vector256<uint> t1 = Avx2.UnpackHigh(c0, c1);
        Vector256<uint> t2 = Avx2.UnpackLow(c2, c3);
        Vector256<uint> t3 = Avx2.UnpackHigh(c2, c3);
        Vector256<uint> u0 = Avx2.UnpackLow(t0.AsUInt64(), t2.AsUInt64()).AsUInt32(); // b0 | b4
        Vector256<uint> u1 = Avx2.UnpackHigh(t0.AsUInt64(), t2.AsUInt64()).AsUInt32(); // b1 | b5
        Vector256<uint> u2 = Avx2.UnpackLow(t1.AsUInt64(), t3.AsUInt64()).AsUInt32(); // b2 | b6
        Vector256<uint> u3 = Avx2.UnpackHigh(t1.AsUInt64(), t3.AsUInt64()).AsUInt32(); // b3 | b7
        Avx2.Permute2x128(u0, u1, 0x20).CopyTo(dest);
        Avx2.Permute2x128(u2, u3, 0x20).CopyTo(dest.Slice(8));
        Avx2.Permute2x128(u0, u1, 0x31).CopyTo(dest.Slice(16));
        Avx2.Permute2x128(u2, u3, 0x31).CopyTo(dest.Slice(24));
    }

    // 32x32 -> 64 multiply of all eight lanes: even lanes directly, odd lanes after a 32-bit shift.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MulHiLo(Vector256<uint> m, Vector256<uint> x, out Vector256<uint> hi, out Vector256<uint> lo)
    {
        Vector256<ulong> even = Avx2.Multiply(m, x);
        Vector256<ulong> odd = Avx2.Multiply(m, (x.AsUInt64() >>> 32).AsUInt32());
        // lo: even lanes from even.lo, odd lanes from odd.lo (shifted up); hi likewise.
        lo = Avx2.Blend(even.AsUInt32(), (odd << 32).AsUInt32(), 0b1010_1010);
        hi = Avx2.Blend((even >>> 32).AsUInt32(), odd.AsUInt32(), 0b1010_1010);
    }
}
