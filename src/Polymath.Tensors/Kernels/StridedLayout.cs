namespace Polymath.Kernels;

/// <summary>
/// A loop nest over up to three operands that share one logical shape but have their own strides
/// and offsets. Adjacent dims that are contiguous in every operand are merged, so a contiguous
/// tensor becomes a single long row; the last dim is the "inner" row handed to span kernels.
/// </summary>
internal readonly struct StridedLayout
{
    public readonly int[] Shape;       // coalesced shape (rank >= 1)
    public readonly int[][] Strides;   // per operand, coalesced
    public readonly int[] Offsets;     // per operand base offset

    public StridedLayout(ReadOnlySpan<int> shape, int[][] strides, int[] offsets)
    {
        Offsets = offsets;
        int k = strides.Length;
        var sh = new List<int>(shape.Length);
        var st = new List<int>[k];
        for (int o = 0; o < k; o++)
            st[o] = new List<int>(shape.Length);
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1)
                continue; // size-1 dims never move the index
            if (sh.Count > 0)
            {
                int last = sh.Count - 1;
                bool merge = true;
                for (int o = 0; o < k; o++)
                    merge &= st[o][last] == strides[o][d] * shape[d];
                if (merge)
                {
                    sh[last] *= shape[d];
                    for (int o = 0; o < k; o++)
                        st[o][last] = strides[o][d];
                    continue;
                }
            }
            sh.Add(shape[d]);
            for (int o = 0; o < k; o++)
                st[o].Add(strides[o][d]);
        }
        if (sh.Count == 0)
        {
            sh.Add(ShapeUtil.Numel(shape) == 0 ? 0 : 1);
            for (int o = 0; o < k; o++)
                st[o].Add(1);
        }
        Shape = sh.ToArray();
        Strides = new int[k][];
        for (int o = 0; o < k; o++)
            Strides[o] = st[o].ToArray();
    }

    public int Rank => Shape.Length;

    public int Inner => Shape[^1];

    public long Rows
    {
        get
        {
            long r = 1;
            for (int i = 0; i < Shape.Length - 1; i++)
                r *= Shape[i];
            return r;
        }
    }

    public int InnerStride(int operand) => Strides[operand][^1];

    /// <summary>Offset of the first element of outer row <paramref name="row"/> for one operand.</summary>
    public int RowOffset(int operand, long row)
    {
        int off = Offsets[operand];
        int[] st = Strides[operand];
        for (int d = Shape.Length - 2; d >= 0 && row > 0; d--)
        {
            long q = row / Shape[d];
            off += (int)(row - q * Shape[d]) * st[d];
            row = q;
        }
        return off;
    }
}

/// <summary>Copies between strided views.</summary>
internal static class StridedCopy
{
    /// <summary>dst[i] = src[i] for every logical index; shapes must match (dst may be strided).</summary>
    public static void Copy<T>(T[] src, ReadOnlySpan<int> shape, int[] srcStrides, int srcOffset,
        T[] dst, int[] dstStrides, int dstOffset) where T : unmanaged
    {
        var layout = new StridedLayout(shape, [srcStrides, dstStrides], [srcOffset, dstOffset]);
        long total = ShapeUtil.Numel(shape);
        if (total == 0)
            return;
        int n = layout.Inner;
        int ss = layout.InnerStride(0), ds = layout.InnerStride(1);
        if (layout.Rows == 1 && ss == 1 && ds == 1)
        {
            int so = layout.Offsets[0], dof = layout.Offsets[1];
            Threads.For(n, 1 << 18, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) => src.AsSpan(so + (int)s, (int)(e - s)).CopyTo(dst.AsSpan(dof + (int)s)));
            return;
        }
        Threads.For(layout.Rows, Math.Max(1, 16384 / Math.Max(n, 1)), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (start, end) =>
        {
            for (long r = start; r < end; r++)
            {
                int so = layout.RowOffset(0, r), dof = layout.RowOffset(1, r);
                if (ss == 1 && ds == 1)
                {
                    src.AsSpan(so, n).CopyTo(dst.AsSpan(dof, n));
                }
                else
                {
                    for (int i = 0; i < n; i++)
                        dst[dof + i * ds] = src[so + i * ss];
                }
            }
        });
    }
}
