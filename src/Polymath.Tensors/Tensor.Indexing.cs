namespace Polymath;

public sealed partial class Tensor
{
    /// <summary>Entries at the int64 <paramref name="index"/> (1-D) along <paramref name="dim"/>.</summary>
    /// <exception cref="IndexOutOfRangeException">An index is outside the dim.</exception>
    public Tensor IndexSelect(int dim, Tensor index)
    {
        int d = ShapeUtil.WrapDim(dim, Rank, "index_select");
        if (index.DType != DType.Int64 || index.Rank > 1)
            throw new ArgumentException($"index_select: index must be a 1-D int64 tensor, got {index.DType.Name()} of shape {ShapeUtil.Format(index.Sh)}.");
        var idx = index.Reshape(-1).ToArray<long>();
        int size = Sh[d];
        for (int j = 0; j < idx.Length; j++)
            if (idx[j] < -size || idx[j] >= size)
                throw new IndexOutOfRangeException($"index_select: index {idx[j]} at position {j} is out of range for dim {d} of size {size} in {ShapeUtil.Format(Sh)}.");
            else if (idx[j] < 0)
                idx[j] += size;
        var x = Detach().Contiguous();
        var shape = (int[])Sh.Clone();
        shape[d] = idx.Length;
        var result = Empty(shape, DType);
        int outer = (int)ShapeUtil.Numel(Sh.AsSpan(0, d)), inner = (int)ShapeUtil.Numel(Sh.AsSpan(d + 1));
        switch (DType)
        {
            case DType.Float32: SelectRows(x.Data<float>(), x.Off, result.Data<float>(), outer, size, inner, idx); break;
            case DType.Float64: SelectRows(x.Data<double>(), x.Off, result.Data<double>(), outer, size, inner, idx); break;
            case DType.Int64: SelectRows(x.Data<long>(), x.Off, result.Data<long>(), outer, size, inner, idx); break;
            case DType.BFloat16: SelectRows(x.Data<BFloat16>(), x.Off, result.Data<BFloat16>(), outer, size, inner, idx); break;
            case DType.Float16: SelectRows(x.Data<Half>(), x.Off, result.Data<Half>(), outer, size, inner, idx); break;
            default: SelectRows(x.Data<bool>(), x.Off, result.Data<bool>(), outer, size, inner, idx); break;
        }
        GC.KeepAlive(x); // a contiguous copy's pooled array must outlive the kernel
        if (Recording(this))
        {
            int[] inShape = Sh;
            DType dt = DType;
            result.SetGradFn("IndexSelectBackward", [this], [], g =>
            {
                var gi = Zeros(inShape, dt);
                gi.IndexAddRaw(d, idx, g.Contiguous());
                return [gi];
            });
        }
        return result;
    }

    private static void SelectRows<T>(T[] x, int xo, T[] dst, int outer, int size, int inner, long[] idx) where T : unmanaged
    {
        int n = idx.Length;
        Threads.For((long)outer * n, Math.Max(1, 8192 / Math.Max(inner, 1)), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
        {
            for (long r = s; r < e; r++)
            {
                long o = r / n, j = r - o * n;
                x.AsSpan(xo + (int)((o * size + idx[j]) * inner), inner).CopyTo(dst.AsSpan((int)(r * inner), inner));
            }
        });
    }

