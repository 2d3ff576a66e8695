using System.Runtime.InteropServices;

namespace Polymath.Kernels;

/// <summary>
/// OpenBLAS's <c>cblas_sgemm</c>/<c>cblas_dgemm</c>, bound at run time so Polymath runs (on the managed
/// kernel) where the library is missing. Not loaded at all when the environment variable
/// <c>POLYMATH_BLAS=managed</c> is set.
/// </summary>
internal static unsafe class OpenBlas
{
    // CBLAS enum values (cblas.h).
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private static readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> s_sgemm;
    private static readonly delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void> s_dgemm;
    private static readonly delegate* unmanaged<int, void> s_setNumThreads;
    private static int s_threads = -1; // what OpenBLAS was last told; -1 = not yet

    /// <summary>True when the library was found and exports the GEMM entry points.</summary>
    public static bool IsAvailable { get; }

    /// <summary>Whether <see cref="Gemm"/> routes to OpenBLAS (only settable to true when available).</summary>
    public static bool Enabled { get; set; }

    /// <summary>The file name the library was loaded from, or null.</summary>
    public static string? LibraryName { get; }

    static OpenBlas()
    {
        string? env = Environment.GetEnvironmentVariable(Blas.EnvironmentVariable);
        if (string.Equals(env?.Trim(), "managed", StringComparison.OrdinalIgnoreCase))
            return;
        foreach (string name in new[] { "libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", "libopenblas.dll", "openblas" })
        {
            if (!NativeLibrary.TryLoad(name, typeof(OpenBlas).Assembly, null, out nint lib))
                continue;
            if (NativeLibrary.TryGetExport(lib, "cblas_sgemm", out nint sgemm)
                && NativeLibrary.TryGetExport(lib, "cblas_dgemm", out nint dgemm))
            {
                s_sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
                s_dgemm = (delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void>)dgemm;
                if (NativeLibrary.TryGetExport(lib, "openblas_set_num_threads", out nint setThreads))
                    s_setNumThreads = (delegate* unmanaged<int, void>)setThreads;
                LibraryName = name;
                IsAvailable = true;
                // Auto: on AVX-512 machines the managed kernel measured 1.5-1.8x faster than this OpenBLAS build
                // (polymath bench, gemm rows), so OpenBLAS is the default only without AVX-512 or when asked for.
                Enabled = string.Equals(env?.Trim(), "openblas", StringComparison.OrdinalIgnoreCase)
                    || !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;
                return;
            }
            NativeLibrary.Free(lib);
        }
    }

    /// <summary>Tells OpenBLAS how many threads to use when <see cref="Threads"/> changed since the last call.</summary>
    private static void SyncThreads()
    {
        int t = Threads.Count;
        if (t != s_threads && s_setNumThreads != null)
        {
            s_setNumThreads(t);
            s_threads = t;
        }
    }

    // Arguments are validated by Gemm; m, n > 0 and k > 0 here, so every leading dimension is >= 1.
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        SyncThreads();
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
            s_sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k,
                alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }

    public static void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha,
        ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
    {
        SyncThreads();
        fixed (double* pa = a)
        fixed (double* pb = b)
        fixed (double* pc = c)
            s_dgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k,
                alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }
}
