using System.Numerics.Tensors;

namespace Polymath;

public sealed partial class Tensor
{
    /// <summary>Sum of all elements (0-d tensor).</summary>
    public Tensor Sum() => Reduce(ReduceKind.Sum, null, false);

    /// <summary>Sum over <paramref name="dims"/> (all dims when empty).</summary>
    public Tensor Sum(int[] dims, bool keepDim = false) => Reduce(ReduceKind.Sum, dims, keepDim);

    /// <summary>Sum over one dim.</summary>
    public Tensor Sum(int dim, bool keepDim = false) => Reduce(ReduceKind.Sum, [dim], keepDim);

    /// <summary>Mean of all elements.</summary>
    public Tensor Mean() => Mean([], false);

    /// <summary>Mean over one dim.</summary>
    public Tensor Mean(int dim, bool keepDim = false) => Mean([dim], keepDim);

    /// <summary>Mean over <paramref name="dims"/> (all when empty).</summary>
    public Tensor Mean(int[] dims, bool keepDim = false)
    {
        var x = DType.HasKernels() ? this : To(DType.Float32);
        long count = ReducedCount(dims);
        return x.Sum(dims, keepDim).Div(count);
    }

    /// <summary>Product over <paramref name="dims"/> (all when empty).</summary>
    public Tensor Prod(int[]? dims = null, bool keepDim = false) => Reduce(ReduceKind.Prod, dims, keepDim);

    /// <summary>Maximum over <paramref name="dims"/> (all when empty); ties share the gradient equally.</summary>
    public Tensor Amax(int[]? dims = null, bool keepDim = false) => Reduce(ReduceKind.Max, dims, keepDim);

    /// <summary>Minimum over <paramref name="dims"/> (all when empty); ties share the gradient equally.</summary>
    public Tensor Amin(int[]? dims = null, bool keepDim = false) => Reduce(ReduceKind.Min, dims, keepDim);

    /// <summary>Maximum of all elements.</summary>
    public Tensor Max() => Amax();

    /// <summary>Minimum of all elements.</summary>
    public Tensor Min() => Amin();

    /// <summary>Maximum along a dim with the index where it occurs (first on ties).</summary>
    public (Tensor Values, Tensor Indices) Max(int dim, bool keepDim = false) => ExtremumWithIndex(dim, keepDim, max: true);

    /// <summary>Minimum along a dim with the index where it occurs (first on ties).</summary>
    public (Tensor Values, Tensor Indices) Min(int dim, bool keepDim = false) => ExtremumWithIndex(dim, keepDim, max: false);

    private (Tensor, Tensor) ExtremumWithIndex(int dim, bool keepDim, bool max)
    {
        int d = ShapeUtil.WrapDim(dim, Rank, max ? "max" : "min");
        var idx = ArgExtremum(d, true, max);
        var values = Gather(d, idx);
        return keepDim ? (values, idx) : (values.Squeeze(d), idx.Squeeze(d));
    }

    /// <summary>Index of the maximum, over the flattened tensor when <paramref name="dim"/> is null.</summary>
    public Tensor ArgMax(int? dim = null, bool keepDim = false) => dim is int d ? ArgExtremum(d, keepDim, true) : Reshape(-1).ArgExtremum(0, false, true);

    /// <summary>Index of the minimum, over the flattened tensor when <paramref name="dim"/> is null.</summary>
    public Tensor ArgMin(int? dim = null, bool keepDim = false) => dim is int d ? ArgExtremum(d, keepDim, false) : Reshape(-1).ArgExtremum(0, false, false);

