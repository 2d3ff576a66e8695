using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace Polymath.Kernels;

/// <summary>
/// 2-D convolution (cross-correlation, as in PyTorch) on contiguous NCHW buffers via im2col + GEMM.
/// Shapes come from a <see cref="ConvGeometry"/> built with <see cref="ConvGeometry.Conv2d"/>:
/// input [N, Cin, H, W], weight [Cout, Cin/groups, kH, kW], bias [Cout], output [N, Cout, Ho, Wo].
/// The batch is split into min(Threads.Count, N) contiguous chunks processed in parallel, each with
/// its own column buffer; with a single chunk (N = 1 or one thread) the loop runs on the calling thread
/// and any parallelism comes from inside GEMM. Results are deterministic for a fixed thread count.
/// Supports float and double.
/// </summary>
internal static class Conv2dKernel
{
    /// <summary>output = conv2d(input, weight) + bias. <paramref name="bias"/> may be empty (no bias). Output is overwritten.</summary>
    public static void Forward<T>(in ConvGeometry g, ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ForwardCore(g, input, weight, bias, output, accumulate: false);

    /// <summary>
    /// gradInput = ∂/∂input of &lt;conv2d(input, weight), gradOutput&gt; (the transposed convolution of gradOutput).
    /// Overwrites gradInput, or adds to it when <paramref name="accumulate"/>.
    /// </summary>
    public static void BackwardInput<T>(in ConvGeometry g, ReadOnlySpan<T> gradOutput, ReadOnlySpan<T> weight, Span<T> gradInput, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
        => BackwardInputCore(g, gradOutput, weight, default, gradInput, accumulate);

    /// <summary>
    /// gradWeight = ∂/∂weight of &lt;conv2d(input, weight), gradOutput&gt;, summed over the batch.
    /// Overwrites gradWeight, or adds to it when <paramref name="accumulate"/>. Per-chunk partial sums are
    /// reduced in chunk order, so the result is deterministic for a fixed Threads.Count.
    /// </summary>
    public static unsafe void BackwardWeight<T>(in ConvGeometry g, ReadOnlySpan<T> gradOutput, ReadOnlySpan<T> input, Span<T> gradWeight, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLength(input, g.InputLength, "input");
        CheckLength(gradOutput, g.OutputLength, "grad_output");
        CheckLength(gradWeight, g.WeightLength, "grad_weight");

        int weightLen = g.WeightLength;
        if (g.Batch == 0 || g.ColCols == 0)
        {
            if (!accumulate)
                gradWeight[..weightLen].Clear();
            return;
        }

        ConvGeometry geo = g;
        int chunks = ConvHelpers.ChunkCount(g.Batch);
        var partials = new T[chunks][];
        for (int c = 1; c < chunks; c++)
            partials[c] = ArrayPool<T>.Shared.Rent(weightLen);

        try
        {
            fixed (T* px = input, pgy = gradOutput, pgw = gradWeight)
            {
                nint ax = (nint)px, agy = (nint)pgy, agw = (nint)pgw;
                int inLen = g.InputLength, outLen = g.OutputLength;
                ConvHelpers.ForChunks(g.Batch, chunks, (chunk, start, end) =>
                {
                    var x = new ReadOnlySpan<T>((T*)ax, inLen);
                    var gy = new ReadOnlySpan<T>((T*)agy, outLen);
                    Span<T> gw = chunk == 0 ? new Span<T>((T*)agw, weightLen) : partials[chunk].AsSpan(0, weightLen);
                    bool acc0 = chunk == 0 && accumulate;
                    WeightChunk(geo, gy, x, gw, start, end, acc0);
                });
            }

            for (int c = 1; c < chunks; c++)
            {
                Span<T> gw = gradWeight[..weightLen];
                TensorPrimitives.Add(gw, partials[c].AsSpan(0, weightLen), gw);
            }
        }
        finally
        {
            for (int c = 1; c < chunks; c++)
                ArrayPool<T>.Shared.Return(partials[c]);
        }
    }

    /// <summary>gradBias[c] = Σ over batch and output pixels of gradOutput[:, c]. Overwrites, or adds when <paramref name="accumulate"/>.</summary>
    public static void BackwardBias<T>(in ConvGeometry g, ReadOnlySpan<T> gradOutput, Span<T> gradBias, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLength(gradOutput, g.OutputLength, "grad_output");
        CheckLength(gradBias, g.OutChannels, "grad_bias");
        ConvHelpers.BiasGrad(gradOutput, g.Batch, g.OutChannels, g.OutH * g.OutW, gradBias, accumulate);
    }

    // ---------------------------------------------------------------------------------------------

    internal static unsafe void ForwardCore<T>(in ConvGeometry g, ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLength(input, g.InputLength, "input");
        CheckLength(weight, g.WeightLength, "weight");
        CheckLength(output, g.OutputLength, "output");
        if (!bias.IsEmpty)
            CheckLength(bias, g.OutChannels, "bias");
        if (g.Batch == 0 || g.ColCols == 0)
            return;

        ConvGeometry geo = g;
        int chunks = ConvHelpers.ChunkCount(g.Batch);
        int inLen = g.InputLength, outLen = g.OutputLength, wLen = g.WeightLength, bLen = bias.Length;
        fixed (T* px = input, pw = weight, pb = bias, py = output)
        {
            nint ax = (nint)px, aw = (nint)pw, ab = (nint)pb, ay = (nint)py;
            ConvHelpers.ForChunks(g.Batch, chunks, (chunk, start, end) =>
            {
                var x = new ReadOnlySpan<T>((T*)ax, inLen);
                var w = new ReadOnlySpan<T>((T*)aw, wLen);
                var b = new ReadOnlySpan<T>((T*)ab, bLen);
                var y = new Span<T>((T*)ay, outLen);
                ForwardChunk(geo, x, w, b, y, start, end, accumulate);
            });
        }
    }

    private static void ForwardChunk<T>(in ConvGeometry g, ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y,
        int start, int end, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (UseBatchBlocks<T>(g, end - start, out int block))
        {
            ForwardBlocked(g, x, w, bias, y, start, end, block, accumulate);
            return;
        }
        int groups = g.Groups, cg = g.InChannelsPerGroup, og = g.OutChannelsPerGroup;
        int hw = g.InH * g.InW, cols = g.ColCols, kg = g.ColRows;
        bool pointwise = g.IsPointwise;
        bool depthwise = DepthwiseConv.Applies(g);
        int ow = g.OutW, tileRows = ConvHelpers.TileRows<T>(g);
        T[]? colArr = pointwise || depthwise ? null : ArrayPool<T>.Shared.Rent(kg * tileRows * ow);
        try
        {
            for (int n = start; n < end; n++)
            {
                ReadOnlySpan<T> xn = x.Slice(n * g.InChannels * hw, g.InChannels * hw);
                Span<T> yn = y.Slice(n * g.OutChannels * cols, g.OutChannels * cols);
                if (depthwise)
                    DepthwiseConv.Forward(g, xn, w, yn, accumulate);
                for (int grp = 0; grp < groups && !depthwise; grp++)
                {
                    ReadOnlySpan<T> xg = xn.Slice(grp * cg * hw, cg * hw);
                    ReadOnlySpan<T> wg = w.Slice(grp * og * kg, og * kg);
                    Span<T> yg = yn.Slice(grp * og * cols, og * cols);
                    if (pointwise)
                    {
                        ConvHelpers.Gemm(false, false, og, cols, kg, wg, kg, xg, cols, accumulate, yg, cols);
                        continue;
                    }
                    // Tiles of whole output rows keep the column buffer in L2 while GEMM streams it.
                    for (int r0 = 0; r0 < g.OutH; r0 += tileRows)
                    {
                        int r1 = Math.Min(g.OutH, r0 + tileRows), nc = (r1 - r0) * ow;
                        Span<T> col = colArr.AsSpan(0, kg * nc);
                        ConvHelpers.Im2Col(xg, cg, g, col, r0, r1);
                        ConvHelpers.Gemm(false, false, og, nc, kg, wg, kg, col, nc, accumulate, yg[(r0 * ow)..], cols);
                    }
                }
                if (!bias.IsEmpty)
                    ConvHelpers.AddBias(yn, bias, g.OutChannels, cols);
            }
        }
        finally
        {
            if (colArr is not null)
                ArrayPool<T>.Shared.Return(colArr);
        }
    }

    internal static unsafe void BackwardInputCore<T>(in ConvGeometry g, ReadOnlySpan<T> gradOutput, ReadOnlySpan<T> weight, ReadOnlySpan<T> inputBias,
        Span<T> gradInput, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLength(gradOutput, g.OutputLength, "grad_output");
        CheckLength(weight, g.WeightLength, "weight");
        CheckLength(gradInput, g.InputLength, "grad_input");
        if (!inputBias.IsEmpty)
            CheckLength(inputBias, g.InChannels, "bias");
        if (g.Batch == 0)
            return;

        ConvGeometry geo = g;
        int chunks = ConvHelpers.ChunkCount(g.Batch);
        int inLen = g.InputLength, outLen = g.OutputLength, wLen = g.WeightLength, bLen = inputBias.Length;
        fixed (T* pgy = gradOutput, pw = weight, pb = inputBias, pgx = gradInput)
        {
            nint agy = (nint)pgy, aw = (nint)pw, ab = (nint)pb, agx = (nint)pgx;
            ConvHelpers.ForChunks(g.Batch, chunks, (chunk, start, end) =>
            {
                var gy = new ReadOnlySpan<T>((T*)agy, outLen);
                var w = new ReadOnlySpan<T>((T*)aw, wLen);
                var b = new ReadOnlySpan<T>((T*)ab, bLen);
                var gx = new Span<T>((T*)agx, inLen);
                BackwardInputChunk(geo, gy, w, b, gx, start, end, accumulate);
            });
        }
    }

    private static void BackwardInputChunk<T>(in ConvGeometry g, ReadOnlySpan<T> gy, ReadOnlySpan<T> w, ReadOnlySpan<T> inputBias, Span<T> gx,
        int start, int end, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (UseBatchBlocks<T>(g, end - start, out int block))
        {
            BackwardInputBlocked(g, gy, w, inputBias, gx, start, end, block, accumulate);
            return;
        }
        int groups = g.Groups, cg = g.InChannelsPerGroup, og = g.OutChannelsPerGroup;
        int hw = g.InH * g.InW, cols = g.ColCols, kg = g.ColRows;
        bool pointwise = g.IsPointwise;
        int ow = g.OutW, tileRows = ConvHelpers.TileRows<T>(g);
        bool depthwise = DepthwiseConv.Applies(g);
        T[]? colArr = pointwise || depthwise || cols == 0 ? null : ArrayPool<T>.Shared.Rent(kg * tileRows * ow);
        try
        {
            for (int n = start; n < end; n++)
            {
                ReadOnlySpan<T> gyn = gy.Slice(n * g.OutChannels * cols, g.OutChannels * cols);
                Span<T> gxn = gx.Slice(n * g.InChannels * hw, g.InChannels * hw);
                if (!pointwise && !accumulate)
                    gxn.Clear();
                if (cols == 0)
                {
                    if (pointwise && !accumulate)
                        gxn.Clear();
                }
                else if (depthwise)
                {
                    DepthwiseConv.BackwardInput(g, gyn, w, gxn);
                }
                else
                {
                    for (int grp = 0; grp < groups; grp++)
                    {
                        ReadOnlySpan<T> wg = w.Slice(grp * og * kg, og * kg);
                        ReadOnlySpan<T> gyg = gyn.Slice(grp * og * cols, og * cols);
                        Span<T> gxg = gxn.Slice(grp * cg * hw, cg * hw);
                        if (pointwise)
                        {
                            ConvHelpers.Gemm(true, false, kg, cols, og, wg, kg, gyg, cols, accumulate, gxg, cols);
                        }
                        else
                        {
                            for (int r0 = 0; r0 < g.OutH; r0 += tileRows)
                            {
                                int r1 = Math.Min(g.OutH, r0 + tileRows), nc = (r1 - r0) * ow;
                                Span<T> col = colArr.AsSpan(0, kg * nc);
                                ConvHelpers.Gemm(true, false, kg, nc, og, wg, kg, gyg[(r0 * ow)..], cols, false, col, nc);
                                ConvHelpers.Col2Im(col, cg, g, gxg, r0, r1);
                            }
                        }
                    }
                }
                if (!inputBias.IsEmpty)
                    ConvHelpers.AddBias(gxn, inputBias, g.InChannels, hw);
            }
        }
        finally
        {
            if (colArr is not null)
                ArrayPool<T>.Shared.Return(colArr);
        }
    }

    private static void WeightChunk<T>(in ConvGeometry g, ReadOnlySpan<T> gy, ReadOnlySpan<T> x, Span<T> gw, int start, int end, bool accumulateFirst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (UseBatchBlocks<T>(g, end - start, out int block))
        {
            WeightBlocked(g, gy, x, gw, start, end, block, accumulateFirst);
            return;
        }
        int groups = g.Groups, cg = g.InChannelsPerGroup, og = g.OutChannelsPerGroup;
        int hw = g.InH * g.InW, cols = g.ColCols, kg = g.ColRows;
        bool pointwise = g.IsPointwise;
        bool depthwise = DepthwiseConv.Applies(g);
        int ow = g.OutW, tileRows = ConvHelpers.TileRows<T>(g);
        T[]? colArr = pointwise || depthwise ? null : ArrayPool<T>.Shared.Rent(kg * tileRows * ow);
        try
        {
            for (int n = start; n < end; n++)
            {
                bool acc = n > start || accumulateFirst;
                ReadOnlySpan<T> gyn = gy.Slice(n * g.OutChannels * cols, g.OutChannels * cols);
                ReadOnlySpan<T> xn = x.Slice(n * g.InChannels * hw, g.InChannels * hw);
                if (depthwise)
                    DepthwiseConv.BackwardWeight(g, gyn, xn, gw, acc);
                for (int grp = 0; grp < groups && !depthwise; grp++)
                {
                    ReadOnlySpan<T> xg = xn.Slice(grp * cg * hw, cg * hw);
                    ReadOnlySpan<T> gyg = gyn.Slice(grp * og * cols, og * cols);
                    Span<T> gwg = gw.Slice(grp * og * kg, og * kg);
                    if (pointwise)
                    {
                        ConvHelpers.Gemm(false, true, og, kg, cols, gyg, cols, xg, cols, acc, gwg, kg);
                        continue;
                    }
                    for (int r0 = 0; r0 < g.OutH; r0 += tileRows)
                    {
                        int r1 = Math.Min(g.OutH, r0 + tileRows), nc = (r1 - r0) * ow;
                        Span<T> col = colArr.AsSpan(0, kg * nc);
                        ConvHelpers.Im2Col(xg, cg, g, col, r0, r1);
                        ConvHelpers.Gemm(false, true, og, kg, nc, gyg[(r0 * ow)..], cols, col, nc, acc || r0 > 0, gwg, kg);
                    }
                }
            }
        }
        finally
        {
            if (colArr is not null)
                ArrayPool<T>.Shared.Return(colArr);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Small images: several samples per GEMM. The samples of a block are unfolded side by side into one
    // column matrix [Cin/groups·kH·kW, block·Ho·Wo], so each (block, group) is a single GEMM with
    // N (forward, backward-input) or K (backward-weight) = block·Ho·Wo instead of one small GEMM per
    // sample, whose packing and call overhead dominate when Ho·Wo is small. Output blocks are
    // [Cout/groups, block·Ho·Wo] and are scattered to / gathered from the NCHW tensors row by row.

    /// <summary>True (with the block size) when a chunk of <paramref name="count"/> samples takes the batch-block path.</summary>
    private static bool UseBatchBlocks<T>(in ConvGeometry g, int count, out int block) where T : unmanaged
    {
        block = 1;
        if (count < 2 || g.ColCols == 0 || g.IsPointwise || DepthwiseConv.Applies(g))
            return false;
        int max = ConvHelpers.BatchBlock<T>(g);
        if (max < 2)
            return false;
        block = ConvHelpers.EvenBlock(count, max);
        return block >= 2;
    }

    private static void ForwardBlocked<T>(in ConvGeometry g, ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y,
        int start, int end, int block, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int groups = g.Groups, cg = g.InChannelsPerGroup, og = g.OutChannelsPerGroup, cout = g.OutChannels;
        int hw = g.InH * g.InW, cols = g.ColCols, kg = g.ColRows, inPlane = g.InChannels * hw;
        T[] colArr = ArrayPool<T>.Shared.Rent(kg * block * cols);
        T[] outArr = ArrayPool<T>.Shared.Rent(og * block * cols);
        try
        {
            for (int b0 = start; b0 < end; b0 += block)
            {
                int nb = Math.Min(block, end - b0), ld = nb * cols;
                Span<T> col = colArr.AsSpan(0, kg * ld);
                Span<T> yb = outArr.AsSpan(0, og * ld);
                for (int grp = 0; grp < groups; grp++)
                {
                    for (int s = 0; s < nb; s++)
                    {
                        ReadOnlySpan<T> xg = x.Slice((b0 + s) * inPlane + grp * cg * hw, cg * hw);
                        ConvHelpers.Im2Col(xg, cg, g, col[(s * cols)..], 0, g.OutH, ld);
                    }
                    ConvHelpers.Gemm(false, false, og, ld, kg, w.Slice(grp * og * kg, og * kg), kg, col, ld, false, yb, ld);
                    for (int o = 0; o < og; o++)
                    {
                        int c = grp * og + o;
                        for (int s = 0; s < nb; s++)
                        {
                            ReadOnlySpan<T> src = yb.Slice(o * ld + s * cols, cols);
                            Span<T> dst = y.Slice(((b0 + s) * cout + c) * cols, cols);
                            if (accumulate)
                            {
                                TensorPrimitives.Add(dst, src, dst);
                                if (!bias.IsEmpty)
                                    TensorPrimitives.Add(dst, bias[c], dst);
                            }
                            else if (!bias.IsEmpty)
                            {
                                TensorPrimitives.Add(src, bias[c], dst);
                            }
                            else
                            {
                                src.CopyTo(dst);
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(outArr);
            ArrayPool<T>.Shared.Return(colArr);
        }
    }

    /// <summary>Copies gradOutput rows of group <paramref name="grp"/> for samples [b0, b0+nb) into gb [og, nb·cols].</summary>
    private static void GatherGradOutput<T>(in ConvGeometry g, ReadOnlySpan<T> gy, int b0, int nb, int grp, Span<T> gb)
        where T : unmanaged
    {
        int og = g.OutChannelsPerGroup, cols = g.ColCols, cout = g.OutChannels, ld = nb * cols;
        for (int o = 0; o < og; o++)
        {
            int c = grp * og + o;
            for (int s = 0; s < nb; s++)
                gy.Slice(((b0 + s) * cout + c) * cols, cols).CopyTo(gb.Slice(o * ld + s * cols, cols));
        }
    }

    private static void BackwardInputBlocked<T>(in ConvGeometry g, ReadOnlySpan<T> gy, ReadOnlySpan<T> w, ReadOnlySpan<T> inputBias, Span<T> gx,
        int start, int end, int block, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int groups = g.Groups, cg = g.InChannelsPerGroup, og = g.OutChannelsPerGroup;
        int hw = g.InH * g.InW, cols = g.ColCols, kg = g.ColRows, inPlane = g.InChannels * hw;
        T[] colArr = ArrayPool<T>.Shared.Rent(kg * block * cols);
        T[] gyArr = ArrayPool<T>.Shared.Rent(og * block * cols);
        try
        {
            for (int b0 = start; b0 < end; b0 += block)
            {
                int nb = Math.Min(block, end - b0), ld = nb * cols;
                Span<T> col = colArr.AsSpan(0, kg * ld);
                Span<T> gb = gyArr.AsSpan(0, og * ld);
                if (!accumulate)
                    gx.Slice(b0 * inPlane, nb * inPlane).Clear();
                for (int grp = 0; grp < groups; grp++)
                {
                    GatherGradOutput(g, gy, b0, nb, grp, gb);
                    ConvHelpers.Gemm(true, false, kg, ld, og, w.Slice(grp * og * kg, og * kg), kg, gb, ld, false, col, ld);
                    for (int s = 0; s < nb; s++)
                    {
                        Span<T> gxg = gx.Slice((b0 + s) * inPlane + grp * cg * hw, cg * hw);
                        ConvHelpers.Col2Im(col[(s * cols)..], cg, g, gxg, 0, g.OutH, ld);
                    }
                }
                if (!inputBias.IsEmpty)
                    for (int s = 0; s < nb; s++)
                        ConvHelpers.AddBias(gx.Slice((b0 + s) * inPlane, inPlane), inputBias, g.InChannels, hw);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(gyArr);
            ArrayPool<T>.Shared.Return(colArr);
        }
    }

    private static void WeightBlocked<T>(in ConvGeometry g, ReadOnlySpan<T> gy, ReadOnlySpan<T> x, Span<T> gw, int start, int end, int block, bool accumulateFirst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int groups = g.Groups, cg = g.InChannelsPerGroup, og = g.OutChannelsPerGroup;
        int hw = g.InH * g.InW, cols = g.ColCols, kg = g.ColRows, inPlane = g.InChannels * hw;
        T[] colArr = ArrayPool<T>.Shared.Rent(kg * block * cols);
        T[] gyArr = ArrayPool<T>.Shared.Rent(og * block * cols);
        try
        {
            for (int b0 = start; b0 < end; b0 += block)
            {
                int nb = Math.Min(block, end - b0), ld = nb * cols;
                bool acc = b0 > start || accumulateFirst;
                Span<T> col = colArr.AsSpan(0, kg * ld);
                Span<T> gb = gyArr.AsSpan(0, og * ld);
                for (int grp = 0; grp < groups; grp++)
                {
                    // col [kg, block·Ho·Wo] as in the forward pass; the GEMM packs the transposed B with
                    // register transposes, cheaper than unfolding pixel by pixel (Im2ColT).
                    for (int s = 0; s < nb; s++)
                    {
                        ReadOnlySpan<T> xg = x.Slice((b0 + s) * inPlane + grp * cg * hw, cg * hw);
                        ConvHelpers.Im2Col(xg, cg, g, col[(s * cols)..], 0, g.OutH, ld);
                    }
                    GatherGradOutput(g, gy, b0, nb, grp, gb);
                    ConvHelpers.Gemm(false, true, og, kg, ld, gb, ld, col, ld, acc, gw.Slice(grp * og * kg, og * kg), kg);
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(gyArr);
            ArrayPool<T>.Shared.Return(colArr);
        }
    }

    internal static void CheckLength<T>(ReadOnlySpan<T> s, int expected, string name)
    {
        if (s.Length < expected)
            throw new ArgumentException($"conv2d: {name} buffer has {s.Length} elements, expected at least {expected}.");
    }

    internal static void CheckLength<T>(Span<T> s, int expected, string name) => CheckLength((ReadOnlySpan<T>)s, expected, name);
}
