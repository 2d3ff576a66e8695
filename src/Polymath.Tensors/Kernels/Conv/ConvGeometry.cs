namespace Polymath.Kernels;

/// <summary>
/// Shape description of a 2-D convolution on contiguous NCHW buffers:
/// input [Batch, InChannels, InH, InW], weight [OutChannels, InChannels/Groups, KernelH, KernelW],
/// output [Batch, OutChannels, OutH, OutW]. Build it with <see cref="Conv2d"/>, which validates;
/// the primary constructor does not validate (it is used internally, e.g. by conv_transpose2d,
/// where the output size is given rather than derived).
/// </summary>
internal readonly record struct ConvGeometry(
    int Batch, int InChannels, int InH, int InW,
    int OutChannels, int KernelH, int KernelW,
    int StrideH, int StrideW, int PadH, int PadW, int DilationH, int DilationW,
    int Groups, int OutH, int OutW)
{
    public int InChannelsPerGroup => InChannels / Groups;
    public int OutChannelsPerGroup => OutChannels / Groups;

    /// <summary>Rows of the per-group im2col matrix: (InChannels/Groups)·KernelH·KernelW.</summary>
    public int ColRows => InChannelsPerGroup * KernelH * KernelW;

    /// <summary>Columns of the im2col matrix: OutH·OutW.</summary>
    public int ColCols => OutH * OutW;

    public int InputLength => checked(Batch * InChannels * InH * InW);
    public int WeightLength => checked(OutChannels * InChannelsPerGroup * KernelH * KernelW);
    public int OutputLength => checked(Batch * OutChannels * OutH * OutW);

    /// <summary>True when the convolution is a plain per-pixel matmul (1x1, stride 1, no padding, output size = input size).</summary>
    public bool IsPointwise => KernelH == 1 && KernelW == 1 && StrideH == 1 && StrideW == 1 && PadH == 0 && PadW == 0
        && OutH == InH && OutW == InW;

    /// <summary>
    /// Validates a conv2d and computes its output size
    /// OutH = floor((InH + 2·PadH − DilationH·(KernelH−1) − 1) / StrideH) + 1 (likewise W).
    /// </summary>
    /// <param name="batch">N of the input.</param>
    /// <param name="inChannels">C of the input.</param>
    /// <param name="inH">H of the input.</param>
    /// <param name="inW">W of the input.</param>
    /// <param name="outChannels">dim 0 of the weight.</param>
    /// <param name="weightInChannels">dim 1 of the weight (must equal inChannels / groups).</param>
    /// <param name="kernelH">dim 2 of the weight.</param>
    /// <param name="kernelW">dim 3 of the weight.</param>
    /// <param name="strideH">Vertical stride (≥ 1).</param>
    /// <param name="strideW">Horizontal stride (≥ 1).</param>
    /// <param name="padH">Zero padding added to top and bottom (≥ 0).</param>
    /// <param name="padW">Zero padding added to left and right (≥ 0).</param>
    /// <param name="dilationH">Vertical kernel dilation (≥ 1).</param>
    /// <param name="dilationW">Horizontal kernel dilation (≥ 1).</param>
    /// <param name="groups">Channel groups (≥ 1, dividing both channel counts).</param>
    /// <exception cref="ArgumentException">Any inconsistent or non-positive parameter, or a kernel larger than the padded input.</exception>
    public static ConvGeometry Conv2d(
        int batch, int inChannels, int inH, int inW,
        int outChannels, int weightInChannels, int kernelH, int kernelW,
        int strideH = 1, int strideW = 1, int padH = 0, int padW = 0,
        int dilationH = 1, int dilationW = 1, int groups = 1)
    {
        string Shapes() =>
            $"input [{batch}, {inChannels}, {inH}, {inW}], weight [{outChannels}, {weightInChannels}, {kernelH}, {kernelW}], " +
            $"stride ({strideH}, {strideW}), padding ({padH}, {padW}), dilation ({dilationH}, {dilationW}), groups {groups}";

        if (batch < 0 || inChannels <= 0 || inH <= 0 || inW <= 0)
            throw new ArgumentException($"conv2d: input sizes must be positive (batch may be 0); got {Shapes()}.");
        if (outChannels <= 0 || weightInChannels <= 0 || kernelH <= 0 || kernelW <= 0)
            throw new ArgumentException($"conv2d: weight sizes must be positive; got {Shapes()}.");
        if (strideH <= 0 || strideW <= 0)
            throw new ArgumentException($"conv2d: stride must be positive; got {Shapes()}.");
        if (dilationH <= 0 || dilationW <= 0)
            throw new ArgumentException($"conv2d: dilation must be positive; got {Shapes()}.");
        if (padH < 0 || padW < 0)
            throw new ArgumentException($"conv2d: padding must be non-negative; got {Shapes()}.");
        if (groups <= 0)
            throw new ArgumentException($"conv2d: groups must be positive; got {Shapes()}.");
        if (inChannels % groups != 0)
            throw new ArgumentException($"conv2d: input channels {inChannels} are not divisible by groups {groups}; {Shapes()}.");
        if (outChannels % groups != 0)
            throw new ArgumentException($"conv2d: output channels {outChannels} are not divisible by groups {groups}; {Shapes()}.");
        if (weightInChannels != inChannels / groups)
            throw new ArgumentException(
                $"conv2d: weight expects {weightInChannels * groups} input channels ({weightInChannels} per group × {groups} groups) " +
                $"but the input has {inChannels}; {Shapes()}.");

        long effKH = (long)dilationH * (kernelH - 1) + 1, effKW = (long)dilationW * (kernelW - 1) + 1;
        long paddedH = inH + 2L * padH, paddedW = inW + 2L * padW;
        if (effKH > paddedH || effKW > paddedW)
            throw new ArgumentException(
                $"conv2d: (dilated) kernel size ({effKH}, {effKW}) is larger than the padded input size ({paddedH}, {paddedW}); {Shapes()}.");

        long outH = (paddedH - effKH) / strideH + 1, outW = (paddedW - effKW) / strideW + 1;
        if (outH > int.MaxValue || outW > int.MaxValue)
            throw new ArgumentException($"conv2d: output too large; {Shapes()}.");

        return new ConvGeometry(batch, inChannels, inH, inW, outChannels, kernelH, kernelW,
            strideH, strideW, padH, padW, dilationH, dilationW, groups, (int)outH, (int)outW);
    }
}

