using System.Globalization;

namespace Polymath;

/// <summary>
/// A bfloat16 number: the upper 16 bits of an IEEE float32 (1 sign, 8 exponent, 7 mantissa bits), so it has
/// float32's range with about three significant decimal digits. Stored as its raw bits; arithmetic happens in
/// float32 after conversion. Conversion from float rounds to nearest, ties to even, and keeps NaN a NaN.
/// </summary>
public readonly struct BFloat16 : IEquatable<BFloat16>
{
    /// <summary>The raw bits.</summary>
    public readonly ushort Bits;

    private BFloat16(ushort bits) => Bits = bits;

    /// <summary>The value with the given raw bits.</summary>
    public static BFloat16 FromBits(ushort bits) => new(bits);

    /// <summary>Rounds a float32 to the nearest bfloat16 (ties to even; NaN stays NaN, quieted).</summary>
    public static explicit operator BFloat16(float value) => new(LowPrecision.FloatToBFloat16Bits(value));

    /// <summary>Rounds a float64 to bfloat16 (through float32, as PyTorch does).</summary>
    public static explicit operator BFloat16(double value) => (BFloat16)(float)value;

    /// <summary>The exact float32 value.</summary>
    public static implicit operator float(BFloat16 value) => BitConverter.Int32BitsToSingle(value.Bits << 16);

    /// <summary>The exact float64 value.</summary>
    public static explicit operator double(BFloat16 value) => (float)value;

    /// <summary>True for NaN.</summary>
    public static bool IsNaN(BFloat16 value) => (value.Bits & 0x7FFF) > 0x7F80;

    /// <inheritdoc/>
    public bool Equals(BFloat16 other) => Bits == other.Bits;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BFloat16 b && Equals(b);

    /// <inheritdoc/>
    public override int GetHashCode() => Bits;

    /// <summary>The value printed as its float32 equivalent.</summary>
    public override string ToString() => ((float)this).ToString(CultureInfo.InvariantCulture);
}
