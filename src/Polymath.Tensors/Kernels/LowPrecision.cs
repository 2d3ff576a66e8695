using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Polymath;

/// <summary>
/// Conversions between float32 and the 16-bit float types. bfloat16 rounds to nearest, ties to even (the
/// float32 bits plus 0x7FFF plus the kept lowest bit, then the top half), with NaN kept a quiet NaN of the same
/// sign; the vector paths (Vector512, else Vector256) do exactly that arithmetic on 16 or 8 lanes. float16 uses
/// <see cref="TensorPrimitives"/>' vectorised IEEE conversions (round to nearest even, denormals, Inf and NaN).
/// </summary>
internal static class LowPrecision
{
    /// <summary>One float32 rounded to bfloat16 bits (the scalar reference the vector paths must match).</summary>
    public static ushort FloatToBFloat16Bits(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
            return (ushort)((bits >> 16) | 0x0040); // quiet NaN: rounding could carry a payload-only NaN into Inf
        uint lsb = (bits >> 16) & 1;
        return (ushort)((bits + 0x7FFFu + lsb) >> 16);
    }

    /// <summary>dst[i] = bfloat16(src[i]).</summary>
    public static void ToBFloat16(ReadOnlySpan<float> src, Span<BFloat16> dst)
    {
        if (dst.Length < src.Length)
            throw new ArgumentException("ToBFloat16: destination is shorter than the source.");
        var d = MemoryMarshal.Cast<BFloat16, ushort>(dst);
        int i = 0, n = src.Length;
        if (Vector512.IsHardwareAccelerated)
        {
            var s = MemoryMarshal.Cast<float, uint>(src);
            for (; i <= n - 32; i += 32)
            {
                var lo = RoundToBFloat16(Vector512.Create(s.Slice(i, 16)));
                var hi = RoundToBFloat16(Vector512.Create(s.Slice(i + 16, 16)));
                Vector512.Narrow(lo, hi).CopyTo(d.Slice(i, 32));
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var s = MemoryMarshal.Cast<float, uint>(src);
            for (; i <= n - 16; i += 16)
            {
                var lo = RoundToBFloat16(Vector256.Create(s.Slice(i, 8)));
                var hi = RoundToBFloat16(Vector256.Create(s.Slice(i + 8, 8)));
                Vector256.Narrow(lo, hi).CopyTo(d.Slice(i, 16));
            }
        }
        for (; i < n; i++)
            d[i] = FloatToBFloat16Bits(src[i]);
    }

    private static Vector512<uint> RoundToBFloat16(Vector512<uint> bits)
    {
        var lsb = Vector512.ShiftRightLogical(bits, 16) & Vector512.Create(1u);
        var rounded = Vector512.ShiftRightLogical(bits + Vector512.Create(0x7FFFu) + lsb, 16);
        var quiet = Vector512.ShiftRightLogical(bits, 16) | Vector512.Create(0x40u);
        // NaN: exponent all ones and a non-zero mantissa, i.e. (bits & 0x7FFFFFFF) > 0x7F800000.
        var isNaN = Vector512.GreaterThan(bits & Vector512.Create(0x7FFFFFFFu), Vector512.Create(0x7F800000u));
        return Vector512.ConditionalSelect(isNaN, quiet, rounded);
    }

    private static Vector256<uint> RoundToBFloat16(Vector256<uint> bits)
    {
        var lsb = Vector256.ShiftRightLogical(bits, 16) & Vector256.Create(1u);
        var rounded = Vector256.ShiftRightLogical(bits + Vector256.Create(0x7FFFu) + lsb, 16);
        var quiet = Vector256.ShiftRightLogical(bits, 16) | Vector256.Create(0x40u);
        var isNaN = Vector256.GreaterThan(bits & Vector256.Create(0x7FFFFFFFu), Vector256.Create(0x7F800000u));
        return Vector256.ConditionalSelect(isNaN, quiet, rounded);
    }

    /// <summary>dst[i] = float(src[i]) (exact).</summary>
    public static void FromBFloat16(ReadOnlySpan<BFloat16> src, Span<float> dst)
    {
        if (dst.Length < src.Length)
            throw new ArgumentException("FromBFloat16: destination is shorter than the source.");
        var s = MemoryMarshal.Cast<BFloat16, ushort>(src);
        var d = MemoryMarshal.Cast<float, uint>(dst);
        int i = 0, n = src.Length;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 32; i += 32)
            {
                var (lo, hi) = Vector512.Widen(Vector512.Create(s.Slice(i, 32)));
                Vector512.ShiftLeft(lo, 16).CopyTo(d.Slice(i, 16));
                Vector512.ShiftLeft(hi, 16).CopyTo(d.Slice(i + 16, 16));
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
            {
                var (lo, hi) = Vector256.Widen(Vector256.Create(s.Slice(i, 16)));
                Vector256.ShiftLeft(lo, 16).CopyTo(d.Slice(i, 8));
                Vector256.ShiftLeft(hi, 16).CopyTo(d.Slice(i + 8, 8));
            }
        }
        for (; i < n; i++)
            d[i] = (uint)s[i] << 16;
    }

    /// <summary>dst[i] = (Half)src[i] (IEEE round to nearest even).</summary>
    public static void ToHalf(ReadOnlySpan<float> src, Span<Half> dst) => TensorPrimitives.ConvertToHalf(src, dst[..src.Length]);

    /// <summary>dst[i] = (float)src[i] (exact).</summary>
    public static void FromHalf(ReadOnlySpan<Half> src, Span<float> dst) => TensorPrimitives.ConvertToSingle(src, dst[..src.Length]);

    /// <summary>Contiguous float32 → any 16-bit storage array, split across threads for large spans.</summary>
    public static void FromFloat(float[] src, int srcOffset, Array dst, int dstOffset, int n)
    {
        Threads.For(n, 1 << 16, (s, e) =>
        {
            var from = src.AsSpan(srcOffset + (int)s, (int)(e - s));
            if (dst is BFloat16[] b) ToBFloat16(from, b.AsSpan(dstOffset + (int)s, (int)(e - s)));
            else ToHalf(from, ((Half[])dst).AsSpan(dstOffset + (int)s, (int)(e - s)));
        });
    }

    /// <summary>Contiguous 16-bit storage array → float32, split across threads for large spans.</summary>
    public static void ToFloat(Array src, int srcOffset, float[] dst, int dstOffset, int n)
    {
        Threads.For(n, 1 << 16, (s, e) =>
        {
            var to = dst.AsSpan(dstOffset + (int)s, (int)(e - s));
            if (src is BFloat16[] b) FromBFloat16(b.AsSpan(srcOffset + (int)s, (int)(e - s)), to);
            else FromHalf(((Half[])src).AsSpan(srcOffset + (int)s, (int)(e - s)), to);
        });
    }
}
