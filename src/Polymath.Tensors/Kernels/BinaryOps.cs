using System.Numerics;
using System.Numerics.Tensors;

namespace Polymath.Kernels;

// Arithmetic as IBinaryOp structs; span forms use System.Numerics.Tensors' vectorised primitives.

internal struct AddOp<T> : IBinaryOp<T> where T : unmanaged, INumber<T>
{
    public readonly T Apply(T a, T b) => a + b;
    public readonly void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Add(a, b, d);
    public readonly void Apply(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Add(a, b, d);
    public readonly void Apply(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Add(b, a, d);
}

internal struct SubOp<T> : IBinaryOp<T> where T : unmanaged, INumber<T>
{
    public readonly T Apply(T a, T b) => a - b;
    public readonly void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Subtract(a, b, d);
    public readonly void Apply(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Subtract(a, b, d);
    public readonly void Apply(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Subtract(a, b, d);
}

internal struct MulOp<T> : IBinaryOp<T> where T : unmanaged, INumber<T>
{
    public readonly T Apply(T a, T b) => a * b;
    public readonly void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Multiply(a, b, d);
    public readonly void Apply(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Multiply(a, b, d);
    public readonly void Apply(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Multiply(b, a, d);
}

internal struct DivOp<T> : IBinaryOp<T> where T : unmanaged, INumber<T>
{
    public readonly T Apply(T a, T b) => a / b;
    public readonly void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Divide(a, b, d);
    public readonly void Apply(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Divide(a, b, d);
    public readonly void Apply(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Divide(a, b, d);
}

internal struct PowOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly T Apply(T a, T b) => T.Pow(a, b);
    public readonly void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Pow(a, b, d);
    public readonly void Apply(ReadOnlySpan<T> a, T b, Span<T> d)
    {
        // x^2 and x^0.5 are common (variance, norms); the generic Pow is much slower than these.
        if (b == T.CreateTruncating(2)) TensorPrimitives.Multiply(a, a, d);
        else if (b == T.One) a.CopyTo(d);
        else if (b == T.CreateTruncating(0.5)) TensorPrimitives.Sqrt(a, d);
        else TensorPrimitives.Pow(a, b, d);
    }
    public readonly void Apply(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Pow(a, b, d);
}

internal struct MaximumOp<T> : IBinaryOp<T> where T : unmanaged, INumber<T>
{
    public readonly T Apply(T a, T b) => T.IsNaN(a) || T.IsNaN(b) ? a + b : (a > b ? a : b);
    public readonly void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Max(a, b, d);
    public readonly void Apply(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Max(a, b, d);
    public readonly void Apply(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Max(b, a, d);
}

internal struct MinimumOp<T> : IBinaryOp<T> where T : unmanaged, INumber<T>
{
    public readonly T Apply(T a, T b) => T.IsNaN(a) || T.IsNaN(b) ? a + b : (a < b ? a : b);
    public readonly void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Min(a, b, d);
    public readonly void Apply(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Min(a, b, d);
    public readonly void Apply(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Min(b, a, d);
}

/// <summary>Any scalar function of two operands, with no vector form (for gradients of rarer ops).</summary>
internal readonly struct LambdaBinaryOp<T>(Func<T, T, T> f) : IBinaryOp<T> where T : unmanaged
{
    public T Apply(T a, T b) => f(a, b);
    public void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) { for (int i = 0; i < d.Length; i++) d[i] = f(a[i], b[i]); }
    public void Apply(ReadOnlySpan<T> a, T b, Span<T> d) { for (int i = 0; i < d.Length; i++) d[i] = f(a[i], b); }
    public void Apply(T a, ReadOnlySpan<T> b, Span<T> d) { for (int i = 0; i < d.Length; i++) d[i] = f(a, b[i]); }
}