    private Tensor ArgExtremum(int dim, bool keepDim, bool max)
    {
        string op = max ? "argmax" : "argmin";
        int d = ShapeUtil.WrapDim(dim, Rank, op);
        var x = (Rank == 0 ? Reshape(1) : this).Detach();
        int n = x.Rank == 0 ? 1 : x.Sh[d];
        if (n == 0)
            throw new ArgumentException($"{op}: cannot take the {op} of an empty dim (dim {d} of {ShapeUtil.Format(Sh)}).");
        var moved = (d == x.Rank - 1 ? x : x.Transpose(d, -1)).Contiguous();
        long rows = moved.Numel / n;
        var outShape = (int[])x.Sh.Clone();
        outShape[d] = 1;
        var result = Empty(outShape, DType.Int64);
        var idx = result.Data<long>();
        switch (moved.DType)
        {
            case DType.Float32: Reduction.ArgExtremum(max, moved.Data<float>(), moved.Off, rows, n, idx); break;
            case DType.Float64: Reduction.ArgExtremum(max, moved.Data<double>(), moved.Off, rows, n, idx); break;
            case DType.Int64: Reduction.ArgExtremum(max, moved.Data<long>(), moved.Off, rows, n, idx); break;
            case DType.BFloat16 or DType.Float16: var asFloat = moved.To(DType.Float32); Reduction.ArgExtremum(max, asFloat.Data<float>(), 0, rows, n, idx); break;
            default: var asLong = moved.To(DType.Int64); Reduction.ArgExtremum(max, asLong.Data<long>(), 0, rows, n, idx); break;
        }
        GC.KeepAlive(moved); // its pooled array must outlive the kernel above
        // rows were laid out with dim d moved last; result has dim d of size 1, so the order of the other dims matches.
        if (Rank == 0)
            return result.Reshape();
        return keepDim ? result : result.Squeeze(d);
    }

    /// <summary>Variance over <paramref name="dims"/> (all when empty); unbiased divides by N−1.</summary>
    public Tensor Var(int[]? dims = null, bool unbiased = true, bool keepDim = false)
    {
        dims ??= [];
        var x = DType.HasKernels() ? this : To(DType.Float32);
        var centered = x - x.Mean(dims, keepDim: true);
        long n = ReducedCount(dims);
        return centered.Square().Sum(dims, keepDim).Div(Math.Max(0, n - (unbiased ? 1 : 0)));
    }

    /// <summary>Variance over one dim.</summary>
    public Tensor Var(int dim, bool unbiased = true, bool keepDim = false) => Var([dim], unbiased, keepDim);

    /// <summary>Standard deviation over <paramref name="dims"/> (all when empty).</summary>
    public Tensor Std(int[]? dims = null, bool unbiased = true, bool keepDim = false) => Var(dims, unbiased, keepDim).Sqrt();

    /// <summary>Standard deviation over one dim.</summary>
    public Tensor Std(int dim, bool unbiased = true, bool keepDim = false) => Var([dim], unbiased, keepDim).Sqrt();

    /// <summary>log Σ exp(x) over <paramref name="dims"/>, computed stably by subtracting the max.</summary>
    public Tensor LogSumExp(int[] dims, bool keepDim = false)
    {
        var m = Amax(dims, keepDim: true).Detach();
        m = Where(m.Abs().Eq(double.PositiveInfinity), ZerosLike(m), m);
        var r = (this - m).Exp().Sum(dims, keepDim: true).Log() + m;
        return keepDim ? r : r.Sum(dims, keepDim: false);
    }

    /// <summary>log Σ exp(x) over one dim.</summary>
    public Tensor LogSumExp(int dim, bool keepDim = false) => LogSumExp([dim], keepDim);

    /// <summary>The p-norm over <paramref name="dims"/> (all when null): p = 2 by default, 1, ∞ or any p &gt; 0.</summary>
    public Tensor Norm(double p = 2, int[]? dims = null, bool keepDim = false)
    {
        dims ??= [];
        if (p <= 0)
            throw new ArgumentException($"norm: p must be positive, got {p}.");
        if (double.IsPositiveInfinity(p))
            return Abs().Amax(dims, keepDim);
        if (p == 1)
            return Abs().Sum(dims, keepDim);
        if (p == 2)
            return Square().Sum(dims, keepDim).Sqrt();
        return Abs().Pow(p).Sum(dims, keepDim).Pow(1.0 / p);
    }

