using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Polymath.Scale.Compression;

/// <summary>How <see cref="QuantizedConv2d"/> computes its int32 sums.</summary>
public enum Int8ConvPath
{
    /// <summary>Pick by an estimate of the instructions each path issues (<see cref="Int8DirectConv.Prefers"/>).</summary>
    Auto,
    /// <summary>im2col rows of uint8 and <see cref="Int8Gemm"/>: vector lanes run over output channels.</summary>
    Im2Col,
    /// <summary>
    /// <see cref="Int8DirectConv"/>: no im2col; vector lanes run over 8 neighbouring output positions, so few output
    /// channels and short kernels waste nothing. Needs AVX-VNNI, stride 1, dilation 1 and a kernel at most 8 wide.
    /// </summary>
    Direct,
}

/// <summary>
/// A direct int8 convolution for small kernels with few output channels (LeNet-5's first layer: 1→6, 5×5). The int32
/// sum for 8 neighbouring output positions of one row is one 256-bit vector. For each kernel row and each group of 4
/// taps, one byte shuffle of a 16-byte load gives every lane its 4 input bytes (lane l gets x[r, w+l .. w+l+3]), and
/// <c>vpdpbusd</c> multiplies them by the 4 taps' weights (the same in every lane) and adds them, exactly, in int32.
/// Eight output channels share each shuffled input vector. Weights past the kernel width are zero, so the bytes they
/// meet do not matter. Sums are written channel-major, [C_out rounded up to 8, H_out, W_out rounded up to 8].
/// </summary>
internal static class Int8DirectConv
{
    /// <summary>Output positions per vector and output channels per block.</summary>
    public const int Lanes = 8;

    /// <summary>Bytes the input buffer must have past its last row: the widest load starts at most 12 bytes past a row end.</summary>
    public const int Slack = 32;

    /// <summary>True when this kernel can run the convolution on this CPU.</summary>
    public static bool Supports((int H, int W) kernel, (int H, int W) stride, (int H, int W) dilation) =>
        AvxVnni.IsSupported && stride == (1, 1) && dilation == (1, 1) && kernel.W <= 8;

    /// <summary>
    /// True when the direct kernel should beat im2col + GEMM: it compares the <c>vpdpbusd</c> count of each (the direct
    /// kernel pays for unused lanes past W_out and unused channels in a block of 8; the GEMM for unused columns in its
    /// 16-wide panels and K padded to 4) plus the 8-byte moves im2col makes.
    /// </summary>
    public static bool Prefers(int cin, int cout, (int H, int W) kernel, int ho, int wo)
    {
        long taps = (long)cin * kernel.H;
        long direct = (long)ho * ((wo + Lanes - 1) / Lanes) * taps * ((kernel.W + 3) / 4) * ((cout + Lanes - 1) / Lanes * Lanes);
        long positions = (long)ho * wo;
        long gemm = (positions + 3) / 4 * (Int8Gemm.PadK((int)(taps * kernel.W)) / 4) * 8 * ((cout + 15) / 16) + positions * taps;
        return direct < gemm;
    }

    /// <summary>
    /// The weights [C_out, C_in, kH, kW] as broadcast vectors: for each block of 8 channels, each (c, i) and each group
    /// of 4 taps, 8 vectors (one per channel) of 8 identical int32 lanes, each lane the 4 taps' bytes.
    /// </summary>
    public static int[] Expand(sbyte[] w, int cout, int cin, int kh, int kw)
    {
        int groups = (kw + 3) / 4, blocks = (cout + Lanes - 1) / Lanes;
        var e = new int[blocks * cin * kh * groups * Lanes * Lanes];
        int at = 0;
        for (int b = 0; b < blocks; b++)
            for (int c = 0; c < cin; c++)
                for (int i = 0; i < kh; i++)
                    for (int g = 0; g < groups; g++)
                        for (int ch = 0; ch < Lanes; ch++, at += Lanes)
                        {
                            int co = b * Lanes + ch;
                            uint packed = 0;
                            for (int t = 0; t < 4; t++)
                            {
                                int j = 4 * g + t;
                                if (co < cout && j < kw)
                                    packed |= (uint)(byte)w[((co * cin + c) * kh + i) * kw + j] << (8 * t);
                            }
                            e.AsSpan(at, Lanes).Fill((int)packed);
                        }
        return e;
    }

    /// <summary>W_out rounded up to a multiple of 8: the row stride of the sums.</summary>
    public static int PaddedWidth(int wo) => (wo + Lanes - 1) / Lanes * Lanes;

