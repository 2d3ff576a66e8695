namespace Polymath;

/// <summary>Binary arithmetic primitives (each has a backward rule in <see cref="Tensor"/>'s arithmetic file).</summary>
internal enum BinaryKind { Add, Sub, Mul, Div, Pow, Maximum, Minimum }

public sealed partial class Tensor
{
    /// <summary>this + other, broadcasting.</summary>
    public Tensor Add(Tensor other) => Binary(this, other, BinaryKind.Add);

    /// <summary>this + alpha * other, broadcasting.</summary>
    public Tensor Add(Tensor other, double alpha) => alpha == 1 ? Add(other) : Add(other.Mul(alpha));

    /// <summary>this + value.</summary>
    public Tensor Add(double value) => Binary(this, ScalarLike(value), BinaryKind.Add);

    /// <summary>this − other, broadcasting.</summary>
    public Tensor Sub(Tensor other) => Binary(this, other, BinaryKind.Sub);

    /// <summary>this − value.</summary>
    public Tensor Sub(double value) => Binary(this, ScalarLike(value), BinaryKind.Sub);

    /// <summary>this × other, elementwise with broadcasting.</summary>
    public Tensor Mul(Tensor other) => Binary(this, other, BinaryKind.Mul);

    /// <summary>this × value.</summary>
    public Tensor Mul(double value) => Binary(this, ScalarLike(value), BinaryKind.Mul);

    /// <summary>this ÷ other (true division: integer inputs give float32).</summary>
    public Tensor Div(Tensor other) => Binary(this, other, BinaryKind.Div);

    /// <summary>this ÷ value.</summary>
    public Tensor Div(double value) => Binary(this, ScalarLike(value), BinaryKind.Div);

    /// <summary>this raised to other, elementwise with broadcasting.</summary>
    public Tensor Pow(Tensor exponent) => Binary(this, exponent, BinaryKind.Pow);

    /// <summary>this raised to a scalar power.</summary>
    public Tensor Pow(double exponent) => Unary(UnaryKind.PowScalar, "PowBackward", exponent);

    /// <summary>Elementwise maximum (NaN propagates; ties split the gradient).</summary>
    public Tensor Maximum(Tensor other) => Binary(this, other, BinaryKind.Maximum);

    /// <summary>Elementwise minimum (NaN propagates; ties split the gradient).</summary>
    public Tensor Minimum(Tensor other) => Binary(this, other, BinaryKind.Minimum);

    /// <summary>Sum of a and b.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);

    /// <summary>Sum of a and a scalar.</summary>
    public static Tensor operator +(Tensor a, double b) => a.Add(b);

    /// <summary>Sum of a scalar and b.</summary>
    public static Tensor operator +(double a, Tensor b) => b.Add(a);

    /// <summary>Difference of a and b.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);

    /// <summary>a minus a scalar.</summary>
    public static Tensor operator -(Tensor a, double b) => a.Sub(b);

    /// <summary>A scalar minus b.</summary>
    public static Tensor operator -(double a, Tensor b) => Binary(b.ScalarLike(a), b, BinaryKind.Sub);

    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();

    /// <summary>Elementwise product.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);

    /// <summary>Product with a scalar.</summary>
    public static Tensor operator *(Tensor a, double b) => a.Mul(b);

    /// <summary>Product with a scalar.</summary>
    public static Tensor operator *(double a, Tensor b) => b.Mul(a);

    /// <summary>Elementwise quotient.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);

    /// <summary>Quotient by a scalar.</summary>
    public static Tensor operator /(Tensor a, double b) => a.Div(b);

    /// <summary>A scalar divided elementwise by b.</summary>
    public static Tensor operator /(double a, Tensor b) => Binary(b.ScalarLike(a), b, BinaryKind.Div);

    // A 0-d tensor for a scalar operand: same dtype as this, except a fractional value with an integer tensor gives float32.
    private Tensor ScalarLike(double value)
    {
        DType dt = DType.IsFloatingPoint() ? DType : (value == Math.Floor(value) && DType == DType.Int64 ? DType.Int64 : DType.Float32);
        if (DType == DType.Bool)
            dt = value == Math.Floor(value) ? DType.Int64 : DType.Float32;
        return Scalar(value, dt);
    }

