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

    private static void ForwardPlanes<T>(in Pool2dGeometry g, ReadOnlySpan<T> input, Span<T> output, Span<long> indices, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.InH, w = g.InW, oh = g.OutH, ow = g.OutW;
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
