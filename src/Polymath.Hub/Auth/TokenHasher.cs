using System.Security.Cryptography;
using System.Text;

namespace Polymath.Hub.Auth;

/// <summary>
/// API tokens: 256 random bits, shown once, stored only as their SHA-256. A fast hash is enough here because the
/// secret is random and long (no dictionary to try); it keeps checking a token to one indexed lookup.
/// </summary>
internal static class TokenHasher
{
    /// <summary>Prefix that makes a leaked token easy to recognise in logs and by secret scanners.</summary>
    public const string Prefix = "pmh_";

    /// <summary>A new random token.</summary>
    public static string NewToken() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The value stored for a token.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>A short random id for rows that need one.</summary>
    public static string NewId() => Base64Url(RandomNumberGenerator.GetBytes(12));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