    private long ReducedCount(int[]? dims)
    {
        if (dims is null || dims.Length == 0)
            return Numel;
        long n = 1;
        foreach (int d in NormalizeDims(dims, "reduce"))
            n *= Sh[d];
        return n;
    }

    private int[] NormalizeDims(int[]? dims, string op)
    {
        if (dims is null || dims.Length == 0)
            return Enumerable.Range(0, Rank).ToArray();
        if (Rank == 0)
        {
            // A 0-d tensor accepts dim 0 or -1 (as PyTorch) and has no dims to reduce.
            foreach (int d in dims)
                ShapeUtil.WrapDim(d, Rank, op);
            return [];
        }
        var set = new SortedSet<int>();
        foreach (int d in dims)
            if (!set.Add(ShapeUtil.WrapDim(d, Rank, op)))
                throw new ArgumentException($"{op}: dim {d} appears more than once in {ShapeUtil.Format(dims)}.");
        return set.ToArray();
    }

    // The reduction primitive for sum, prod, amax, amin.
    private Tensor Reduce(ReduceKind kind, int[]? dims, bool keepDim)
    {
        string op = kind switch { ReduceKind.Sum => "sum", ReduceKind.Prod => "prod", ReduceKind.Max => "amax", _ => "amin" };
        int[] rd = NormalizeDims(dims, op);
        var x = DType == DType.Bool ? To(DType.Int64) : DType.IsLowPrecision() ? To(DType.Float32) : this; // 16-bit sums accumulate in float32
        var keptShape = (int[])x.Sh.Clone();
        foreach (int d in rd)
            keptShape[d] = 1;
        var result = Empty(keptShape, x.DType);
        ReduceInto(kind, x.Detach(), rd, result);
        var inputForGrad = x;
        // Without keepDim the output is the same buffer under the squeezed shape, so its grad_fn is the reduction's own.
        int[] outShape = keepDim ? keptShape : Enumerable.Range(0, Rank).Where(d => Array.IndexOf(rd, d) < 0).Select(d => Sh[d]).ToArray();
        var output = keepDim ? result : new Tensor(result.Storage, outShape, ShapeUtil.ContiguousStrides(outShape), 0);
        if (Recording(x))
        {
            int[] inShape = x.Sh;
            switch (kind)
            {
                case ReduceKind.Sum:
                    output.SetGradFn("SumBackward", [x], [], g => [g.Reshape(keptShape).Expand(inShape)]);
                    break;
                case ReduceKind.Max:
                case ReduceKind.Min:
                    output.SetGradFn(kind == ReduceKind.Max ? "AmaxBackward" : "AminBackward", [x], [x, result], g =>
                    {
                        var mask = inputForGrad.Eq(result.Detach()).To(g.DType);
                        var count = mask.Sum(rd, keepDim: true);
                        return [g.Reshape(keptShape) * mask / count];
                    });
                    break;
                case ReduceKind.Prod:
                    output.SetGradFn("ProdBackward", [x], [x], g => [g.Reshape(keptShape) * ProductOfOthers(inputForGrad.Detach(), rd)]);
                    break;
            }
        }
        return output;
    }

