using System.Numerics;

namespace Polymath.Kernels;

/// <summary>
/// 2-D transposed convolution (PyTorch conv_transpose2d) on contiguous NCHW buffers, implemented through
/// the equivalent conv2d (<see cref="ConvTranspose2dGeometry.Conv"/>): forward = conv2d backward-input,
/// backward-input = conv2d forward, backward-weight = conv2d backward-weight with input and grad swapped.
/// input [N, Cin, H, W], weight [Cin, Cout/groups, kH, kW], bias [Cout], output [N, Cout, Ho, Wo].
/// Supports float and double.
/// </summary>
internal static class ConvTranspose2dKernel
{
    /// <summary>output = conv_transpose2d(input, weight) + bias. <paramref name="bias"/> may be empty. Output is overwritten.</summary>
    public static void Forward<T>(in ConvTranspose2dGeometry g, ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Conv2dKernel.BackwardInputCore(g.Conv, input, weight, bias, output, accumulate: false);

    /// <summary>gradInput = ∂/∂input of &lt;conv_transpose2d(input, weight), gradOutput&gt;. Overwrites, or adds when <paramref name="accumulate"/>.</summary>
    public static void BackwardInput<T>(in ConvTranspose2dGeometry g, ReadOnlySpan<T> gradOutput, ReadOnlySpan<T> weight, Span<T> gradInput, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Conv2dKernel.ForwardCore(g.Conv, gradOutput, weight, default, gradInput, accumulate);

    /// <summary>
    /// gradWeight = ∂/∂weight of &lt;conv_transpose2d(input, weight), gradOutput&gt;, summed over the batch.
    /// Overwrites, or adds when <paramref name="accumulate"/>. Deterministic for a fixed Threads.Count.
    /// </summary>
    public static void BackwardWeight<T>(in ConvTranspose2dGeometry g, ReadOnlySpan<T> gradOutput, ReadOnlySpan<T> input, Span<T> gradWeight, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Conv2dKernel.BackwardWeight(g.Conv, gradOutput: input, input: gradOutput, gradWeight, accumulate);

    /// <summary>gradBias[c] = Σ over batch and pixels of gradOutput[:, c]. Overwrites, or adds when <paramref name="accumulate"/>.</summary>
    public static void BackwardBias<T>(in ConvTranspose2dGeometry g, ReadOnlySpan<T> gradOutput, Span<T> gradBias, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Conv2dKernel.CheckLength(gradOutput, g.OutputLength, "grad_output");
        Conv2dKernel.CheckLength(gradBias, g.OutChannels, "grad_bias");
        ConvHelpers.BiasGrad(gradOutput, g.Batch, g.OutChannels, g.OutH * g.OutW, gradBias, accumulate);
    }
}
