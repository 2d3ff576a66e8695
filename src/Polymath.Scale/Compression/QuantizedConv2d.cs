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
    public QuantizedConv2d(sbyte[] weight, float[] weightScale, int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W) stride,
        (int H, int W) padding, (int H, int W) dilation, float[]? bias, QuantParams? inputParams, bool fuseRelu = false)
    {
        if (weightScale.Length != outChannels || (bias is not null && bias.Length != outChannels))
            throw new ArgumentException($"QuantizedConv2d: {weightScale.Length} scales and {bias?.Length ?? 0} biases for {outChannels} channels.");
        Packed = new Int8PackedWeights(weight, outChannels, inChannels * kernelSize.H * kernelSize.W);
        (InChannels, OutChannels, KernelSize, Stride, Padding, Dilation) = (inChannels, outChannels, kernelSize, stride, padding, dilation);
        (WeightScale, BiasValues, InputParams, FuseRelu) = (weightScale, bias, inputParams, fuseRelu);
    }

    /// <summary>Quantizes a float Conv2d.</summary>
    /// <exception cref="NotQuantizableException">The convolution is grouped.</exception>
    public static QuantizedConv2d FromFloat(Conv2d layer, QuantParams? inputParams, bool fuseRelu = false, string name = "")
    {
        if (layer.Groups != 1)
            throw new NotQuantizableException(name, "Conv2d", $"grouped convolution (groups={layer.Groups}) is not supported by the int8 kernels");
        int k = layer.InChannels * layer.KernelSize.H * layer.KernelSize.W;
        var (q, scales) = Quantize.WeightsPerChannel(layer.Weight.Detach().To(DType.Float32).ToArray(), layer.OutChannels, k);
        return new QuantizedConv2d(q, scales, layer.InChannels, layer.OutChannels, layer.KernelSize, layer.Stride, layer.Padding, layer.Dilation,
            layer.Bias?.Detach().To(DType.Float32).ToArray(), inputParams, fuseRelu);
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
        var (x, off) = QuantizedKernels.Floats(input, "QuantizedConv2d");
        int inCount = n * InChannels * h * wd;
        var p = InputParams ?? QuantizedKernels.Dynamic(x.AsSpan(off, inCount));
        int kp = Packed.PaddedK, m = n * ho * wo, cout = OutChannels;
        var xq = ArrayPool<byte>.Shared.Rent(Math.Max(1, inCount));
        var a = ArrayPool<byte>.Shared.Rent(Math.Max(1, m * kp));
        var acc = ArrayPool<int>.Shared.Rent(Math.Max(1, m * cout));
        try
        {
            QuantizedKernels.QuantizeFlat(x, off, inCount, p, xq);
            byte zp = (byte)p.ZeroPoint;
            int c = InChannels;
            var (sh, sw) = Stride;
            var (ph, pw) = Padding;
            var (dh, dw) = Dilation;
            // im2col: one row of C·kH·kW bytes per output position; out-of-image taps read the zero point.
            Threads.For((long)n * ho, Math.Max(1, 4096 / (wo * kp)), (s, e) =>
            {
                for (long row = s; row < e; row++)
                {
                    int img = (int)(row / ho), oh = (int)(row % ho);
                    for (int ow = 0; ow < wo; ow++)
                    {
                        var dst = a.AsSpan(((img * ho + oh) * wo + ow) * kp, kp);
                        int t = 0;
                        for (int ci = 0; ci < c; ci++)
                        {
                            int plane = (img * c + ci) * h * wd;
                            for (int i = 0; i < kh; i++)
                            {
                                int ih = oh * sh - ph + i * dh;
                                if ((uint)ih >= (uint)h)
                                {
                                    dst.Slice(t, kw).Fill(zp);
                                    t += kw;
                                    continue;
                                }
                                int rowAt = plane + ih * wd;
                                for (int j = 0; j < kw; j++, t++)
                                {
                                    int iw = ow * sw - pw + j * dw;
                                    dst[t] = (uint)iw < (uint)wd ? xq[rowAt + iw] : zp;
                                }
                            }
                        }
                        dst[t..].Clear();
                    }
                }
            });
            Int8Gemm.Multiply(a, m, Packed, acc);
            var (scale, offset) = QuantizedKernels.Epilogue(p, Packed, WeightScale, BiasValues);
            var y = new float[m * cout];
            int hw = ho * wo;
            bool relu = FuseRelu;
            Threads.For(n, 1, (s, e) =>
            {
                for (int img = (int)s; img < e; img++)
                    for (int pos = 0; pos < hw; pos++)
                    {
                        int src = (img * hw + pos) * cout;
                        for (int co = 0; co < cout; co++)
                        {
                            float v = acc[src + co] * scale[co] + offset[co];
                            y[(img * cout + co) * hw + pos] = relu ? Math.Max(v, 0f) : v;
                        }
                    }
            });
            return Tensor.Wrap(y, n, cout, ho, wo);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(xq);
            ArrayPool<byte>.Shared.Return(a);
            ArrayPool<int>.Shared.Return(acc);
        }
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size=({KernelSize.H}, {KernelSize.W}), stride=({Stride.H}, {Stride.W}), padding=({Padding.H}, {Padding.W}), " +
        $"{(InputParams is { } p ? $"input_scale={p.Scale:G4}, input_zero_point={p.ZeroPoint}" : "dynamic")}{(FuseRelu ? ", relu" : "")}";
}
