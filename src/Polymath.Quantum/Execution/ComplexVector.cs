using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Polymath.Quantum;

/// <summary>
/// Complex arithmetic on 512-bit vectors of interleaved (re, im) pairs of <typeparamref name="T"/> (float or
/// double): c·v = Re(c)·v + (−Im c, Im c)·swap(v), two fused multiply-adds per complex product.
/// </summary>
internal static class ComplexVector<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>True where the vector paths run (AVX-512F); elsewhere every kernel takes its scalar loop.</summary>
    public static readonly bool IsSupported = Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Fma.IsSupported;

    /// <summary>Scalars of T per vector (8 doubles, 16 floats).</summary>
    public static int Lanes => Vector512<T>.Count;

    /// <summary>Complex numbers per vector (4 complex128, 8 complex64).</summary>
    public static int ComplexPerVector => Vector512<T>.Count / 2;

    /// <summary>(re, im) → (im, re) in every pair.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> SwapReIm(Vector512<T> v)
    {
        if (typeof(T) == typeof(double)) return Avx512F.Permute2x64(v.AsDouble(), 0x55).As<double, T>();
        return Avx512F.Permute4x32(v.AsSingle(), 0xB1).As<float, T>();
    }

    /// <summary>a·b + c, fused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MulAdd(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(double)) return Avx512F.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        return Avx512F.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
    }

    /// <summary>acc + c·v, with c given as its (Re, signed Im) vectors and sv = swap(v).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MulAcc(in Coefficient<T> c, Vector512<T> v, Vector512<T> sv, Vector512<T> acc) =>
        MulAdd(c.Re, v, MulAdd(c.ImSigned, sv, acc));

    /// <summary>c·v.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Mul(in Coefficient<T> c, Vector512<T> v, Vector512<T> sv) => MulAdd(c.Re, v, c.ImSigned * sv);

    /// <summary>Permutes T lanes by <paramref name="index"/> (lane i takes lane index[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Permute(Vector512<T> v, Vector512<T> index)
    {
        if (typeof(T) == typeof(double)) return Avx512F.PermuteVar8x64(v.AsDouble(), index.AsInt64()).As<double, T>();
        return Avx512F.PermuteVar16x32(v.AsSingle(), index.AsInt32()).As<float, T>();
    }

    /// <summary>Lane-index vector (as T bits) for <see cref="Permute"/>: lane i takes lane <paramref name="source"/>(i).</summary>
    public static Vector512<T> PermutationIndex(Func<int, int> source)
    {
        if (typeof(T) == typeof(double))
        {
            var idx = new long[8];
            for (int i = 0; i < 8; i++) idx[i] = source(i);
            return Vector512.Create(idx).As<long, T>();
        }
        var idx32 = new int[16];
        for (int i = 0; i < 16; i++) idx32[i] = source(i);
        return Vector512.Create(idx32).As<int, T>();
    }

    /// <summary>Interleaved vector whose complex lane j is <paramref name="value"/>(j), split into (Re, signed Im) form.</summary>
    public static Coefficient<T> Pattern(Func<int, Complex> value)
    {
        int lanes = Lanes;
        var re = new T[lanes];
        var im = new T[lanes];
        for (int j = 0; j < lanes / 2; j++)
        {
            var c = value(j);
            re[2 * j] = re[2 * j + 1] = T.CreateTruncating(c.Real);
            im[2 * j] = T.CreateTruncating(-c.Imaginary);
            im[2 * j + 1] = T.CreateTruncating(c.Imaginary);
        }
        return new Coefficient<T>(Vector512.Create(re), Vector512.Create(im), T.Zero, T.Zero);
    }
}

/// <summary>A complex matrix entry in both forms the kernels use: broadcast vectors and scalars.</summary>
internal readonly struct Coefficient<T>(Vector512<T> re, Vector512<T> imSigned, T scalarRe, T scalarIm)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Re(c) in every lane.</summary>
    public readonly Vector512<T> Re = re;

    /// <summary>(−Im c, Im c) repeated.</summary>
    public readonly Vector512<T> ImSigned = imSigned;

    /// <summary>Re(c).</summary>
    public readonly T R = scalarRe;

    /// <summary>Im(c).</summary>
    public readonly T I = scalarIm;

    // (−1, +1, −1, +1, …): turns a broadcast Im(c) into the signed lane pattern without allocating.
    private static readonly Vector512<T> AlternatingSign = Vector512.Create(
        Enumerable.Range(0, Vector512<T>.Count).Select(l => (l & 1) == 0 ? -T.One : T.One).ToArray());

    /// <summary>The entry <paramref name="c"/> rounded to T (no allocation: usable in kernels' hot loops).</summary>
    public static Coefficient<T> From(Complex c)
    {
        T r = T.CreateTruncating(c.Real), i = T.CreateTruncating(c.Imaginary);
        return new Coefficient<T>(Vector512.Create(r), Vector512.Create(i) * AlternatingSign, r, i);
    }
}
