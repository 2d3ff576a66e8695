using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Polymath.Kernels;

/// <summary>Which micro-kernel the managed GEMM uses.</summary>
internal enum GemmIsa
{
    /// <summary>Plain scalar code (any machine).</summary>
    Scalar,
    /// <summary>Vector256, 6 rows × 2 vectors (fits the 16 registers of AVX2).</summary>
    Vector256,
    /// <summary>Vector512, 12 rows × 2 vectors (24 of the 32 AVX-512 registers hold accumulators).</summary>
    Vector512,
}

/// <summary>
/// Managed SIMD GEMM in the GotoBLAS/BLIS scheme, row-major:
/// <code>
/// for jc in N step NC:            B block (KC×NC) lives in L3
///   for pc in K step KC:          pack B[pc:pc+KC, jc:jc+NC] into NR-wide column panels
///     for ic in M step MC:        pack alpha*A[ic:ic+MC, pc:pc+KC] into MR-tall row panels (L2)
///       for jr in NC step NR:     one B micro-panel (KC×NR) stays in L1
///         for ir in MC step MR:   micro-kernel: MR×NR tile of C += A micro-panel @ B micro-panel
/// </code>
/// Packing makes the micro-kernel's loads contiguous whatever the transposes and leading dimensions,
/// and zero-pads the edge panels so the micro-kernel always computes a full tile (edge tiles are
/// written back through a small scratch tile). Large problems are split into a grid of sub-problems,
/// one per thread, each with its own thread-local packing buffers.
/// </summary>
internal static unsafe class ManagedGemm
{
    /// <summary>Micro-kernel in use; tests switch it to cover the fallbacks.</summary>
    internal static GemmIsa Isa { get; set; } =
        Vector512.IsHardwareAccelerated ? GemmIsa.Vector512 :
        Vector256.IsHardwareAccelerated ? GemmIsa.Vector256 : GemmIsa.Scalar;

    // Below this many multiply-adds a problem runs on the calling thread: starting tasks costs
    // several microseconds, as much as a whole 64×64×64 product.
    internal const long ParallelThreshold = 128L * 128 * 128;

    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
            Run(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }

