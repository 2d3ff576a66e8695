using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Numerics;

namespace Polymath.Kernels;

/// <summary>
/// 2-D max pooling (PyTorch max_pool2d with return_indices) on contiguous NCHW buffers. Indices are flat
/// offsets into each input H·W plane (ih·W + iw), as PyTorch returns them. NaN propagates (a NaN in a window
/// wins, the last NaN's index is kept). Planes (N·C) are processed in parallel. Supports float and double.
/// </summary>
internal static class MaxPool2dKernel
{
    /// <summary>Writes the window maxima to <paramref name="output"/> and their plane-relative indices to <paramref name="indices"/> (both [N, C, OutH, OutW]).</summary>
    public static unsafe void Forward<T>(in Pool2dGeometry g, ReadOnlySpan<T> input, Span<T> output, Span<long> indices)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        PoolUtil.Check(input.Length, g.InputLength, "max_pool2d", "input");
        PoolUtil.Check(output.Length, g.OutputLength, "max_pool2d", "output");
        PoolUtil.Check(indices.Length, g.OutputLength, "max_pool2d", "indices");
        Pool2dGeometry geo = g;
        int inLen = g.InputLength, outLen = g.OutputLength;
        fixed (T* px = input, py = output)
        fixed (long* pi = indices)
        {
            nint ax = (nint)px, ay = (nint)py, ai = (nint)pi;
            Threads.For(g.Planes, PoolUtil.MinPlanes(g.InH * g.InW), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
                ForwardPlanes(geo, new ReadOnlySpan<T>((T*)ax, inLen), new Span<T>((T*)ay, outLen), new Span<long>((long*)ai, outLen), (int)s, (int)e));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardPlanes<T>(in Pool2dGeometry g, ReadOnlySpan<T> input, Span<T> output, Span<long> indices, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.InH, w = g.InW, oh = g.OutH, ow = g.OutW;
        if (g.KernelH == 2 && g.KernelW == 2 && g.StrideH == 2 && g.StrideW == 2 && g.PadH == 0 && g.PadW == 0
            && g.DilationH == 1 && g.DilationW == 1 && 2 * oh <= h && 2 * ow <= w)
        {
            ForwardPlanes2x2(input, output, indices, h, w, oh, ow, start, end);
            return;
        }
        int dh = g.DilationH, dw = g.DilationW;
        for (int p = start; p < end; p++)
        {
            ReadOnlySpan<T> x = input.Slice(p * h * w, h * w);
            Span<T> y = output.Slice(p * oh * ow, oh * ow);
            Span<long> yi = indices.Slice(p * oh * ow, oh * ow);
            for (int i = 0; i < oh; i++)
            {
                int h0 = i * g.StrideH - g.PadH;
                int h1 = Math.Min(h0 + (g.KernelH - 1) * dh + 1, h);
                while (h0 < 0)
                    h0 += dh;
                for (int j = 0; j < ow; j++)
                {
                    int w0 = j * g.StrideW - g.PadW;
                    int w1 = Math.Min(w0 + (g.KernelW - 1) * dw + 1, w);
                    while (w0 < 0)
                        w0 += dw;
                    T max = T.NegativeInfinity;
                    int maxIndex = h0 * w + w0;
                    for (int ih = h0; ih < h1; ih += dh)
                    {
                        int rowBase = ih * w;
                        for (int iw = w0; iw < w1; iw += dw)
                        {
                            T v = x[rowBase + iw];
                            if (v > max || T.IsNaN(v))
                            {
                                max = v;
                                maxIndex = rowBase + iw;
                            }
                        }
                    }
                    y[i * ow + j] = max;
                    yi[i * ow + j] = maxIndex;
                }
            }
        }
    }

    // The 2x2/stride-2 window of LeNet and most CNNs: the general loop re-read the geometry and bounds-checked
    // every tap and ran ~10x slower. Same scan order and NaN rule as the general loop.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ForwardPlanes2x2<T>(ReadOnlySpan<T> input, Span<T> output, Span<long> indices, int h, int w, int oh, int ow, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* px = input, py = output)
        fixed (long* pi = indices)
        {
            for (int p = start; p < end; p++)
            {
                T* x = px + (long)p * h * w;
                T* y = py + (long)p * oh * ow;
                long* yi = pi + (long)p * oh * ow;
                for (int i = 0; i < oh; i++)
                {
                    int r0 = 2 * i * w, r1 = r0 + w;
                    int j = 0;
                    if (typeof(T) == typeof(float) && Avx512F.IsSupported)
                        j = Row2x2Avx512((float*)x, (float*)(y + i * ow), yi + i * ow, r0, r1, ow);
                    for (; j < ow; j++)
                    {
                        int c = 2 * j;
                        T max = T.NegativeInfinity;
                        int at = r0 + c;
                        Take(x, r0 + c, ref max, ref at);
                        Take(x, r0 + c + 1, ref max, ref at);
                        Take(x, r1 + c, ref max, ref at);
                        Take(x, r1 + c + 1, ref max, ref at);
                        y[i * ow + j] = max;
                        yi[i * ow + j] = at;
                    }
                }
            }
        }
    }

