namespace Polymath;

/// <summary>Element type of a tensor.</summary>
public enum DType
{
    /// <summary>Boolean (masks, comparison results).</summary>
    Bool,
    /// <summary>64-bit signed integer (indices, labels).</summary>
    Int64,
    /// <summary>32-bit IEEE float, the default for new tensors.</summary>
    Float32,
    /// <summary>64-bit IEEE float, used for reference checks.</summary>
    Float64,
    /// <summary>bfloat16 (8-bit exponent, 7-bit mantissa): float32's range at half the memory; see <see cref="Polymath.BFloat16"/>.</summary>
    BFloat16,
    /// <summary>IEEE binary16 half precision (<see cref="System.Half"/>): 5-bit exponent, range ±65504.</summary>
    Float16,
}

/// <summary>Helpers for <see cref="DType"/>.</summary>
public static class DTypes
{
    /// <summary>True for the floating types (Float32, Float64, BFloat16, Float16): the types autograd can differentiate.</summary>
    public static bool IsFloatingPoint(this DType dtype) => dtype is DType.Float32 or DType.Float64 or DType.BFloat16 or DType.Float16;

    /// <summary>True for the 16-bit floating types, which are stored in 16 bits and computed in float32.</summary>
    public static bool IsLowPrecision(this DType dtype) => dtype is DType.BFloat16 or DType.Float16;

    /// <summary>True for Float32 and Float64, the types the compute kernels run in (16-bit types convert to float32 first).</summary>
    internal static bool HasKernels(this DType dtype) => dtype is DType.Float32 or DType.Float64;

    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this DType dtype) => dtype switch
    {
        DType.Bool => 1,
        DType.Int64 => 8,
        DType.Float32 => 4,
        DType.Float64 => 8,
        DType.BFloat16 => 2,
        DType.Float16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>
    /// The type both operands of a binary op are converted to, as PyTorch: Bool &lt; Int64 &lt; {BFloat16, Float16} &lt;
    /// Float32 &lt; Float64, and BFloat16 with Float16 gives Float32 (neither holds the other).
    /// </summary>
    public static DType Promote(DType a, DType b)
    {
        if (a == b)
            return a;
        if ((a, b) is (DType.BFloat16, DType.Float16) or (DType.Float16, DType.BFloat16))
            return DType.Float32;
        return Rank(a) >= Rank(b) ? a : b;
    }

    private static int Rank(DType dtype) => dtype switch
    {
        DType.Bool => 0,
        DType.Int64 => 1,
        DType.BFloat16 or DType.Float16 => 2,
        DType.Float32 => 3,
        DType.Float64 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>Lower-case name as PyTorch prints it.</summary>
    public static string Name(this DType dtype) => dtype switch
    {
        DType.Bool => "bool",
        DType.Int64 => "int64",
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        DType.BFloat16 => "bfloat16",
        DType.Float16 => "float16",
        _ => dtype.ToString(),
    };

    internal static DType Of<T>()
    {
        if (typeof(T) == typeof(float)) return DType.Float32;
        if (typeof(T) == typeof(double)) return DType.Float64;
        if (typeof(T) == typeof(long)) return DType.Int64;
        if (typeof(T) == typeof(bool)) return DType.Bool;
        if (typeof(T) == typeof(BFloat16)) return DType.BFloat16;
        if (typeof(T) == typeof(Half)) return DType.Float16;
        throw new NotSupportedException($"Element type {typeof(T).Name} is not a tensor dtype (use float, double, long, bool, BFloat16 or Half).");
    }
}