    // dst[o, idx[j], :] += src[o, j, :] on a contiguous dst; j runs in order so results are deterministic.
    internal void IndexAddRaw(int d, long[] idx, Tensor src)
    {
        if (DType.IsLowPrecision())
        {
            // 16-bit: accumulate in float32, round once.
            var acc = Detach().To(DType.Float32);
            acc.IndexAddRaw(d, idx, src.Detach().To(DType.Float32));
            CopyRaw(acc);
            return;
        }
        int outer = (int)ShapeUtil.Numel(Sh.AsSpan(0, d)), size = Sh[d], inner = (int)ShapeUtil.Numel(Sh.AsSpan(d + 1));
        src = src.To(DType).Contiguous();
        switch (DType)
        {
            case DType.Float32: AddRows(src.Data<float>(), src.Off, Data<float>(), outer, size, inner, idx); break;
            case DType.Float64: AddRows(src.Data<double>(), src.Off, Data<double>(), outer, size, inner, idx); break;
            case DType.Int64: AddRows(src.Data<long>(), src.Off, Data<long>(), outer, size, inner, idx); break;
            default: throw new NotSupportedException($"index_add: {DType.Name()} is not supported.");
        }
        GC.KeepAlive(src);
    }

    private static void AddRows<T>(T[] src, int so, T[] dst, int outer, int size, int inner, long[] idx) where T : unmanaged, System.Numerics.INumber<T>
    {
        int n = idx.Length;
        // Parallel over outer blocks, or over column chunks when there is one block (embedding gradients).
        if (outer > 1)
        {
            Threads.For(outer, 1, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
            {
                for (long o = s; o < e; o++)
                    for (int j = 0; j < n; j++)
                    {
                        var acc = dst.AsSpan((int)((o * size + idx[j]) * inner), inner);
                        System.Numerics.Tensors.TensorPrimitives.Add(acc, src.AsSpan(so + (int)((o * n + j) * inner), inner), acc);
                    }
            });
            return;
        }
        Threads.For(inner, 256, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
        {
            int len = (int)(e - s);
            for (int j = 0; j < n; j++)
            {
                var acc = dst.AsSpan((int)(idx[j] * inner + s), len);
                System.Numerics.Tensors.TensorPrimitives.Add(acc, src.AsSpan(so + (int)(j * inner + s), len), acc);
            }
        });
    }

    /// <summary>
    /// out[i][j][k] = this[i][index[i][j][k]][k] for dim = 1 (and likewise for other dims). index is int64 with
    /// the same rank; its sizes may be smaller than this tensor's except along <paramref name="dim"/>.
    /// </summary>
    public Tensor Gather(int dim, Tensor index)
    {
        int d = ShapeUtil.WrapDim(dim, Rank, "gather");
        CheckScatterIndex("gather", d, index, null);
        var idx = index.Contiguous().ToArray<long>();
        var result = Empty((int[])index.Sh.Clone(), DType);
        var offsets = ScatterOffsets("gather", d, index, idx, St, Off);
        switch (DType)
        {
            case DType.Float32: GatherLoop(Data<float>(), offsets, result.Data<float>()); break;
            case DType.Float64: GatherLoop(Data<double>(), offsets, result.Data<double>()); break;
            case DType.Int64: GatherLoop(Data<long>(), offsets, result.Data<long>()); break;
            case DType.BFloat16: GatherLoop(Data<BFloat16>(), offsets, result.Data<BFloat16>()); break;
            case DType.Float16: GatherLoop(Data<Half>(), offsets, result.Data<Half>()); break;
            default: GatherLoop(Data<bool>(), offsets, result.Data<bool>()); break;
        }
        if (Recording(this))
        {
            int[] inShape = Sh;
            DType dt = DType;
            result.SetGradFn("GatherBackward", [this], [], g => [Zeros(inShape, dt).ScatterAdd(d, index, g)]);
        }
        return result;
    }

    private static void GatherLoop<T>(T[] x, int[] offsets, T[] dst) where T : unmanaged
    {
        for (int i = 0; i < offsets.Length; i++)
            dst[i] = x[offsets[i]];
    }

