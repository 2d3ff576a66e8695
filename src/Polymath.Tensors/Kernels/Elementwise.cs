namespace Polymath.Kernels;

/// <summary>An elementwise function of one operand: a scalar form and a span form (vectorised where possible).</summary>
internal interface IUnaryOp<T> where T : unmanaged
{
    T Apply(T x);

    void Apply(ReadOnlySpan<T> x, Span<T> destination);
}

/// <summary>An elementwise function of two operands, with span forms for the broadcast cases.</summary>
internal interface IBinaryOp<T> where T : unmanaged
{
    T Apply(T a, T b);

    void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination);

    void Apply(ReadOnlySpan<T> a, T b, Span<T> destination);

    void Apply(T a, ReadOnlySpan<T> b, Span<T> destination);
}

/// <summary>Drivers that run unary/binary ops over strided, broadcast operands, in parallel.</summary>
internal static class Elementwise
{
    // Elements per parallel chunk: large enough that task overhead is noise.
    private const int GrainElements = 1 << 15;

    public static void Unary<T, TOp>(TOp op, T[] x, int[] shape, int[] xStrides, int xOffset, T[] dst, int[] dstStrides, int dstOffset)
        where T : unmanaged where TOp : struct, IUnaryOp<T>
    {
        if (ShapeUtil.Numel(shape) == 0)
            return;
        var layout = new StridedLayout(shape, [xStrides, dstStrides], [xOffset, dstOffset]);
        int n = layout.Inner;
        int xs = layout.InnerStride(0), ds = layout.InnerStride(1);
        if (layout.Rows == 1 && xs == 1 && ds == 1)
        {
            int xo = layout.Offsets[0], dof = layout.Offsets[1];
            if (n <= GrainElements)
            {
                op.Apply(x.AsSpan(xo, n), dst.AsSpan(dof, n));
                return;
            }
            Threads.For(n, GrainElements, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) => op.Apply(x.AsSpan(xo + (int)s, (int)(e - s)), dst.AsSpan(dof + (int)s, (int)(e - s))));
            return;
        }
        Threads.For(layout.Rows, Math.Max(1, GrainElements / Math.Max(n, 1)), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (start, end) =>
        {
            for (long r = start; r < end; r++)
            {
                int xo = layout.RowOffset(0, r), dof = layout.RowOffset(1, r);
                if (xs == 1 && ds == 1)
                    op.Apply(x.AsSpan(xo, n), dst.AsSpan(dof, n));
                else
                    for (int i = 0; i < n; i++)
                        dst[dof + i * ds] = op.Apply(x[xo + i * xs]);
            }
        });
    }

    public static void Binary<T, TOp>(TOp op, T[] a, int[] aStrides, int aOffset, T[] b, int[] bStrides, int bOffset,
        int[] shape, T[] dst, int[] dstStrides, int dstOffset)
        where T : unmanaged where TOp : struct, IBinaryOp<T>
    {
        if (ShapeUtil.Numel(shape) == 0)
            return;
        var layout = new StridedLayout(shape, [aStrides, bStrides, dstStrides], [aOffset, bOffset, dstOffset]);
        int n = layout.Inner;
        int sa = layout.InnerStride(0), sb = layout.InnerStride(1), sd = layout.InnerStride(2);
        if (layout.Rows == 1 && n > GrainElements)
        {
            int ao = layout.Offsets[0], bo = layout.Offsets[1], dof = layout.Offsets[2];
            Threads.For(n, GrainElements, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) => Row(op, a, ao + (int)s * sa, sa, b, bo + (int)s * sb, sb, dst, dof + (int)s * sd, sd, (int)(e - s)));
            return;
        }
        if (layout.Rows == 1)
        {
            Row(op, a, layout.Offsets[0], sa, b, layout.Offsets[1], sb, dst, layout.Offsets[2], sd, n);
            return;
        }
        Threads.For(layout.Rows, Math.Max(1, GrainElements / Math.Max(n, 1)), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (start, end) =>
        {
            for (long r = start; r < end; r++)
                Row(op, a, layout.RowOffset(0, r), sa, b, layout.RowOffset(1, r), sb, dst, layout.RowOffset(2, r), sd, n);
        });
    }

    private static void Row<T, TOp>(TOp op, T[] a, int ao, int sa, T[] b, int bo, int sb, T[] dst, int dof, int sd, int n)
        where T : unmanaged where TOp : struct, IBinaryOp<T>
    {
        if (sd == 1)
        {
            Span<T> d = dst.AsSpan(dof, n);
            if (sa == 1 && sb == 1) { op.Apply(a.AsSpan(ao, n), b.AsSpan(bo, n), d); return; }
            if (sa == 0 && sb == 1) { op.Apply(a[ao], b.AsSpan(bo, n), d); return; }
            if (sa == 1 && sb == 0) { op.Apply(a.AsSpan(ao, n), b[bo], d); return; }
        }
        for (int i = 0; i < n; i++)
            dst[dof + i * sd] = op.Apply(a[ao + i * sa], b[bo + i * sb]);
    }
}
