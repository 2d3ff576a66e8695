namespace Polymath.Physics;

/// <summary>Temperature lists for scans.</summary>
public static class TemperatureGrid
{
    /// <summary><paramref name="count"/> evenly spaced temperatures from <paramref name="min"/> to <paramref name="max"/> inclusive (one point: min).</summary>
    /// <exception cref="ArgumentException">count below 1 (an empty range), min &gt; max, or a bound not positive and finite.</exception>
    public static IReadOnlyList<double> Linear(double min, double max, int count)
    {
        if (count < 1) throw new ArgumentException($"temperature range: {count} points is an empty range", nameof(count));
        if (!(min > 0) || !double.IsFinite(min) || !(max > 0) || !double.IsFinite(max))
            throw new ArgumentException($"temperature range: bounds must be positive and finite, got [{min}, {max}]", nameof(min));
        if (min > max) throw new ArgumentException($"temperature range: [{min}, {max}] is empty (min > max)", nameof(min));
        if (count == 1) return [min];
        return Enumerable.Range(0, count).Select(i => min + (max - min) * i / (count - 1)).ToArray();
    }
}
