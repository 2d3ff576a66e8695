using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Polymath.Scale.Compression;

/// <summary>Which inner kernel <see cref="Int8Gemm"/> uses.</summary>
public enum Int8Kernel
{
    /// <summary>The fastest one this CPU supports (VNNI, then AVX-512BW, then scalar).</summary>
    Auto,
    /// <summary>Plain loops: runs everywhere.</summary>
    Scalar,
    /// <summary>u8 and s8 widened to s16, multiplied pairwise into s32 with <c>vpmaddwd</c> on 512-bit vectors (exact).</summary>
    Avx512BW,
    /// <summary>u8 × s8 → s32 over four bytes at a time with <c>vpdpbusd</c> (AVX-VNNI, 256-bit; exact, no saturation).</summary>
    AvxVnni,
}

/// <summary>
/// Int8 weights [N, K] packed once for <see cref="Int8Gemm"/>: the raw row-major values, each row's sum (for the
/// activation zero-point correction), and the panel layouts the vector kernels read (16 output columns per panel;
/// K padded to a multiple of 4 with zeros).
/// </summary>
public sealed class Int8PackedWeights
{
    private sbyte[]? _vnni;
    private short[]? _wide;

    /// <summary>Packs <paramref name="weights"/> (row-major [<paramref name="n"/>, <paramref name="k"/>]).</summary>
    /// <exception cref="ArgumentException">Sizes that are not positive or do not match the array.</exception>
    public Int8PackedWeights(sbyte[] weights, int n, int k)
    {
        if (n <= 0 || k <= 0 || (long)n * k != weights.Length)
            throw new ArgumentException($"Int8PackedWeights: {weights.Length} values do not form [{n}, {k}].");
        (N, K, Weights) = (n, k, weights);
        PaddedK = Int8Gemm.PadK(k);
        PaddedN = (n + Int8Gemm.NR - 1) / Int8Gemm.NR * Int8Gemm.NR;
        RowSums = new int[n];
        for (int j = 0; j < n; j++)
        {
            int s = 0;
            for (int i = 0; i < k; i++)
                s += weights[j * k + i];
            RowSums[j] = s;
        }
    }

    /// <summary>Output columns (rows of the weight).</summary>
    public int N { get; }

    /// <summary>Reduction length.</summary>
    public int K { get; }

    /// <summary>K rounded up to a multiple of 4: the row stride the activations must have.</summary>
    public int PaddedK { get; }

    /// <summary>N rounded up to a multiple of 16.</summary>
    public int PaddedN { get; }

    /// <summary>The weights as given, row-major [N, K].</summary>
    public sbyte[] Weights { get; }

    /// <summary>Σₖ W[n, k] for each n.</summary>
    public int[] RowSums { get; }

    // [PaddedN/16][PaddedK/4][16 columns][4 consecutive k]: one 64-byte block feeds two vpdpbusd.
    internal sbyte[] Vnni => _vnni ??= PackVnni();

    // [PaddedN/16][PaddedK/2][16 columns][2 consecutive k] as int16: one Vector512 per k pair.
    internal short[] Wide => _wide ??= PackWide();

    private sbyte[] PackVnni()
    {
        var p = new sbyte[PaddedN * PaddedK];
        int kq = PaddedK / 4, at = 0;
        for (int panel = 0; panel < PaddedN; panel += 16)
            for (int q = 0; q < kq; q++)
                for (int col = 0; col < 16; col++, at += 4)
                {
                    int n = panel + col;
                    if (n >= N) continue;
                    for (int t = 0; t < 4; t++)
                    {
                        int k = 4 * q + t;
                        if (k < K) p[at + t] = Weights[n * K + k];
                    }
                }
        return p;
    }

    private short[] PackWide()
    {
        var p = new short[PaddedN * PaddedK];
        int kp = PaddedK / 2, at = 0;
        for (int panel = 0; panel < PaddedN; panel += 16)
            for (int q = 0; q < kp; q++)
                for (int col = 0; col < 16; col++, at += 2)
                {
                    int n = panel + col;
                    if (n >= N) continue;
                    for (int t = 0; t < 2; t++)
                    {
                        int k = 2 * q + t;
                        if (k < K) p[at + t] = Weights[n * K + k];
                    }
                }
        return p;
    }
}

/// <summary>
/// Integer matrix multiply for quantized layers: C[M, N] (int32) = A[M, K] (uint8 activations, rows padded to
/// <see cref="Int8PackedWeights.PaddedK"/> with zeros) · Wᵀ (int8 weights [N, K]). The result is exact (no
/// saturation), so the caller subtracts the activation zero point as <c>zp · RowSums[n]</c>. Uses the CPU's integer
/// dot-product instructions where .NET exposes them (AVX-VNNI <c>vpdpbusd</c>; AVX-512BW <c>vpmaddwd</c>) with a
/// scalar fallback; rows are split over <see cref="Threads.Count"/> threads.
/// </summary>
public static class Int8Gemm
{
    internal const int MR = 4;
    internal const int NR = 16;
    private const int MC = 64; // rows of A kept hot in cache while one weight panel streams past them

