namespace Polymath.Kernels;

/// <summary>
/// Row-major general matrix multiply: C = alpha * op(A) @ op(B) + beta * C, where op(X) is X or Xᵀ.
/// A is M×K (or K×M when transposed) with leading dimension lda, B is K×N (or N×K) with ldb,
/// C is M×N with ldc. When beta is 0, C is overwritten (NaN in C does not propagate).
/// Dispatches to OpenBLAS when it is loaded and enabled (<see cref="Blas.UseOpenBlas"/>), otherwise the
/// managed SIMD kernel (<see cref="ManagedGemm"/>).
/// </summary>
internal static class Gemm
{
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (UseOpenBlas(m, n, k))
            OpenBlas.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else
            ManagedGemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    public static void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha,
        ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (UseOpenBlas(m, n, k))
            OpenBlas.Dgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else
            ManagedGemm.Dgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    // Degenerate shapes stay managed: BLAS rejects leading dimensions of 0, which are legal here.
    // Inside a Threads.For region (e.g. one GEMM per batch item) the managed kernel runs single-threaded
    // on the calling thread; OpenBLAS's thread count is process-wide, and changing it while another
    // thread is inside OpenBLAS is not safe, so nested calls stay managed.
    private static bool UseOpenBlas(int m, int n, int k) =>
        OpenBlas.Enabled && m > 0 && n > 0 && k > 0 && !Threads.InParallelRegion;

    /// <summary>Checks sizes, leading dimensions and span lengths; throws ArgumentException naming the culprit.</summary>
    internal static void Validate(bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0)
            throw new ArgumentException($"GEMM size m must be non-negative, got {m}.", nameof(m));
        if (n < 0)
            throw new ArgumentException($"GEMM size n must be non-negative, got {n}.", nameof(n));
        if (k < 0)
            throw new ArgumentException($"GEMM size k must be non-negative, got {k}.", nameof(k));
        CheckMatrix("a", "lda", transA ? k : m, transA ? m : k, transA, aLength, lda);
        CheckMatrix("b", "ldb", transB ? n : k, transB ? k : n, transB, bLength, ldb);
        CheckMatrix("c", "ldc", m, n, false, cLength, ldc);
    }

    // rows×cols is the matrix as stored (after undoing the transpose flag).
    private static void CheckMatrix(string name, string ldName, int rows, int cols, bool trans, int length, int ld)
    {
        if (rows == 0 || cols == 0)
            return; // nothing is read or written
        string shape = $"{name} stored as {rows}×{cols}{(trans ? " (transposed)" : "")}";
        if (ld < cols)
            throw new ArgumentException($"Leading dimension {ldName}={ld} is smaller than the {cols} columns of {shape}.", ldName);
        long need = (long)(rows - 1) * ld + cols;
        if (length < need)
            throw new ArgumentException($"Span {name} is too short: {shape} with {ldName}={ld} needs {need} elements, got {length}.", name);
    }
}
