using Polymath.Amp;

namespace Polymath;

public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product with PyTorch's rules: 1-D·1-D is a dot product, 1-D operands gain and lose a dim,
    /// and leading (batch) dims broadcast.
    /// </summary>
    /// <exception cref="ArgumentException">Inner dimensions differ, or a batch dim does not broadcast.</exception>
    public Tensor MatMul(Tensor other)
    {
        if (Autocast.IsEnabled)
            return Autocast.Cast(this, "matmul").MatMulCore(Autocast.Cast(other, "matmul"));
        return MatMulCore(other);
    }

    /// <summary>MatMul without the autocast step (for callers that already chose the dtypes).</summary>
    internal Tensor MatMulCore(Tensor other)
    {
        if (Rank == 0 || other.Rank == 0)
            throw new ArgumentException($"matmul: both arguments need at least 1 dim, got {ShapeUtil.Format(Sh)} @ {ShapeUtil.Format(other.Sh)}.");
        int k1 = Sh[^1], k2 = other.Rank == 1 ? other.Sh[0] : other.Sh[^2];
        if (k1 != k2)
            throw new ArgumentException($"matmul: {ShapeUtil.Format(Sh)} @ {ShapeUtil.Format(other.Sh)}: inner dimensions {k1} and {k2} differ.");
        DType dt = DTypes.Promote(DType, other.DType);
        if (!dt.IsFloatingPoint())
            throw new NotSupportedException($"matmul: {dt.Name()} tensors are not supported; use a floating dtype.");
        var a = To(dt);
        var b = other.To(dt);
        if (a.Rank == 1 && b.Rank == 1)
            return a.Unsqueeze(0).MatMul(b.Unsqueeze(1)).Reshape();
        if (a.Rank == 1)
            return a.Unsqueeze(0).MatMul(b).Squeeze(-2);
        if (b.Rank == 1)
            return a.MatMul(b.Unsqueeze(1)).Squeeze(-1);
        int m = a.Sh[^2], n = b.Sh[^1];
        if (b.Rank == 2)
        {
            // Fold a's batch dims into its rows: one large GEMM instead of many small ones.
            var batch = a.Sh[..^2];
            var flat = a.Rank == 2 ? a : a.Reshape(-1, k1);
            var r = Bmm3(flat.Unsqueeze(0), b.Unsqueeze(0));
            return r.Reshape([.. batch, m, n]);
        }
        var batchShape = ShapeUtil.Broadcast(a.Sh[..^2], b.Sh[..^2], "matmul (batch dims)");
        var a3 = a.Expand([.. batchShape, m, k1]).Reshape(-1, m, k1);
        var b3 = b.Expand([.. batchShape, k1, n]).Reshape(-1, k1, n);
        return Bmm3(a3, b3).Reshape([.. batchShape, m, n]);
    }

    /// <summary>Batched matrix product of [B,M,K] and [B,K,N].</summary>
    public Tensor Bmm(Tensor other)
    {
        if (Rank != 3 || other.Rank != 3)
            throw new ArgumentException($"bmm: expects 3-D tensors, got {ShapeUtil.Format(Sh)} and {ShapeUtil.Format(other.Sh)}.");
        if (Sh[0] != other.Sh[0] || Sh[2] != other.Sh[1])
            throw new ArgumentException($"bmm: {ShapeUtil.Format(Sh)} @ {ShapeUtil.Format(other.Sh)}: batch sizes or inner dimensions differ.");
        return MatMul(other);
    }

    /// <summary>Matrix product of two 2-D tensors.</summary>
    public Tensor Mm(Tensor other)
    {
        if (Rank != 2 || other.Rank != 2)
            throw new ArgumentException($"mm: expects 2-D tensors, got {ShapeUtil.Format(Sh)} and {ShapeUtil.Format(other.Sh)}.");
        return MatMul(other);
    }

    /// <summary>Outer product of two vectors.</summary>
    public Tensor Outer(Tensor other)
    {
        if (Rank != 1 || other.Rank != 1)
            throw new ArgumentException($"outer: expects 1-D tensors, got {ShapeUtil.Format(Sh)} and {ShapeUtil.Format(other.Sh)}.");
        return Unsqueeze(1).Mul(other.Unsqueeze(0));
    }

    /// <summary>Dot product of two vectors.</summary>
    public Tensor Dot(Tensor other) => Rank == 1 && other.Rank == 1
        ? MatMul(other)
        : throw new ArgumentException($"dot: expects 1-D tensors, got {ShapeUtil.Format(Sh)} and {ShapeUtil.Format(other.Sh)}.");

    // The matmul primitive: [B,M,K] @ [B,K,N] with any strides; transposed operands go to GEMM as flags, not copies.
    private static Tensor Bmm3(Tensor a, Tensor b)
    {
        if (a.DType.IsLowPrecision())
            return Bmm3LowPrecision(a, b);
        int batch = a.Sh[0], m = a.Sh[1], k = a.Sh[2], n = b.Sh[2];
        var result = Empty([batch, m, n], a.DType, zeroed: k == 0);
        // GemmOperand may replace an operand by a detached contiguous copy; the graph records the originals.
        Tensor a0 = a, b0 = b;
        if (k > 0 && m > 0 && n > 0)
        {
            var (ga, ta, lda) = GemmOperand(ref a);
            var (gb, tb, ldb) = GemmOperand(ref b);
            if (a.DType == DType.Float32)
                RunBatchedGemm(a.Data<float>(), a.Off, a.St[0], ta, lda, b.Data<float>(), b.Off, b.St[0], tb, ldb, result.Data<float>(), batch, m, n, k);
            else
                RunBatchedGemm(a.Data<double>(), a.Off, a.St[0], ta, lda, b.Data<double>(), b.Off, b.St[0], tb, ldb, result.Data<double>(), batch, m, n, k);
            _ = ga; _ = gb;
            GC.KeepAlive(a); // contiguous copies' pooled arrays must outlive the GEMM
            GC.KeepAlive(b);
        }
        if (Recording(a0, b0))
        {
            a = a0;
            b = b0;
            bool needA = a.RequiresGrad, needB = b.RequiresGrad;
            result.SetGradFn("MmBackward", [a, b], [a, b], g =>
                [needA ? Bmm3(g, b.Detach().Transpose(1, 2)) : null, needB ? Bmm3(a.Detach().Transpose(1, 2), g) : null]);
        }
        return result;
    }

    // 16-bit operands: no bfloat16/float16 dot-product instruction is reachable from .NET 10 (no Avx512Bf16 class, and
    // Avx10v1/Avx10v2 expose no BF16 dot product), so the operands are converted to float32 with the vector kernels, multiplied by the float32 GEMM
    // (float32 accumulation) and the product is rounded once. The graph keeps the 16-bit operands; the backward
    // products are 16-bit matmuls themselves.
    private static Tensor Bmm3LowPrecision(Tensor a, Tensor b)
    {
        DType dt = a.DType;
        Tensor result;
        using (NoGrad())
            result = Bmm3(a.Detach().To(DType.Float32), b.Detach().To(DType.Float32)).To(dt);
        if (Recording(a, b))
        {
            bool needA = a.RequiresGrad, needB = b.RequiresGrad;
            result.SetGradFn("MmBackward", [a, b], [a, b], g =>
            {
                var g16 = g.To(dt);
                return [needA ? Bmm3(g16, b.Detach().Transpose(1, 2)) : null, needB ? Bmm3(a.Detach().Transpose(1, 2), g16) : null];
            });
        }
        return result;
    }

    // How GEMM should read the last two dims: row-major, transposed (column-major), or after a copy.
    private static (bool Ok, bool Transposed, int Ld) GemmOperand(ref Tensor t)
    {
        int rows = t.Sh[1], cols = t.Sh[2], rs = t.St[1], cs = t.St[2];
        if ((cs == 1 || cols == 1) && (rs >= cols || rows == 1))
            return (true, false, rows == 1 ? cols : Math.Max(rs, cols));
        if ((rs == 1 || rows == 1) && (cs >= rows || cols == 1))
            return (true, true, cols == 1 ? rows : Math.Max(cs, rows));
        t = t.Detach().Contiguous();
        return (true, false, cols);
    }

    private static void RunBatchedGemm<T>(T[] a, int aOff, int aBatchStride, bool ta, int lda, T[] b, int bOff, int bBatchStride, bool tb, int ldb,
        T[] c, int batch, int m, int n, int k) where T : unmanaged
    {
        long work = (long)m * n * k;
        // Many small products: one per thread chunk (each GEMM single-threaded). Few large ones: GEMM threads inside.
        long minChunk = work >= 1 << 21 ? batch : Math.Max(1, (1 << 18) / Math.Max(work, 1));
        Threads.For(batch, Math.Min(batch, minChunk), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
        {
            for (long i = s; i < e; i++)
            {
                int ao = aOff + (int)(i * aBatchStride), bo = bOff + (int)(i * bBatchStride), co = (int)(i * m * n);
                int aLen = SpanLength(ta, m, k, lda), bLen = SpanLength(tb, k, n, ldb);
                if (typeof(T) == typeof(float))
                    Gemm.Sgemm(ta, tb, m, n, k, 1f, ((float[])(object)a).AsSpan(ao, aLen), lda, ((float[])(object)b).AsSpan(bo, bLen), ldb, 0f, ((float[])(object)c).AsSpan(co, m * n), n);
                else
                    Gemm.Dgemm(ta, tb, m, n, k, 1.0, ((double[])(object)a).AsSpan(ao, aLen), lda, ((double[])(object)b).AsSpan(bo, bLen), ldb, 0.0, ((double[])(object)c).AsSpan(co, m * n), n);
            }
        });
    }

    // Elements a GEMM operand spans: (rows-1)*ld + cols for the stored (possibly transposed) layout.
    private static int SpanLength(bool transposed, int rows, int cols, int ld) => transposed ? (cols - 1) * ld + rows : (rows - 1) * ld + cols;
}
