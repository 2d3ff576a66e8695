namespace Polymath;

public sealed partial class Tensor
{
    /// <summary>−x.</summary>
    public Tensor Neg() => DType == DType.Int64 ? Binary(ScalarLike(0), this, BinaryKind.Sub) : Unary(UnaryKind.Neg, "NegBackward");

    /// <summary>|x| (gradient sign(x), 0 at 0).</summary>
    public Tensor Abs() => DType == DType.Int64 ? Maximum(Neg()) : Unary(UnaryKind.Abs, "AbsBackward");

    /// <summary>sign(x) ∈ {−1, 0, 1} (gradient 0).</summary>
    public Tensor Sign() => Unary(UnaryKind.Sign, "SignBackward");

    /// <summary>eˣ.</summary>
    public Tensor Exp() => Unary(UnaryKind.Exp, "ExpBackward");

    /// <summary>Natural logarithm.</summary>
    public Tensor Log() => Unary(UnaryKind.Log, "LogBackward");

    /// <summary>Square root.</summary>
    public Tensor Sqrt() => Unary(UnaryKind.Sqrt, "SqrtBackward");

    /// <summary>1/√x (composed: reciprocal of sqrt).</summary>
    public Tensor Rsqrt() => Sqrt().Reciprocal();

    /// <summary>1/x.</summary>
    public Tensor Reciprocal() => Unary(UnaryKind.Reciprocal, "ReciprocalBackward");

    /// <summary>x² (composed).</summary>
    public Tensor Square() => Mul(this);

    /// <summary>Sine.</summary>
    public Tensor Sin() => Unary(UnaryKind.Sin, "SinBackward");

    /// <summary>Cosine.</summary>
    public Tensor Cos() => Unary(UnaryKind.Cos, "CosBackward");

    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() => Unary(UnaryKind.Tanh, "TanhBackward");

    /// <summary>Logistic sigmoid 1/(1+e⁻ˣ).</summary>
    public Tensor Sigmoid() => Unary(UnaryKind.Sigmoid, "SigmoidBackward");

    /// <summary>max(x, 0) (gradient 0 at 0, as PyTorch).</summary>
    public Tensor Relu() => Unary(UnaryKind.Relu, "ReluBackward");

    /// <summary>x for x &gt; 0, slope·x otherwise.</summary>
    public Tensor LeakyRelu(double negativeSlope = 0.01) => Unary(UnaryKind.LeakyRelu, "LeakyReluBackward", negativeSlope);

    /// <summary>GELU: x·Φ(x) with the exact erf form, or the tanh approximation when <paramref name="approximate"/> is "tanh".</summary>
    /// <exception cref="ArgumentException">approximate is neither "none" nor "tanh".</exception>
    public Tensor Gelu(string approximate = "none") => approximate switch
    {
        "none" => Unary(UnaryKind.GeluErf, "GeluBackward"),
        "tanh" => Unary(UnaryKind.GeluTanh, "GeluBackward"),
        _ => throw new ArgumentException($"gelu: approximate must be \"none\" or \"tanh\", got \"{approximate}\"."),
    };

    /// <summary>SiLU (swish): x·sigmoid(x).</summary>
    public Tensor Silu() => Unary(UnaryKind.Silu, "SiluBackward");

    /// <summary>log(1 + e^(βx))/β, linear above the threshold (as PyTorch).</summary>
    public Tensor Softplus(double beta = 1, double threshold = 20) => Unary(UnaryKind.Softplus, "SoftplusBackward", beta, threshold);

    /// <summary>The error function.</summary>
    public Tensor Erf() => Unary(UnaryKind.Erf, "ErfBackward");

    /// <summary>Clamps into [min, max] (either bound may be omitted); gradient 1 inside, 0 outside.</summary>
    public Tensor Clamp(double? min = null, double? max = null)
    {
        if (min is null && max is null)
            throw new ArgumentException("clamp: at least one of min and max must be given.");
        double lo = min ?? double.NegativeInfinity, hi = max ?? double.PositiveInfinity;
        if (!DType.IsFloatingPoint())
            return Maximum(ScalarLike(Math.Max(lo, long.MinValue))).Minimum(ScalarLike(Math.Min(hi, long.MaxValue)));
        return Unary(UnaryKind.Clamp, "ClampBackward", lo, hi);
    }

    /// <summary>Clamps in place.</summary>
    public Tensor ClampInPlace(double? min = null, double? max = null) => ApplyInPlace(InPlaceSource().Clamp(min, max));

    /// <summary>ReLU in place.</summary>
    public Tensor ReluInPlace() => ApplyInPlace(InPlaceSource().Relu());

    // The operand of an in-place unary op: under autograd a copy, since the op saves its input and the write would overwrite it.
    private Tensor InPlaceSource() => Recording(this) ? Clone() : this;

