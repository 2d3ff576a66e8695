using System.Security.Cryptography;

namespace Polymath.Hub.Client;

/// <summary>
/// Local cache of downloaded files, named by SHA-256 (<c>ROOT/ab/cdef…</c>): a file is fetched once however many
/// versions or checkouts hold it, and a cached copy is used only after its hash was checked on the way in.
/// </summary>
public static class BlobCache
{
    /// <summary>
    /// $POLYMATH_HUB_CACHE, else $XDG_CACHE_HOME/polymath/hub/blobs, else ~/.cache/polymath/hub/blobs.
    /// </summary>
    public static string DefaultRoot()
    {
        string? explicitRoot = Environment.GetEnvironmentVariable("POLYMATH_HUB_CACHE");
        if (!string.IsNullOrEmpty(explicitRoot))
            return explicitRoot;
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string baseDir = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(baseDir, "polymath", "hub", "blobs");
    }

    /// <summary>Where a blob is cached under <paramref name="root"/>.</summary>
    public static string PathOf(string root, string sha256) => Path.Combine(root, sha256[..2], sha256[2..]);

    /// <summary>SHA-256 of a file, in lower-case hex.</summary>
    public static async Task<string> HashFileAsync(string path, CancellationToken cancel)
    {
        await using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(s, cancel));
    }
}
