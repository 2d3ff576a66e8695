using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Polymath.Learn;

/// <summary>
/// Register-blocked kernels for the hot loops (kernel rows, logistic gradients): four rows share each load of the
/// fourth operand, so memory traffic per multiply-add drops by about half compared with one dot or axpy at a time.
/// </summary>
internal static class Simd
{
    /// <summary>Four dot products of rows a0..a3 with b at once: b is loaded once per four multiply-adds.</summary>
    public static void Dot4(ReadOnlySpan<double> a0, ReadOnlySpan<double> a1, ReadOnlySpan<double> a2, ReadOnlySpan<double> a3, ReadOnlySpan<double> b,
        out double d0, out double d1, out double d2, out double d3)
    {
        int len = b.Length, k = 0;
        ref double r0 = ref MemoryMarshal.GetReference(a0);
        ref double r1 = ref MemoryMarshal.GetReference(a1);
        ref double r2 = ref MemoryMarshal.GetReference(a2);
        ref double r3 = ref MemoryMarshal.GetReference(a3);
        ref double rb = ref MemoryMarshal.GetReference(b);
        if (a0.Length < len || a1.Length < len || a2.Length < len || a3.Length < len)
            throw new ArgumentException("Dot4: rows shorter than b.");
        var s0 = Vector256<double>.Zero;
        var s1 = Vector256<double>.Zero;
        var s2 = Vector256<double>.Zero;
        var s3 = Vector256<double>.Zero;
        for (; k <= len - 4; k += 4)
        {
            var vb = Vector256.LoadUnsafe(ref rb, (nuint)k);
            s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r0, (nuint)k), vb, s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r1, (nuint)k), vb, s1);
            s2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r2, (nuint)k), vb, s2);
            s3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r3, (nuint)k), vb, s3);
        }
        d0 = Vector256.Sum(s0);
        d1 = Vector256.Sum(s1);
        d2 = Vector256.Sum(s2);
        d3 = Vector256.Sum(s3);
        for (; k < len; k++)
        {
            double vb = b[k];
            d0 += a0[k] * vb;
            d1 += a1[k] * vb;
            d2 += a2[k] * vb;
            d3 += a3[k] * vb;
        }
    }

    /// <summary>g += e0·x0 + e1·x1 + e2·x2 + e3·x3 (all of g's length): g is loaded and stored once for four rows.</summary>
    public static void Axpy4(Span<double> g, double e0, ReadOnlySpan<double> x0, double e1, ReadOnlySpan<double> x1,
        double e2, ReadOnlySpan<double> x2, double e3, ReadOnlySpan<double> x3)
    {
        int len = g.Length, k = 0;
        if (x0.Length < len || x1.Length < len || x2.Length < len || x3.Length < len)
            throw new ArgumentException("Axpy4: rows shorter than g.");
        ref double rg = ref MemoryMarshal.GetReference(g);
        ref double r0 = ref MemoryMarshal.GetReference(x0);
        ref double r1 = ref MemoryMarshal.GetReference(x1);
        ref double r2 = ref MemoryMarshal.GetReference(x2);
        ref double r3 = ref MemoryMarshal.GetReference(x3);
        var v0 = Vector256.Create(e0);
        var v1 = Vector256.Create(e1);
        var v2 = Vector256.Create(e2);
        var v3 = Vector256.Create(e3);
        for (; k <= len - 4; k += 4)
        {
            var acc = Vector256.LoadUnsafe(ref rg, (nuint)k);
            acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r0, (nuint)k), v0, acc);
            acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r1, (nuint)k), v1, acc);
            acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r2, (nuint)k), v2, acc);
            acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r3, (nuint)k), v3, acc);
            acc.StoreUnsafe(ref rg, (nuint)k);
        }
        for (; k < len; k++)
            g[k] += e0 * x0[k] + e1 * x1[k] + e2 * x2[k] + e3 * x3[k];
    }
}