    private Tensor ApplyInPlace(Tensor computed)
    {
        if (computed.GradFnNode is not null)
            return AssignFromRecorded(computed);
        CheckWritable();
        CopyRaw(computed);
        Storage.Version++;
        return this;
    }

    // The unary primitive: one kernel per kind; backward is grad * f'(x), computed by UnaryBackwardFn.
    private Tensor Unary(UnaryKind kind, string name, double p0 = 0, double p1 = 0)
    {
        if (DType.IsLowPrecision())
            return UnaryLowPrecision(kind, name, p0, p1);
        var x = DType.HasKernels() ? this : To(DType.Float32);
        var result = Empty((int[])x.Sh.Clone(), x.DType);
        if (x.DType == DType.Float32)
            Elementwise.Unary(new UnaryFn<float>(kind, p0, p1), x.Data<float>(), x.Sh, x.St, x.Off, result.Data<float>(), result.St, 0);
        else
            Elementwise.Unary(new UnaryFn<double>(kind, p0, p1), x.Data<double>(), x.Sh, x.St, x.Off, result.Data<double>(), result.St, 0);
        if (Recording(x))
        {
            // Save only what the derivative reads, so an in-place write to the other one stays legal (as in PyTorch).
            bool usesOutput = kind is UnaryKind.Exp or UnaryKind.Sqrt or UnaryKind.Reciprocal or UnaryKind.Tanh or UnaryKind.Sigmoid;
            Tensor[] saved = kind == UnaryKind.Neg ? [] : usesOutput ? [result] : [x];
            result.SetGradFn(name, [x], saved, g => [UnaryGrad(kind, p0, p1, x, result, g)]);
        }
        return result;
    }

    // A 16-bit input: the float32 kernel on a converted copy, the result rounded back. The graph saves the 16-bit
    // tensors (half the activation memory) and the backward converts them to float32 again for the derivative.
    private Tensor UnaryLowPrecision(UnaryKind kind, string name, double p0, double p1)
    {
        Tensor result;
        using (NoGrad())
            result = Detach().To(DType.Float32).Unary(kind, name, p0, p1).To(DType);
        if (Recording(this))
        {
            var x = this;
            bool usesOutput = kind is UnaryKind.Exp or UnaryKind.Sqrt or UnaryKind.Reciprocal or UnaryKind.Tanh or UnaryKind.Sigmoid;
            Tensor[] saved = kind == UnaryKind.Neg ? [] : usesOutput ? [result] : [x];
            var y = result;
            result.SetGradFn(name, [x], saved, g =>
            {
                var x32 = x.Detach().To(DType.Float32);
                var y32 = y.Detach().To(DType.Float32);
                return [UnaryGrad(kind, p0, p1, x32, y32, g.To(DType.Float32)).To(x.DType)];
            });
        }
        return result;
    }

    private static Tensor UnaryGrad(UnaryKind kind, double p0, double p1, Tensor x, Tensor y, Tensor g)
    {
        x = x.Contiguous();
        g = g.To(x.DType).Contiguous();
        var d = Empty((int[])x.Sh.Clone(), x.DType);
        int n = (int)x.Numel;
        if (x.DType == DType.Float32)
            RunUnaryGrad(new UnaryBackwardFn<float>(new UnaryFn<float>(kind, p0, p1), kind), x.Data<float>(), x.Off, y.Data<float>(), y.Off, g.Data<float>(), g.Off, d.Data<float>(), n);
        else
            RunUnaryGrad(new UnaryBackwardFn<double>(new UnaryFn<double>(kind, p0, p1), kind), x.Data<double>(), x.Off, y.Data<double>(), y.Off, g.Data<double>(), g.Off, d.Data<double>(), n);
        GC.KeepAlive(x); // contiguous copies' pooled arrays must outlive the kernel
        GC.KeepAlive(y);
        GC.KeepAlive(g);
        return d;
    }

