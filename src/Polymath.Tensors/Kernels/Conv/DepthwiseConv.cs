using System.Numerics;
using System.Numerics.Tensors;

namespace Polymath.Kernels;

/// <summary>
/// Direct (im2col-free) per-sample loops for convolutions with one input channel per group
/// (depthwise, groups = Cin), where the per-group GEMM would degenerate to M = Cout/groups, K = kH·kW.
/// Each kernel tap is a SIMD multiply-add over an output row (stride 1) or a strided scalar loop.
/// </summary>
internal static class DepthwiseConv
{
    /// <summary>True when the direct path is used: one input channel per group, more than one group, not pointwise.</summary>
    public static bool Applies(in ConvGeometry g) => g.InChannelsPerGroup == 1 && g.Groups > 1 && !g.IsPointwise;

    /// <summary>yn [Cout, Ho, Wo] (+)= conv(xn [Cin, H, W], w) for one sample.</summary>
    public static void Forward<T>(in ConvGeometry g, ReadOnlySpan<T> xn, ReadOnlySpan<T> w, Span<T> yn, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.InH, wd = g.InW, oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW;
        int og = g.OutChannelsPerGroup, plane = h * wd, oplane = oh * ow;
        for (int co = 0; co < g.OutChannels; co++)
        {
            ReadOnlySpan<T> xp = xn.Slice(co / og * plane, plane);
            Span<T> yp = yn.Slice(co * oplane, oplane);
            if (!accumulate)
                yp.Clear();
            ReadOnlySpan<T> wc = w.Slice(co * kh * kw, kh * kw);
            for (int i = 0; i < kh; i++)
            {
                var (hLo, hHi) = ConvHelpers.ValidRange(i * g.DilationH - g.PadH, g.StrideH, h, oh);
                for (int j = 0; j < kw; j++)
                {
                    var (wLo, wHi) = ConvHelpers.ValidRange(j * g.DilationW - g.PadW, g.StrideW, wd, ow);
                    int n = wHi - wLo;
                    if (n == 0)
                        continue;
                    T wv = wc[i * kw + j];
                    int iwLo = wLo * g.StrideW - g.PadW + j * g.DilationW;
                    for (int y = hLo; y < hHi; y++)
                    {
                        int ih = y * g.StrideH - g.PadH + i * g.DilationH;
                        Span<T> dst = yp.Slice(y * ow + wLo, n);
                        ReadOnlySpan<T> src = xp.Slice(ih * wd + iwLo);
                        if (g.StrideW == 1)
                        {
                            TensorPrimitives.MultiplyAdd(src[..n], wv, dst, dst);
                        }
                        else
                        {
                            for (int t = 0, s = 0; t < n; t++, s += g.StrideW)
                                dst[t] += wv * src[s];
                        }
                    }
                }
            }
        }
    }

    /// <summary>gxn [Cin, H, W] += transposed conv of gyn [Cout, Ho, Wo] for one sample (gxn must be cleared by the caller to overwrite).</summary>
    public static void BackwardInput<T>(in ConvGeometry g, ReadOnlySpan<T> gyn, ReadOnlySpan<T> w, Span<T> gxn)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.InH, wd = g.InW, oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW;
        int og = g.OutChannelsPerGroup, plane = h * wd, oplane = oh * ow;
        for (int co = 0; co < g.OutChannels; co++)
        {
            Span<T> xp = gxn.Slice(co / og * plane, plane);
            ReadOnlySpan<T> yp = gyn.Slice(co * oplane, oplane);
            ReadOnlySpan<T> wc = w.Slice(co * kh * kw, kh * kw);
            for (int i = 0; i < kh; i++)
            {
                var (hLo, hHi) = ConvHelpers.ValidRange(i * g.DilationH - g.PadH, g.StrideH, h, oh);
                for (int j = 0; j < kw; j++)
                {
                    var (wLo, wHi) = ConvHelpers.ValidRange(j * g.DilationW - g.PadW, g.StrideW, wd, ow);
                    int n = wHi - wLo;
                    if (n == 0)
                        continue;
                    T wv = wc[i * kw + j];
                    int iwLo = wLo * g.StrideW - g.PadW + j * g.DilationW;
                    for (int y = hLo; y < hHi; y++)
                    {
                        int ih = y * g.StrideH - g.PadH + i * g.DilationH;
                        ReadOnlySpan<T> src = yp.Slice(y * ow + wLo, n);
                        Span<T> dst = xp.Slice(ih * wd + iwLo);
                        if (g.StrideW == 1)
                        {
                            Span<T> d = dst[..n];
                            TensorPrimitives.MultiplyAdd(src, wv, d, d);
                        }
                        else
                        {
                            for (int t = 0, s = 0; t < n; t++, s += g.StrideW)
                                dst[s] += wv * src[t];
                        }
                    }
                }
            }
        }
    }

    /// <summary>gw [Cout, 1, kH, kW] (+)= weight gradient contributed by one sample.</summary>
    public static void BackwardWeight<T>(in ConvGeometry g, ReadOnlySpan<T> gyn, ReadOnlySpan<T> xn, Span<T> gw, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.InH, wd = g.InW, oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW;
        int og = g.OutChannelsPerGroup, plane = h * wd, oplane = oh * ow;
        for (int co = 0; co < g.OutChannels; co++)
        {
            ReadOnlySpan<T> xp = xn.Slice(co / og * plane, plane);
            ReadOnlySpan<T> yp = gyn.Slice(co * oplane, oplane);
            Span<T> wc = gw.Slice(co * kh * kw, kh * kw);
            for (int i = 0; i < kh; i++)
            {
                var (hLo, hHi) = ConvHelpers.ValidRange(i * g.DilationH - g.PadH, g.StrideH, h, oh);
                for (int j = 0; j < kw; j++)
                {
                    var (wLo, wHi) = ConvHelpers.ValidRange(j * g.DilationW - g.PadW, g.StrideW, wd, ow);
                    int n = wHi - wLo;
                    T sum = T.Zero;
                    int iwLo = wLo * g.StrideW - g.PadW + j * g.DilationW;
                    for (int y = hLo; y < hHi && n > 0; y++)
                    {
                        int ih = y * g.StrideH - g.PadH + i * g.DilationH;
                        ReadOnlySpan<T> gr = yp.Slice(y * ow + wLo, n);
                        ReadOnlySpan<T> xr = xp.Slice(ih * wd + iwLo);
                        if (g.StrideW == 1)
                        {
                            sum += TensorPrimitives.Dot(gr, xr[..n]);
                        }
                        else
                        {
                            for (int t = 0, s = 0; t < n; t++, s += g.StrideW)
                                sum += gr[t] * xr[s];
                        }
                    }
                    wc[i * kw + j] = accumulate ? wc[i * kw + j] + sum : sum;
                }
            }
        }
    }
}