    /// <summary>A copy of this tensor with src added at the positions index names along dim (out[index[i][j]][j] += src[i][j] for dim 0).</summary>
    public Tensor ScatterAdd(int dim, Tensor index, Tensor src)
    {
        int d = ShapeUtil.WrapDim(dim, Rank, "scatter_add");
        CheckScatterIndex("scatter_add", d, index, src);
        var result = Clone().Detach();
        result.ScatterAddRaw(d, index, src.Detach());
        if (Recording(this, src))
        {
            bool gSelf = RequiresGrad, gSrc = src.RequiresGrad;
            int[] srcShape = src.Sh;
            result.SetGradFn("ScatterAddBackward", [this, src], [], g => [gSelf ? g : null, gSrc ? ScatterSourceGrad(g.Gather(d, index), srcShape) : null]);
        }
        return result;
    }

    // The gradient of scatter_add's src: the gathered gradient where src was read (the index's extent), zero beyond it.
    private static Tensor ScatterSourceGrad(Tensor gathered, int[] srcShape)
    {
        if (ShapeUtil.SameShape(gathered.Sh, srcShape))
            return gathered;
        var full = Zeros(srcShape, gathered.DType);
        var view = full;
        for (int k = 0; k < gathered.Rank; k++)
            view = view.Slice(k, 0, gathered.Sh[k]);
        view.CopyRaw(gathered);
        return full;
    }

    /// <summary>Adds src at the positions index names along dim, in place.</summary>
    public Tensor ScatterAddInPlace(int dim, Tensor index, Tensor src)
    {
        int d = ShapeUtil.WrapDim(dim, Rank, "scatter_add_");
        if (Recording(this, src))
            return AssignFromRecorded(ScatterAdd(d, index, src));
        CheckWritable();
        CheckScatterIndex("scatter_add_", d, index, src);
        ScatterAddRaw(d, index, src);
        Storage.Version++;
        return this;
    }

    private void ScatterAddRaw(int d, Tensor index, Tensor src)
    {
        if (DType.IsLowPrecision())
        {
            var acc = Detach().To(DType.Float32); // 16-bit: accumulate in float32 (own layout), round once
            acc.ScatterAddRaw(d, index, src.Detach().To(DType.Float32));
            CopyRaw(acc);
            return;
        }
        var idx = index.Contiguous().ToArray<long>();
        var offsets = ScatterOffsets("scatter_add", d, index, idx, St, Off);
        var s = src.To(DType);
        // src is read at the index's positions (src may be larger than index).
        var srcView = s.Slice(0, 0, index.Sh.Length > 0 ? index.Sh[0] : 1);
        for (int k = 1; k < index.Rank; k++)
            srcView = srcView.Slice(k, 0, index.Sh[k]);
        var vals = srcView.Contiguous();
        switch (DType)
        {
            case DType.Float32: ScatterLoop(Data<float>(), offsets, vals.Data<float>(), vals.Off); break;
            case DType.Float64: ScatterLoop(Data<double>(), offsets, vals.Data<double>(), vals.Off); break;
            case DType.Int64: ScatterLoop(Data<long>(), offsets, vals.Data<long>(), vals.Off); break;
            default: throw new NotSupportedException($"scatter_add: {DType.Name()} is not supported.");
        }
        GC.KeepAlive(vals);
    }

    private static void ScatterLoop<T>(T[] dst, int[] offsets, T[] src, int so) where T : unmanaged, System.Numerics.INumber<T>
    {
        for (int i = 0; i < offsets.Length; i++)
            dst[offsets[i]] += src[so + i];
    }

    private void CheckScatterIndex(string op, int d, Tensor index, Tensor? src)
    {
        if (index.DType != DType.Int64)
            throw new ArgumentException($"{op}: index must be int64, got {index.DType.Name()}.");
        if (index.Rank != Rank)
            throw new ArgumentException($"{op}: index {ShapeUtil.Format(index.Sh)} must have the same rank as the input {ShapeUtil.Format(Sh)}.");
        for (int k = 0; k < Rank; k++)
        {
            if (k != d && index.Sh[k] > Sh[k])
                throw new ArgumentException($"{op}: index {ShapeUtil.Format(index.Sh)} is larger than the input {ShapeUtil.Format(Sh)} in dim {k}.");
            if (src is not null && index.Sh[k] > src.Sh[k])
                throw new ArgumentException($"{op}: index {ShapeUtil.Format(index.Sh)} is larger than src {ShapeUtil.Format(src.Sh)} in dim {k}.");
        }
    }