    private static void ReduceInto(ReduceKind kind, Tensor x, int[] rd, Tensor dst)
    {
        // Reduced dims (ignoring size-1 dims) must form one block of a contiguous tensor; otherwise move them last.
        var big = rd.Where(d => x.Sh[d] != 1).ToArray();
        bool block = x.IsContiguous;
        if (block && big.Length > 0)
            for (int d = big[0]; d <= big[^1]; d++)
                if (x.Sh[d] != 1 && Array.IndexOf(big, d) < 0)
                    block = false;
        long outer, reduced, inner;
        Tensor src;
        if (block)
        {
            src = x;
            int first = big.Length > 0 ? big[0] : x.Rank, last = big.Length > 0 ? big[^1] : x.Rank - 1;
            outer = ShapeUtil.Numel(x.Sh.AsSpan(0, Math.Min(first, x.Rank)));
            reduced = big.Length > 0 ? ShapeUtil.Numel(x.Sh.AsSpan(first, last - first + 1)) : 1;
            inner = big.Length > 0 ? ShapeUtil.Numel(x.Sh.AsSpan(last + 1)) : 1;
        }
        else
        {
            var kept = Enumerable.Range(0, x.Rank).Where(d => Array.IndexOf(rd, d) < 0).ToArray();
            src = x.Permute([.. kept, .. rd]).Contiguous();
            outer = kept.Aggregate(1L, (a, d) => a * x.Sh[d]);
            reduced = rd.Aggregate(1L, (a, d) => a * x.Sh[d]);
            inner = 1;
        }
        switch (x.DType)
        {
            case DType.Float32: Reduction.Reduce(kind, src.Data<float>(), src.Off, outer, reduced, inner, dst.Data<float>()); break;
            case DType.Float64: Reduction.Reduce(kind, src.Data<double>(), src.Off, outer, reduced, inner, dst.Data<double>()); break;
            case DType.Int64: Reduction.Reduce(kind, src.Data<long>(), src.Off, outer, reduced, inner, dst.Data<long>()); break;
            default: throw new NotSupportedException($"reduce: {x.DType.Name()} is not supported.");
        }
        GC.KeepAlive(src); // a permuted copy's pooled array must outlive the kernel
    }

    // For each element, the product of the other elements of its reduction group (exact, also with zeros).
    private static Tensor ProductOfOthers(Tensor x, int[] rd)
    {
        var kept = Enumerable.Range(0, x.Rank).Where(d => Array.IndexOf(rd, d) < 0).ToArray();
        int[] perm = [.. kept, .. rd];
        var moved = x.Permute(perm).Contiguous();
        long groups = kept.Aggregate(1L, (a, d) => a * x.Sh[d]);
        int r = (int)rd.Aggregate(1L, (a, d) => a * x.Sh[d]);
        var v = moved.ToDoubleArray();
        var res = new double[v.Length];
        for (long gi = 0; gi < groups; gi++)
        {
            int b = (int)(gi * r);
            double prefix = 1;
            for (int i = 0; i < r; i++) { res[b + i] = prefix; prefix *= v[b + i]; }
            double suffix = 1;
            for (int i = r - 1; i >= 0; i--) { res[b + i] *= suffix; suffix *= v[b + i]; }
        }
        var inv = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inv[perm[i]] = i;
        return From(res, moved.Shape).To(x.DType).Permute(inv);
    }

    // ---- Softmax family (fused kernels; backward composed from primitives) ----

    /// <summary>Softmax along <paramref name="dim"/>, computed stably (max subtracted per row).</summary>
    public Tensor Softmax(int dim) => SoftmaxCore(dim, log: false);

    /// <summary>log(softmax(x)) along <paramref name="dim"/>, computed stably.</summary>
    public Tensor LogSoftmax(int dim) => SoftmaxCore(dim, log: true);

    private Tensor SoftmaxCore(int dim, bool log)
    {
        string op = log ? "log_softmax" : "softmax";
        int d = ShapeUtil.WrapDim(dim, Rank, op);
        var x = DType.HasKernels() ? this : To(DType.Float32);
        bool last = Rank == 0 || d == Rank - 1;
        var rows = (last ? x.Detach() : x.Detach().Transpose(d, -1)).Contiguous();
        var y = Empty(rows.Shape, x.DType);
        int n = Rank == 0 ? 1 : x.Sh[d];
        long count = rows.Numel / Math.Max(n, 1);
        if (n > 0)
        {
            if (x.DType == DType.Float32)
                SoftmaxRows(rows.Data<float>(), rows.Off, y.Data<float>(), count, n, log);
            else
                SoftmaxRows(rows.Data<double>(), rows.Off, y.Data<double>(), count, n, log);
        }
        GC.KeepAlive(rows); // its pooled array must outlive the kernel above
        var result = last ? y : y.Transpose(d, -1);
        if (Recording(x))
        {
            // Fused row kernel: softmax dx = y (g - <g, y>), log-softmax dx = g - exp(y) Σg, per row.
            result.SetGradFn(log ? "LogSoftmaxBackward" : "SoftmaxBackward", [x], [result], g =>
            {
                var gRows = (last ? g : g.Transpose(d, -1)).To(y.DType).Contiguous();
                var dx = Empty(y.Shape, y.DType);
                if (n > 0)
                {
                    if (y.DType == DType.Float32)
                        SoftmaxBackwardRows(y.Data<float>(), gRows.Data<float>(), gRows.Off, dx.Data<float>(), count, n, log);
                    else
                        SoftmaxBackwardRows(y.Data<double>(), gRows.Data<double>(), gRows.Off, dx.Data<double>(), count, n, log);
                }
                GC.KeepAlive(gRows);
                return [last ? dx : dx.Transpose(d, -1)];
            });
        }
        return result;
    }