/// <summary>
/// Shape description of a 2-D transposed convolution on contiguous NCHW buffers (PyTorch semantics):
/// input [Batch, InChannels, InH, InW], weight [InChannels, OutChannels/Groups, KernelH, KernelW],
/// output [Batch, OutChannels, OutH, OutW] with
/// OutH = (InH − 1)·StrideH − 2·PadH + DilationH·(KernelH − 1) + OutputPadH + 1 (likewise W).
/// </summary>
internal readonly record struct ConvTranspose2dGeometry(
    int Batch, int InChannels, int InH, int InW,
    int OutChannels, int KernelH, int KernelW,
    int StrideH, int StrideW, int PadH, int PadW, int OutputPadH, int OutputPadW,
    int DilationH, int DilationW, int Groups, int OutH, int OutW)
{
    public int InChannelsPerGroup => InChannels / Groups;
    public int OutChannelsPerGroup => OutChannels / Groups;
    public int InputLength => checked(Batch * InChannels * InH * InW);
    public int WeightLength => checked(InChannels * OutChannelsPerGroup * KernelH * KernelW);
    public int OutputLength => checked(Batch * OutChannels * OutH * OutW);

    /// <summary>
    /// The conv2d whose backward-input is this transposed convolution: its input is this op's output
    /// ([Batch, OutChannels, OutH, OutW]), its output is this op's input ([Batch, InChannels, InH, InW]),
    /// and its weight [InChannels, OutChannels/Groups, kH, kW] is this op's weight, unchanged.
    /// </summary>
    public ConvGeometry Conv => new(Batch, OutChannels, OutH, OutW, InChannels, KernelH, KernelW,
        StrideH, StrideW, PadH, PadW, DilationH, DilationW, Groups, InH, InW);

    /// <summary>Validates a conv_transpose2d and computes its output size.</summary>
    /// <param name="batch">N of the input.</param>
    /// <param name="inChannels">C of the input.</param>
    /// <param name="inH">H of the input.</param>
    /// <param name="inW">W of the input.</param>
    /// <param name="weightInChannels">dim 0 of the weight (must equal inChannels).</param>
    /// <param name="weightOutChannelsPerGroup">dim 1 of the weight (output channels = this × groups).</param>
    /// <param name="kernelH">dim 2 of the weight.</param>
    /// <param name="kernelW">dim 3 of the weight.</param>
    /// <param name="strideH">Vertical stride (≥ 1).</param>
    /// <param name="strideW">Horizontal stride (≥ 1).</param>
    /// <param name="padH">Zero padding added to top and bottom (≥ 0).</param>
    /// <param name="padW">Zero padding added to left and right (≥ 0).</param>
    /// <param name="outputPadH">Extra rows added to one side of the output (&lt; strideH or &lt; dilationH).</param>
    /// <param name="outputPadW">Extra columns added to one side of the output (&lt; strideW or &lt; dilationW).</param>
    /// <param name="dilationH">Vertical kernel dilation (≥ 1).</param>
    /// <param name="dilationW">Horizontal kernel dilation (≥ 1).</param>
    /// <param name="groups">Channel groups (≥ 1, dividing both channel counts).</param>
    /// <exception cref="ArgumentException">Inconsistent or non-positive parameters, output_padding not smaller than stride or dilation, or a non-positive output size.</exception>
    public static ConvTranspose2dGeometry Create(
        int batch, int inChannels, int inH, int inW,
        int weightInChannels, int weightOutChannelsPerGroup, int kernelH, int kernelW,
        int strideH = 1, int strideW = 1, int padH = 0, int padW = 0,
        int outputPadH = 0, int outputPadW = 0, int dilationH = 1, int dilationW = 1, int groups = 1)
    {
        string Shapes() =>
            $"input [{batch}, {inChannels}, {inH}, {inW}], weight [{weightInChannels}, {weightOutChannelsPerGroup}, {kernelH}, {kernelW}], " +
            $"stride ({strideH}, {strideW}), padding ({padH}, {padW}), output_padding ({outputPadH}, {outputPadW}), " +
            $"dilation ({dilationH}, {dilationW}), groups {groups}";

        if (batch < 0 || inChannels <= 0 || inH <= 0 || inW <= 0)
            throw new ArgumentException($"conv_transpose2d: input sizes must be positive (batch may be 0); got {Shapes()}.");
        if (weightInChannels <= 0 || weightOutChannelsPerGroup <= 0 || kernelH <= 0 || kernelW <= 0)
            throw new ArgumentException($"conv_transpose2d: weight sizes must be positive; got {Shapes()}.");
        if (strideH <= 0 || strideW <= 0)
            throw new ArgumentException($"conv_transpose2d: stride must be positive; got {Shapes()}.");
        if (dilationH <= 0 || dilationW <= 0)
            throw new ArgumentException($"conv_transpose2d: dilation must be positive; got {Shapes()}.");
        if (padH < 0 || padW < 0 || outputPadH < 0 || outputPadW < 0)
            throw new ArgumentException($"conv_transpose2d: padding and output_padding must be non-negative; got {Shapes()}.");
        if (groups <= 0)
            throw new ArgumentException($"conv_transpose2d: groups must be positive; got {Shapes()}.");
        if (inChannels % groups != 0)
            throw new ArgumentException($"conv_transpose2d: input channels {inChannels} are not divisible by groups {groups}; {Shapes()}.");
        if (weightInChannels != inChannels)
            throw new ArgumentException($"conv_transpose2d: weight expects {weightInChannels} input channels but the input has {inChannels}; {Shapes()}.");
        if ((outputPadH >= strideH && outputPadH >= dilationH) || (outputPadW >= strideW && outputPadW >= dilationW))
            throw new ArgumentException($"conv_transpose2d: output_padding must be smaller than either stride or dilation; got {Shapes()}.");

        long outH = (long)(inH - 1) * strideH - 2L * padH + (long)dilationH * (kernelH - 1) + outputPadH + 1;
        long outW = (long)(inW - 1) * strideW - 2L * padW + (long)dilationW * (kernelW - 1) + outputPadW + 1;
        if (outH <= 0 || outW <= 0)
            throw new ArgumentException($"conv_transpose2d: computed output size ({outH}, {outW}) is not positive; {Shapes()}.");
        if (outH > int.MaxValue || outW > int.MaxValue)
            throw new ArgumentException($"conv_transpose2d: output too large; {Shapes()}.");

        return new ConvTranspose2dGeometry(batch, inChannels, inH, inW, checked(weightOutChannelsPerGroup * groups), kernelH, kernelW,
            strideH, strideW, padH, padW, outputPadH, outputPadW, dilationH, dilationW, groups, (int)outH, (int)outW);
    }
}
