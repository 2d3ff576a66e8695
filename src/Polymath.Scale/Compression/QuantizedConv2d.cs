using System.Runtime.CompilerServices;
using System.Buffers;

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
        // Engine-allocated output: large buffers come from its pool, so repeated calls do not fault in fresh pages.
        var result = Tensor.Empty([n, cout, po, pwo], DType.Float32);
        var y = result.Data<float>();
        // One image at a time per thread: quantize, im2col, int8 GEMM and dequantize stay in cache, and the GEMM runs
        // single-threaded inside the parallel region.
        int hp = h + 2 * Padding.H, wp = wd + 2 * Padding.W, padded = c * hp * wp;
        Threads.For(n, 1, (s, e) =>
        {
            // +8: the im2col fast path moves 8 bytes at a time and may read or write up to 7 bytes past the end.
            var xq = ArrayPool<byte>.Shared.Rent(padded + 8);
            var a = ArrayPool<byte>.Shared.Rent(hw * kp + 8);
            var acc = ArrayPool<int>.Shared.Rent(hw * cout);
            try
            {
                // The border stays at the zero point (the quantized 0); only the interior changes per image.
                xq.AsSpan(0, padded + 8).Fill((byte)p.ZeroPoint);
                for (int img = (int)s; img < e; img++)
                {
                    for (int ci = 0; ci < c; ci++)
                        for (int r = 0; r < h; r++)
                            Quantize.Row(x.AsSpan(off + img * plane + (ci * h + r) * wd, wd), p, xq.AsSpan((ci * hp + r + Padding.H) * wp + Padding.W, wd));
                    Im2Col(xq, hp, wp, ho, wo, a);
                    Int8Gemm.Multiply(a, hw, Packed, acc);
                    if (pk == 1) Dequantize(acc, hw, cout, scale, offset, FuseRelu, y, img * cout * hw);
                    else DequantizePooled(acc, ho, wo, pk, cout, scale, offset, FuseRelu, y, img * cout * po * pwo);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(xq);
                ArrayPool<byte>.Shared.Return(a);
                ArrayPool<int>.Shared.Return(acc);
            }
        });
        return result;
    }

    // One row of C·kH·kW bytes per output position (row stride PaddedK, tail zeroed), read from the zero-point-padded
    // image [C, hp, wp], so no tap needs a bounds check.
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
            for (int oh = 0; oh < ho; oh++)
                for (int ow = 0; ow < wo; ow++)
                {
                    byte* rowStart = dstBase + (long)(oh * wo + ow) * kp;
                    byte* dst = rowStart;
                    for (int ci = 0; ci < c; ci++)
                        for (int i = 0; i < kh; i++, dst += kw)
                        {
                            byte* s = src + (long)(ci * hp + oh * sh + i * dh) * wp + ow * sw;
                            if (fast)
                                *(ulong*)dst = *(ulong*)s; // the bytes past kw are overwritten next (or zeroed below)
                            else
                                for (int j = 0; j < kw; j++) dst[j] = s[j * dw];
                        }
                    for (int t = k; t < kp; t++) rowStart[t] = 0;
                }
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

    // Max over each k×k window of acc [positions, C_out] (floor mode), then scale: y is [C_out, ho/k, wo/k].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DequantizePooled(int[] acc, int ho, int wo, int k, int cout, float[] scale, float[] offset, bool relu, float[] y, int at)
    {
        int po = ho / k, pwo = wo / k;
        fixed (int* pa = acc)
        fixed (float* py = y)
        {
            for (int co = 0; co < cout; co++)
            {
                float s = scale[co], o = offset[co];
                float* dst = py + at + (long)co * po * pwo;
                for (int i = 0; i < po; i++)
                    for (int j = 0; j < pwo; j++)
                    {
                        int m = int.MinValue;
                        for (int a = 0; a < k; a++)
                        {
                            int* row = pa + ((long)(i * k + a) * wo + j * k) * cout + co;
                            for (int b = 0; b < k; b++)
                                m = Math.Max(m, row[(long)b * cout]);
                        }
                        float v = m * s + o;
                        *dst++ = relu ? Math.Max(v, 0f) : v;
                    }
            }
        }
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size=({KernelSize.H}, {KernelSize.W}), stride=({Stride.H}, {Stride.W}), padding=({Padding.H}, {Padding.W}), " +
        $"{(InputParams is { } p ? $"input_scale={p.Scale:G4}, input_zero_point={p.ZeroPoint}" : "dynamic")}{(FuseRelu ? ", relu" : "")}{(Pool > 0 ? $", max_pool={Pool}" : "")}";
}
