using Polymath.Autograd;

namespace Polymath;

public sealed partial class Tensor
{
    private Tensor MakeView(int[] shape, int[] strides, int offset) => new(Storage, shape, strides, offset) { ViewBase = ViewBase ?? this };

    /// <summary>
    /// The same data with a new shape (one dim may be -1 to infer it). A view when the strides allow,
    /// otherwise a copy, as PyTorch's reshape.
    /// </summary>
    /// <exception cref="ArgumentException">The element count differs.</exception>
    public Tensor Reshape(params int[] shape)
    {
        int[] newShape = InferShape(shape, "reshape");
        int[]? strides = ViewStrides(newShape);
        return strides is not null ? ViewPrimitive(newShape, strides) : Contiguous().ViewPrimitive(newShape, ShapeUtil.ContiguousStrides(newShape));
    }

    /// <summary>A view with a new shape; unlike <see cref="Reshape"/> it never copies.</summary>
    /// <exception cref="ArgumentException">The element count differs, or the strides do not allow a view (call Contiguous or Reshape).</exception>
    public Tensor View(params int[] shape)
    {
        int[] newShape = InferShape(shape, "view");
        int[] strides = ViewStrides(newShape)
            ?? throw new ArgumentException($"view: shape {ShapeUtil.Format(newShape)} is not compatible with the input's size {ShapeUtil.Format(Sh)} and strides {ShapeUtil.Format(St)} (at least one dim spans two contiguous blocks); use Reshape.");
        return ViewPrimitive(newShape, strides);
    }

    private Tensor ViewPrimitive(int[] newShape, int[] strides)
    {
        var result = MakeView(newShape, strides, Off);
        if (Recording(this))
        {
            int[] inShape = Sh;
            result.SetGradFn("ViewBackward", [this], [], g => [g.Reshape(inShape)]);
        }
        return result;
    }

