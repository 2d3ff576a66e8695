using System.Runtime.CompilerServices;
using System.Buffers;
using System.Runtime.Intrinsics;

namespace Polymath.Scale.Compression;

/// <summary>
/// A 2-D convolution (groups 1) with int8 weights (per-output-channel symmetric) that runs as im2col on uint8
/// activations plus <see cref="Int8Gemm"/>. Padding is filled with the input zero point (the quantized 0). Input
/// [N, C_in, H, W] float32, output [N, C_out, H_out, W_out]. Inference only.
/// </summary>
public sealed class QuantizedConv2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer from quantized values.</summary>
    /// <param name="weight">int8 weights, row-major [C_out, C_in, kH, kW].</param>
    /// <param name="weightScale">One scale per output channel.</param>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Kernel height and width.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="padding">Zero padding.</param>
    /// <param name="dilation">Dilation.</param>
    /// <param name="bias">Float bias [C_out], or null.</param>
    /// <param name="inputParams">Calibrated input parameters, or null for dynamic quantization.</param>
    /// <param name="fuseRelu">Apply ReLU to the output.</param>
    /// <param name="pool">0, or the size k of a fused k×k max-pool with stride k (the float model's next layer).</param>
    public QuantizedConv2d(sbyte[] weight, float[] weightScale, int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W) stride,
        (int H, int W) padding, (int H, int W) dilation, float[]? bias, QuantParams? inputParams, bool fuseRelu = false, int pool = 0)
    {
        if (pool < 0)
            throw new ArgumentOutOfRangeException(nameof(pool), pool, "QuantizedConv2d: the fused pool size must be 0 (none) or positive.");
        Pool = pool;
        if (weightScale.Length != outChannels || (bias is not null && bias.Length != outChannels))
            throw new ArgumentException($"QuantizedConv2d: {weightScale.Length} scales and {bias?.Length ?? 0} biases for {outChannels} channels.");
        Packed = new Int8PackedWeights(weight, outChannels, inChannels * kernelSize.H * kernelSize.W);
        (InChannels, OutChannels, KernelSize, Stride, Padding, Dilation) = (inChannels, outChannels, kernelSize, stride, padding, dilation);
        (WeightScale, BiasValues, InputParams, FuseRelu) = (weightScale, bias, inputParams, fuseRelu);
    }

    /// <summary>Quantizes a float Conv2d.</summary>
    /// <exception cref="NotQuantizableException">The convolution is grouped.</exception>
    public static QuantizedConv2d FromFloat(Conv2d layer, QuantParams? inputParams, bool fuseRelu = false, string name = "", int pool = 0)
    {
        if (layer.Groups != 1)
            throw new NotQuantizableException(name, "Conv2d", $"grouped convolution (groups={layer.Groups}) is not supported by the int8 kernels");
        int k = layer.InChannels * layer.KernelSize.H * layer.KernelSize.W;
        var (q, scales) = Quantize.WeightsPerChannel(layer.Weight.Detach().To(DType.Float32).ToArray(), layer.OutChannels, k);
        return new QuantizedConv2d(q, scales, layer.InChannels, layer.OutChannels, layer.KernelSize, layer.Stride, layer.Padding, layer.Dilation,
            layer.Bias?.Detach().To(DType.Float32).ToArray(), inputParams, fuseRelu, pool);
    }

    private int[]? _direct;

    /// <summary>
    /// How the int32 sums are computed (<see cref="Int8ConvPath.Auto"/> by default: the direct kernel where it issues
    /// fewer instructions than im2col + GEMM). Both paths give the same output, bit for bit.
    /// </summary>
    public Int8ConvPath Path { get; set; } = Int8ConvPath.Auto;

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel height and width.</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Stride.</summary>
    public (int H, int W) Stride { get; }

    /// <summary>Padding.</summary>
    public (int H, int W) Padding { get; }

    /// <summary>Dilation.</summary>
    public (int H, int W) Dilation { get; }

    /// <summary>int8 weights as [C_out, C_in·kH·kW], packed.</summary>
    public Int8PackedWeights Packed { get; }

    /// <summary>Per-output-channel scales.</summary>
    public float[] WeightScale { get; }

    /// <summary>Float bias or null.</summary>
    public float[]? BiasValues { get; }

    /// <summary>Calibrated input parameters; null means dynamic.</summary>
    public QuantParams? InputParams { get; }

    /// <summary>True when ReLU is applied to the output.</summary>
    public bool FuseRelu { get; }

    /// <summary>
    /// 0, or k when a k×k max-pool with stride k follows inside this layer. It is taken over the int32 sums before they
    /// are scaled: the scale is positive and ReLU is monotone, so the result equals pooling the float output.
    /// </summary>
    public int Pool { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not float32 [N, C_in, H, W] or is smaller than the kernel.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Size(1) != InChannels)
            throw new ArgumentException($"QuantizedConv2d: expected input [N, {InChannels}, H, W], got [{string.Join(",", input.Shape)}].");
        int n = input.Size(0), h = input.Size(2), wd = input.Size(3);
        var (kh, kw) = KernelSize;
        int ho = (h + 2 * Padding.H - Dilation.H * (kh - 1) - 1) / Stride.H + 1;
        int wo = (wd + 2 * Padding.W - Dilation.W * (kw - 1) - 1) / Stride.W + 1;
        if (ho <= 0 || wo <= 0)
            throw new ArgumentException($"QuantizedConv2d: input [{string.Join(",", input.Shape)}] is smaller than the kernel {kh}×{kw}.");
        int pk = Math.Max(1, Pool), po = ho / pk, pwo = wo / pk;
        if (po <= 0 || pwo <= 0)
            throw new ArgumentException($"QuantizedConv2d: output {ho}×{wo} is smaller than the fused {pk}×{pk} pool.");
        var (x, off) = QuantizedKernels.Floats(input, "QuantizedConv2d");
        int c = InChannels, plane = c * h * wd, hw = ho * wo, cout = OutChannels, kp = Packed.PaddedK;
        var p = InputParams ?? QuantizedKernels.Dynamic(x.AsSpan(off, n * plane));
        var (scale, offset) = QuantizedKernels.Epilogue(p, Packed, WeightScale, BiasValues);
        bool direct = UsesDirect(ho, wo);
        int[]? expanded = direct ? _direct ??= Int8DirectConv.Expand(Packed.Weights, cout, c, kh, kw) : null;
        int wop = Int8DirectConv.PaddedWidth(wo);
        // +8 on the im2col path: the pooled epilogue loads 8 channels at a time, past the last position when C_out < 8.
        int accLength = direct ? (cout + Int8DirectConv.Lanes - 1) / Int8DirectConv.Lanes * Int8DirectConv.Lanes * ho * wop : hw * cout + 8;
        // Engine-allocated output: large buffers come from its pool, so repeated calls do not fault in fresh pages.
        var result = Tensor.Empty([n, cout, po, pwo], DType.Float32);
        var y = result.Data<float>();
        // One image at a time per thread: quantize, im2col (or the direct kernel), int8 GEMM and dequantize stay in
        // cache, and the GEMM runs single-threaded inside the parallel region.
        int hp = h + 2 * Padding.H, wp = wd + 2 * Padding.W, padded = c * hp * wp;
        Threads.For(n, 1, (s, e) =>
        {
            // Slack: the im2col fast path moves 8 bytes at a time and the direct kernel loads 16, past the last row.
            var xq = ArrayPool<byte>.Shared.Rent(padded + Int8DirectConv.Slack);
            var row = ArrayPool<byte>.Shared.Rent(plane);
            var a = direct ? null : ArrayPool<byte>.Shared.Rent(hw * kp + 8);
            var acc = ArrayPool<int>.Shared.Rent(accLength);
            try
            {
                // The border stays at the zero point (the quantized 0); only the interior changes per image.
                xq.AsSpan(0, padded + Int8DirectConv.Slack).Fill((byte)p.ZeroPoint);
                for (int img = (int)s; img < e; img++)
                {
                    // The whole image in one call keeps the quantizer on its 32-wide vector path (rows are often shorter).
                    Quantize.Row(x.AsSpan(off + img * plane, plane), p, row.AsSpan(0, plane));
                    if (padded == plane)
                        row.AsSpan(0, plane).CopyTo(xq);
                    else
                        for (int r = 0; r < c * h; r++)
                            row.AsSpan(r * wd, wd).CopyTo(xq.AsSpan(((r / h) * hp + r % h + Padding.H) * wp + Padding.W));
                    if (direct)
                    {
                        DirectSums(xq, hp, wp, ho, wo, expanded!, acc);
                        if (pk == 1) DequantizePlanes(acc, ho, wo, wop, cout, scale, offset, FuseRelu, y, img * cout * hw);
                        else PooledPlanes(acc, ho, wo, wop, pk, cout, scale, offset, FuseRelu, y, img * cout * po * pwo);
                        continue;
                    }
                    Im2Col(xq, hp, wp, ho, wo, a!);
                    Int8Gemm.Multiply(a!, hw, Packed, acc);
                    if (pk == 1) Dequantize(acc, hw, cout, scale, offset, FuseRelu, y, img * cout * hw);
                    else DequantizePooled(acc, ho, wo, pk, cout, scale, offset, FuseRelu, y, img * cout * po * pwo);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(xq);
                ArrayPool<byte>.Shared.Return(row);
                if (a is not null) ArrayPool<byte>.Shared.Return(a);
                ArrayPool<int>.Shared.Return(acc);
            }
        });
        return result;
    }

    /// <summary>True when <see cref="Forward"/> uses <see cref="Int8DirectConv"/> for an output of <paramref name="ho"/>×<paramref name="wo"/>.</summary>
    /// <exception cref="PlatformNotSupportedException"><see cref="Path"/> is Direct and the kernel cannot run this layer here.</exception>
    public bool UsesDirect(int ho, int wo) => Path switch
    {
        Int8ConvPath.Direct => Int8DirectConv.Supports(KernelSize, Stride, Dilation) ? true
            : throw new PlatformNotSupportedException($"QuantizedConv2d: the direct int8 kernel needs AVX-VNNI, stride 1, dilation 1 and a kernel at most 8 wide " +
                $"(this layer: kernel ({KernelSize.H}, {KernelSize.W}), stride ({Stride.H}, {Stride.W}), dilation ({Dilation.H}, {Dilation.W}); {Int8Gemm.Describe()})."),
        Int8ConvPath.Im2Col => false,
        // A forced GEMM kernel (Scalar, Avx512BW) means "do not use VNNI", so Auto keeps to im2col then.
        _ => Int8DirectConv.Supports(KernelSize, Stride, Dilation) && Int8Gemm.Kernel is Int8Kernel.Auto or Int8Kernel.AvxVnni
            && Int8DirectConv.Prefers(InChannels, OutChannels, KernelSize, ho, wo),
    };

    private unsafe void DirectSums(byte[] xq, int hp, int wp, int ho, int wo, int[] expanded, int[] acc)
    {
        fixed (byte* px = xq)
        fixed (int* pw = expanded)
        fixed (int* pa = acc)
            Int8DirectConv.Sums(px, InChannels, hp, wp, KernelSize.H, KernelSize.W, ho, wo, OutChannels, pw, pa);
    }

    // acc is [C_out (rounded up), ho, wop]; y is [C_out, ho, wo] for one image. Same arithmetic as Dequantize, so both
    // paths give the same floats.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DequantizePlanes(int[] acc, int ho, int wo, int wop, int cout, float[] scale, float[] offset, bool relu, float[] y, int at)
    {
        fixed (int* pa = acc)
        fixed (float* py = y)
        {
            for (int co = 0; co < cout; co++)
            {
                float s = scale[co], o = offset[co];
                var vs = Vector256.Create(s);
                var vo = Vector256.Create(o);
                for (int oh = 0; oh < ho; oh++)
                {
                    int* src = pa + ((long)co * ho + oh) * wop;
                    float* dst = py + at + ((long)co * ho + oh) * wo;
                    int ow = 0;
                    // A last partial group is done as the 8 outputs ending at the row's end (some twice, same values).
                    for (; wo >= 8 && ow < wo; ow += 8)
                    {
                        if (ow + 8 > wo) ow = wo - 8;
                        var v = Vector256.ConvertToSingle(Vector256.Load(src + ow)) * vs + vo;
                        if (relu) v = Vector256.Max(v, Vector256<float>.Zero);
                        v.Store(dst + ow);
                    }
                    for (; ow < wo; ow++)
                    {
                        float v = src[ow] * s + o;
                        dst[ow] = relu ? Math.Max(v, 0f) : v;
                    }
                }
            }
        }
    }

    // Max over each k×k window of acc [C_out (rounded up), ho, wop] (floor mode), then scale: y is [C_out, ho/k, wo/k].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PooledPlanes(int[] acc, int ho, int wo, int wop, int k, int cout, float[] scale, float[] offset, bool relu, float[] y, int at)
    {
        int po = ho / k, pwo = wo / k;
        fixed (int* pa = acc)
        fixed (float* py = y)
        {
            for (int co = 0; co < cout; co++)
            {
                float s = scale[co], o = offset[co];
                var vs = Vector256.Create(s);
                var vo = Vector256.Create(o);
                for (int i = 0; i < po; i++)
                {
                    int* top = pa + ((long)co * ho + i * k) * wop;
                    float* dst = py + at + ((long)co * po + i) * pwo;
                    int j = 0;
                    if (k == 2 && pwo >= 8)
                    {
                        // 16 sums of two rows give 8 outputs: the vertical max, then even and odd lanes against each other.
                        // A last partial group is done as the 8 outputs ending at the row's end (some twice, same values).
                        for (; j < pwo; j += 8)
                        {
                            if (j + 8 > pwo) j = pwo - 8;
                            var v0 = Vector256.Max(Vector256.Load(top + 2 * j), Vector256.Load(top + wop + 2 * j));
                            var v1 = Vector256.Max(Vector256.Load(top + 2 * j + 8), Vector256.Load(top + wop + 2 * j + 8));
                            v0 = Vector256.Shuffle(v0, Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7));
                            v1 = Vector256.Shuffle(v1, Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7));
                            var m = Vector256.Create(Vector128.Max(v0.GetLower(), v0.GetUpper()), Vector128.Max(v1.GetLower(), v1.GetUpper()));
                            var v = Vector256.ConvertToSingle(m) * vs + vo;
                            if (relu) v = Vector256.Max(v, Vector256<float>.Zero);
                            v.Store(dst + j);
                        }
                    }
                    for (; j < pwo; j++)
                    {
                        int m = int.MinValue;
                        for (int a = 0; a < k; a++)
                            for (int b = 0; b < k; b++)
                                m = Math.Max(m, top[(long)a * wop + j * k + b]);
                        float v = m * s + o;
                        dst[j] = relu ? Math.Max(v, 0f) : v;
                    }
                }
            }
        }
    }

    // One row of C·kH·kW bytes per output position (row stride PaddedK, tail zeroed), read from the zero-point-padded
    // image [C, hp, wp], so no tap needs a bounds check. The loops run tap row by tap row, so the inner loop is a plain
    // strided copy along one input row.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void Im2Col(byte[] xq, int hp, int wp, int ho, int wo, byte[] a)
    {
        var (kh, kw) = KernelSize;
        var (sh, sw) = Stride;
        var (dh, dw) = Dilation;
        int c = InChannels, kp = Packed.PaddedK, k = Packed.K;
        bool fast = dw == 1 && kw <= 8;
        fixed (byte* src = xq)
        fixed (byte* dstBase = a)
        {
            for (int ci = 0; ci < c; ci++)
                for (int i = 0; i < kh; i++)
                {
                    int tap = (ci * kh + i) * kw;
                    // An 8-byte move spills 8 − kW bytes past its tap row: into the next tap row (written after it) or
                    // the padding, but for the last tap row it could reach the next position's first taps (already
                    // written), so that one copies exactly.
                    bool wide = fast && tap + 8 <= kp;
                    for (int oh = 0; oh < ho; oh++)
                    {
                        byte* s = src + (long)(ci * hp + oh * sh + i * dh) * wp;
                        byte* dst = dstBase + (long)oh * wo * kp + tap;
                        if (wide)
                            for (int ow = 0; ow < wo; ow++, dst += kp)
                                *(ulong*)dst = *(ulong*)(s + ow * sw);
                        else
                            for (int ow = 0; ow < wo; ow++, dst += kp)
                                for (int j = 0; j < kw; j++) dst[j] = s[ow * sw + j * dw];
                    }
                }
            if (kp > k)
                for (int r = 0; r < ho * wo; r++)
                    for (int t = k; t < kp; t++) dstBase[(long)r * kp + t] = 0;
        }
    }

    // acc is [positions, C_out]; y is [C_out, positions] for one image, written contiguously.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Dequantize(int[] acc, int hw, int cout, float[] scale, float[] offset, bool relu, float[] y, int at)
    {
        fixed (int* pa = acc)
        fixed (float* py = y)
        {
            for (int co = 0; co < cout; co++)
            {
                float s = scale[co], o = offset[co];
                float* dst = py + at + (long)co * hw;
                int* src = pa + co;
                if (relu)
                    for (int pos = 0; pos < hw; pos++) dst[pos] = Math.Max(src[(long)pos * cout] * s + o, 0f);
                else
                    for (int pos = 0; pos < hw; pos++) dst[pos] = src[(long)pos * cout] * s + o;
            }
        }
    }

    // Max over each k×k window of acc [positions, C_out] (floor mode), then scale: y is [C_out, ho/k, wo/k]. Channels
    // go 8 at a time as vectors (acc rows are contiguous in the channel), then scatter to their planes; with fewer than
    // 8 left, the lanes past C_out hold the next position's sums (acc has 8 spare values at its end; scale and offset
    // are padded) and are not stored.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DequantizePooled(int[] acc, int ho, int wo, int k, int cout, float[] scale, float[] offset, bool relu, float[] y, int at)
    {
        int po = ho / k, pwo = wo / k;
        long planeOut = (long)po * pwo;
        float* tmp = stackalloc float[8];
        fixed (int* pa = acc)
        fixed (float* py = y)
        fixed (float* ps = scale, pof = offset)
        {
            for (int i = 0; i < po; i++)
                for (int j = 0; j < pwo; j++)
                {
                    float* dst = py + at + (long)i * pwo + j;
                    int* win = pa + ((long)i * k * wo + j * k) * cout;
                    for (int co = 0; co < cout; co += 8)
                    {
                        var m = Vector256.Create(int.MinValue);
                        for (int a = 0; a < k; a++)
                            for (int b = 0; b < k; b++)
                                m = Vector256.Max(m, Vector256.Load(win + ((long)a * wo + b) * cout + co));
                        var v = Vector256.ConvertToSingle(m) * Vector256.Load(ps + co) + Vector256.Load(pof + co);
                        if (relu) v = Vector256.Max(v, Vector256<float>.Zero);
                        v.Store(tmp);
                        for (int t = 0, end = Math.Min(8, cout - co); t < end; t++)
                            dst[(co + t) * planeOut] = tmp[t];
                    }
                }
        }
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size=({KernelSize.H}, {KernelSize.W}), stride=({Stride.H}, {Stride.W}), padding=({Padding.H}, {Padding.W}), " +
        $"{(InputParams is { } p ? $"input_scale={p.Scale:G4}, input_zero_point={p.ZeroPoint}" : "dynamic")}{(FuseRelu ? ", relu" : "")}{(Pool > 0 ? $", max_pool={Pool}" : "")}";
}