    /// <summary>
    /// The int32 sums of one image: <paramref name="x"/> is the zero-point-padded uint8 image [C_in, hp, wp] followed by
    /// <see cref="Slack"/> bytes; <paramref name="acc"/> receives [⌈C_out/8⌉·8, ho, <see cref="PaddedWidth"/>(wo)]
    /// (lanes past wo hold sums of neighbouring bytes and are not to be used).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Sums(byte* x, int cin, int hp, int wp, int kh, int kw, int ho, int wo, int cout, int* weights, int* acc)
    {
        int groups = (kw + 3) / 4, blocks = (cout + Lanes - 1) / Lanes, wop = PaddedWidth(wo);
        int perBlock = cin * kh * groups * Lanes * Lanes;
        long plane = (long)ho * wop;
        // Lane l (4 bytes) takes bytes l, l+1, l+2, l+3 of the load; vpshufb works within 128-bit halves, so the same
        // 16 bytes go to both halves and the upper half starts at byte 4.
        var control = Vector256.Create((byte)0, 1, 2, 3, 1, 2, 3, 4, 2, 3, 4, 5, 3, 4, 5, 6, 4, 5, 6, 7, 5, 6, 7, 8, 6, 7, 8, 9, 7, 8, 9, 10);
        for (int b = 0; b < blocks; b++)
        {
            int* wb = weights + (long)b * perBlock;
            int* ab = acc + b * Lanes * plane;
            for (int oh = 0; oh < ho; oh++)
                for (int ow = 0; ow < wop; ow += Lanes)
                {
                    Vector256<int> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
                    int* wq = wb;
                    for (int c = 0; c < cin; c++)
                        for (int i = 0; i < kh; i++)
                        {
                            byte* row = x + ((long)c * hp + oh + i) * wp + ow;
                            for (int g = 0; g < groups; g++, wq += Lanes * Lanes)
                            {
                                var v = Vector128.Load(row + 4 * g);
                                var xs = Avx2.Shuffle(Vector256.Create(v, v), control);
                                c0 = AvxVnni.MultiplyWideningAndAdd(c0, xs, Vector256.Load(wq).AsSByte());
                                c1 = AvxVnni.MultiplyWideningAndAdd(c1, xs, Vector256.Load(wq + 8).AsSByte());
                                c2 = AvxVnni.MultiplyWideningAndAdd(c2, xs, Vector256.Load(wq + 16).AsSByte());
                                c3 = AvxVnni.MultiplyWideningAndAdd(c3, xs, Vector256.Load(wq + 24).AsSByte());
                                c4 = AvxVnni.MultiplyWideningAndAdd(c4, xs, Vector256.Load(wq + 32).AsSByte());
                                c5 = AvxVnni.MultiplyWideningAndAdd(c5, xs, Vector256.Load(wq + 40).AsSByte());
                                c6 = AvxVnni.MultiplyWideningAndAdd(c6, xs, Vector256.Load(wq + 48).AsSByte());
                                c7 = AvxVnni.MultiplyWideningAndAdd(c7, xs, Vector256.Load(wq + 56).AsSByte());
                            }
                        }
                    // Stores only, no call, while the accumulators are live (see Int8Gemm's kernels for why).
                    int* dst = ab + (long)oh * wop + ow;
                    c0.Store(dst); c1.Store(dst + plane); c2.Store(dst + 2 * plane); c3.Store(dst + 3 * plane);
                    c4.Store(dst + 4 * plane); c5.Store(dst + 5 * plane); c6.Store(dst + 6 * plane); c7.Store(dst + 7 * plane);
                }
        }
    }

    /// <summary>
    /// <see cref="Sums"/> on arrays (for tests): the sums [C_out, ho, wo] of the padded uint8 image [C_in, hp, wp] with
    /// int8 weights [C_out, C_in, kH, kW], stride 1, dilation 1.
    /// </summary>
    /// <exception cref="ArgumentException">The arrays do not match the sizes, or the kernel is wider than 8 or larger than the image.</exception>
    public static unsafe int[] Compute(byte[] x, int cin, int hp, int wp, sbyte[] w, int cout, int kh, int kw)
    {
        if (x.Length != cin * hp * wp || w.Length != cout * cin * kh * kw || kw > 8 || kh > hp || kw > wp)
            throw new ArgumentException($"Int8DirectConv: image [{cin}, {hp}, {wp}] ({x.Length} bytes) and weights [{cout}, {cin}, {kh}, {kw}] ({w.Length}) do not fit.");
        int ho = hp - kh + 1, wo = wp - kw + 1, wop = PaddedWidth(wo);
        var padded = new byte[x.Length + Slack];
        x.CopyTo(padded, 0);
        var e = Expand(w, cout, cin, kh, kw);
        var acc = new int[(cout + Lanes - 1) / Lanes * Lanes * ho * wop];
        fixed (byte* px = padded)
        fixed (int* pw = e)
        fixed (int* pa = acc)
            Sums(px, cin, hp, wp, kh, kw, ho, wo, cout, pw, pa);
        var s = new int[cout * ho * wo];
        for (int co = 0; co < cout; co++)
            for (int oh = 0; oh < ho; oh++)
                acc.AsSpan((co * ho + oh) * wop, wo).CopyTo(s.AsSpan((co * ho + oh) * wo));
        return s;
    }

    /// <summary>
    /// The plain loops (a reference for tests): the sums [C_out, ho, wo] of the padded uint8 image [C_in, hp, wp] with
    /// int8 weights [C_out, C_in, kH, kW], stride 1, dilation 1.
    /// </summary>
    public static int[] Reference(byte[] x, int cin, int hp, int wp, sbyte[] w, int cout, int kh, int kw)
    {
        int ho = hp - kh + 1, wo = wp - kw + 1;
        var s = new int[cout * ho * wo];
        for (int co = 0; co < cout; co++)
            for (int oh = 0; oh < ho; oh++)
                for (int ow = 0; ow < wo; ow++)
                {
                    int sum = 0;
                    for (int c = 0; c < cin; c++)
                        for (int i = 0; i < kh; i++)
                            for (int j = 0; j < kw; j++)
                                sum += x[(c * hp + oh + i) * wp + ow + j] * w[((co * cin + c) * kh + i) * kw + j];
                    s[(co * ho + oh) * wo + ow] = sum;
                }
        return s;
    }
}