    private int[] InferShape(int[] shape, string op)
    {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (infer >= 0)
                    throw new ArgumentException($"{op}: only one dim can be -1, got {ShapeUtil.Format(shape)}.");
                infer = i;
            }
            else if (shape[i] < 0)
                throw new ArgumentException($"{op}: invalid dim {shape[i]} in {ShapeUtil.Format(shape)}.");
            else
                known *= shape[i];
        }
        int[] result = (int[])shape.Clone();
        long numel = Numel;
        if (infer >= 0)
        {
            if (known == 0 || numel % known != 0)
                throw new ArgumentException($"{op}: shape {ShapeUtil.Format(shape)} is invalid for input of size {numel} (shape {ShapeUtil.Format(Sh)}).");
            result[infer] = (int)(numel / known);
        }
        else if (known != numel)
            throw new ArgumentException($"{op}: shape {ShapeUtil.Format(shape)} is invalid for input of size {numel} (shape {ShapeUtil.Format(Sh)}).");
        return result;
    }

    // Strides that view this tensor's memory with newShape, or null when a copy is needed. Walks the old
    // dims from the back in blocks that are contiguous among themselves and fits the new dims into each block.
    private int[]? ViewStrides(int[] newShape)
    {
        if (Numel == 0 || IsContiguous)
            return ShapeUtil.ContiguousStrides(newShape);
        var newStrides = new int[newShape.Length];
        int viewD = newShape.Length - 1;
        long chunkBase = St.Length > 0 ? St[^1] : 1;
        long tensorNumel = 1, viewNumel = 1;
        for (int d = Sh.Length - 1; d >= 0; d--)
        {
            tensorNumel *= Sh[d];
            bool blockEnds = d == 0 || (Sh[d - 1] != 1 && St[d - 1] != tensorNumel * chunkBase);
            if (!blockEnds)
                continue;
            while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1))
            {
                newStrides[viewD] = (int)(viewNumel * chunkBase);
                viewNumel *= newShape[viewD];
                viewD--;
            }
            if (viewNumel != tensorNumel)
                return null;
            if (d > 0)
            {
                chunkBase = St[d - 1];
                tensorNumel = 1;
                viewNumel = 1;
            }
        }
        return viewD == -1 ? newStrides : null;
    }

    /// <summary>Flattens dims startDim..endDim into one.</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (Rank == 0)
            return Reshape(1);
        int s = ShapeUtil.WrapDim(startDim, Rank, "flatten"), e = ShapeUtil.WrapDim(endDim, Rank, "flatten");
        if (s > e)
            throw new ArgumentException($"flatten: startDim {startDim} comes after endDim {endDim}.");
        var shape = new List<int>();
        for (int i = 0; i < s; i++) shape.Add(Sh[i]);
        int merged = 1;
        for (int i = s; i <= e; i++) merged *= Sh[i];
        shape.Add(merged);
        for (int i = e + 1; i < Rank; i++) shape.Add(Sh[i]);
        return Reshape(shape.ToArray());
    }

    /// <summary>Reorders the dims: result dim i is input dim <paramref name="dims"/>[i].</summary>
    public Tensor Permute(params int[] dims)
    {
        if (dims.Length != Rank)
            throw new ArgumentException($"permute: got {dims.Length} dims {ShapeUtil.Format(dims)} for a tensor of rank {Rank}.");
        var shape = new int[Rank];
        var strides = new int[Rank];
        var inverse = new int[Rank];
        var seen = new bool[Rank];
        for (int i = 0; i < Rank; i++)
        {
            int d = ShapeUtil.WrapDim(dims[i], Rank, "permute");
            if (seen[d])
                throw new ArgumentException($"permute: dim {d} appears twice in {ShapeUtil.Format(dims)}.");
            seen[d] = true;
            shape[i] = Sh[d];
            strides[i] = St[d];
            inverse[d] = i;
        }
        var result = MakeView(shape, strides, Off);
        if (Recording(this))
            result.SetGradFn("PermuteBackward", [this], [], g => [g.Permute(inverse)]);
        return result;
    }

    /// <summary>Swaps two dims.</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        if (Rank < 2)
        {
            ShapeUtil.WrapDim(dim0, Rank, "transpose");
            ShapeUtil.WrapDim(dim1, Rank, "transpose");
            return this;
        }
        var perm = new int[Rank];
        for (int i = 0; i < Rank; i++) perm[i] = i;
        int a = ShapeUtil.WrapDim(dim0, Rank, "transpose"), b = ShapeUtil.WrapDim(dim1, Rank, "transpose");
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(perm);
    }

    /// <summary>The transpose of a matrix (rank ≤ 2).</summary>
    public Tensor T => Rank <= 2 ? (Rank == 2 ? Transpose(0, 1) : this) : throw new InvalidOperationException($"T: expects a tensor of rank <= 2, got {ShapeUtil.Format(Sh)}; use Transpose or Permute.");

    /// <summary>Broadcasts size-1 dims (and new leading dims) to <paramref name="shape"/> without copying; -1 keeps a dim.</summary>
    public Tensor Expand(params int[] shape)
    {
        if (shape.Length < Rank)
            throw new ArgumentException($"expand: target {ShapeUtil.Format(shape)} has fewer dims than the tensor {ShapeUtil.Format(Sh)}.");
        int lead = shape.Length - Rank;
        var newShape = new int[shape.Length];
        var strides = new int[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            int target = shape[i];
            if (i < lead)
            {
                if (target < 0)
                    throw new ArgumentException($"expand: -1 is not allowed for the new leading dim {i} in {ShapeUtil.Format(shape)}.");
                newShape[i] = target;
                strides[i] = 0;
                continue;
            }
            int cur = Sh[i - lead];
            if (target == -1) target = cur;
            if (cur == target)
            {
                newShape[i] = cur;
                strides[i] = St[i - lead];
            }
            else if (cur == 1)
            {
                newShape[i] = target;
                strides[i] = 0;
            }
            else
                throw new ArgumentException($"expand: the size of dim {i - lead} ({cur}) of {ShapeUtil.Format(Sh)} must match the target {target} of {ShapeUtil.Format(shape)} when it is not 1.");
        }
        if (ShapeUtil.SameShape(newShape, Sh))
            return this;
        var result = MakeView(newShape, strides, Off);
        if (Recording(this))
        {
            int[] inShape = Sh;
            result.SetGradFn("ExpandBackward", [this], [], g => [g.SumToShape(inShape)]);
        }
        return result;
    }

    /// <summary>Expands to the shape of <paramref name="other"/>.</summary>
    public Tensor ExpandAs(Tensor other) => Expand(other.Sh);

    /// <summary>Inserts a dim of size 1 at <paramref name="dim"/>.</summary>
    public Tensor Unsqueeze(int dim)
    {
        int d = ShapeUtil.WrapDim(dim, Rank + 1, "unsqueeze");
        var shape = new List<int>(Sh);
        shape.Insert(d, 1);
        return Reshape(shape.ToArray());
    }

    /// <summary>Removes all dims of size 1, or only <paramref name="dim"/> when given (if it has size 1).</summary>
    public Tensor Squeeze(int? dim = null)
    {
        var shape = new List<int>();
        int only = dim is int dd ? ShapeUtil.WrapDim(dd, Rank, "squeeze") : -1;
        for (int i = 0; i < Rank; i++)
            if (!(Sh[i] == 1 && (only < 0 || only == i)))
                shape.Add(Sh[i]);
        return shape.Count == Rank ? this : Reshape(shape.ToArray());
    }

    /// <summary>
    /// Elements start, start+step, ... below end along <paramref name="dim"/>, as a view. Negative start/end count
    /// from the end; out-of-range bounds are clamped as in Python slicing.
    /// </summary>
    /// <exception cref="ArgumentException">step is not positive.</exception>
    public Tensor Slice(int dim, long start, long? end = null, long step = 1)
    {
        int d = ShapeUtil.WrapDim(dim, Rank, "slice");
        if (step <= 0)
            throw new ArgumentException($"slice: step must be positive, got {step}.");
        long size = Sh[d];
        long s = start < 0 ? start + size : start;
        long e = end is long ev ? (ev < 0 ? ev + size : ev) : size;
        s = Math.Clamp(s, 0, size);
        e = Math.Clamp(e, s, size);
        int len = (int)((e - s + step - 1) / step);
        var shape = (int[])Sh.Clone();
        var strides = (int[])St.Clone();
        shape[d] = len;
        strides[d] = (int)(St[d] * step);
        var result = MakeView(shape, strides, Off + (int)s * St[d]);
        if (Recording(this))
            result.GradFnNode = new SliceNode(GradNode, Sh, DType, d, s, len, step);
        return result;
    }

    /// <summary><paramref name="length"/> elements from <paramref name="start"/> along <paramref name="dim"/>, as a view.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range does not fit in the dim.</exception>
    public Tensor Narrow(int dim, long start, int length)
    {
        int d = ShapeUtil.WrapDim(dim, Rank, "narrow");
        if (start < 0) start += Sh[d];
        if (start < 0 || length < 0 || start + length > Sh[d])
            throw new ArgumentOutOfRangeException(nameof(start), $"narrow: start {start} + length {length} exceeds dim {d} of size {Sh[d]} in {ShapeUtil.Format(Sh)}.");
        return Slice(d, start, start + length);
    }

    /// <summary>The slice at <paramref name="index"/> along <paramref name="dim"/>, with that dim removed.</summary>
    /// <exception cref="IndexOutOfRangeException">The index is outside the dim.</exception>
    public Tensor Select(int dim, long index)
    {
        int d = ShapeUtil.WrapDim(dim, Rank, "select");
        long i = index < 0 ? index + Sh[d] : index;
        if (i < 0 || i >= Sh[d])
            throw new IndexOutOfRangeException($"select: index {index} is out of range for dim {d} of size {Sh[d]} in {ShapeUtil.Format(Sh)}.");
        return Slice(d, i, i + 1).Squeeze(d);
    }

    /// <summary>PyTorch-style indexing: <c>x[0, 1..3, TensorIndex.Slice(0, null, 2), TensorIndex.NewAxis]</c>. Setting copies into the view.</summary>
    [System.Runtime.CompilerServices.IndexerName("Index")]
    public Tensor this[params TensorIndex[] index]
    {
        get => ApplyIndex(index);
        set => ApplyIndex(index).CopyFrom(value);
    }

    private Tensor ApplyIndex(TensorIndex[] index)
    {
        int consumed = 0;
        foreach (var ix in index)
            if (ix.IndexKind is not (TensorIndex.Kind.Ellipsis or TensorIndex.Kind.NewAxis))
                consumed++;
        if (consumed > Rank)
            throw new IndexOutOfRangeException($"index: too many indices ({consumed}) for a tensor of rank {Rank}.");
        Tensor t = this;
        int dim = 0;
        bool sawEllipsis = false;
        foreach (var ix in index)
        {
            switch (ix.IndexKind)
            {
                case TensorIndex.Kind.Integer:
                    t = t.Select(dim, ix.Start);
                    break;
                case TensorIndex.Kind.Slice:
                    if (ix.RangeStart is Index rs)
                    {
                        int size = t.Sh[dim];
                        int s = rs.GetOffset(size), e = ix.RangeEnd!.Value.GetOffset(size);
                        t = t.Slice(dim, Math.Clamp(s, 0, size), Math.Clamp(e, 0, size));
                    }
                    else
                        t = t.Slice(dim, ix.Start, ix.End, ix.Step);
                    dim++;
                    break;
                case TensorIndex.Kind.NewAxis:
                    t = t.Unsqueeze(dim);
                    dim++;
                    break;
                case TensorIndex.Kind.Ellipsis:
                    if (sawEllipsis)
                        throw new ArgumentException("index: only one ellipsis is allowed.");
                    sawEllipsis = true;
                    dim += Rank - consumed;
                    break;
                case TensorIndex.Kind.Tensor:
                    t = t.IndexSelect(dim, ix.Indices!.Flatten());
                    dim++;
                    break;
            }
        }
        return t;
    }

    /// <summary>This tensor if already contiguous, else a contiguous copy (gradients flow through).</summary>
    public Tensor Contiguous() => IsContiguous ? this : Clone();

    /// <summary>A contiguous copy with its own storage (gradients flow through).</summary>
    public Tensor Clone()
    {
        var result = Empty((int[])Sh.Clone(), DType);
        result.CopyRaw(this);
        if (Recording(this))
            result.SetGradFn("CloneBackward", [this], [], g => [g]);
        return result;
    }

    /// <summary>This tensor converted to <paramref name="dtype"/> (itself when the dtype already matches).</summary>
    public Tensor To(DType dtype)
    {
        if (dtype == DType)
            return this;
        var result = Empty((int[])Sh.Clone(), dtype);
        result.CopyRaw(this);
        if (Recording(this) && dtype.IsFloatingPoint())
        {
            DType back = DType;
            result.SetGradFn("ToBackward", [this], [], g => [g.To(back)]);
        }
        return result;
    }

    /// <summary>Copies (and converts) src into this tensor's elements, broadcasting src; no autograd.</summary>
    internal void CopyRaw(Tensor src)
    {
        if (!ShapeUtil.SameShape(src.Sh, Sh))
            src = src.Detach().Expand(Sh);
        if (src.DType == DType)
        {
            switch (Storage)
            {
                case Storage<float> s: StridedCopy.Copy(src.Data<float>(), Sh, src.St, src.Off, s.Data, St, Off); break;
                case Storage<double> s: StridedCopy.Copy(src.Data<double>(), Sh, src.St, src.Off, s.Data, St, Off); break;
                case Storage<long> s: StridedCopy.Copy(src.Data<long>(), Sh, src.St, src.Off, s.Data, St, Off); break;
                case Storage<bool> s: StridedCopy.Copy(src.Data<bool>(), Sh, src.St, src.Off, s.Data, St, Off); break;
                case Storage<BFloat16> s: StridedCopy.Copy(src.Data<BFloat16>(), Sh, src.St, src.Off, s.Data, St, Off); break;
                case Storage<Half> s: StridedCopy.Copy(src.Data<Half>(), Sh, src.St, src.Off, s.Data, St, Off); break;
            }
            GC.KeepAlive(src); // its pooled array must outlive the copy
            return;
        }
        if (DType.IsLowPrecision() || src.DType.IsLowPrecision())
        {
            CopyConvertLowPrecision(src);
            return;
        }
        long n = Numel;
        for (long i = 0; i < n; i++)
            SetFlat(i, src.GetFlat(i));
    }

    // float32 <-> 16-bit conversions run the vector kernels on dense data; other pairs go through float32
    // (exact for every 16-bit value, and float64 → 16-bit rounds through float32 as PyTorch does).
    private void CopyConvertLowPrecision(Tensor src)
    {
        int n = (int)Numel;
        bool dense = IsContiguous && src.IsContiguous;
        if (dense && DType.IsLowPrecision() && src.DType == DType.Float32)
        {
            LowPrecision.FromFloat(src.Data<float>(), src.Off, Storage.Array, Off, n);
            GC.KeepAlive(src);
            return;
        }
        if (dense && src.DType.IsLowPrecision() && DType == DType.Float32)
        {
            LowPrecision.ToFloat(src.Storage.Array, src.Off, Data<float>(), Off, n);
            GC.KeepAlive(src);
            return;
        }
        // Any other pair or layout: a dense float32 copy in between.
        var mid = Empty((int[])Sh.Clone(), DType.Float32);
        if (src.DType.IsLowPrecision())
            mid.CopyConvertLowPrecision(src.Detach().Contiguous());
        else
            mid.CopyRaw(src);
        if (!DType.IsLowPrecision())
        {
            CopyRaw(mid);
            return;
        }
        if (IsContiguous)
            LowPrecision.FromFloat(mid.Data<float>(), 0, Storage.Array, Off, n);
        else
        {
            var dense16 = Empty((int[])Sh.Clone(), DType);
            LowPrecision.FromFloat(mid.Data<float>(), 0, dense16.Storage.Array, 0, n);
            CopyRaw(dense16);
        }
    }

    /// <summary>Splits into pieces of <paramref name="splitSize"/> along <paramref name="dim"/> (the last may be smaller); views.</summary>
    public Tensor[] Split(int splitSize, int dim = 0)
    {
        int d = ShapeUtil.WrapDim(dim, Rank, "split");
        if (splitSize <= 0)
            throw new ArgumentException($"split: splitSize must be positive, got {splitSize}.");
        var parts = new List<Tensor>();
        for (int s = 0; s < Sh[d]; s += splitSize)
            parts.Add(Narrow(d, s, Math.Min(splitSize, Sh[d] - s)));
        return parts.ToArray();
    }

    /// <summary>Splits into pieces of the given sizes along <paramref name="dim"/>; views.</summary>
    public Tensor[] Split(int[] sizes, int dim = 0)
    {
        int d = ShapeUtil.WrapDim(dim, Rank, "split");
        if (sizes.Sum() != Sh[d])
            throw new ArgumentException($"split: sizes {ShapeUtil.Format(sizes)} sum to {sizes.Sum()}, but dim {d} has size {Sh[d]}.");
        var parts = new Tensor[sizes.Length];
        int start = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            parts[i] = Narrow(d, start, sizes[i]);
            start += sizes[i];
        }
        return parts;
    }

    /// <summary>Splits into <paramref name="chunks"/> nearly equal pieces along <paramref name="dim"/>; views.</summary>
    public Tensor[] Chunk(int chunks, int dim = 0)
    {
        if (chunks <= 0)
            throw new ArgumentException($"chunk: chunks must be positive, got {chunks}.");
        int d = ShapeUtil.WrapDim(dim, Rank, "chunk");
        return Split(Math.Max(1, (Sh[d] + chunks - 1) / chunks), d);
    }

    /// <summary>Concatenates tensors along an existing dim; all other dims must match.</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        if (tensors.Count == 0)
            throw new ArgumentException("cat: expects a non-empty list of tensors.");
        var first = tensors[0];
        int d = ShapeUtil.WrapDim(dim, first.Rank, "cat");
        DType dtype = first.DType;
        foreach (var t in tensors)
            dtype = DTypes.Promote(dtype, t.DType);
        var shape = (int[])first.Sh.Clone();
        int total = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            if (t.Rank != first.Rank)
                throw new ArgumentException($"cat: tensor {i} has rank {t.Rank} but tensor 0 has rank {first.Rank} ({ShapeUtil.Format(t.Sh)} vs {ShapeUtil.Format(first.Sh)}).");
            for (int k = 0; k < first.Rank; k++)
                if (k != d && t.Sh[k] != first.Sh[k])
                    throw new ArgumentException($"cat: sizes must match except in dim {d}; tensor {i} has shape {ShapeUtil.Format(t.Sh)}, tensor 0 has {ShapeUtil.Format(first.Sh)}.");
            total += t.Sh[d];
        }
        shape[d] = total;
        var result = Empty(shape, dtype);
        int offset = 0;
        var sizes = new int[tensors.Count];
        for (int i = 0; i < tensors.Count; i++)
        {
            sizes[i] = tensors[i].Sh[d];
            result.Slice(d, offset, offset + sizes[i]).CopyRaw(tensors[i]);
            offset += sizes[i];
        }
        var inputs = tensors.ToArray();
        if (Recording(inputs))
            result.SetGradFn("CatBackward", inputs, [], g => g.Split(sizes, d).Select((p, i) => (Tensor?)p.To(inputs[i].DType)).ToArray());
        return result;
    }

    /// <summary>Stacks tensors of equal shape along a new dim.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        if (tensors.Count == 0)
            throw new ArgumentException("stack: expects a non-empty list of tensors.");
        int d = ShapeUtil.WrapDim(dim, tensors[0].Rank + 1, "stack");
        for (int i = 1; i < tensors.Count; i++)
            if (!ShapeUtil.SameShape(tensors[i].Sh, tensors[0].Sh))
                throw new ArgumentException($"stack: expects each tensor to be equal size, but got {ShapeUtil.Format(tensors[0].Sh)} at entry 0 and {ShapeUtil.Format(tensors[i].Sh)} at entry {i}.");
        return Cat(tensors.Select(t => t.Unsqueeze(d)).ToArray(), d);
    }
}
