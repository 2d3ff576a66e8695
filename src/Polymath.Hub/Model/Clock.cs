using System.Globalization;

namespace Polymath.Hub.Model;

/// <summary>Timestamps as stored: UTC, ISO 8601 with 7 fractional digits, so text order is time order on every backend.</summary>
internal static class Clock
{
    /// <summary>Now, formatted for storage.</summary>
    public static string Now() => Format(DateTimeOffset.UtcNow);

    /// <summary>A time formatted for storage.</summary>
    public static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A stored time read back.</summary>
    public static DateTimeOffset Parse(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
