namespace Polymath.Kernels;

/// <summary>
/// Shape description of a 2-D max or average pooling on contiguous NCHW buffers:
/// input [Batch, Channels, InH, InW] → output [Batch, Channels, OutH, OutW], computed with PyTorch's rule
/// Out = floor_or_ceil((In + 2·Pad − Dilation·(Kernel−1) − 1) / Stride) + 1, where in ceil mode the last
/// window is dropped if it would start in the right padding. Build with <see cref="MaxPool2d"/> or
/// <see cref="AvgPool2d"/> (PyTorch's default stride is the kernel size; pass it explicitly).
/// </summary>
internal readonly record struct Pool2dGeometry(
    int Batch, int Channels, int InH, int InW,
    int KernelH, int KernelW, int StrideH, int StrideW, int PadH, int PadW,
    int DilationH, int DilationW, bool CeilMode, int OutH, int OutW)
{
    public int Planes => checked(Batch * Channels);
    public int InputLength => checked(Batch * Channels * InH * InW);
    public int OutputLength => checked(Batch * Channels * OutH * OutW);

    /// <exception cref="ArgumentException">Non-positive sizes, padding larger than half the kernel, or an empty output.</exception>
    public static Pool2dGeometry MaxPool2d(int batch, int channels, int inH, int inW,
        int kernelH, int kernelW, int strideH, int strideW, int padH = 0, int padW = 0,
        int dilationH = 1, int dilationW = 1, bool ceilMode = false)
        => Create("max_pool2d", batch, channels, inH, inW, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, ceilMode);

    /// <exception cref="ArgumentException">Non-positive sizes, padding larger than half the kernel, or an empty output.</exception>
    public static Pool2dGeometry AvgPool2d(int batch, int channels, int inH, int inW,
        int kernelH, int kernelW, int strideH, int strideW, int padH = 0, int padW = 0, bool ceilMode = false)
        => Create("avg_pool2d", batch, channels, inH, inW, kernelH, kernelW, strideH, strideW, padH, padW, 1, 1, ceilMode);

    private static Pool2dGeometry Create(string op, int batch, int channels, int inH, int inW,
        int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, bool ceilMode)
    {
        string Shapes() =>
            $"input [{batch}, {channels}, {inH}, {inW}], kernel ({kernelH}, {kernelW}), stride ({strideH}, {strideW}), " +
            $"padding ({padH}, {padW}), dilation ({dilationH}, {dilationW}), ceil_mode {ceilMode}";

        if (batch < 0 || channels <= 0 || inH <= 0 || inW <= 0)
            throw new ArgumentException($"{op}: input sizes must be positive (batch may be 0); got {Shapes()}.");
        if (kernelH <= 0 || kernelW <= 0)
            throw new ArgumentException($"{op}: kernel size must be positive; got {Shapes()}.");
        if (strideH <= 0 || strideW <= 0)
            throw new ArgumentException($"{op}: stride must be positive; got {Shapes()}.");
        if (dilationH <= 0 || dilationW <= 0)
            throw new ArgumentException($"{op}: dilation must be positive; got {Shapes()}.");
        if (padH < 0 || padW < 0)
            throw new ArgumentException($"{op}: padding must be non-negative; got {Shapes()}.");
        if (padH > kernelH / 2 || padW > kernelW / 2)
            throw new ArgumentException($"{op}: padding should be at most half of the kernel size; got {Shapes()}.");

        int outH = OutSize(inH, kernelH, padH, strideH, dilationH, ceilMode);
        int outW = OutSize(inW, kernelW, padW, strideW, dilationW, ceilMode);
        if (outH < 1 || outW < 1)
            throw new ArgumentException($"{op}: computed output size ({outH}, {outW}) is too small; {Shapes()}.");
        return new Pool2dGeometry(batch, channels, inH, inW, kernelH, kernelW, strideH, strideW, padH, padW,
            dilationH, dilationW, ceilMode, outH, outW);
    }

    private static int OutSize(int input, int kernel, int pad, int stride, int dilation, bool ceil)
    {
        long num = input + 2L * pad - (long)dilation * (kernel - 1) - 1 + (ceil ? stride - 1 : 0);
        long q = num >= 0 ? num / stride : -((-num + stride - 1) / stride);
        long output = q + 1;
        if (ceil && (output - 1) * stride >= input + pad)
            output--;
        return (int)Math.Clamp(output, int.MinValue, int.MaxValue);
    }
}