    public static void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha,
        ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
    {
        fixed (double* pa = a)
        fixed (double* pb = b)
        fixed (double* pc = c)
            Run(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }

    /// <summary>Block sizes and register tile for one element type and micro-kernel.</summary>
    private readonly struct Plan
    {
        public readonly GemmIsa Isa;
        public readonly int MR, NR, KC, MC, NC;

        /// <summary>
        /// Vector512 only: an 8 × (3·W) register tile instead of 12 × (2·W). Chosen when it wastes less of
        /// the edge tiles (e.g. M = 16 or 64, common channel counts, fill 8-row panels exactly but leave
        /// 12-row panels a third or a ninth empty); it also loads less per FMA (11 loads per 24 FMAs
        /// instead of 14), but its larger B micro-panel needs a smaller KC to stay in L1.
        /// </summary>
        public readonly bool Wide;

        public Plan(GemmIsa isa, int elementSize, int m, int n)
        {
            Isa = isa;
            if (isa == GemmIsa.Vector512)
            {
                int w512 = 64 / elementSize;
                double eff12 = (double)m / RoundUp(m, 12) * n / RoundUp(n, 2 * w512);
                double eff8 = (double)m / RoundUp(m, 8) * n / RoundUp(n, 3 * w512);
                if (eff8 > eff12 * 1.02)
                {
                    Wide = true;
                    MR = 8;
                    NR = 3 * w512;
                    KC = 192; // B micro-panel 192×48 floats or 192×24 doubles: 36 KiB
                    MC = MR * (elementSize == 4 ? 32 : 24);
                    NC = NR * (elementSize == 4 ? 96 : 128);
                    return;
                }
            }
            int w = isa switch
            {
                GemmIsa.Vector512 => 64 / elementSize,
                GemmIsa.Vector256 => 32 / elementSize,
                _ => 2,
            };
            MR = isa switch { GemmIsa.Vector512 => 12, GemmIsa.Vector256 => 6, _ => 4 };
            NR = 2 * w;
            // KC: a B micro-panel (KC×NR) plus an A micro-panel (MR×KC) fit in the 48 KiB L1.
            // MC: the packed A block (MC×KC) sits in L2 with room to spare.
            // NC: the packed B block (KC×NC) sits in L3.
            KC = elementSize == 4 ? 256 : 192;
            MC = MR * (elementSize == 4 ? 24 : 16);
            NC = NR * (elementSize == 4 ? 128 : 192);
        }
    }

    // Kernels are compiled fully optimised on first call: tier-0 code, or code stuck there when
    // worker threads share the call count, ran the 256x256 GEMM ten times slower.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<T>(bool transA, bool transB, int m, int n, int k, T alpha,
        T* a, int lda, T* b, int ldb, T beta, T* c, int ldc) where T : unmanaged, INumber<T>
    {
        if (m == 0 || n == 0)
            return;
        if (k == 0 || alpha == T.Zero)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        var plan = new Plan(Isa, sizeof(T), m, n);

        int threads = Threads.Available;
        if (threads <= 1 || (long)m * n * k < ParallelThreshold)
        {
            Block(plan, transA, transB, 0, m, 0, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }

        // Grid of tm×tn sub-problems, one per thread: pick the factorization whose tiles are the
        // most square (least packing repeated across threads), never slicing finer than a register tile.
        // Ties go to more slices of M: every thread packs all of its A rows and B columns, and packing
        // A (a transpose) costs more than packing B (a copy), so A is the one to divide.
        int tm = 1, tn = threads;
        double best = double.MaxValue;
        for (int f = threads; f >= 1; f--)
        {
            if (threads % f != 0)
                continue;
            int g = threads / f;
            if ((m + f - 1) / f < plan.MR && f > 1 || (n + g - 1) / g < plan.NR && g > 1)
                continue;
            double cost = (double)m / f + (double)n / g;
            if (cost < best)
            {
                best = cost;
                tm = f;
                tn = g;
            }
        }
        if (tm * tn == 1)
        {
            Block(plan, transA, transB, 0, m, 0, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        // Split points at multiples of the register tile so only the last slice has edges.
        int mStep = RoundUp((m + tm - 1) / tm, plan.MR);
        int nStep = RoundUp((n + tn - 1) / tn, plan.NR);
        nint pa = (nint)a, pb = (nint)b, pc = (nint)c;
        Threads.For(tm * tn, 1, (start, end) =>
        {
            for (long t = start; t < end; t++)
            {
                int i0 = (int)(t / tn) * mStep, j0 = (int)(t % tn) * nStep;
                int i1 = Math.Min(m, i0 + mStep), j1 = Math.Min(n, j0 + nStep);
                if (i0 < i1 && j0 < j1)
                    Block(plan, transA, transB, i0, i1, j0, j1, k, alpha, (T*)pa, lda, (T*)pb, ldb, beta, (T*)pc, ldc);
            }
        });
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScaleC<T>(int m, int n, T beta, T* c, int ldc) where T : unmanaged, INumber<T>
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<T>(c + (nint)i * ldc, n);
            if (beta == T.Zero)
                row.Clear(); // overwrite, so NaN in C does not survive
            else if (beta != T.One)
                for (int j = 0; j < n; j++)
                    row[j] *= beta;
        }
    }

    /// <summary>Computes rows [i0,i1) × columns [j0,j1) of C on the calling thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block<T>(in Plan plan, bool transA, bool transB, int i0, int i1, int j0, int j1, int k,
        T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc) where T : unmanaged, INumber<T>
    {
        int MR = plan.MR, NR = plan.NR;
        int kcMax = Math.Min(plan.KC, k);
        int mcMax = Math.Min(plan.MC, RoundUp(i1 - i0, MR));
        int ncMax = Math.Min(plan.NC, RoundUp(j1 - j0, NR));
        Buffers<T>.Get(mcMax * kcMax, kcMax * ncMax, MR * NR, out T* packA, out T* packB, out T* tile);

        for (int jc = j0; jc < j1; jc += plan.NC)
        {
            int nc = Math.Min(plan.NC, j1 - jc);
            for (int pc = 0; pc < k; pc += plan.KC)
            {
                int kc = Math.Min(plan.KC, k - pc);
                // beta applies once, on the first slice of K; later slices accumulate.
                T betaNow = pc == 0 ? beta : T.One;
                int mode = betaNow == T.Zero ? 0 : betaNow == T.One ? 1 : 2;
                PackB(transB, b, ldb, pc, kc, jc, nc, NR, packB);
                for (int ic = i0; ic < i1; ic += plan.MC)
                {
                    int mc = Math.Min(plan.MC, i1 - ic);
                    PackA(transA, a, lda, ic, mc, pc, kc, alpha, MR, packA);
                    for (int jr = 0; jr < nc; jr += NR)
                    {
                        int nr = Math.Min(NR, nc - jr);
                        T* bp = packB + (nint)jr * kc;
                        for (int ir = 0; ir < mc; ir += MR)
                        {
                            int mr = Math.Min(MR, mc - ir);
                            T* ap = packA + (nint)ir * kc;
                            T* cp = c + (nint)(ic + ir) * ldc + jc + jr;
                            switch (plan.Isa)
                            {
                                case GemmIsa.Vector512 when plan.Wide:
                                    Kernel512Wide(kc, ap, bp, cp, ldc, betaNow, mode, mr, nr, tile);
                                    break;
                                case GemmIsa.Vector512:
                                    Kernel512(kc, ap, bp, cp, ldc, betaNow, mode, mr, nr, tile);
                                    break;
                                case GemmIsa.Vector256:
                                    Kernel256(kc, ap, bp, cp, ldc, betaNow, mode, mr, nr, tile);
                                    break;
                                default:
                                    KernelScalar(kc, ap, bp, cp, ldc, betaNow, mode, mr, nr, tile);
                                    break;
                            }
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- packing

    /// <summary>
    /// Packs alpha·op(A)[i0:i0+mc, p0:p0+kc] as MR-tall panels: panel q holds, for each p, the MR
    /// values of column p, rows q·MR.. (zero past mc). Folding alpha in here spares the kernel a multiply.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA<T>(bool transA, T* a, int lda, int i0, int mc, int p0, int kc, T alpha, int MR, T* dst)
        where T : unmanaged, INumber<T>
    {
        for (int ir = 0; ir < mc; ir += MR, dst += (nint)MR * kc)
        {
            int mr = Math.Min(MR, mc - ir);
            if (!transA)
            {
                // op(A)[i,p] = a[i*lda + p]: a transpose. Groups of 4 rows go through 4×4 register
                // transposes (4 vector loads and 4 vector stores per 16 values instead of 16 scalar
                // stores with stride MR); leftover rows take the scalar loop.
                int r = Transpose4Rows(a + (nint)(i0 + ir) * lda + p0, lda, mr, kc, alpha, dst, MR);
                for (; r < mr; r++)
                {
                    T* src = a + (nint)(i0 + ir + r) * lda + p0;
                    T* d = dst + r;
                    int p = 0;
                    for (; p + 4 <= kc; p += 4)
                    {
                        d[(nint)p * MR] = alpha * src[p];
                        d[(nint)(p + 1) * MR] = alpha * src[p + 1];
                        d[(nint)(p + 2) * MR] = alpha * src[p + 2];
                        d[(nint)(p + 3) * MR] = alpha * src[p + 3];
                    }
                    for (; p < kc; p++)
                        d[(nint)p * MR] = alpha * src[p];
                }
            }
            else
            {
                // op(A)[i,p] = a[p*lda + i]: each column of the panel is contiguous in memory.
                for (int p = 0; p < kc; p++)
                {
                    T* src = a + (nint)(p0 + p) * lda + i0 + ir;
                    T* d = dst + (nint)p * MR;
                    for (int r = 0; r < mr; r++)
                        d[r] = alpha * src[r];
                }
            }
            if (mr < MR)
                for (int p = 0; p < kc; p++)
                    for (int r = mr; r < MR; r++)
                        dst[(nint)p * MR + r] = T.Zero;
        }
    }

    /// <summary>
    /// Packs whole groups of 4 rows of a row-major block (rows × kc, leading dimension ld) into
    /// dst[p*MR + r] = alpha*src[r*ld + p] with 4×4 register transposes; the last kc % 4 columns are
    /// copied by scalar code. Returns how many rows it packed (0 where there is no fast path).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Transpose4Rows<T>(T* src, int ld, int rows, int kc, T alpha, T* dst, int MR)
        where T : unmanaged, INumber<T>
    {
        int done = 0;
        if (typeof(T) == typeof(float) && Sse.IsSupported)
        {
            var va = Vector128.Create((float)(object)alpha);
            for (; done + 4 <= rows; done += 4)
            {
                float* s0 = (float*)src + (nint)done * ld, s1 = s0 + ld, s2 = s1 + ld, s3 = s2 + ld;
                float* d = (float*)dst + done;
                int p = 0;
                for (; p + 4 <= kc; p += 4)
                {
                    var r0 = Sse.LoadVector128(s0 + p) * va;
                    var r1 = Sse.LoadVector128(s1 + p) * va;
                    var r2 = Sse.LoadVector128(s2 + p) * va;
                    var r3 = Sse.LoadVector128(s3 + p) * va;
                    var t0 = Sse.UnpackLow(r0, r1);   // r0[0] r1[0] r0[1] r1[1]
                    var t1 = Sse.UnpackLow(r2, r3);   // r2[0] r3[0] r2[1] r3[1]
                    var t2 = Sse.UnpackHigh(r0, r1);  // r0[2] r1[2] r0[3] r1[3]
                    var t3 = Sse.UnpackHigh(r2, r3);  // r2[2] r3[2] r2[3] r3[3]
                    float* dp = d + (nint)p * MR;
                    Sse.Store(dp, Sse.MoveLowToHigh(t0, t1));
                    Sse.Store(dp + MR, Sse.MoveHighToLow(t1, t0));
                    Sse.Store(dp + 2 * MR, Sse.MoveLowToHigh(t2, t3));
                    Sse.Store(dp + 3 * MR, Sse.MoveHighToLow(t3, t2));
                }
                for (; p < kc; p++)
                {
                    float* dp = d + (nint)p * MR;
                    float al = (float)(object)alpha;
                    dp[0] = al * s0[p];
                    dp[1] = al * s1[p];
                    dp[2] = al * s2[p];
                    dp[3] = al * s3[p];
                }
            }
        }
        else if (typeof(T) == typeof(double) && Avx.IsSupported)
        {
            var va = Vector256.Create((double)(object)alpha);
            for (; done + 4 <= rows; done += 4)
            {
                double* s0 = (double*)src + (nint)done * ld, s1 = s0 + ld, s2 = s1 + ld, s3 = s2 + ld;
                double* d = (double*)dst + done;
                int p = 0;
                for (; p + 4 <= kc; p += 4)
                {
                    var r0 = Avx.LoadVector256(s0 + p) * va;
                    var r1 = Avx.LoadVector256(s1 + p) * va;
                    var r2 = Avx.LoadVector256(s2 + p) * va;
                    var r3 = Avx.LoadVector256(s3 + p) * va;
                    var t0 = Avx.UnpackLow(r0, r1);   // r0[0] r1[0] r0[2] r1[2]
                    var t1 = Avx.UnpackLow(r2, r3);   // r2[0] r3[0] r2[2] r3[2]
                    var t2 = Avx.UnpackHigh(r0, r1);  // r0[1] r1[1] r0[3] r1[3]
                    var t3 = Avx.UnpackHigh(r2, r3);  // r2[1] r3[1] r2[3] r3[3]
                    double* dp = d + (nint)p * MR;
                    Avx.Store(dp, Avx.Permute2x128(t0, t1, 0x20));
                    Avx.Store(dp + MR, Avx.Permute2x128(t2, t3, 0x20));
                    Avx.Store(dp + 2 * MR, Avx.Permute2x128(t0, t1, 0x31));
                    Avx.Store(dp + 3 * MR, Avx.Permute2x128(t2, t3, 0x31));
                }
                for (; p < kc; p++)
                {
                    double* dp = d + (nint)p * MR;
                    double al = (double)(object)alpha;
                    dp[0] = al * s0[p];
                    dp[1] = al * s1[p];
                    dp[2] = al * s2[p];
                    dp[3] = al * s3[p];
                }
            }
        }
        return done;
    }

    /// <summary>
    /// Packs op(B)[p0:p0+kc, j0:j0+nc] as NR-wide panels: panel q holds, for each p, the NR values of
    /// row p, columns q·NR.. (zero past nc).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB<T>(bool transB, T* b, int ldb, int p0, int kc, int j0, int nc, int NR, T* dst)
        where T : unmanaged, INumber<T>
    {
        for (int jr = 0; jr < nc; jr += NR, dst += (nint)NR * kc)
        {
            int nr = Math.Min(NR, nc - jr);
            if (!transB)
            {
                // op(B)[p,j] = b[p*ldb + j]: each panel row is a contiguous copy.
                for (int p = 0; p < kc; p++)
                {
                    T* src = b + (nint)(p0 + p) * ldb + j0 + jr;
                    T* d = dst + (nint)p * NR;
                    new ReadOnlySpan<T>(src, nr).CopyTo(new Span<T>(d, nr));
                    for (int j = nr; j < NR; j++)
                        d[j] = T.Zero;
                }
            }
            else
            {
                // op(B)[p,j] = b[j*ldb + p]: whole groups of 16 (float) or 8 (double) columns of op(B) go
                // through square register transposes; leftover columns are read contiguously and
                // written with stride NR.
                int j0Done = TransposeBRows(b + (nint)(j0 + jr) * ldb + p0, ldb, nr, kc, dst, NR);
                for (int j = j0Done; j < nr; j++)
                {
                    T* src = b + (nint)(j0 + jr + j) * ldb + p0;
                    T* d = dst + j;
                    for (int p = 0; p < kc; p++)
                        d[(nint)p * NR] = src[p];
                }
                if (nr < NR)
                    for (int p = 0; p < kc; p++)
                        for (int j = nr; j < NR; j++)
                            dst[(nint)p * NR + j] = T.Zero;
            }
        }
    }

    /// <summary>
    /// Packs whole groups of W rows (W = 16 floats or 8 doubles) of a row-major block (rows × kc, leading
    /// dimension ld) into dst[p*NR + r] = src[r*ld + p] with W×W AVX-512 register transposes; the last
    /// kc % W columns of each group are copied by scalar code. Returns how many rows it packed (0 where
    /// there is no fast path).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int TransposeBRows<T>(T* src, int ld, int rows, int kc, T* dst, int NR)
        where T : unmanaged, INumber<T>
    {
        if (!Avx512F.IsSupported)
            return 0;
        int done = 0;
        if (typeof(T) == typeof(float))
        {
            for (; done + 16 <= rows; done += 16)
            {
                float* s = (float*)src + (nint)done * ld;
                float* d = (float*)dst + done;
                int p = 0;
                for (; p + 16 <= kc; p += 16)
                    Transpose16x16(s + p, ld, d + (nint)p * NR, NR);
                for (; p < kc; p++)
                {
                    float* dp = d + (nint)p * NR;
                    for (int r = 0; r < 16; r++)
                        dp[r] = s[(nint)r * ld + p];
                }
            }
        }
        else if (typeof(T) == typeof(double))
        {
            for (; done + 8 <= rows; done += 8)
            {
                double* s = (double*)src + (nint)done * ld;
                double* d = (double*)dst + done;
                int p = 0;
                for (; p + 8 <= kc; p += 8)
                    Transpose8x8(s + p, ld, d + (nint)p * NR, NR);
                for (; p < kc; p++)
                {
                    double* dp = d + (nint)p * NR;
                    for (int r = 0; r < 8; r++)
                        dp[r] = s[(nint)r * ld + p];
                }
            }
        }
        return done;
    }

    /// <summary>d[c*ldd + r] = s[r*lds + c] for a 16×16 float block (64 in-register shuffles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose16x16(float* s, int lds, float* d, int ldd)
    {
        nint ls = lds;
        // Stage 1: interleave pairs of rows.
        var r0 = Avx512F.LoadVector512(s); var r1 = Avx512F.LoadVector512(s + ls);
        var r2 = Avx512F.LoadVector512(s + 2 * ls); var r3 = Avx512F.LoadVector512(s + 3 * ls);
        var r4 = Avx512F.LoadVector512(s + 4 * ls); var r5 = Avx512F.LoadVector512(s + 5 * ls);
        var r6 = Avx512F.LoadVector512(s + 6 * ls); var r7 = Avx512F.LoadVector512(s + 7 * ls);
        var r8 = Avx512F.LoadVector512(s + 8 * ls); var r9 = Avx512F.LoadVector512(s + 9 * ls);
        var ra = Avx512F.LoadVector512(s + 10 * ls); var rb = Avx512F.LoadVector512(s + 11 * ls);
        var rc = Avx512F.LoadVector512(s + 12 * ls); var rd = Avx512F.LoadVector512(s + 13 * ls);
        var re = Avx512F.LoadVector512(s + 14 * ls); var rf = Avx512F.LoadVector512(s + 15 * ls);
        var t0 = Avx512F.UnpackLow(r0, r1); var t1 = Avx512F.UnpackHigh(r0, r1);
        var t2 = Avx512F.UnpackLow(r2, r3); var t3 = Avx512F.UnpackHigh(r2, r3);
        var t4 = Avx512F.UnpackLow(r4, r5); var t5 = Avx512F.UnpackHigh(r4, r5);
        var t6 = Avx512F.UnpackLow(r6, r7); var t7 = Avx512F.UnpackHigh(r6, r7);
        var t8 = Avx512F.UnpackLow(r8, r9); var t9 = Avx512F.UnpackHigh(r8, r9);
        var ta = Avx512F.UnpackLow(ra, rb); var tb = Avx512F.UnpackHigh(ra, rb);
        var tc = Avx512F.UnpackLow(rc, rd); var td = Avx512F.UnpackHigh(rc, rd);
        var te = Avx512F.UnpackLow(re, rf); var tf = Avx512F.UnpackHigh(re, rf);
        // Stage 2: u[4q+c] holds rows 4q..4q+3 of columns c, c+4, c+8, c+12 (one per 128-bit lane).
        var u0 = Avx512F.Shuffle(t0, t2, 0x44); var u1 = Avx512F.Shuffle(t0, t2, 0xEE);
        var u2 = Avx512F.Shuffle(t1, t3, 0x44); var u3 = Avx512F.Shuffle(t1, t3, 0xEE);
        var u4 = Avx512F.Shuffle(t4, t6, 0x44); var u5 = Avx512F.Shuffle(t4, t6, 0xEE);
        var u6 = Avx512F.Shuffle(t5, t7, 0x44); var u7 = Avx512F.Shuffle(t5, t7, 0xEE);
        var u8 = Avx512F.Shuffle(t8, ta, 0x44); var u9 = Avx512F.Shuffle(t8, ta, 0xEE);
        var ua = Avx512F.Shuffle(t9, tb, 0x44); var ub = Avx512F.Shuffle(t9, tb, 0xEE);
        var uc = Avx512F.Shuffle(tc, te, 0x44); var ud = Avx512F.Shuffle(tc, te, 0xEE);
        var ue = Avx512F.Shuffle(td, tf, 0x44); var uf = Avx512F.Shuffle(td, tf, 0xEE);
        // Stages 3 and 4: gather the four 128-bit lanes of each column.
        Lanes4(u0, u4, u8, uc, d, 0, ldd);
        Lanes4(u1, u5, u9, ud, d, 1, ldd);
        Lanes4(u2, u6, ua, ue, d, 2, ldd);
        Lanes4(u3, u7, ub, uf, d, 3, ldd);
    }

    /// <summary>Columns c, c+4, c+8, c+12 from lane L of a, b, e, f (rows 0-3, 4-7, 8-11, 12-15).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Lanes4(Vector512<float> a, Vector512<float> b, Vector512<float> e, Vector512<float> f, float* d, int c, int ldd)
    {
        var v0 = Avx512F.Shuffle4x128(a, b, 0x88); // a.L0 a.L2 b.L0 b.L2
        var v1 = Avx512F.Shuffle4x128(a, b, 0xDD); // a.L1 a.L3 b.L1 b.L3
        var w0 = Avx512F.Shuffle4x128(e, f, 0x88);
        var w1 = Avx512F.Shuffle4x128(e, f, 0xDD);
        nint l = ldd;
        Avx512F.Store(d + c * l, Avx512F.Shuffle4x128(v0, w0, 0x88));
        Avx512F.Store(d + (c + 8) * l, Avx512F.Shuffle4x128(v0, w0, 0xDD));
        Avx512F.Store(d + (c + 4) * l, Avx512F.Shuffle4x128(v1, w1, 0x88));
        Avx512F.Store(d + (c + 12) * l, Avx512F.Shuffle4x128(v1, w1, 0xDD));
    }

    /// <summary>d[c*ldd + r] = s[r*lds + c] for an 8×8 double block (24 in-register shuffles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(double* s, int lds, double* d, int ldd)
    {
        nint ls = lds, l = ldd;
        var r0 = Avx512F.LoadVector512(s); var r1 = Avx512F.LoadVector512(s + ls);
        var r2 = Avx512F.LoadVector512(s + 2 * ls); var r3 = Avx512F.LoadVector512(s + 3 * ls);
        var r4 = Avx512F.LoadVector512(s + 4 * ls); var r5 = Avx512F.LoadVector512(s + 5 * ls);
        var r6 = Avx512F.LoadVector512(s + 6 * ls); var r7 = Avx512F.LoadVector512(s + 7 * ls);
        // t[2q+h]: rows 2q, 2q+1 of columns h, h+2, h+4, h+6 (one pair per 128-bit lane).
        var t0 = Avx512F.UnpackLow(r0, r1); var t1 = Avx512F.UnpackHigh(r0, r1);
        var t2 = Avx512F.UnpackLow(r2, r3); var t3 = Avx512F.UnpackHigh(r2, r3);
        var t4 = Avx512F.UnpackLow(r4, r5); var t5 = Avx512F.UnpackHigh(r4, r5);
        var t6 = Avx512F.UnpackLow(r6, r7); var t7 = Avx512F.UnpackHigh(r6, r7);
        for (int h = 0; h < 2; h++)
        {
            var a = h == 0 ? t0 : t1;
            var b = h == 0 ? t2 : t3;
            var e = h == 0 ? t4 : t5;
            var f = h == 0 ? t6 : t7;
            var v0 = Avx512F.Shuffle4x128(a, b, 0x88);
            var v1 = Avx512F.Shuffle4x128(a, b, 0xDD);
            var w0 = Avx512F.Shuffle4x128(e, f, 0x88);
            var w1 = Avx512F.Shuffle4x128(e, f, 0xDD);
            Avx512F.Store(d + h * l, Avx512F.Shuffle4x128(v0, w0, 0x88));
            Avx512F.Store(d + (h + 4) * l, Avx512F.Shuffle4x128(v0, w0, 0xDD));
            Avx512F.Store(d + (h + 2) * l, Avx512F.Shuffle4x128(v1, w1, 0x88));
            Avx512F.Store(d + (h + 6) * l, Avx512F.Shuffle4x128(v1, w1, 0xDD));
        }
    }

    // ---------------------------------------------------------------- micro-kernels

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma<T>(Vector512<T> x, Vector512<T> y, Vector512<T> acc)
    {
        // MultiplyAddEstimate is one fused instruction where the hardware has FMA (the JIT drops
        // the branches for the T it specializes for).
        if (typeof(T) == typeof(float))
            return Vector512.MultiplyAddEstimate(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector512.MultiplyAddEstimate(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
        return x * y + acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma<T>(Vector256<T> x, Vector256<T> y, Vector256<T> acc)
    {
        if (typeof(T) == typeof(float))
            return Vector256.MultiplyAddEstimate(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector256.MultiplyAddEstimate(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
        return x * y + acc;
    }

    /// <summary>Writes one row of a full tile: C = acc (mode 0), C += acc (1), C = acc + beta·C (2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<T>(T* c, Vector512<T> x0, Vector512<T> x1, Vector512<T> vbeta, int mode)
        where T : unmanaged
    {
        T* c1 = c + Vector512<T>.Count;
        if (mode == 1)
        {
            x0 += Vector512.Load(c);
            x1 += Vector512.Load(c1);
        }
        else if (mode == 2)
        {
            x0 = Fma(vbeta, Vector512.Load(c), x0);
            x1 = Fma(vbeta, Vector512.Load(c1), x1);
        }
        Vector512.Store(x0, c);
        Vector512.Store(x1, c1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<T>(T* c, Vector256<T> x0, Vector256<T> x1, Vector256<T> vbeta, int mode)
        where T : unmanaged
    {
        T* c1 = c + Vector256<T>.Count;
        if (mode == 1)
        {
            x0 += Vector256.Load(c);
            x1 += Vector256.Load(c1);
        }
        else if (mode == 2)
        {
            x0 = Fma(vbeta, Vector256.Load(c), x0);
            x1 = Fma(vbeta, Vector256.Load(c1), x1);
        }
        Vector256.Store(x0, c);
        Vector256.Store(x1, c1);
    }

    /// <summary>Adds an edge tile (the top-left mr×nr of the MR×NR scratch tile) into C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StoreEdge<T>(T* tile, int NR, T* c, int ldc, T beta, int mode, int mr, int nr)
        where T : unmanaged, INumber<T>
    {
        for (int r = 0; r < mr; r++)
        {
            T* t = tile + (nint)r * NR;
            T* cr = c + (nint)r * ldc;
            for (int j = 0; j < nr; j++)
                cr[j] = mode == 0 ? t[j] : mode == 1 ? t[j] + cr[j] : t[j] + beta * cr[j];
        }
    }

    /// <summary>
    /// 12×(2·W) tile, W = lanes of a Vector512: per step of k, two loads of B, twelve broadcasts of A
    /// and 24 FMAs into 24 accumulators that stay in registers for the whole kc loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512<T>(int kc, T* ap, T* bp, T* c, int ldc, T beta, int mode, int mr, int nr, T* tile)
        where T : unmanaged, INumber<T>
    {
        const int MR = 12;
        int W = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default,
            c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default,
            c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        if (Sse.IsSupported)
        {
            // Start fetching the C tile now so the loads at the end do not stall (prefetch never faults).
            for (int r = 0; r < MR; r++)
            {
                Sse.Prefetch0(c + (nint)r * ldc);
                Sse.Prefetch0(c + (nint)r * ldc + 2 * W - 1);
            }
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(bp);
            var b1 = Vector512.Load(bp + W);
            Vector512<T> x;
            x = Vector512.Create(ap[0]); c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            x = Vector512.Create(ap[1]); c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
            x = Vector512.Create(ap[2]); c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
            x = Vector512.Create(ap[3]); c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
            x = Vector512.Create(ap[4]); c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41);
            x = Vector512.Create(ap[5]); c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51);
            x = Vector512.Create(ap[6]); c60 = Fma(x, b0, c60); c61 = Fma(x, b1, c61);
            x = Vector512.Create(ap[7]); c70 = Fma(x, b0, c70); c71 = Fma(x, b1, c71);
            x = Vector512.Create(ap[8]); c80 = Fma(x, b0, c80); c81 = Fma(x, b1, c81);
            x = Vector512.Create(ap[9]); c90 = Fma(x, b0, c90); c91 = Fma(x, b1, c91);
            x = Vector512.Create(ap[10]); ca0 = Fma(x, b0, ca0); ca1 = Fma(x, b1, ca1);
            x = Vector512.Create(ap[11]); cb0 = Fma(x, b0, cb0); cb1 = Fma(x, b1, cb1);
            ap += MR;
            bp += 2 * W;
        }

        var vb = Vector512.Create(beta);
        if (nr == 2 * W)
        {
            // Full width: rows go straight to C (the bottom edge just stores fewer rows).
            StoreRow(c, c00, c01, vb, mode);
            if (mr > 1) StoreRow(c + ldc, c10, c11, vb, mode);
            if (mr > 2) StoreRow(c + 2 * ldc, c20, c21, vb, mode);
            if (mr > 3) StoreRow(c + 3 * ldc, c30, c31, vb, mode);
            if (mr > 4) StoreRow(c + 4 * ldc, c40, c41, vb, mode);
            if (mr > 5) StoreRow(c + 5 * ldc, c50, c51, vb, mode);
            if (mr > 6) StoreRow(c + 6 * ldc, c60, c61, vb, mode);
            if (mr > 7) StoreRow(c + 7 * ldc, c70, c71, vb, mode);
            if (mr > 8) StoreRow(c + 8 * ldc, c80, c81, vb, mode);
            if (mr > 9) StoreRow(c + 9 * ldc, c90, c91, vb, mode);
            if (mr > 10) StoreRow(c + 10 * ldc, ca0, ca1, vb, mode);
            if (mr > 11) StoreRow(c + 11 * ldc, cb0, cb1, vb, mode);
            return;
        }
        // Right edge: spill the tile to scratch, then merge the valid mr×nr part into C.
        int ld = 2 * W;
        StoreRow(tile, c00, c01, vb, 0);
        StoreRow(tile + ld, c10, c11, vb, 0);
        StoreRow(tile + 2 * ld, c20, c21, vb, 0);
        StoreRow(tile + 3 * ld, c30, c31, vb, 0);
        StoreRow(tile + 4 * ld, c40, c41, vb, 0);
        StoreRow(tile + 5 * ld, c50, c51, vb, 0);
        StoreRow(tile + 6 * ld, c60, c61, vb, 0);
        StoreRow(tile + 7 * ld, c70, c71, vb, 0);
        StoreRow(tile + 8 * ld, c80, c81, vb, 0);
        StoreRow(tile + 9 * ld, c90, c91, vb, 0);
        StoreRow(tile + 10 * ld, ca0, ca1, vb, 0);
        StoreRow(tile + 11 * ld, cb0, cb1, vb, 0);
        StoreEdge(tile, ld, c, ldc, beta, mode, mr, nr);
    }

    /// <summary>Writes one row of three vectors: C = acc (mode 0), C += acc (1), C = acc + beta·C (2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow3<T>(T* c, Vector512<T> x0, Vector512<T> x1, Vector512<T> x2, Vector512<T> vbeta, int mode)
        where T : unmanaged
    {
        int w = Vector512<T>.Count;
        if (mode == 1)
        {
            x0 += Vector512.Load(c);
            x1 += Vector512.Load(c + w);
            x2 += Vector512.Load(c + 2 * w);
        }
        else if (mode == 2)
        {
            x0 = Fma(vbeta, Vector512.Load(c), x0);
            x1 = Fma(vbeta, Vector512.Load(c + w), x1);
            x2 = Fma(vbeta, Vector512.Load(c + 2 * w), x2);
        }
        Vector512.Store(x0, c);
        Vector512.Store(x1, c + w);
        Vector512.Store(x2, c + 2 * w);
    }

    /// <summary>
    /// 8×(3·W) tile, W = lanes of a Vector512: per step of k, three loads of B, eight broadcasts of A and
    /// 24 FMAs into 24 accumulators.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512Wide<T>(int kc, T* ap, T* bp, T* c, int ldc, T beta, int mode, int mr, int nr, T* tile)
        where T : unmanaged, INumber<T>
    {
        const int MR = 8;
        int W = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default,
            c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default,
            c40 = default, c41 = default, c42 = default, c50 = default, c51 = default, c52 = default,
            c60 = default, c61 = default, c62 = default, c70 = default, c71 = default, c72 = default;
        if (Sse.IsSupported)
        {
            for (int r = 0; r < MR; r++)
            {
                T* cr = c + (nint)r * ldc;
                Sse.Prefetch0(cr);
                Sse.Prefetch0(cr + W);
                Sse.Prefetch0(cr + 3 * W - 1);
            }
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(bp);
            var b1 = Vector512.Load(bp + W);
            var b2 = Vector512.Load(bp + 2 * W);
            Vector512<T> x;
            x = Vector512.Create(ap[0]); c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01); c02 = Fma(x, b2, c02);
            x = Vector512.Create(ap[1]); c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11); c12 = Fma(x, b2, c12);
            x = Vector512.Create(ap[2]); c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21); c22 = Fma(x, b2, c22);
            x = Vector512.Create(ap[3]); c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31); c32 = Fma(x, b2, c32);
            x = Vector512.Create(ap[4]); c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41); c42 = Fma(x, b2, c42);
            x = Vector512.Create(ap[5]); c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51); c52 = Fma(x, b2, c52);
            x = Vector512.Create(ap[6]); c60 = Fma(x, b0, c60); c61 = Fma(x, b1, c61); c62 = Fma(x, b2, c62);
            x = Vector512.Create(ap[7]); c70 = Fma(x, b0, c70); c71 = Fma(x, b1, c71); c72 = Fma(x, b2, c72);
            ap += MR;
            bp += 3 * W;
        }

        var vb = Vector512.Create(beta);
        if (nr == 3 * W)
        {
            StoreRow3(c, c00, c01, c02, vb, mode);
            if (mr > 1) StoreRow3(c + ldc, c10, c11, c12, vb, mode);
            if (mr > 2) StoreRow3(c + 2 * ldc, c20, c21, c22, vb, mode);
            if (mr > 3) StoreRow3(c + 3 * ldc, c30, c31, c32, vb, mode);
            if (mr > 4) StoreRow3(c + 4 * ldc, c40, c41, c42, vb, mode);
            if (mr > 5) StoreRow3(c + 5 * ldc, c50, c51, c52, vb, mode);
            if (mr > 6) StoreRow3(c + 6 * ldc, c60, c61, c62, vb, mode);
            if (mr > 7) StoreRow3(c + 7 * ldc, c70, c71, c72, vb, mode);
            return;
        }
        int ld = 3 * W;
        StoreRow3(tile, c00, c01, c02, vb, 0);
        StoreRow3(tile + ld, c10, c11, c12, vb, 0);
        StoreRow3(tile + 2 * ld, c20, c21, c22, vb, 0);
        StoreRow3(tile + 3 * ld, c30, c31, c32, vb, 0);
        StoreRow3(tile + 4 * ld, c40, c41, c42, vb, 0);
        StoreRow3(tile + 5 * ld, c50, c51, c52, vb, 0);
        StoreRow3(tile + 6 * ld, c60, c61, c62, vb, 0);
        StoreRow3(tile + 7 * ld, c70, c71, c72, vb, 0);
        StoreEdge(tile, ld, c, ldc, beta, mode, mr, nr);
    }

    /// <summary>6×(2·W) tile with Vector256: 12 accumulators, for machines with 16 vector registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256<T>(int kc, T* ap, T* bp, T* c, int ldc, T beta, int mode, int mr, int nr, T* tile)
        where T : unmanaged, INumber<T>
    {
        const int MR = 6;
        int W = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(bp);
            var b1 = Vector256.Load(bp + W);
            Vector256<T> x;
            x = Vector256.Create(ap[0]); c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            x = Vector256.Create(ap[1]); c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
            x = Vector256.Create(ap[2]); c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
            x = Vector256.Create(ap[3]); c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
            x = Vector256.Create(ap[4]); c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41);
            x = Vector256.Create(ap[5]); c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51);
            ap += MR;
            bp += 2 * W;
        }

        bool full = mr == MR && nr == 2 * W;
        T* dst = full ? c : tile;
        int ld = full ? ldc : 2 * W;
        int m = full ? mode : 0;
        var vb = Vector256.Create(beta);
        StoreRow(dst, c00, c01, vb, m);
        StoreRow(dst + ld, c10, c11, vb, m);
        StoreRow(dst + 2 * ld, c20, c21, vb, m);
        StoreRow(dst + 3 * ld, c30, c31, vb, m);
        StoreRow(dst + 4 * ld, c40, c41, vb, m);
        StoreRow(dst + 5 * ld, c50, c51, vb, m);
        if (!full)
            StoreEdge(tile, 2 * W, c, ldc, beta, mode, mr, nr);
    }

    /// <summary>4×4 scalar tile for machines without usable SIMD.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelScalar<T>(int kc, T* ap, T* bp, T* c, int ldc, T beta, int mode, int mr, int nr, T* tile)
        where T : unmanaged, INumber<T>
    {
        const int MR = 4, NR = 4;
        var acc = stackalloc T[MR * NR];
        for (int i = 0; i < MR * NR; i++)
            acc[i] = T.Zero;
        for (int p = 0; p < kc; p++, ap += MR, bp += NR)
            for (int r = 0; r < MR; r++)
            {
                T x = ap[r];
                for (int j = 0; j < NR; j++)
                    acc[r * NR + j] += x * bp[j];
            }
        StoreEdge(acc, NR, c, ldc, beta, mode, mr, nr);
    }

    // ---------------------------------------------------------------- buffers

    /// <summary>
    /// Per-thread packing buffers, grown on demand and then reused, so a steady stream of GEMMs
    /// allocates nothing. Pinned arrays (no GC moves) aligned by hand to 64 bytes for full-line vector loads.
    /// </summary>
    private static class Buffers<T> where T : unmanaged
    {
        [ThreadStatic] private static T[]? t_array;

        public static void Get(int aLen, int bLen, int tileLen, out T* a, out T* b, out T* tile)
        {
            int align = 64 / sizeof(T);
            int aPad = RoundUp(aLen, align), bPad = RoundUp(bLen, align), tPad = RoundUp(tileLen, align);
            int need = aPad + bPad + tPad + align;
            T[]? arr = t_array;
            if (arr is null || arr.Length < need)
                t_array = arr = GC.AllocateUninitializedArray<T>(need, pinned: true);
            T* p = (T*)Unsafe.AsPointer(ref arr[0]); // safe: the array is pinned
            p += (int)((64 - ((nint)p & 63)) & 63) / sizeof(T);
            a = p;
            b = p + aPad;
            tile = p + aPad + bPad;
        }
    }
}