    // Storage offsets into a tensor (strides/offset) for each element of a gather/scatter index, in row-major index order.
    private int[] ScatterOffsets(string op, int d, Tensor index, long[] idx, int[] strides, int offset)
    {
        var offsets = new int[idx.Length];
        var coord = new int[index.Rank];
        int size = Sh[d];
        for (int i = 0; i < idx.Length; i++)
        {
            long v = idx[i];
            if (v < -size || v >= size)
                throw new IndexOutOfRangeException($"{op}: index {v} is out of range for dim {d} of size {size} (at flat position {i} of the index).");
            if (v < 0) v += size;
            int off = offset;
            for (int k = 0; k < coord.Length; k++)
                off += (k == d ? (int)v : coord[k]) * strides[k];
            offsets[i] = off;
            for (int k = coord.Length - 1; k >= 0; k--)
            {
                if (++coord[k] < index.Sh[k])
                    break;
                coord[k] = 0;
            }
        }
        return offsets;
    }

    /// <summary>The k largest (or smallest) entries along <paramref name="dim"/> and their indices, sorted by value.</summary>
    public (Tensor Values, Tensor Indices) TopK(int k, int dim = -1, bool largest = true)
    {
        int d = ShapeUtil.WrapDim(dim, Rank, "topk");
        int n = Rank == 0 ? 1 : Sh[d];
        if (k < 0 || k > n)
            throw new ArgumentOutOfRangeException(nameof(k), $"topk: k = {k} is out of range for dim {d} of size {n}.");
        var order = SortedIndices(d, descending: largest, k);
        return (Gather(d, order), order);
    }

    /// <summary>Sorts along <paramref name="dim"/> (stable), returning values and the permutation.</summary>
    public (Tensor Values, Tensor Indices) Sort(int dim = -1, bool descending = false)
    {
        int d = ShapeUtil.WrapDim(dim, Rank, "sort");
        var order = SortedIndices(d, descending, Rank == 0 ? 1 : Sh[d]);
        return (Gather(d, order), order);
    }

    /// <summary>The indices that sort along <paramref name="dim"/>.</summary>
    public Tensor ArgSort(int dim = -1, bool descending = false) => Sort(dim, descending).Indices;

    private Tensor SortedIndices(int d, bool descending, int keep)
    {
        var moved = (d == Rank - 1 ? Detach() : Detach().Transpose(d, -1)).Contiguous();
        int n = Rank == 0 ? 1 : Sh[d];
        var values = moved.ToDoubleArray();
        long rows = n == 0 ? 0 : values.Length / n;
        var outShape = moved.Shape;
        if (outShape.Length > 0) outShape[^1] = keep;
        var result = Empty(outShape, DType.Int64);
        var dst = result.Data<long>();
        Threads.For(rows, 64, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
        {
            var keys = new double[n];
            var perm = new int[n];
            for (long r = s; r < e; r++)
            {
                for (int i = 0; i < n; i++) { keys[i] = values[r * n + i]; perm[i] = i; }
                // NaN sorts as the largest value, as in PyTorch; ties keep their original order.
                Comparison<int> cmp = (p, q) =>
                {
                    double a = keys[p], b = keys[q];
                    int c = double.IsNaN(a) ? (double.IsNaN(b) ? 0 : 1) : double.IsNaN(b) ? -1 : a.CompareTo(b);
                    if (descending) c = -c;
                    return c != 0 ? c : p.CompareTo(q);
                };
                Array.Sort(perm, cmp);
                for (int i = 0; i < keep; i++)
                    dst[r * keep + i] = perm[i];
            }
        });
        return d == Rank - 1 || Rank == 0 ? result : result.Transpose(d, -1).Contiguous();
    }
}
