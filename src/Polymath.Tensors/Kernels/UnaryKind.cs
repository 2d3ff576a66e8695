using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Polymath.Kernels;

/// <summary>The elementwise functions of one operand that have kernels.</summary>
internal enum UnaryKind
{
    Neg, Abs, Sign, Exp, Log, Sqrt, Reciprocal, Sin, Cos, Tanh, Sigmoid, Relu, LeakyRelu,
    GeluErf, GeluTanh, Silu, Softplus, Erf, Clamp, PowScalar,
}

/// <summary>
/// One unary kernel, parameterised by kind and up to two scalars (slope, bounds, exponent, beta/threshold).
/// Span forms are vectorised through System.Numerics.Tensors; composite ones work in L1-sized chunks.
/// </summary>
internal readonly struct UnaryFn<T>(UnaryKind kind, double p0 = 0, double p1 = 0) : IUnaryOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    internal const int Chunk = 512;
    internal const double SqrtTwoOverPi = 0.7978845608028654;
    internal const double GeluCubic = 0.044715;

    public T Apply(T x)
    {
        double v = double.CreateTruncating(x);
        return kind switch
        {
            UnaryKind.Neg => -x,
            UnaryKind.Abs => T.Abs(x),
            UnaryKind.Sign => T.IsNaN(x) ? x : T.CreateTruncating(T.Sign(x)),
            UnaryKind.Exp => T.Exp(x),
            UnaryKind.Log => T.Log(x),
            UnaryKind.Sqrt => T.Sqrt(x),
            UnaryKind.Reciprocal => T.One / x,
            UnaryKind.Sin => T.Sin(x),
            UnaryKind.Cos => T.Cos(x),
            UnaryKind.Tanh => T.Tanh(x),
            UnaryKind.Sigmoid => T.One / (T.One + T.Exp(-x)),
            UnaryKind.Relu => x > T.Zero ? x : (T.IsNaN(x) ? x : T.Zero),
            UnaryKind.LeakyRelu => x > T.Zero ? x : x * T.CreateTruncating(p0),
            UnaryKind.GeluErf => T.CreateTruncating(0.5 * v * (1.0 + SpecialFunctions.Erf(v / Math.Sqrt(2.0)))),
            UnaryKind.GeluTanh => T.CreateTruncating(0.5 * v * (1.0 + Math.Tanh(SqrtTwoOverPi * (v + GeluCubic * v * v * v)))),
            UnaryKind.Silu => x / (T.One + T.Exp(-x)),
            UnaryKind.Softplus => v * p0 > p1 ? x : T.CreateTruncating(Math.Log(1.0 + Math.Exp(v * p0)) / p0),
            UnaryKind.Erf => T.CreateTruncating(SpecialFunctions.Erf(v)),
            UnaryKind.Clamp => T.IsNaN(x) ? x : T.Min(T.Max(x, T.CreateTruncating(p0)), T.CreateTruncating(p1)),
            UnaryKind.PowScalar => T.Pow(x, T.CreateTruncating(p0)),
            _ => throw new InvalidOperationException(kind.ToString()),
        };
    }

    public void Apply(ReadOnlySpan<T> x, Span<T> d)
    {
        switch (kind)
        {
            case UnaryKind.Neg: TensorPrimitives.Negate(x, d); return;
            case UnaryKind.Abs: TensorPrimitives.Abs(x, d); return;
            case UnaryKind.Exp:
                if (typeof(T) == typeof(float))
                    FastExp.Exp(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(d));
                else
                    TensorPrimitives.Exp(x, d);
                return;
            case UnaryKind.Log: TensorPrimitives.Log(x, d); return;
            case UnaryKind.Sqrt: TensorPrimitives.Sqrt(x, d); return;
            case UnaryKind.Reciprocal: TensorPrimitives.Divide(T.One, x, d); return;
            case UnaryKind.Sin: TensorPrimitives.Sin(x, d); return;
            case UnaryKind.Cos: TensorPrimitives.Cos(x, d); return;
            case UnaryKind.Tanh: TensorPrimitives.Tanh(x, d); return;
            case UnaryKind.Sigmoid: TensorPrimitives.Sigmoid(x, d); return;
            case UnaryKind.Relu: TensorPrimitives.Max(x, T.Zero, d); return;
            case UnaryKind.Clamp:
                TensorPrimitives.Max(x, T.CreateTruncating(p0), d);
                TensorPrimitives.Min(d, T.CreateTruncating(p1), d);
                return;
            case UnaryKind.PowScalar: new PowOp<T>().Apply(x, T.CreateTruncating(p0), d); return;
            case UnaryKind.Silu:
            {
                Span<T> t = stackalloc T[Chunk];
                for (int i = 0; i < x.Length; i += Chunk)
                {
                    int n = Math.Min(Chunk, x.Length - i);
                    TensorPrimitives.Sigmoid(x.Slice(i, n), t[..n]);
                    TensorPrimitives.Multiply(x.Slice(i, n), t[..n], d.Slice(i, n));
                }
                return;
            }
            case UnaryKind.GeluErf when typeof(T) == typeof(float):
                GeluErfFloat.Forward(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(d));
                return;
            case UnaryKind.GeluTanh:
            {
                // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
                Span<T> t = stackalloc T[Chunk];
                T c = T.CreateTruncating(SqrtTwoOverPi), cc = T.CreateTruncating(SqrtTwoOverPi * GeluCubic), half = T.CreateTruncating(0.5);
                for (int i = 0; i < x.Length; i += Chunk)
                {
                    int n = Math.Min(Chunk, x.Length - i);
                    var xs = x.Slice(i, n);
                    var ts = t[..n];
                    TensorPrimitives.Multiply(xs, xs, ts);
                    TensorPrimitives.Multiply(ts, cc, ts);
                    TensorPrimitives.Add(ts, c, ts);
                    TensorPrimitives.Multiply(ts, xs, ts);
                    TensorPrimitives.Tanh(ts, ts);
                    TensorPrimitives.Multiply(ts, half, ts);
                    TensorPrimitives.Add(ts, half, ts);
                    TensorPrimitives.Multiply(ts, xs, d.Slice(i, n));
                }
                return;
            }
            default:
                for (int i = 0; i < x.Length; i++)
                    d[i] = Apply(x[i]);
                return;
        }
    }

    /// <summary>d f / d x at x (y = f(x) is given too, for the functions whose derivative is cheaper from it).</summary>
    public T Derivative(T x, T y)
    {
        double v = double.CreateTruncating(x);
        return kind switch
        {
            UnaryKind.Neg => -T.One,
            UnaryKind.Abs => T.IsNaN(x) ? x : T.CreateTruncating(T.Sign(x)),
            UnaryKind.Sign => T.Zero,
            UnaryKind.Exp => y,
            UnaryKind.Log => T.One / x,
            UnaryKind.Sqrt => T.CreateTruncating(0.5) / y,
            UnaryKind.Reciprocal => -y * y,
            UnaryKind.Sin => T.Cos(x),
            UnaryKind.Cos => -T.Sin(x),
            UnaryKind.Tanh => T.One - y * y,
            UnaryKind.Sigmoid => y * (T.One - y),
            UnaryKind.Relu => x > T.Zero ? T.One : T.Zero,
            UnaryKind.LeakyRelu => x > T.Zero ? T.One : T.CreateTruncating(p0),
            UnaryKind.GeluErf => T.CreateTruncating(0.5 * (1.0 + SpecialFunctions.Erf(v / Math.Sqrt(2.0))) + v * Math.Exp(-0.5 * v * v) / Math.Sqrt(2.0 * Math.PI)),
            UnaryKind.GeluTanh => GeluTanhDerivative(v),
            UnaryKind.Silu => SiluDerivative(x),
            UnaryKind.Softplus => v * p0 > p1 ? T.One : T.CreateTruncating(1.0 / (1.0 + Math.Exp(-v * p0))),
            UnaryKind.Erf => T.CreateTruncating(1.1283791670955126 * Math.Exp(-v * v)),
            UnaryKind.Clamp => v >= p0 && v <= p1 ? T.One : T.Zero,
            UnaryKind.PowScalar => p0 == 0 ? T.Zero : T.CreateTruncating(p0) * T.Pow(x, T.CreateTruncating(p0 - 1)),
            _ => throw new InvalidOperationException(kind.ToString()),
        };
    }

    private static T GeluTanhDerivative(double v)
    {
        double inner = SqrtTwoOverPi * (v + GeluCubic * v * v * v);
        double t = Math.Tanh(inner);
        double dInner = SqrtTwoOverPi * (1.0 + 3.0 * GeluCubic * v * v);
        return T.CreateTruncating(0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * dInner);
    }

    private static T SiluDerivative(T x)
    {
        T s = T.One / (T.One + T.Exp(-x));
        return s * (T.One + x * (T.One - s));
    }
}

