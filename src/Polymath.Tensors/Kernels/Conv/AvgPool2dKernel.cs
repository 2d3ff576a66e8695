using System.Numerics;

namespace Polymath.Kernels;

/// <summary>
/// 2-D average pooling (PyTorch avg_pool2d) on contiguous NCHW buffers, with ceil_mode, count_include_pad
/// and divisor_override (0 = none). A window is clipped to [−pad, In + pad) for the padded count and to
/// [0, In) for the summed elements, exactly as PyTorch does. Planes are processed in parallel.
/// Supports float and double.
/// </summary>
internal static class AvgPool2dKernel
{
    /// <summary>output = window averages, [N, C, OutH, OutW]; overwritten.</summary>
    public static unsafe void Forward<T>(in Pool2dGeometry g, ReadOnlySpan<T> input, Span<T> output, bool countIncludePad = true, int divisorOverride = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        PoolUtil.Check(input.Length, g.InputLength, "avg_pool2d", "input");
        PoolUtil.Check(output.Length, g.OutputLength, "avg_pool2d", "output");
        Pool2dGeometry geo = g;
        int inLen = g.InputLength, outLen = g.OutputLength;
        fixed (T* px = input, py = output)
        {
            nint ax = (nint)px, ay = (nint)py;
            Threads.For(g.Planes, PoolUtil.MinPlanes(g.InH * g.InW), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
                Run(geo, new Span<T>((T*)ax, inLen), new Span<T>((T*)ay, outLen), (int)s, (int)e, countIncludePad, divisorOverride, backward: false));
        }
    }

    /// <summary>
    /// gradInput += gradOutput / divisor spread over each window. Clears gradInput first unless <paramref name="accumulate"/>.
    /// countIncludePad and divisorOverride must match the forward call.
    /// </summary>
    public static unsafe void Backward<T>(in Pool2dGeometry g, ReadOnlySpan<T> gradOutput, Span<T> gradInput,
        bool countIncludePad = true, int divisorOverride = 0, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        PoolUtil.Check(gradOutput.Length, g.OutputLength, "avg_pool2d", "grad_output");
        PoolUtil.Check(gradInput.Length, g.InputLength, "avg_pool2d", "grad_input");
        Pool2dGeometry geo = g;
        int inLen = g.InputLength, outLen = g.OutputLength;
        fixed (T* pgy = gradOutput, pgx = gradInput)
        {
            nint agy = (nint)pgy, agx = (nint)pgx;
            Threads.For(g.Planes, PoolUtil.MinPlanes(g.InH * g.InW), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
            {
                var gx = new Span<T>((T*)agx, inLen);
                if (!accumulate)
                    gx.Slice((int)s * geo.InH * geo.InW, (int)(e - s) * geo.InH * geo.InW).Clear();
                Run(geo, gx, new Span<T>((T*)agy, outLen), (int)s, (int)e, countIncludePad, divisorOverride, backward: true);
            });
        }
    }

    /// <summary>Forward: x → y. Backward: x is grad_input (added to), y is grad_output (read).</summary>
    private static void Run<T>(in Pool2dGeometry g, Span<T> input, Span<T> output, int start, int end,
        bool countIncludePad, int divisorOverride, bool backward)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.InH, w = g.InW, oh = g.OutH, ow = g.OutW;
        for (int p = start; p < end; p++)
        {
            Span<T> x = input.Slice(p * h * w, h * w);
            Span<T> y = output.Slice(p * oh * ow, oh * ow);
            for (int i = 0; i < oh; i++)
            {
                int h0 = i * g.StrideH - g.PadH;
                int h1 = Math.Min(h0 + g.KernelH, h + g.PadH);
                int poolH = h1 - h0;
                h0 = Math.Max(h0, 0);
                h1 = Math.Min(h1, h);
                for (int j = 0; j < ow; j++)
                {
                    int w0 = j * g.StrideW - g.PadW;
                    int w1 = Math.Min(w0 + g.KernelW, w + g.PadW);
                    int poolSize = poolH * (w1 - w0);
                    w0 = Math.Max(w0, 0);
                    w1 = Math.Min(w1, w);
                    if (h0 >= h1 || w0 >= w1)
                    {
                        if (!backward)
                            y[i * ow + j] = T.Zero;
                        continue;
                    }
                    int divisor = divisorOverride != 0 ? divisorOverride
                        : countIncludePad ? poolSize : (h1 - h0) * (w1 - w0);
                    T div = T.CreateChecked(divisor);
                    if (!backward)
                    {
                        T sum = T.Zero;
                        for (int ih = h0; ih < h1; ih++)
                            for (int iw = w0; iw < w1; iw++)
                                sum += x[ih * w + iw];
                        y[i * ow + j] = sum / div;
                    }
                    else
                    {
                        T gv = y[i * ow + j] / div;
                        for (int ih = h0; ih < h1; ih++)
                            for (int iw = w0; iw < w1; iw++)
                                x[ih * w + iw] += gv;
                    }
                }
            }
        }
    }
}