    // 16 outputs of one output row at once: the four taps of each window are split out of two rows with
    // two-source permutes, then combined in scan order with the scalar loop's rule (greater, or NaN, wins), so
    // results and indices are identical to it. Random data made the scalar compares mispredict ~half the time.
    private static readonly Vector512<int> s_even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    private static readonly Vector512<int> s_odd = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int Row2x2Avx512(float* x, float* y, long* yi, int r0, int r1, int ow)
    {
        int j = 0;
        for (; j + 16 <= ow; j += 16)
            Block2x2(x + r0 + 2 * j, x + r1 + 2 * j, r0 + 2 * j, r1 + 2 * j, y + j, yi + j);
        int rest = ow - j;
        if (rest > 0)
        {
            // The last (or only, for narrow rows such as LeNet's 14) partial block goes through padded copies,
            // so no load runs past the row.
            float* t0 = stackalloc float[32];
            float* t1 = stackalloc float[32];
            float* ty = stackalloc float[16];
            long* ti = stackalloc long[16];
            new Span<float>(t0, 32).Fill(float.NegativeInfinity);
            new Span<float>(t1, 32).Fill(float.NegativeInfinity);
            new ReadOnlySpan<float>(x + r0 + 2 * j, 2 * rest).CopyTo(new Span<float>(t0, 32));
            new ReadOnlySpan<float>(x + r1 + 2 * j, 2 * rest).CopyTo(new Span<float>(t1, 32));
            Block2x2(t0, t1, r0 + 2 * j, r1 + 2 * j, ty, ti);
            new ReadOnlySpan<float>(ty, rest).CopyTo(new Span<float>(y + j, rest));
            new ReadOnlySpan<long>(ti, rest).CopyTo(new Span<long>(yi + j, rest));
        }
        return ow;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Block2x2(float* row0, float* row1, int base0, int base1, float* y, long* yi)
    {
        var lane2 = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var a0 = Vector512.Load(row0);
        var a1 = Vector512.Load(row0 + 16);
        var b0 = Vector512.Load(row1);
        var b1 = Vector512.Load(row1 + 16);
        var max = Vector512.Create(float.NegativeInfinity);
        var at = Vector512.Create(base0) + lane2;
        Take(Avx512F.PermuteVar16x32x2(a0, s_even, a1), Vector512.Create(base0) + lane2, ref max, ref at);
        Take(Avx512F.PermuteVar16x32x2(a0, s_odd, a1), Vector512.Create(base0 + 1) + lane2, ref max, ref at);
        Take(Avx512F.PermuteVar16x32x2(b0, s_even, b1), Vector512.Create(base1) + lane2, ref max, ref at);
        Take(Avx512F.PermuteVar16x32x2(b0, s_odd, b1), Vector512.Create(base1 + 1) + lane2, ref max, ref at);
        max.Store(y);
        Vector512.WidenLower(at).Store(yi);
        Vector512.WidenUpper(at).Store(yi + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(Vector512<float> v, Vector512<int> index, ref Vector512<float> max, ref Vector512<int> at)
    {
        var take = Vector512.GreaterThan(v, max) | ~Vector512.Equals(v, v);
        max = Vector512.ConditionalSelect(take, v, max);
        at = Vector512.ConditionalSelect(take.AsInt32(), index, at);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Take<T>(T* x, int index, ref T max, ref int at) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T v = x[index];
        if (v > max || T.IsNaN(v))
        {
            max = v;
            at = index;
        }
    }

    /// <summary>
    /// gradInput[plane, indices[..]] += gradOutput[..]. Overwrites gradInput first (clears it) unless
    /// <paramref name="accumulate"/>. <paramref name="indices"/> are those produced by <see cref="Forward"/>.
    /// </summary>
    public static unsafe void Backward<T>(in Pool2dGeometry g, ReadOnlySpan<T> gradOutput, ReadOnlySpan<long> indices, Span<T> gradInput, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        PoolUtil.Check(gradOutput.Length, g.OutputLength, "max_pool2d", "grad_output");
        PoolUtil.Check(indices.Length, g.OutputLength, "max_pool2d", "indices");
        PoolUtil.Check(gradInput.Length, g.InputLength, "max_pool2d", "grad_input");
        int plane = g.InH * g.InW, oplane = g.OutH * g.OutW;
        int inLen = g.InputLength, outLen = g.OutputLength;
        fixed (T* pgy = gradOutput, pgx = gradInput)
        fixed (long* pi = indices)
        {
            nint agy = (nint)pgy, agx = (nint)pgx, ai = (nint)pi;
            Threads.For(g.Planes, PoolUtil.MinPlanes(plane), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
            {
                var gy = new ReadOnlySpan<T>((T*)agy, outLen);
                var idx = new ReadOnlySpan<long>((long*)ai, outLen);
                var gx = new Span<T>((T*)agx, inLen);
                for (int p = (int)s; p < (int)e; p++)
                {
                    Span<T> gxp = gx.Slice(p * plane, plane);
                    if (!accumulate)
                        gxp.Clear();
                    ReadOnlySpan<T> gyp = gy.Slice(p * oplane, oplane);
                    ReadOnlySpan<long> ip = idx.Slice(p * oplane, oplane);
                    for (int k = 0; k < oplane; k++)
                        gxp[(int)ip[k]] += gyp[k];
                }
            });
        }
    }
}

internal static class PoolUtil
{
    public static void Check(int actual, int expected, string op, string name)
    {
        if (actual < expected)
            throw new ArgumentException($"{op}: {name} buffer has {actual} elements, expected at least {expected}.");
    }

    /// <summary>Minimum planes per parallel chunk so each chunk touches ~16K input elements.</summary>
    public static long MinPlanes(int planeSize) => Math.Max(1, 16384 / Math.Max(1, planeSize));
}