/// <summary>grad_in = grad_out * f'(x): the backward of a <see cref="UnaryFn{T}"/>. Operands: a = x, b = grad_out; y is read by index.</summary>
internal readonly struct UnaryBackwardFn<T>(UnaryFn<T> fn, UnaryKind kind) where T : unmanaged, IFloatingPointIeee754<T>
{
    public void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> d)
    {
        switch (kind)
        {
            case UnaryKind.Exp: TensorPrimitives.Multiply(g, y, d); return;
            case UnaryKind.Neg: TensorPrimitives.Negate(g, d); return;
            case UnaryKind.Tanh:
                // g * (1 - y^2)
                TensorPrimitives.Multiply(y, y, d);
                TensorPrimitives.Subtract(T.One, d, d);
                TensorPrimitives.Multiply(d, g, d);
                return;
            case UnaryKind.Sigmoid:
                // g * y * (1 - y)
                TensorPrimitives.Subtract(T.One, y, d);
                TensorPrimitives.Multiply(d, y, d);
                TensorPrimitives.Multiply(d, g, d);
                return;
            case UnaryKind.GeluErf when typeof(T) == typeof(float):
                GeluErfFloat.Backward(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(g), MemoryMarshal.Cast<T, float>(d));
                return;
            case UnaryKind.GeluTanh:
            {
                // g · [0.5 (1 + t) + 0.5 x (1 − t²) · c (1 + 3k x²)], t = tanh(c (x + k x³)), in vector passes over chunks.
                Span<T> t = stackalloc T[UnaryFn<T>.Chunk];
                Span<T> u = stackalloc T[UnaryFn<T>.Chunk];
                T c = T.CreateTruncating(UnaryFn<T>.SqrtTwoOverPi), ck = T.CreateTruncating(UnaryFn<T>.SqrtTwoOverPi * UnaryFn<T>.GeluCubic);
                T three = T.CreateTruncating(3.0), half = T.CreateTruncating(0.5);
                for (int i = 0; i < d.Length; i += UnaryFn<T>.Chunk)
                {
                    int n = Math.Min(UnaryFn<T>.Chunk, d.Length - i);
                    var xs = x.Slice(i, n);
                    var ts = t[..n];
                    var us = u[..n];
                    TensorPrimitives.Multiply(xs, xs, us);                 // x²
                    TensorPrimitives.Multiply(us, ck, ts);
                    TensorPrimitives.Add(ts, c, ts);                       // c + ck x²
                    TensorPrimitives.Multiply(ts, xs, ts);                 // inner = c x + ck x³
                    TensorPrimitives.Tanh(ts, ts);                         // t
                    TensorPrimitives.Multiply(us, three * ck, us);
                    TensorPrimitives.Add(us, c, us);                       // d inner / dx = c + 3 ck x²
                    TensorPrimitives.Multiply(us, xs, us);                 // x · inner'
                    var ds = d.Slice(i, n);
                    TensorPrimitives.Multiply(ts, ts, ds);                 // t²
                    TensorPrimitives.Subtract(T.One, ds, ds);              // 1 − t²
                    TensorPrimitives.Multiply(ds, us, ds);                 // x inner' (1 − t²)
                    TensorPrimitives.Add(ds, ts, ds);                      // + t
                    TensorPrimitives.Add(ds, T.One, ds);                   // + 1
                    TensorPrimitives.Multiply(ds, half, ds);               // · 0.5
                    TensorPrimitives.Multiply(ds, g.Slice(i, n), ds);      // · g
                }
                return;
            }
            case UnaryKind.Relu:
            {
                // d = g where x > 0, else 0: one compare and one blend per vector.
                int i = 0;
                if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
                {
                    for (; i <= d.Length - Vector512<T>.Count; i += Vector512<T>.Count)
                    {
                        var xv = Vector512.Create(x.Slice(i, Vector512<T>.Count));
                        var gv = Vector512.Create(g.Slice(i, Vector512<T>.Count));
                        Vector512.ConditionalSelect(Vector512.GreaterThan(xv, Vector512<T>.Zero), gv, Vector512<T>.Zero).CopyTo(d.Slice(i));
                    }
                }
                for (; i < d.Length; i++)
                    d[i] = x[i] > T.Zero ? g[i] : T.Zero;
                return;
            }
            default:
                for (int i = 0; i < d.Length; i++)
                    d[i] = g[i] * fn.Derivative(x[i], y.IsEmpty ? T.Zero : y[i]);
                return;
        }
    }
}