    /// <summary>The kernel to use; <see cref="Int8Kernel.Auto"/> (the default) picks the best supported one.</summary>
    /// <exception cref="PlatformNotSupportedException">Setting a kernel the CPU lacks.</exception>
    public static Int8Kernel Kernel
    {
        get => s_kernel;
        set
        {
            if (!IsSupported(value))
                throw new PlatformNotSupportedException($"Int8Gemm: kernel {value} is not supported on this CPU ({Describe()}).");
            s_kernel = value;
        }
    }

    private static Int8Kernel s_kernel = Int8Kernel.Auto;

    /// <summary>The kernel that runs now (Auto resolved).</summary>
    public static Int8Kernel ActiveKernel => s_kernel != Int8Kernel.Auto ? s_kernel
        : AvxVnni.IsSupported ? Int8Kernel.AvxVnni
        : Avx512BW.IsSupported ? Int8Kernel.Avx512BW
        : Int8Kernel.Scalar;

    /// <summary>True when <paramref name="kernel"/> can run here.</summary>
    public static bool IsSupported(Int8Kernel kernel) => kernel switch
    {
        Int8Kernel.AvxVnni => AvxVnni.IsSupported,
        Int8Kernel.Avx512BW => Avx512BW.IsSupported,
        _ => true,
    };

    /// <summary>The kernels this CPU supports, and which instruction sets .NET reports (for logs and the bench).</summary>
    public static string Describe() =>
        $"AvxVnni={AvxVnni.IsSupported}, Avx512BW={Avx512BW.IsSupported}, Avx10v1={Avx10v1.IsSupported}, " +
        $"Avx10v1.V512={Avx10v1.V512.IsSupported}, AvxVnniInt8={AvxVnniInt8.IsSupported}, active={ActiveKernel}";

    /// <summary><paramref name="k"/> rounded up to a multiple of 4 (the activation row stride).</summary>
    public static int PadK(int k) => (k + 3) & ~3;

    /// <summary>
    /// C = A · Wᵀ in int32. <paramref name="a"/> holds <paramref name="m"/> rows of <see cref="Int8PackedWeights.PaddedK"/>
    /// bytes (the padding must be zero); <paramref name="c"/> receives m × N values, row-major.
    /// </summary>
    /// <exception cref="ArgumentException">The arrays are too short for the sizes.</exception>
    public static void Multiply(byte[] a, int m, Int8PackedWeights w, int[] c)
    {
        if (m < 0 || (long)m * w.PaddedK > a.Length)
            throw new ArgumentException($"Int8Gemm: A needs {m} rows of {w.PaddedK} bytes, has {a.Length}.", nameof(a));
        if ((long)m * w.N > c.Length)
            throw new ArgumentException($"Int8Gemm: C needs {m}×{w.N} values, has {c.Length}.", nameof(c));
        if (m == 0)
            return;
        var kernel = ActiveKernel;
        // Touch the packed layout once here, not racing inside the threads.
        if (kernel == Int8Kernel.AvxVnni) _ = w.Vnni;
        else if (kernel == Int8Kernel.Avx512BW) _ = w.Wide;
        long blocks = (m + MR - 1) / MR;
        long work = (long)MR * w.PaddedN * w.PaddedK;
        long minChunk = Math.Max(1, (1L << 19) / Math.Max(1, work));
        Threads.For(blocks, minChunk, (b0, b1) =>
        {
            int r0 = (int)(b0 * MR), r1 = (int)Math.Min(m, b1 * MR);
            switch (kernel)
            {
                case Int8Kernel.AvxVnni: RunVnni(a, r0, r1, w, c); break;
                case Int8Kernel.Avx512BW: RunWide(a, r0, r1, w, c); break;
                default: RunScalar(a, r0, r1, w, c); break;
            }
        });
    }

