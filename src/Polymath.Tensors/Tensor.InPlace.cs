namespace Polymath;

public sealed partial class Tensor
{
    /// <summary>eˣ in place.</summary>
    public Tensor ExpInPlace() => UnaryInPlace(UnaryKind.Exp, "ExpBackward");

    /// <summary>Natural logarithm in place.</summary>
    public Tensor LogInPlace() => UnaryInPlace(UnaryKind.Log, "LogBackward");

    /// <summary>Square root in place.</summary>
    public Tensor SqrtInPlace() => UnaryInPlace(UnaryKind.Sqrt, "SqrtBackward");

    /// <summary>Negation in place.</summary>
    public Tensor NegInPlace() => UnaryInPlace(UnaryKind.Neg, "NegBackward");

    /// <summary>Absolute value in place.</summary>
    public Tensor AbsInPlace() => UnaryInPlace(UnaryKind.Abs, "AbsBackward");

    /// <summary>tanh in place.</summary>
    public Tensor TanhInPlace() => UnaryInPlace(UnaryKind.Tanh, "TanhBackward");

    /// <summary>Sigmoid in place.</summary>
    public Tensor SigmoidInPlace() => UnaryInPlace(UnaryKind.Sigmoid, "SigmoidBackward");

    /// <summary>Raises to a scalar power in place.</summary>
    public Tensor PowInPlace(double exponent) => UnaryInPlace(UnaryKind.PowScalar, "PowBackward", exponent);

    // Without autograd the kernel writes straight into this tensor's storage (no allocation); with autograd
    // the value is computed out of place from a copy (InPlaceSource), since log/abs/pow save their input
    // and the write below would overwrite it.
    private Tensor UnaryInPlace(UnaryKind kind, string name, double p0 = 0, double p1 = 0)
    {
        if (!DType.IsFloatingPoint())
            throw new NotSupportedException($"{name.Replace("Backward", "").ToLowerInvariant()}_: in-place math needs a floating tensor, this one is {DType.Name()}.");
        if (Recording(this))
            return AssignFromRecorded(InPlaceSource().Unary(kind, name, p0, p1));
        CheckWritable();
        if (DType.IsLowPrecision())
        {
            Tensor r;
            using (NoGrad())
                r = Detach().Unary(kind, name, p0, p1);
            CopyRaw(r);
        }
        else if (DType == DType.Float32)
            Elementwise.Unary(new UnaryFn<float>(kind, p0, p1), Data<float>(), Sh, St, Off, Data<float>(), St, Off);
        else
            Elementwise.Unary(new UnaryFn<double>(kind, p0, p1), Data<double>(), Sh, St, Off, Data<double>(), St, Off);
        Storage.Version++;
        return this;
    }
}