    private static DType ResultType(Tensor a, Tensor b, BinaryKind kind)
    {
        // A 0-d float operand does not widen a float tensor (x * 0.5 stays float32), as in PyTorch.
        DType dt;
        if (a.Rank == 0 && b.Rank != 0 && a.DType.IsFloatingPoint() && b.DType.IsFloatingPoint()) dt = b.DType;
        else if (b.Rank == 0 && a.Rank != 0 && a.DType.IsFloatingPoint() && b.DType.IsFloatingPoint()) dt = a.DType;
        else dt = DTypes.Promote(a.DType, b.DType);
        if (dt == DType.Bool)
            dt = DType.Int64;
        if (kind is BinaryKind.Div or BinaryKind.Pow && !dt.IsFloatingPoint())
            dt = DType.Float32;
        return dt;
    }

    private static Tensor Binary(Tensor a, Tensor b, BinaryKind kind)
    {
        DType dt = ResultType(a, b, kind);
        a = a.To(dt);
        b = b.To(dt);
        var result = Empty(ShapeUtil.Broadcast(a.Sh, b.Sh, kind.ToString().ToLowerInvariant()), dt);
        RunBinary(kind, a, b, result);
        if (Recording(a, b))
            AttachBinaryBackward(kind, a, b, result);
        return result;
    }

    /// <summary>dst = a (op) b with a, b broadcast to dst's shape; dst may be a itself (in-place).</summary>
    private static void RunBinary(BinaryKind kind, Tensor a, Tensor b, Tensor dst)
    {
        int[] sa = ShapeUtil.BroadcastStrides(a.Sh, a.St, dst.Sh), sb = ShapeUtil.BroadcastStrides(b.Sh, b.St, dst.Sh);
        switch (dst.DType)
        {
            case DType.Float32: RunBinaryNumeric<float>(kind, a, sa, b, sb, dst); break;
            case DType.Float64: RunBinaryNumeric<double>(kind, a, sa, b, sb, dst); break;
            case DType.BFloat16 or DType.Float16:
            {
                // 16-bit operands: the float32 kernel on converted copies, then one rounding into dst (which may be a).
                var a32 = a.Detach().To(DType.Float32);
                var b32 = b.Detach().To(DType.Float32);
                var d32 = Empty((int[])dst.Sh.Clone(), DType.Float32);
                RunBinaryNumeric<float>(kind, a32, ShapeUtil.BroadcastStrides(a32.Sh, a32.St, dst.Sh), b32, ShapeUtil.BroadcastStrides(b32.Sh, b32.St, dst.Sh), d32);
                dst.CopyRaw(d32);
                break;
            }
            case DType.Int64:
                if (kind == BinaryKind.Pow)
                    throw new NotSupportedException("pow: int64 tensors are not supported; convert to a floating dtype.");
                RunBinaryInteger(kind, a, sa, b, sb, dst);
                break;
            default:
                throw new NotSupportedException($"{kind}: not supported for {dst.DType.Name()} tensors.");
        }
    }

