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
}

/// <summary>Helpers for <see cref="DType"/>.</summary>
public static class DTypes
{
    /// <summary>True for Float32 and Float64: the types autograd can differentiate.</summary>
    public static bool IsFloatingPoint(this DType dtype) => dtype is DType.Float32 or DType.Float64;

    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this DType dtype) => dtype switch
    {
        DType.Bool => 1,
        DType.Int64 => 8,
        DType.Float32 => 4,
        DType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>The type both operands of a binary op are converted to (Bool &lt; Int64 &lt; Float32 &lt; Float64).</summary>
    public static DType Promote(DType a, DType b) => (DType)Math.Max((int)a, (int)b);

    /// <summary>Lower-case name as PyTorch prints it.</summary>
    public static string Name(this DType dtype) => dtype switch
    {
        DType.Bool => "bool",
        DType.Int64 => "int64",
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        _ => dtype.ToString(),
    };

    internal static DType Of<T>()
    {
        if (typeof(T) == typeof(float)) return DType.Float32;
        if (typeof(T) == typeof(double)) return DType.Float64;
        if (typeof(T) == typeof(long)) return DType.Int64;
        if (typeof(T) == typeof(bool)) return DType.Bool;
        throw new NotSupportedException($"Element type {typeof(T).Name} is not a tensor dtype (use float, double, long or bool).");
    }
}
