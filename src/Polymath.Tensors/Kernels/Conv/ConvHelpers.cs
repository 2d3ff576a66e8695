using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Polymath.Kernels;

/// <summary>im2col / col2im and GEMM dispatch shared by the convolution kernels.</summary>
internal static class ConvHelpers
{
    /// <summary>C = op(A)·op(B) (+ C when <paramref name="accumulate"/>), row-major, for float or double.</summary>
    public static void Gemm<T>(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, bool accumulate, Span<T> c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0)
            return;
        if (typeof(T) == typeof(float))
        {
            Kernels.Gemm.Sgemm(transA, transB, m, n, k, 1f,
                MemoryMarshal.Cast<T, float>(a), lda, MemoryMarshal.Cast<T, float>(b), ldb,
                accumulate ? 1f : 0f, MemoryMarshal.Cast<T, float>(c), ldc);
        }
        else if (typeof(T) == typeof(double))
        {
            Kernels.Gemm.Dgemm(transA, transB, m, n, k, 1.0,
                MemoryMarshal.Cast<T, double>(a), lda, MemoryMarshal.Cast<T, double>(b), ldb,
                accumulate ? 1.0 : 0.0, MemoryMarshal.Cast<T, double>(c), ldc);
        }
        else
        {
            throw new NotSupportedException($"Convolution kernels support float and double, not {typeof(T).Name}.");
        }
    }

    private static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);
    private static int CeilDiv(int a, int b) => a >= 0 ? (a + b - 1) / b : -((-a) / b);

    /// <summary>
    /// Range [lo, hi) of output positions o in [0, outSize) for which o·stride − pad + offset lies in [0, inSize).
    /// </summary>
    internal static (int Lo, int Hi) ValidRange(int offsetMinusPad, int stride, int inSize, int outSize)
    {
        int lo = Math.Max(0, CeilDiv(-offsetMinusPad, stride));
        int hi = Math.Min(outSize, FloorDiv(inSize - 1 - offsetMinusPad, stride) + 1);
        if (hi < lo)
            hi = lo;
        return (lo, hi);
    }

    /// <summary>
    /// Unfolds <paramref name="x"/> ([channels, g.InH, g.InW], one sample of one group) into
    /// <paramref name="col"/> ([channels·kH·kW, g.OutH·g.OutW]); padding reads as zero.
    /// </summary>
    public static void Im2Col<T>(ReadOnlySpan<T> x, int channels, in ConvGeometry g, Span<T> col)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Im2Col(x, channels, g, col, 0, g.OutH);

    /// <summary>
    /// Like <see cref="Im2Col{T}(ReadOnlySpan{T}, int, in ConvGeometry, Span{T})"/> but only for output rows
    /// [<paramref name="ohStart"/>, <paramref name="ohEnd"/>): col is [channels·kH·kW, (ohEnd−ohStart)·OutW].
    /// </summary>
    public static void Im2Col<T>(ReadOnlySpan<T> x, int channels, in ConvGeometry g, Span<T> col, int ohStart, int ohEnd)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Im2Col(x, channels, g, col, ohStart, ohEnd, (ohEnd - ohStart) * g.OutW);

    /// <summary>
    /// Like the ranged overload, but column-matrix row r starts at <paramref name="col"/>[r·<paramref name="ldCol"/>]
    /// (ldCol ≥ (ohEnd−ohStart)·OutW), so several samples can be unfolded side by side into one wide matrix.
    /// </summary>
    public static void Im2Col<T>(ReadOnlySpan<T> x, int channels, in ConvGeometry g, Span<T> col, int ohStart, int ohEnd, int ldCol)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.InH, w = g.InW, ow = g.OutW, kh = g.KernelH, kw = g.KernelW;
        int sh = g.StrideH, sw = g.StrideW, ph = g.PadH, pw = g.PadW, dh = g.DilationH, dw = g.DilationW;
        int oh = ohEnd - ohStart;
        int plane = h * w, cols = oh * ow;
        int row = 0;
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<T> xp = x.Slice(c * plane, plane);
            for (int i = 0; i < kh; i++)
            {
                var (hLo, hHi) = ValidRange(i * dh - ph, sh, h, ohEnd);
                // Local row indices relative to ohStart.
                hLo = Math.Clamp(hLo - ohStart, 0, oh);
                hHi = Math.Clamp(hHi - ohStart, hLo, oh);
                for (int j = 0; j < kw; j++, row++)
                {
                    Span<T> dst = col.Slice(row * ldCol, cols);
                    var (wLo, wHi) = ValidRange(j * dw - pw, sw, w, ow);
                    if (hLo > 0)
                        dst[..(hLo * ow)].Clear();
                    if (hHi < oh)
                        dst[(hHi * ow)..].Clear();
                    int iwLo = wLo * sw - pw + j * dw;
                    int n = wHi - wLo;
                    for (int y = hLo; y < hHi; y++)
                    {
                        Span<T> d = dst.Slice(y * ow, ow);
                        if (wLo > 0)
                            d[..wLo].Clear();
                        if (wHi < ow)
                            d[wHi..].Clear();
                        if (n == 0)
                            continue;
                        int ih = (y + ohStart) * sh - ph + i * dh;
                        ReadOnlySpan<T> src = xp.Slice(ih * w + iwLo);
                        if (sw == 1)
                        {
                            src[..n].CopyTo(d.Slice(wLo, n));
                        }
                        else
                        {
                            Span<T> dd = d.Slice(wLo, n);
                            for (int t = 0, s = 0; t < dd.Length; t++, s += sw)
                                dd[t] = src[s];
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Folds <paramref name="col"/> ([channels·kH·kW, g.OutH·g.OutW]) back into <paramref name="x"/>
    /// ([channels, g.InH, g.InW]), adding overlapping contributions. <paramref name="x"/> is added to, not cleared.
    /// </summary>
    public static void Col2Im<T>(ReadOnlySpan<T> col, int channels, in ConvGeometry g, Span<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Col2Im(col, channels, g, x, 0, g.OutH);

    /// <summary>Col2Im for output rows [<paramref name="ohStart"/>, <paramref name="ohEnd"/>) only.</summary>
    public static void Col2Im<T>(ReadOnlySpan<T> col, int channels, in ConvGeometry g, Span<T> x, int ohStart, int ohEnd)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Col2Im(col, channels, g, x, ohStart, ohEnd, (ohEnd - ohStart) * g.OutW);

    /// <summary>Col2Im for output rows [ohStart, ohEnd) of a column matrix whose rows are <paramref name="ldCol"/> apart.</summary>
    public static void Col2Im<T>(ReadOnlySpan<T> col, int channels, in ConvGeometry g, Span<T> x, int ohStart, int ohEnd, int ldCol)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.InH, w = g.InW, ow = g.OutW, kh = g.KernelH, kw = g.KernelW;
        int sh = g.StrideH, sw = g.StrideW, ph = g.PadH, pw = g.PadW, dh = g.DilationH, dw = g.DilationW;
        int oh = ohEnd - ohStart;
        int plane = h * w, cols = oh * ow;
        int row = 0;
        for (int c = 0; c < channels; c++)
        {
            Span<T> xp = x.Slice(c * plane, plane);
            for (int i = 0; i < kh; i++)
            {
                var (hLo, hHi) = ValidRange(i * dh - ph, sh, h, ohEnd);
                hLo = Math.Clamp(hLo - ohStart, 0, oh);
                hHi = Math.Clamp(hHi - ohStart, hLo, oh);
                for (int j = 0; j < kw; j++, row++)
                {
                    ReadOnlySpan<T> srcRow = col.Slice(row * ldCol, cols);
                    var (wLo, wHi) = ValidRange(j * dw - pw, sw, w, ow);
                    int iwLo = wLo * sw - pw + j * dw;
                    int n = wHi - wLo;
                    if (n == 0)
                        continue;
                    for (int y = hLo; y < hHi; y++)
                    {
                        ReadOnlySpan<T> s = srcRow.Slice(y * ow + wLo, n);
                        int ih = (y + ohStart) * sh - ph + i * dh;
                        Span<T> d = xp.Slice(ih * w + iwLo);
                        if (sw == 1)
                        {
                            Span<T> dd = d[..n];
                            TensorPrimitives.Add(dd, s, dd);
                        }
                        else
                        {
                            for (int t = 0, q = 0; t < s.Length; t++, q += sw)
                                d[q] += s[t];
                        }
                    }
                }
            }
        }
    }

    /// <summary>Target size in bytes of one im2col tile, so that it stays in L2 while GEMM streams it (tests shrink it).</summary>
    internal static int ColTileBytes { get; set; } = DefaultColTileBytes;

    /// <summary>Default <see cref="ColTileBytes"/>.</summary>
    internal const int DefaultColTileBytes = 1 << 20;

    /// <summary>
    /// Target size in bytes of the buffers of one batch block (column matrix plus the gathered/scattered
    /// [Cout/groups, block·Ho·Wo] output block): GEMM packs the column matrix again, so this is about half of L2.
    /// </summary>
    internal static int BatchBlockBytes { get; set; } = DefaultBatchBlockBytes;

    /// <summary>Default <see cref="BatchBlockBytes"/>.</summary>
    internal const int DefaultBatchBlockBytes = 1 << 19;

    /// <summary>
    /// Samples per batch block for the small-image path, where several samples are unfolded side by side
    /// so that one GEMM covers them all; 1 when not even two samples fit in <see cref="BatchBlockBytes"/>
    /// (large images: the per-sample row-tiled path is used instead).
    /// </summary>
    public static unsafe int BatchBlock<T>(in ConvGeometry g) where T : unmanaged
    {
        long perSample = ((long)g.ColRows + g.OutChannelsPerGroup) * g.ColCols * sizeof(T);
        if (perSample == 0)
            return 1;
        return (int)Math.Clamp(BatchBlockBytes / perSample, 1, Math.Max(1, g.Batch));
    }

    /// <summary>Splits a chunk of <paramref name="count"/> samples into equal blocks of at most <paramref name="maxBlock"/>.</summary>
    public static int EvenBlock(int count, int maxBlock)
    {
        if (maxBlock <= 1 || count <= 1)
            return 1;
        int blocks = (count + maxBlock - 1) / maxBlock;
        return (count + blocks - 1) / blocks;
    }

    /// <summary>Output rows per im2col tile: whole rows, about <see cref="ColTileBytes"/> of column data, at least 1.</summary>
    public static unsafe int TileRows<T>(in ConvGeometry g) where T : unmanaged
    {
        long rowBytes = (long)g.ColRows * g.OutW * sizeof(T);
        return (int)Math.Clamp(ColTileBytes / Math.Max(1, rowBytes), 1, Math.Max(1, g.OutH));
    }

    /// <summary>Number of batch chunks: min(Threads.Available, count), at least 1 (1 inside an outer parallel region).</summary>
    public static int ChunkCount(int count) => Math.Max(1, Math.Min(Threads.Available, count));

    /// <summary>
    /// Splits [0, count) into <paramref name="chunks"/> (≤ count) non-empty balanced contiguous ranges and runs
    /// body(chunk, start, end) on each, in parallel. The split depends only on count and chunks.
    /// </summary>
    public static void ForChunks(int count, int chunks, Action<int, int, int> body)
    {
        if (count <= 0)
            return;
        if (chunks <= 1)
        {
            body(0, 0, count);
            return;
        }
        Threads.For(chunks, 1, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (cs, ce) =>
        {
            for (long c = cs; c < ce; c++)
            {
                int start = (int)(c * count / chunks);
                int end = (int)((c + 1) * count / chunks);
                if (start < end)
                    body((int)c, start, end);
            }
        });
    }

    /// <summary>Sum of <paramref name="gradOutput"/> ([batch, channels, spatial]) over batch and spatial into gradBias [channels].</summary>
    public static void BiasGrad<T>(ReadOnlySpan<T> gradOutput, int batch, int channels, int spatial, Span<T> gradBias, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!accumulate)
            gradBias[..channels].Clear();
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
                gradBias[c] += TensorPrimitives.Sum(gradOutput.Slice((n * channels + c) * spatial, spatial));
    }

    /// <summary>Adds bias[c] to every element of channel c of <paramref name="y"/> ([channels, spatial], one sample).</summary>
    public static void AddBias<T>(Span<T> y, ReadOnlySpan<T> bias, int channels, int spatial)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int c = 0; c < channels; c++)
        {
            Span<T> p = y.Slice(c * spatial, spatial);
            TensorPrimitives.Add(p, bias[c], p);
        }
    }
}
