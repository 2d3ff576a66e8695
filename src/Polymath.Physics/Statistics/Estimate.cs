using System.Globalization;

namespace Polymath.Physics;

/// <summary>A measured value with its one-standard-deviation statistical error.</summary>
/// <param name="Value">The estimate.</param>
/// <param name="Error">Its standard error (≥ 0).</param>
public readonly record struct Estimate(double Value, double Error)
{
    /// <summary>How many error bars <paramref name="reference"/> lies from <see cref="Value"/> (∞ when the error is 0 and they differ).</summary>
    public double Deviations(double reference) =>
        Value == reference ? 0 : Error > 0 ? Math.Abs(Value - reference) / Error : double.PositiveInfinity;

    /// <summary>"value ± error" with <paramref name="digits"/> decimals.</summary>
    public string ToString(int digits) =>
        string.Create(CultureInfo.InvariantCulture, $"{Value.ToString("F" + digits, CultureInfo.InvariantCulture)} ± {Error.ToString("F" + digits, CultureInfo.InvariantCulture)}");

    /// <inheritdoc />
    public override string ToString() => ToString(5);
}