    private static void RunBinaryNumeric<T>(BinaryKind kind, Tensor a, int[] sa, Tensor b, int[] sb, Tensor dst)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        T[] x = a.Data<T>(), y = b.Data<T>(), d = dst.Data<T>();
        switch (kind)
        {
            case BinaryKind.Add: Elementwise.Binary(new AddOp<T>(), x, sa, a.Off, y, sb, b.Off, dst.Sh, d, dst.St, dst.Off); break;
            case BinaryKind.Sub: Elementwise.Binary(new SubOp<T>(), x, sa, a.Off, y, sb, b.Off, dst.Sh, d, dst.St, dst.Off); break;
            case BinaryKind.Mul: Elementwise.Binary(new MulOp<T>(), x, sa, a.Off, y, sb, b.Off, dst.Sh, d, dst.St, dst.Off); break;
            case BinaryKind.Div: Elementwise.Binary(new DivOp<T>(), x, sa, a.Off, y, sb, b.Off, dst.Sh, d, dst.St, dst.Off); break;
            case BinaryKind.Pow: Elementwise.Binary(new PowOp<T>(), x, sa, a.Off, y, sb, b.Off, dst.Sh, d, dst.St, dst.Off); break;
            case BinaryKind.Maximum: Elementwise.Binary(new MaximumOp<T>(), x, sa, a.Off, y, sb, b.Off, dst.Sh, d, dst.St, dst.Off); break;
            case BinaryKind.Minimum: Elementwise.Binary(new MinimumOp<T>(), x, sa, a.Off, y, sb, b.Off, dst.Sh, d, dst.St, dst.Off); break;
        }
    }

    private static void RunBinaryInteger(BinaryKind kind, Tensor a, int[] sa, Tensor b, int[] sb, Tensor dst)
    {
        long[] x = a.Data<long>(), y = b.Data<long>(), d = dst.Data<long>();
        switch (kind)
        {
            case BinaryKind.Add: Elementwise.Binary(new AddOp<long>(), x, sa, a.Off, y, sb, b.Off, dst.Sh, d, dst.St, dst.Off); break;
            case BinaryKind.Sub: Elementwise.Binary(new SubOp<long>(), x, sa, a.Off, y, sb, b.Off, dst.Sh, d, dst.St, dst.Off); break;
            case BinaryKind.Mul: Elementwise.Binary(new MulOp<long>(), x, sa, a.Off, y, sb, b.Off, dst.Sh, d, dst.St, dst.Off); break;
            case BinaryKind.Div: Elementwise.Binary(new DivOp<long>(), x, sa, a.Off, y, sb, b.Off, dst.Sh, d, dst.St, dst.Off); break;
            case BinaryKind.Maximum: Elementwise.Binary(new MaximumOp<long>(), x, sa, a.Off, y, sb, b.Off, dst.Sh, d, dst.St, dst.Off); break;
            case BinaryKind.Minimum: Elementwise.Binary(new MinimumOp<long>(), x, sa, a.Off, y, sb, b.Off, dst.Sh, d, dst.St, dst.Off); break;
        }
    }

    // The backward rules of the binary primitives. Gradients of broadcast operands are summed back to their shapes.
    private static void AttachBinaryBackward(BinaryKind kind, Tensor a, Tensor b, Tensor result)
    {
        int[] sa = a.Sh, sb = b.Sh;
        bool ga = a.RequiresGrad, gb = b.RequiresGrad;
        switch (kind)
        {
            case BinaryKind.Add:
                result.SetGradFn("AddBackward", [a, b], [], g => [ga ? g.SumToShape(sa) : null, gb ? g.SumToShape(sb) : null]);
                break;
            case BinaryKind.Sub:
                result.SetGradFn("SubBackward", [a, b], [], g => [ga ? g.SumToShape(sa) : null, gb ? g.Neg().SumToShape(sb) : null]);
                break;
            case BinaryKind.Mul:
                result.SetGradFn("MulBackward", [a, b], [a, b], g => [ga ? (g * b).SumToShape(sa) : null, gb ? (g * a).SumToShape(sb) : null]);
                break;
            case BinaryKind.Div:
                result.SetGradFn("DivBackward", [a, b], [a, b], g => [ga ? (g / b).SumToShape(sa) : null, gb ? (-g * a / (b * b)).SumToShape(sb) : null]);
                break;
            case BinaryKind.Pow:
                result.SetGradFn("PowBackward", [a, b], [a, b, result], g =>
                {
                    Tensor? da = ga ? (g * b * a.Pow(b - 1)).SumToShape(sa) : null;
                    // d/db a^b = a^b log a; defined as 0 where a == 0 (the limit for b > 0), as PyTorch does.
                    Tensor? db = gb ? Where(a.Eq(0), ZerosLike(result), g * result * a.Log()).SumToShape(sb) : null;
                    return [da, db];
                });
                break;
            case BinaryKind.Maximum:
            case BinaryKind.Minimum:
                result.SetGradFn(kind + "Backward", [a, b], [a, b], g =>
                {
                    // The winner takes the gradient; on ties each side gets half.
                    var aWins = (kind == BinaryKind.Maximum ? a.Gt(b) : a.Lt(b)).To(g.DType);
                    var tie = a.Eq(b).To(g.DType) * 0.5;
                    var wa = aWins + tie;
                    return [ga ? (g * wa).SumToShape(sa) : null, gb ? (g * (1.0 - wa)).SumToShape(sb) : null];
                });
                break;
        }
    }

    /// <summary>Sums this tensor down to a shape it was broadcast from (the gradient of broadcasting).</summary>
    internal Tensor SumToShape(int[] shape)
    {
        if (ShapeUtil.SameShape(Sh, shape))
            return this;
        int lead = Rank - shape.Length;
        var dims = new List<int>();
        for (int i = 0; i < Rank; i++)
            if (i < lead || (shape[i - lead] == 1 && Sh[i] != 1))
                dims.Add(i);
        var summed = dims.Count > 0 ? Sum(dims.ToArray(), keepDim: true) : this;
        return summed.Reshape(shape);
    }

    // ---- In-place arithmetic ----

    /// <summary>this += alpha * other, in place (other broadcasts to this tensor's shape).</summary>
    public Tensor AddInPlace(Tensor other, double alpha = 1) => InPlace(other, alpha == 1 ? BinaryKind.Add : BinaryKind.Add, alpha);

    /// <summary>this -= other, in place.</summary>
    public Tensor SubInPlace(Tensor other) => InPlace(other, BinaryKind.Sub, 1);

    /// <summary>this *= other, in place.</summary>
    public Tensor MulInPlace(Tensor other) => InPlace(other, BinaryKind.Mul, 1);

    /// <summary>this *= value, in place.</summary>
    public Tensor MulInPlace(double value) => InPlace(ScalarLike(value), BinaryKind.Mul, 1);

    /// <summary>this /= other, in place.</summary>
    public Tensor DivInPlace(Tensor other) => InPlace(other, BinaryKind.Div, 1);

    /// <summary>this += value, in place.</summary>
    public Tensor AddInPlace(double value) => InPlace(ScalarLike(value), BinaryKind.Add, 1);

    private Tensor InPlace(Tensor other, BinaryKind kind, double alpha)
    {
        if (alpha != 1)
            other = other.Mul(alpha);
        if (!ShapeUtil.SameShape(ShapeUtil.Broadcast(Sh, other.Sh, kind.ToString().ToLowerInvariant() + "_"), Sh))
            throw new ArgumentException($"{kind.ToString().ToLowerInvariant()}_: the result shape {ShapeUtil.Format(ShapeUtil.Broadcast(Sh, other.Sh, kind.ToString()))} does not fit the in-place target {ShapeUtil.Format(Sh)}.");
        // Mul/Div/Pow/Maximum/Minimum save their first operand for backward: record on a copy of the old value,
        // or the write below would overwrite a saved tensor (PyTorch saves the original self likewise).
        if (Recording(this, other))
            return AssignFromRecorded(Binary(kind is BinaryKind.Add or BinaryKind.Sub ? this : Clone(), other, kind));
        CheckWritable();
        var o = other.DType == DType ? other : other.To(DType);
        if (ReferenceEquals(o.Storage, Storage) && (o.Off != Off || !o.St.AsSpan().SequenceEqual(St)))
            o = o.Clone();
        RunBinary(kind, this, o, this);
        GC.KeepAlive(o);
        Storage.Version++;
        return this;
    }

    // An in-place op under autograd: the value is computed out of place with its graph, copied in, and
    // this tensor takes over the result's node, so later uses see the new value and its history.
    private Tensor AssignFromRecorded(Tensor result)
    {
        if (IsLeaf && RequiresGrad)
            throw new InvalidOperationException("In-place operation on a leaf tensor that requires grad; wrap it in Tensor.NoGrad() (as optimizers do) or use the out-of-place op.");
        if (ViewBase is not null && (ViewBase.RequiresGrad || RequiresGrad))
            throw new InvalidOperationException("In-place operation on a view of a tensor that requires grad is not supported; use the out-of-place op.");
        CopyRaw(result.Detach());
        Storage.Version++;
        GradFnNode = result.GradFnNode;
        return this;
    }

    private void CheckWritable()
    {
        if (GradMode.IsEnabled && IsLeaf && _requiresGrad)
            throw new InvalidOperationException("In-place operation on a leaf tensor that requires grad; wrap it in Tensor.NoGrad() (as optimizers do) or use the out-of-place op.");
    }

    /// <summary>Copies <paramref name="src"/> (broadcast and converted) into this tensor's elements, in place.</summary>
    public Tensor CopyFrom(Tensor src)
    {
        ShapeUtil.Broadcast(src.Sh, Sh, "copy_");
        if (Recording(src) || (GradMode.IsEnabled && RequiresGrad && !IsLeaf))
            return AssignFromRecorded(src.Expand(Sh).To(DType).Add(ZerosLike(this).Detach()));
        CheckWritable();
        CopyRaw(src);
        Storage.Version++;
        return this;
    }

    /// <summary>Sets every element to <paramref name="value"/>, in place.</summary>
    public Tensor FillInPlace(double value)
    {
        CheckWritable();
        FillRaw(value);
        Storage.Version++;
        GradFnNode = null;
        return this;
    }

    /// <summary>Sets every element to zero, in place.</summary>
    public Tensor ZeroInPlace() => FillInPlace(0);
}
