using System.Runtime.Intrinsics;

namespace Polymath.Kernels;

/// <summary>
/// A float32 eˣ for spans, vectorised with Vector512/Vector256: x = n·ln2 + r with |r| ≤ ln2/2, eʳ by a
/// degree-7 Taylor polynomial (truncation below 2e-9 relative), 2ⁿ put into the exponent bits. Relative error
/// within 2 ulp of the correctly rounded result over the normal range; results overflow to +∞ and underflow
/// through subnormals to 0 as the true function does, NaN stays NaN. Written because TensorPrimitives.Exp for float
/// measured ~1 cycle per element, which made exp the bulk of softmax.
/// </summary>
internal static class FastExp
{
    private const float Log2E = 1.44269504088896341f;
    // ln 2 split in two so n·ln2 is subtracted without rounding error (Cody–Waite).
    private const float Ln2Hi = 0.693145751953125f;
    private const float Ln2Lo = 1.42860682030941723212e-6f;

    /// <summary>Whether the AVX-512 path runs; tests turn it off to check the Vector256 path on AVX-512 machines.</summary>
    internal static bool UseAvx512 { get; set; } = System.Runtime.Intrinsics.X86.Avx512F.IsSupported;

    // 1/k! for k = 7 down to 2.
    private const float C7 = 1.0f / 5040, C6 = 1.0f / 720, C5 = 1.0f / 120, C4 = 1.0f / 24, C3 = 1.0f / 6, C2 = 0.5f;

    /// <summary>d[i] = exp(x[i] + shift); returns Σ d[i] when <paramref name="sum"/> is set (for softmax).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Exp(ReadOnlySpan<float> x, Span<float> d, float shift = 0, bool sum = false)
    {
        if (d.Length < x.Length)
            throw new ArgumentException("FastExp: destination is shorter than the source.");
        int i = 0;
        float total = 0;
        if (UseAvx512)
        {
            var acc = Vector512<float>.Zero;
            var s = Vector512.Create(shift);
            for (; i <= x.Length - 16; i += 16)
            {
                var e = Exp512(Vector512.Create(x.Slice(i, 16)) + s);
                e.CopyTo(d.Slice(i, 16));
                if (sum)
                    acc += e;
            }
            total = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var acc = Vector256<float>.Zero;
            var s = Vector256.Create(shift);
            for (; i <= x.Length - 8; i += 8)
            {
                var e = Exp256(Vector256.Create(x.Slice(i, 8)) + s);
                e.CopyTo(d.Slice(i, 8));
                if (sum)
                    acc += e;
            }
            total = Vector256.Sum(acc);
        }
        for (; i < x.Length; i++)
        {
            float e = Scalar(x[i] + shift);
            d[i] = e;
            total += e;
        }
        return sum ? total : 0;
    }

    /// <summary>Σ exp(x[i] + shift) without storing the terms (for log-softmax).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SumExp(ReadOnlySpan<float> x, float shift)
    {
        int i = 0;
        float total = 0;
        if (UseAvx512)
        {
            var acc = Vector512<float>.Zero;
            var s = Vector512.Create(shift);
            for (; i <= x.Length - 16; i += 16)
                acc += Exp512(Vector512.Create(x.Slice(i, 16)) + s);
            total = Vector512.Sum(acc);
        }
        for (; i < x.Length; i++)
            total += Scalar(x[i] + shift);
        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Exp512(Vector512<float> x) => Exp512Scalef(x);

    // AVX-512 has vscalefps (p·2^n with overflow to ∞ and underflow through subnormals to 0 built in), which
    // replaces the exponent-field arithmetic and its range fix-ups; inputs are clamped where 2^n is 0 or ∞ anyway.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Exp512Scalef(Vector512<float> x)
    {
        var clamped = Vector512.MinNative(Vector512.MaxNative(x, Vector512.Create(-104f)), Vector512.Create(89f));
        var n = Vector512.Round(clamped * Vector512.Create(Log2E));
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Hi), clamped);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(C7), r, Vector512.Create(C6));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C5));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        var result = System.Runtime.Intrinsics.X86.Avx512F.Scale(p, n);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), result, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Exp256(Vector256<float> x)
    {
        var clamped = Vector256.MinNative(Vector256.MaxNative(x, Vector256.Create(-104f)), Vector256.Create(89f));
        var n = Vector256.Round(clamped * Vector256.Create(Log2E));
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Hi), clamped);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Lo), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(C7), r, Vector256.Create(C6));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C5));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        // 2^n as 2^(n>>1) · 2^(n-(n>>1)): both factors stay normal for n in [-150, 129], so the product
        // overflows to ∞ or underflows through subnormals to 0 by ordinary rounding.
        var ni = Vector256.ConvertToInt32(n);
        var n1 = ni >> 1;
        var s1 = ((n1 + Vector256.Create(127)) << 23).AsSingle();
        var s2 = ((ni - n1 + Vector256.Create(127)) << 23).AsSingle();
        var result = p * s1 * s2;
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x);
    }

    /// <summary>The same function for one value (tails of spans): the same polynomial, 2^n applied exactly.</summary>
    public static float Scalar(float x)
    {
        if (float.IsNaN(x))
            return x;
        float c = Math.Clamp(x, -104f, 89f);
        float n = MathF.Round(c * Log2E);
        float r = MathF.FusedMultiplyAdd(n, -Ln2Hi, c);
        r = MathF.FusedMultiplyAdd(n, -Ln2Lo, r);
        float p = MathF.FusedMultiplyAdd(C7, r, C6);
        p = MathF.FusedMultiplyAdd(p, r, C5);
        p = MathF.FusedMultiplyAdd(p, r, C4);
        p = MathF.FusedMultiplyAdd(p, r, C3);
        p = MathF.FusedMultiplyAdd(p, r, C2);
        p = MathF.FusedMultiplyAdd(p, r, 1f);
        p = MathF.FusedMultiplyAdd(p, r, 1f);
        // p·2^n in double is exact, so the one rounding to float matches vscalefps, subnormals included.
        return (float)Math.ScaleB(p, (int)n);
    }
}