    /// <summary>The plain triple loop (a reference for tests): C[i, j] = Σₖ A[i, k]·W[j, k] with A's row stride <paramref name="lda"/>.</summary>
    public static void Reference(byte[] a, int m, int k, int lda, sbyte[] w, int n, int[] c)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                int s = 0;
                for (int t = 0; t < k; t++)
                    s += a[i * lda + t] * w[j * k + t];
                c[i * n + j] = s;
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunScalar(byte[] a, int r0, int r1, Int8PackedWeights w, int[] c)
    {
        int k = w.K, lda = w.PaddedK, n = w.N;
        var wt = w.Weights;
        for (int i = r0; i < r1; i++)
            for (int j = 0; j < n; j++)
            {
                int s = 0, ai = i * lda, wj = j * k;
                for (int t = 0; t < k; t++)
                    s += a[ai + t] * wt[wj + t];
                c[i * n + j] = s;
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RunVnni(byte[] a, int r0, int r1, Int8PackedWeights w, int[] c)
    {
        int lda = w.PaddedK, kq = lda / 4, n = w.N;
        fixed (byte* pa = a)
        fixed (sbyte* pb = w.Vnni)
        fixed (int* pc = c)
        {
            for (int m0 = r0; m0 < r1; m0 += MC)
            {
                int m1 = Math.Min(r1, m0 + MC);
                for (int panel = 0; panel < w.PaddedN; panel += NR)
                {
                    sbyte* bp = pb + (long)panel * lda;
                    int cols = Math.Min(NR, n - panel);
                    for (int i = m0; i < m1; i += MR)
                        KernelVnni(pa, lda, i, Math.Min(MR, m1 - i), bp, kq, pc + (long)i * n + panel, n, cols);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void KernelVnni(byte* a, int lda, int row, int rows, sbyte* bp, int kq, int* c, int ldc, int cols)
    {
        // Missing rows of a tail block read row 0 again and are not stored.
        byte* a0 = a + (long)row * lda;
        byte* a1 = rows > 1 ? a0 + lda : a0;
        byte* a2 = rows > 2 ? a0 + 2 * lda : a0;
        byte* a3 = rows > 3 ? a0 + 3 * lda : a0;
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<int> c20 = default, c21 = default, c30 = default, c31 = default;
        for (int q = 0; q < kq; q++, bp += 64)
        {
            var b0 = Vector256.Load(bp);
            var b1 = Vector256.Load(bp + 32);
            int o = 4 * q;
            var x = Vector256.Create(*(int*)(a0 + o)).AsByte();
            c00 = AvxVnni.MultiplyWideningAndAdd(c00, x, b0);
            c01 = AvxVnni.MultiplyWideningAndAdd(c01, x, b1);
            x = Vector256.Create(*(int*)(a1 + o)).AsByte();
            c10 = AvxVnni.MultiplyWideningAndAdd(c10, x, b0);
            c11 = AvxVnni.MultiplyWideningAndAdd(c11, x, b1);
            x = Vector256.Create(*(int*)(a2 + o)).AsByte();
            c20 = AvxVnni.MultiplyWideningAndAdd(c20, x, b0);
            c21 = AvxVnni.MultiplyWideningAndAdd(c21, x, b1);
            x = Vector256.Create(*(int*)(a3 + o)).AsByte();
            c30 = AvxVnni.MultiplyWideningAndAdd(c30, x, b0);
            c31 = AvxVnni.MultiplyWideningAndAdd(c31, x, b1);
        }
        // Spill to a local block with no call in between: a call while the accumulators are live makes the JIT keep
        // them in memory inside the loop (a store/reload chain per iteration, several times slower).
        int* tmp = stackalloc int[MR * NR];
        c00.Store(tmp); c01.Store(tmp + 8);
        c10.Store(tmp + 16); c11.Store(tmp + 24);
        c20.Store(tmp + 32); c21.Store(tmp + 40);
        c30.Store(tmp + 48); c31.Store(tmp + 56);
        CopyOut(tmp, c, ldc, rows, cols);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void CopyOut(int* tmp, int* c, int ldc, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            int* dst = c + (long)r * ldc;
            int* src = tmp + r * NR;
            if (cols == NR)
            {
                Vector256.Store(Vector256.Load(src), dst);
                Vector256.Store(Vector256.Load(src + 8), dst + 8);
            }
            else
            {
                for (int j = 0; j < cols; j++)
                    dst[j] = src[j];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RunWide(byte[] a, int r0, int r1, Int8PackedWeights w, int[] c)
    {
        int lda = w.PaddedK, kp = lda / 2, n = w.N;
        fixed (byte* pa = a)
        fixed (short* pb = w.Wide)
        fixed (int* pc = c)
        {
            for (int m0 = r0; m0 < r1; m0 += MC)
            {
                int m1 = Math.Min(r1, m0 + MC);
                for (int panel = 0; panel < w.PaddedN; panel += NR)
                {
                    short* bp = pb + (long)panel * lda;
                    int cols = Math.Min(NR, n - panel);
                    for (int i = m0; i < m1; i += MR)
                        KernelWide(pa, lda, i, Math.Min(MR, m1 - i), bp, kp, pc + (long)i * n + panel, n, cols);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void KernelWide(byte* a, int lda, int row, int rows, short* bp, int kp, int* c, int ldc, int cols)
    {
        byte* a0 = a + (long)row * lda;
        byte* a1 = rows > 1 ? a0 + lda : a0;
        byte* a2 = rows > 2 ? a0 + 2 * lda : a0;
        byte* a3 = rows > 3 ? a0 + 3 * lda : a0;
        Vector512<int> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int q = 0; q < kp; q++, bp += 32)
        {
            var b = Vector512.Load(bp);
            int o = 2 * q;
            // Two consecutive u8 activations as two non-negative int16 in one int32 lane, broadcast.
            c0 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(a0[o] | (a0[o + 1] << 16)).AsInt16(), b);
            c1 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(a1[o] | (a1[o + 1] << 16)).AsInt16(), b);
            c2 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(a2[o] | (a2[o + 1] << 16)).AsInt16(), b);
            c3 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(a3[o] | (a3[o + 1] << 16)).AsInt16(), b);
        }
        int* tmp = stackalloc int[MR * NR];
        c0.Store(tmp); c1.Store(tmp + 16); c2.Store(tmp + 32); c3.Store(tmp + 48);
        CopyOut(tmp, c, ldc, rows, cols);
    }
}