    private static void SoftmaxBackwardRows<T>(T[] y, T[] g, int go, T[] dx, long rows, int n, bool log) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Threads.For(rows, Math.Max(1, 8192 / n), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
        {
            for (long r = s; r < e; r++)
            {
                var yr = new ReadOnlySpan<T>(y, (int)(r * n), n);
                var gr = new ReadOnlySpan<T>(g, go + (int)(r * n), n);
                var dr = new Span<T>(dx, (int)(r * n), n);
                if (log)
                {
                    T sum = TensorPrimitives.Sum(gr);
                    if (typeof(T) == typeof(float))
                        FastExp.Exp(System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(yr), System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(dr));
                    else
                        TensorPrimitives.Exp(yr, dr);
                    TensorPrimitives.Multiply(dr, sum, dr);
                    TensorPrimitives.Subtract(gr, dr, dr);
                }
                else
                {
                    T dot = TensorPrimitives.Dot(gr, yr);
                    TensorPrimitives.Subtract(gr, dot, dr);
                    TensorPrimitives.Multiply(dr, yr, dr);
                }
            }
        });
    }

    private static void SoftmaxRows<T>(T[] x, int xo, T[] y, long rows, int n, bool log) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Threads.For(rows, Math.Max(1, 8192 / n), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
        {
            Span<T> buf = stackalloc T[256];
            for (long r = s; r < e; r++)
            {
                var src = new ReadOnlySpan<T>(x, xo + (int)(r * n), n);
                var dst = new Span<T>(y, (int)(r * n), n);
                T max = TensorPrimitives.Max(src);
                if (T.IsInfinity(max))
                    max = T.Zero; // an all -inf row gives NaN like PyTorch; +inf rows stay NaN too
                if (typeof(T) == typeof(float))
                {
                    // float: one fused exp-and-sum pass (FastExp) instead of subtract, exp and sum passes.
                    var xs = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(src);
                    var ds = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(dst);
                    float m = float.CreateTruncating(max);
                    if (log)
                        TensorPrimitives.Subtract(xs, m + MathF.Log(FastExp.SumExp(xs, -m)), ds);
                    else
                        TensorPrimitives.Multiply(ds, 1f / FastExp.Exp(xs, ds, -m, sum: true), ds);
                    continue;
                }
                TensorPrimitives.Subtract(src, max, dst);
                if (log)
                {
                    // log-softmax: x - max - log(sum(exp(x - max))); the exp goes through a small buffer.
                    T sum = T.Zero;
                    for (int i = 0; i < n; i += 256)
                    {
                        int len = Math.Min(256, n - i);
                        TensorPrimitives.Exp(dst.Slice(i, len), buf[..len]);
                        sum += TensorPrimitives.Sum<T>(buf[..len]);
                    }
                    TensorPrimitives.Subtract(dst, T.Log(sum), dst);
                }
                else
                {
                    TensorPrimitives.Exp(dst, dst);
                    T sum = TensorPrimitives.Sum<T>(dst);
                    TensorPrimitives.Multiply(dst, T.One / sum, dst);
                }
            }
        });
    }
}
