using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
        if (stride == 1)
        {
            // No divisions: this runs once per column-matrix row, thousands of times per small image batch.
            int l = Math.Max(0, -offsetMinusPad);
            int h = Math.Min(outSize, inSize - offsetMinusPad);
            return (l, Math.Max(l, h));
        }
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
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T cr = ref MemoryMarshal.GetReference(col);
        int xLen = x.Length;
        if ((long)channels * plane > xLen)
            throw new ArgumentException("im2col: input too short.");
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < kh; i++)
            {
                var (hLo, hHi) = ValidRange(i * dh - ph, sh, h, ohEnd);
                // Local row indices relative to ohStart.
                hLo = Math.Clamp(hLo - ohStart, 0, oh);
                hHi = Math.Clamp(hHi - ohStart, hLo, oh);
                for (int j = 0; j < kw; j++, row++)
                {
                    Span<T> dst = col.Slice(row * ldCol, cols); // bounds check for the whole row
                    int dRow = row * ldCol, dEnd = dRow + cols;
                    var (wLo, wHi) = ValidRange(j * dw - pw, sw, w, ow);
                    int iwLo = wLo * sw - pw + j * dw;
                    int n = wHi - wLo;
                    // Copies first, in increasing y: a short row may be copied as one whole vector that
                    // spills past its end into later rows of dst, which later copies and the clears below overwrite.
                    if (n > 0)
                    {
                        for (int y = hLo; y < hHi; y++)
                        {
                            int ih = (y + ohStart) * sh - ph + i * dh;
                            int so = c * plane + ih * w + iwLo, dO = dRow + y * ow + wLo;
                            if (sw == 1)
                            {
                                CopyRow(ref xr, xLen, so, ref cr, dEnd, dO, n);
                            }
                            else
                            {
                                for (int t = 0, q = so; t < n; t++, q += sw)
                                    Unsafe.Add(ref cr, dO + t) = Unsafe.Add(ref xr, q);
                            }
                        }
                    }
                    if (wLo > 0 || wHi < ow)
                    {
                        for (int y = hLo; y < hHi; y++)
                        {
                            Span<T> d = dst.Slice(y * ow, ow);
                            if (wLo > 0)
                                d[..wLo].Clear();
                            if (wHi < ow)
                                d[wHi..].Clear();
                        }
                    }
                    if (hLo > 0)
                        dst[..(hLo * ow)].Clear();
                    if (hHi < oh)
                        dst[(hHi * ow)..].Clear();
                }
            }
        }
    }

    /// <summary>
    /// Copies x[so, so+n) to col[dO, dO+n). The caller guarantees so+n ≤ xLen and dO+n ≤ dEnd; a row shorter
    /// than a vector is copied as one whole vector when both the source (xLen) and destination (dEnd) have room,
    /// so the destination past dO+n may be overwritten up to dEnd.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRow<T>(ref T xr, int xLen, int so, ref T cr, int dEnd, int dO, int n)
        where T : unmanaged
    {
        if (Vector512.IsHardwareAccelerated)
        {
            int vl = Vector512<T>.Count;
            if (n <= vl && so + vl <= xLen && dO + vl <= dEnd)
            {
                Vector512.LoadUnsafe(ref xr, (nuint)so).StoreUnsafe(ref cr, (nuint)dO);
                return;
            }
            if (n >= vl)
            {
                int t = 0;
                for (; t + vl <= n; t += vl)
                    Vector512.LoadUnsafe(ref xr, (nuint)(so + t)).StoreUnsafe(ref cr, (nuint)(dO + t));
                if (t < n)
                    Vector512.LoadUnsafe(ref xr, (nuint)(so + n - vl)).StoreUnsafe(ref cr, (nuint)(dO + n - vl));
                return;
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            int vl = Vector256<T>.Count;
            if (n <= vl && so + vl <= xLen && dO + vl <= dEnd)
            {
                Vector256.LoadUnsafe(ref xr, (nuint)so).StoreUnsafe(ref cr, (nuint)dO);
                return;
            }
            if (n >= vl)
            {
                int t = 0;
                for (; t + vl <= n; t += vl)
                    Vector256.LoadUnsafe(ref xr, (nuint)(so + t)).StoreUnsafe(ref cr, (nuint)(dO + t));
                if (t < n)
                    Vector256.LoadUnsafe(ref xr, (nuint)(so + n - vl)).StoreUnsafe(ref cr, (nuint)(dO + n - vl));
                return;
            }
        }
        for (int t = 0; t < n; t++)
            Unsafe.Add(ref cr, dO + t) = Unsafe.Add(ref xr, so + t);
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
        if (g.StrideH == 1 && g.StrideW == 1 && Vector512.IsHardwareAccelerated)
        {
            Col2ImGather(col, channels, g, x, ohStart, ohEnd, ldCol);
            return;
        }
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
                        int ih = (y + ohStart) * sh - ph + i * dh;
                        int xo = ih * w + iwLo, co = y * ow + wLo;
                        ReadOnlySpan<T> s = srcRow.Slice(co, n);
                        Span<T> d = xp.Slice(xo);
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

    /// <summary>
    /// Col2Im for stride 1 by gathering: each vector-wide piece of an input row is summed in a register over
    /// every kernel tap (i, j) that reaches it, each tap being one (masked) vector load from col, then added to
    /// x once. The scatter form instead adds many short overlapping rows into x, stalling on store forwarding.
    /// </summary>
    private static void Col2ImGather<T>(ReadOnlySpan<T> col, int channels, in ConvGeometry g, Span<T> x, int ohStart, int ohEnd, int ldCol)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.InH, w = g.InW, ow = g.OutW, kh = g.KernelH, kw = g.KernelW;
        int ph = g.PadH, pw = g.PadW, dh = g.DilationH, dw = g.DilationW;
        int oh = ohEnd - ohStart;
        int plane = h * w, cols = oh * ow, kk = kh * kw;
        if (oh <= 0 || ow <= 0)
            return;
        if ((long)channels * plane > x.Length || (long)(channels * kk - 1) * ldCol + cols > col.Length)
            throw new ArgumentException("col2im: buffer too short.");
        int vl = Vector512<T>.Count;
        ref T cr = ref MemoryMarshal.GetReference(col);
        int colLen = col.Length;
        // Input rows reached by output rows [ohStart, ohEnd): ih = oy - ph + i·dh.
        int ihLo = Math.Max(0, ohStart - ph), ihHi = Math.Min(h, ohEnd - ph + (kh - 1) * dh);
        Span<T> tmp = stackalloc T[vl];
        // Lane masks per (vector step of the input row, kernel column j): they depend on neither the
        // channel nor the row, so they are built once instead of once per tap.
        int nx = (w + vl - 1) / vl, nMasks = nx * kw;
        T[]? maskArr = nMasks * vl > 1024 ? ArrayPool<T>.Shared.Rent(nMasks * vl) : null;
        Span<T> masks = maskArr is null ? stackalloc T[nMasks * vl] : maskArr.AsSpan(0, nMasks * vl);
        Span<bool> live = nMasks <= 256 ? stackalloc bool[nMasks] : new bool[nMasks];
        ref T mr = ref MemoryMarshal.GetReference(masks);
        for (int xi = 0; xi < nx; xi++)
        {
            int x0 = xi * vl;
            for (int j = 0; j < kw; j++)
            {
                int shift = x0 + pw - j * dw;
                int lo = Math.Max(0, -shift), hi = Math.Min(Math.Min(vl, ow - shift), w - x0);
                live[xi * kw + j] = lo < hi;
                Vector512<T> idx = Vector512<T>.Indices;
                Vector512<T> mask = Vector512.GreaterThanOrEqual(idx, Vector512.Create(T.CreateTruncating(lo)))
                    & Vector512.LessThan(idx, Vector512.Create(T.CreateTruncating(hi)));
                mask.StoreUnsafe(ref mr, (nuint)((xi * kw + j) * vl));
            }
        }
        for (int c = 0; c < channels; c++)
        {
            Span<T> xp = x.Slice(c * plane, plane);
            ref T xr = ref MemoryMarshal.GetReference(xp);
            int rowBase = c * kk;
            for (int ih = ihLo; ih < ihHi; ih++)
            {
                for (int xi = 0, x0 = 0; x0 < w; xi++, x0 += vl)
                {
                    Vector512<T> acc = Vector512<T>.Zero;
                    bool any = false;
                    for (int i = 0; i < kh; i++)
                    {
                        int y = ih + ph - i * dh - ohStart; // local output row
                        if ((uint)y >= (uint)oh)
                            continue;
                        int rowOff = (rowBase + i * kw) * ldCol + y * ow + x0 + pw;
                        for (int j = 0; j < kw; j++)
                        {
                            // Lane t is input column x0+t, output column ox = x0 + t + pw − j·dw.
                            int m = xi * kw + j;
                            if (!live[m])
                                continue;
                            any = true;
                            int baseIdx = rowOff + j * (ldCol - dw);
                            if (baseIdx >= 0 && baseIdx + vl <= colLen)
                            {
                                acc += Vector512.LoadUnsafe(ref cr, (nuint)baseIdx) & Vector512.LoadUnsafe(ref mr, (nuint)(m * vl));
                            }
                            else
                            {
                                int shift = x0 + pw - j * dw;
                                int lo = Math.Max(0, -shift), hi = Math.Min(Math.Min(vl, ow - shift), w - x0);
                                tmp.Clear();
                                for (int t = lo; t < hi; t++)
                                    tmp[t] = col[baseIdx + t];
                                acc += Vector512.Create((ReadOnlySpan<T>)tmp);
                            }
                        }
                    }
                    if (!any)
                        continue;
                    int xo = ih * w + x0, len = Math.Min(vl, w - x0);
                    if (xo + vl <= plane)
                    {
                        Vector512<T> xv = Vector512.LoadUnsafe(ref xr, (nuint)xo);
                        Vector512<T> sum = xv + acc;
                        if (len < vl)
                            sum = Vector512.ConditionalSelect(Vector512.LessThan(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(len))), sum, xv);
                        sum.StoreUnsafe(ref xr, (nuint)xo);
                    }
                    else
                    {
                        acc.CopyTo(tmp);
                        for (int t = 0; t < len; t++)
                            xp[xo + t] += tmp[t];
                    }
                }
            }
        }
        if (maskArr is not null)
            ArrayPool<T>.Shared.Return(maskArr);
    }

    /// <summary>
    /// Transposed im2col of one sample of one group: colT[p·ldRow + (c·kH + i)·kW + j] = x[c, oy·sH − pH + i·dH, ox·sW − pW + j·dW]
    /// for output pixel p = oy·OutW + ox (zero where padding), i.e. colT is [OutH·OutW, channels·kH·kW] with row
    /// stride <paramref name="ldRow"/>. Pixels are written in increasing order and, within a pixel, taps in
    /// increasing order; with stride 1 along W a run of kW taps is copied as one whole vector when there is room
    /// before <paramref name="colT"/>'s end, spilling into entries written afterwards.
    /// </summary>
    public static void Im2ColT<T>(ReadOnlySpan<T> x, int channels, in ConvGeometry g, Span<T> colT, int ldRow)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.InH, w = g.InW, oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW;
        int sh = g.StrideH, sw = g.StrideW, ph = g.PadH, pw = g.PadW, dh = g.DilationH, dw = g.DilationW;
        int plane = h * w, kg = channels * kh * kw;
        if ((long)channels * plane > x.Length || (long)(oh * ow - 1) * ldRow + kg > colT.Length)
            throw new ArgumentException("im2col: buffer too short.");
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T cr = ref MemoryMarshal.GetReference(colT);
        int xLen = x.Length, cLen = colT.Length;
        int vl = Vector256.IsHardwareAccelerated ? Vector256<T>.Count : 0;
        bool vec = vl > 0 && dw == 1 && kw <= vl;
        for (int oy = 0; oy < oh; oy++)
        {
            for (int ox = 0; ox < ow; ox++)
            {
                int d = (oy * ow + ox) * ldRow;
                int iw0 = ox * sw - pw;
                bool inW = iw0 >= 0 && iw0 + (kw - 1) * dw < w;
                for (int c = 0; c < channels; c++)
                {
                    for (int i = 0; i < kh; i++, d += kw)
                    {
                        int ih = oy * sh - ph + i * dh;
                        if ((uint)ih >= (uint)h)
                        {
                            for (int j = 0; j < kw; j++)
                                Unsafe.Add(ref cr, d + j) = T.Zero;
                            continue;
                        }
                        int so = c * plane + ih * w + iw0;
                        if (inW)
                        {
                            if (vec && so + vl <= xLen && d + vl <= cLen)
                            {
                                Vector256.LoadUnsafe(ref xr, (nuint)so).StoreUnsafe(ref cr, (nuint)d);
                            }
                            else
                            {
                                for (int j = 0; j < kw; j++)
                                    Unsafe.Add(ref cr, d + j) = Unsafe.Add(ref xr, so + j * dw);
                            }
                        }
                        else
                        {
                            for (int j = 0; j < kw; j++)
                            {
                                int iw = iw0 + j * dw;
                                Unsafe.Add(ref cr, d + j) = (uint)iw < (uint)w ? Unsafe.Add(ref xr, so + j * dw) : T.Zero;
                            }
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
    /// [Cout/groups, block·Ho·Wo] output block): about the size of L2: one GEMM per block amortises its packing and call overhead over more samples.
    /// </summary>
    internal static int BatchBlockBytes { get; set; } = DefaultBatchBlockBytes;

    /// <summary>Default <see cref="BatchBlockBytes"/>.</summary>
    internal const int DefaultBatchBlockBytes = 1 << 20;

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
        int rows = (int)Math.Clamp(ColTileBytes / Math.Max(1, rowBytes), 1, Math.Max(1, g.OutH));
        // Down to half as many rows when that makes the tile's width (GEMM N) fill the GEMM's 3-vector
        // register tiles better (ResNet 56-wide rows: 6 rows = 336 = 7·48 columns rather than 8 rows = 448).
        int nr = 3 * 64 / sizeof(T), best = rows;
        double bestEff = 0;
        for (int r = rows; r >= (rows + 1) / 2; r--)
        {
            long nc = (long)r * g.OutW;
            double eff = (double)nc / ((nc + nr - 1) / nr * nr);
            if (eff > bestEff + 1e-9)
            {
                bestEff = eff;
                best = r;
            }
        }
        return best;
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
