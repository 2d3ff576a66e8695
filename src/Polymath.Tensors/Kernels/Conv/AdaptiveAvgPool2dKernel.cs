using System.Numerics;

namespace Polymath.Kernels;

/// <summary>
/// 2-D adaptive average pooling (PyTorch adaptive_avg_pool2d) on contiguous NCHW buffers:
/// input [N, C, InH, InW] → output [N, C, OutH, OutW]; output row i averages input rows
/// [floor(i·InH/OutH), ceil((i+1)·InH/OutH)) (likewise columns). Planes are processed in parallel.
/// Supports float and double.
/// </summary>
internal static class AdaptiveAvgPool2dKernel
{
    /// <exception cref="ArgumentException">Non-positive sizes.</exception>
    public static void Validate(int batch, int channels, int inH, int inW, int outH, int outW)
    {
        if (batch < 0 || channels <= 0 || inH <= 0 || inW <= 0 || outH <= 0 || outW <= 0)
            throw new ArgumentException(
                $"adaptive_avg_pool2d: sizes must be positive (batch may be 0); got input [{batch}, {channels}, {inH}, {inW}], output size ({outH}, {outW}).");
    }

    /// <summary>output [N, C, OutH, OutW] = adaptive averages of input [N, C, InH, InW]; overwritten.</summary>
    public static unsafe void Forward<T>(ReadOnlySpan<T> input, int batch, int channels, int inH, int inW, int outH, int outW, Span<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Validate(batch, channels, inH, inW, outH, outW);
        int planes = checked(batch * channels), inLen = checked(planes * inH * inW), outLen = checked(planes * outH * outW);
        PoolUtil.Check(input.Length, inLen, "adaptive_avg_pool2d", "input");
        PoolUtil.Check(output.Length, outLen, "adaptive_avg_pool2d", "output");
        fixed (T* px = input, py = output)
        {
            nint ax = (nint)px, ay = (nint)py;
            Threads.For(planes, PoolUtil.MinPlanes(inH * inW), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
                Run(new Span<T>((T*)ax, inLen), new Span<T>((T*)ay, outLen), inH, inW, outH, outW, (int)s, (int)e, backward: false));
        }
    }

    /// <summary>gradInput [N, C, InH, InW] += gradOutput spread evenly over each window. Clears gradInput first unless <paramref name="accumulate"/>.</summary>
    public static unsafe void Backward<T>(ReadOnlySpan<T> gradOutput, int batch, int channels, int inH, int inW, int outH, int outW,
        Span<T> gradInput, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Validate(batch, channels, inH, inW, outH, outW);
        int planes = checked(batch * channels), inLen = checked(planes * inH * inW), outLen = checked(planes * outH * outW);
        PoolUtil.Check(gradOutput.Length, outLen, "adaptive_avg_pool2d", "grad_output");
        PoolUtil.Check(gradInput.Length, inLen, "adaptive_avg_pool2d", "grad_input");
        fixed (T* pgy = gradOutput, pgx = gradInput)
        {
            nint agy = (nint)pgy, agx = (nint)pgx;
            Threads.For(planes, PoolUtil.MinPlanes(inH * inW), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
            {
                var gx = new Span<T>((T*)agx, inLen);
                if (!accumulate)
                    gx.Slice((int)s * inH * inW, (int)(e - s) * inH * inW).Clear();
                Run(gx, new Span<T>((T*)agy, outLen), inH, inW, outH, outW, (int)s, (int)e, backward: true);
            });
        }
    }

    private static int Start(int i, int outSize, int inSize) => (int)((long)i * inSize / outSize);
    private static int End(int i, int outSize, int inSize) => (int)(((long)(i + 1) * inSize + outSize - 1) / outSize);

    private static void Run<T>(Span<T> input, Span<T> output, int h, int w, int oh, int ow, int start, int end, bool backward)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int p = start; p < end; p++)
        {
            Span<T> x = input.Slice(p * h * w, h * w);
            Span<T> y = output.Slice(p * oh * ow, oh * ow);
            for (int i = 0; i < oh; i++)
            {
                int h0 = Start(i, oh, h), h1 = End(i, oh, h);
                for (int j = 0; j < ow; j++)
                {
                    int w0 = Start(j, ow, w), w1 = End(j, ow, w);
                    T div = T.CreateChecked((h1 - h0) * (w1 - w0));
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