    private static void RunUnaryGrad<T>(UnaryBackwardFn<T> fn, T[] x, int xo, T[] y, int yo, T[] g, int go, T[] d, int n)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Threads.For(n, 1 << 15, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
        {
            int len = (int)(e - s);
            fn.Apply(x.AsSpan(xo + (int)s, len), y.AsSpan(yo + (int)s, len), g.AsSpan(go + (int)s, len), d.AsSpan((int)s, len));
        });
    }

    // ---- Comparisons and selection (not differentiable themselves) ----

    /// <summary>this == other, elementwise (bool).</summary>
    public Tensor Eq(Tensor other) => Compare(this, other, CompareKind.Eq);

    /// <summary>this == value (bool).</summary>
    public Tensor Eq(double value) => Compare(this, ScalarLike(value), CompareKind.Eq);

    /// <summary>this != other (bool).</summary>
    public Tensor Ne(Tensor other) => Compare(this, other, CompareKind.Ne);

    /// <summary>this != value (bool).</summary>
    public Tensor Ne(double value) => Compare(this, ScalarLike(value), CompareKind.Ne);

    /// <summary>this &lt; other (bool).</summary>
    public Tensor Lt(Tensor other) => Compare(this, other, CompareKind.Lt);

    /// <summary>this &lt; value (bool).</summary>
    public Tensor Lt(double value) => Compare(this, ScalarLike(value), CompareKind.Lt);

    /// <summary>this &lt;= other (bool).</summary>
    public Tensor Le(Tensor other) => Compare(this, other, CompareKind.Le);

    /// <summary>this &lt;= value (bool).</summary>
    public Tensor Le(double value) => Compare(this, ScalarLike(value), CompareKind.Le);

    /// <summary>this &gt; other (bool).</summary>
    public Tensor Gt(Tensor other) => Compare(this, other, CompareKind.Gt);

    /// <summary>this &gt; value (bool).</summary>
    public Tensor Gt(double value) => Compare(this, ScalarLike(value), CompareKind.Gt);

    /// <summary>this &gt;= other (bool).</summary>
    public Tensor Ge(Tensor other) => Compare(this, other, CompareKind.Ge);

    /// <summary>this &gt;= value (bool).</summary>
    public Tensor Ge(double value) => Compare(this, ScalarLike(value), CompareKind.Ge);

    /// <summary>Logical not of a bool tensor (or x == 0 for numbers).</summary>
    public Tensor LogicalNot() => Eq(0);

    /// <summary>Logical and (nonzero is true).</summary>
    public Tensor LogicalAnd(Tensor other) => Ne(0).To(DType.Int64).Mul(other.Ne(0).To(DType.Int64)).Ne(0);

    /// <summary>Logical or (nonzero is true).</summary>
    public Tensor LogicalOr(Tensor other) => Ne(0).To(DType.Int64).Add(other.Ne(0).To(DType.Int64)).Ne(0);

    /// <summary>True when every element is nonzero.</summary>
    public bool All() => Ne(0).ToArray<bool>().All(v => v);

    /// <summary>True when some element is nonzero.</summary>
    public bool Any() => Ne(0).ToArray<bool>().Any(v => v);

    /// <summary>True when both tensors have the same shape and all elements are within atol + rtol·|other|.</summary>
    public bool AllClose(Tensor other, double rtol = 1e-5, double atol = 1e-8)
    {
        if (!ShapeUtil.SameShape(Sh, other.Sh))
            return false;
        var a = ToDoubleArray();
        var b = other.ToDoubleArray();
        for (int i = 0; i < a.Length; i++)
        {
            if (double.IsNaN(a[i]) || double.IsNaN(b[i]))
                return false;
            if (Math.Abs(a[i] - b[i]) > atol + rtol * Math.Abs(b[i]))
                return false;
        }
        return true;
    }

    private enum CompareKind { Eq, Ne, Lt, Le, Gt, Ge }

    private static Tensor Compare(Tensor a, Tensor b, CompareKind kind)
    {
        DType dt = DTypes.Promote(a.DType, b.DType);
        a = a.Detach().To(dt);
        b = b.Detach().To(dt);
        var result = Empty(ShapeUtil.Broadcast(a.Sh, b.Sh, kind.ToString().ToLowerInvariant()), DType.Bool);
        switch (dt)
        {
            case DType.Float32: CompareLoop<float>(a, b, result, kind); break;
            case DType.Float64: CompareLoop<double>(a, b, result, kind); break;
            case DType.Int64: CompareLoop<long>(a, b, result, kind); break;
            case DType.BFloat16 or DType.Float16: CompareLoop<float>(a.To(DType.Float32), b.To(DType.Float32), result, kind); break;
            default: CompareLoop<long>(a.To(DType.Int64), b.To(DType.Int64), result, kind); break;
        }
        GC.KeepAlive(a); // converted copies' pooled arrays must outlive the kernel
        GC.KeepAlive(b);
        return result;
    }

    private static void CompareLoop<T>(Tensor a, Tensor b, Tensor dst, CompareKind kind) where T : unmanaged, System.Numerics.INumber<T>
    {
        var layout = new StridedLayout(dst.Sh, [ShapeUtil.BroadcastStrides(a.Sh, a.St, dst.Sh), ShapeUtil.BroadcastStrides(b.Sh, b.St, dst.Sh), dst.St], [a.Off, b.Off, 0]);
        if (dst.Numel == 0)
            return;
        T[] x = a.Data<T>(), y = b.Data<T>();
        bool[] d = dst.Data<bool>();
        int n = layout.Inner, sa = layout.InnerStride(0), sb = layout.InnerStride(1), sd = layout.InnerStride(2);
        Threads.For(layout.Rows, Math.Max(1, 16384 / Math.Max(1, n)), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
        {
            for (long r = s; r < e; r++)
            {
                int ao = layout.RowOffset(0, r), bo = layout.RowOffset(1, r), dof = layout.RowOffset(2, r);
                for (int i = 0; i < n; i++)
                {
                    T u = x[ao + i * sa], v = y[bo + i * sb];
                    d[dof + i * sd] = kind switch
                    {
                        CompareKind.Eq => u == v,
                        CompareKind.Ne => u != v,
                        CompareKind.Lt => u < v,
                        CompareKind.Le => u <= v,
                        CompareKind.Gt => u > v,
                        _ => u >= v,
                    };
                }
            }
        });
    }

    /// <summary>Elementwise select: a where condition is true, else b (all three broadcast).</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        if (condition.DType != DType.Bool)
            condition = condition.Ne(0);
        DType dt = DTypes.Promote(a.DType, b.DType);
        a = a.To(dt);
        b = b.To(dt);
        var shape = ShapeUtil.Broadcast(ShapeUtil.Broadcast(a.Sh, b.Sh, "where"), condition.Sh, "where");
        var result = Empty(shape, dt);
        switch (dt)
        {
            case DType.Float32: WhereLoop<float>(condition, a, b, result); break;
            case DType.Float64: WhereLoop<double>(condition, a, b, result); break;
            case DType.Int64: WhereLoop<long>(condition, a, b, result); break;
            case DType.BFloat16: WhereLoop<BFloat16>(condition, a, b, result); break;
            case DType.Float16: WhereLoop<Half>(condition, a, b, result); break;
            default: WhereLoop<bool>(condition, a, b, result); break;
        }
        GC.KeepAlive(condition);
        if (Recording(a, b))
        {
            int[] sa = a.Sh, sb = b.Sh;
            bool ga = a.RequiresGrad, gb = b.RequiresGrad;
            result.SetGradFn("WhereBackward", [a, b], [], g =>
            {
                var zero = Scalar(0, g.DType);
                return [ga ? Where(condition, g, zero).SumToShape(sa) : null, gb ? Where(condition, zero, g).SumToShape(sb) : null];
            });
        }
        return result;
    }

    /// <summary>Where with a scalar for the false branch.</summary>
    public static Tensor Where(Tensor condition, Tensor a, double b) => Where(condition, a, a.ScalarLike(b));

    private static void WhereLoop<T>(Tensor c, Tensor a, Tensor b, Tensor dst) where T : unmanaged
    {
        if (dst.Numel == 0)
            return;
        var layout = new StridedLayout(dst.Sh, [ShapeUtil.BroadcastStrides(c.Sh, c.St, dst.Sh), ShapeUtil.BroadcastStrides(a.Sh, a.St, dst.Sh),
            ShapeUtil.BroadcastStrides(b.Sh, b.St, dst.Sh), dst.St], [c.Off, a.Off, b.Off, 0]);
        bool[] cd = c.Data<bool>();
        T[] x = a.Data<T>(), y = b.Data<T>(), d = dst.Data<T>();
        int n = layout.Inner, sc = layout.InnerStride(0), sa = layout.InnerStride(1), sb = layout.InnerStride(2), sd = layout.InnerStride(3);
        Threads.For(layout.Rows, Math.Max(1, 16384 / Math.Max(1, n)), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
        {
            for (long r = s; r < e; r++)
            {
                int co = layout.RowOffset(0, r), ao = layout.RowOffset(1, r), bo = layout.RowOffset(2, r), dof = layout.RowOffset(3, r);
                for (int i = 0; i < n; i++)
                    d[dof + i * sd] = cd[co + i * sc] ? x[ao + i * sa] : y[bo + i * sb];
            }
        });
    }

    /// <summary>A copy with <paramref name="value"/> where <paramref name="mask"/> (bool, broadcastable) is true.</summary>
    public Tensor MaskedFill(Tensor mask, double value)
    {
        if (mask.DType != DType.Bool)
            throw new ArgumentException($"masked_fill: mask must be bool, got {mask.DType.Name()}.");
        ShapeUtil.Broadcast(Sh, mask.Sh, "masked_fill");
        var r = Where(mask, ScalarLike(value).To(DType), this);
        return ShapeUtil.SameShape(r.Sh, Sh) ? r : throw new ArgumentException($"masked_fill: mask {ShapeUtil.Format(mask.Sh)} would broadcast the tensor {ShapeUtil.Format(Sh)} to {ShapeUtil.Format(r.Sh)}.");
    }

    /// <summary>Fills with <paramref name="value"/> where <paramref name="mask"/> is true, in place.</summary>
    public Tensor MaskedFillInPlace(Tensor mask, double value) => ApplyInPlace(MaskedFill(mask, value));
}
