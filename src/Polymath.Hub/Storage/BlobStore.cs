using System.Security.Cryptography;

namespace Polymath.Hub.Storage;

/// <summary>
/// Content-addressed files on local disk: <c>ROOT/blobs/ab/cdef…</c> named by the SHA-256 of their bytes.
/// The hash is computed here while the bytes stream in; a caller's claim about the content is never used.
/// Writes go to <c>ROOT/tmp</c>, are flushed to disk, then renamed into place, so a killed process leaves
/// either the whole blob or none.
/// </summary>
internal sealed class BlobStore
{
    private const int CopyBufferBytes = 1 << 16;
    private readonly string _blobs;

    public BlobStore(string root)
    {
        Root = Path.GetFullPath(root);
        _blobs = Path.Combine(Root, "blobs");
        TempDir = Path.Combine(Root, "tmp");
        Directory.CreateDirectory(_blobs);
        Directory.CreateDirectory(TempDir);
    }

    /// <summary>The folder that holds blobs/ and tmp/.</summary>
    public string Root { get; }

    /// <summary>Where partial files live before they are renamed into place.</summary>
    public string TempDir { get; }

    /// <summary>The file a blob with this hash is (or would be) stored in.</summary>
    public string PathOf(string sha256)
    {
        if (!IsHash(sha256))
            throw new ArgumentException($"'{sha256}' is not a lower-case hex SHA-256.", nameof(sha256));
        return Path.Combine(_blobs, sha256[..2], sha256[2..]);
    }

    /// <summary>Whether a blob with this hash is stored.</summary>
    public bool Exists(string sha256) => IsHash(sha256) && File.Exists(PathOf(sha256));

    /// <summary>Streams <paramref name="content"/> into the store; at most <paramref name="maxBytes"/> are accepted.</summary>
    /// <exception cref="BlobTooLargeException">the stream held more than <paramref name="maxBytes"/>; nothing is stored.</exception>
    public async Task<BlobInfo> WriteAsync(Stream content, long maxBytes, CancellationToken cancel)
    {
        string temp = NewTempPath();
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferBytes, FileOptions.Asynchronous))
            {
                var buffer = new byte[CopyBufferBytes];
                int n;
                while ((n = await content.ReadAsync(buffer, cancel)) > 0)
                {
                    size += n;
                    if (size > maxBytes)
                        throw new BlobTooLargeException(maxBytes);
                    hash.AppendData(buffer, 0, n);
                    await file.WriteAsync(buffer.AsMemory(0, n), cancel);
                }
                file.Flush(flushToDisk: true);
            }
            string sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            return new BlobInfo(sha, size, MoveIntoPlace(temp, sha));
        }
        finally
        {
            TryDelete(temp);
        }
    }

    /// <summary>Hashes a finished file (an upload's parts) and moves it into the store.</summary>
    public async Task<BlobInfo> AdoptAsync(string file, CancellationToken cancel)
    {
        var (sha, size) = await HashFileAsync(file, cancel);
        return new BlobInfo(sha, size, MoveIntoPlace(file, sha));
    }

    /// <summary>SHA-256 and length of a file, read in one streaming pass.</summary>
    public static async Task<(string Sha256, long Size)> HashFileAsync(string file, CancellationToken cancel)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBufferBytes, FileOptions.Asynchronous | FileOptions.SequentialScan);
        byte[] digest = await SHA256.HashDataAsync(stream, cancel);
        return (Convert.ToHexStringLower(digest), stream.Length);
    }

    /// <summary>Every stored blob's hash (read from the file names).</summary>
    public IEnumerable<string> EnumerateHashes()
    {
        foreach (var dir in Directory.EnumerateDirectories(_blobs))
        {
            string prefix = Path.GetFileName(dir);
            foreach (var file in Directory.EnumerateFiles(dir))
            {
                string sha = prefix + Path.GetFileName(file);
                if (IsHash(sha))
                    yield return sha;
            }
        }
    }

    /// <summary>Removes a blob; true when it was there.</summary>
    public bool Delete(string sha256)
    {
        string path = PathOf(sha256);
        if (!File.Exists(path))
            return false;
        File.Delete(path);
        return true;
    }

    /// <summary>A fresh file name under tmp/.</summary>
    public string NewTempPath() => Path.Combine(TempDir, $"{Guid.NewGuid():N}.tmp");

    /// <summary>Whether <paramref name="s"/> is 64 lower-case hex digits.</summary>
    public static bool IsHash(string? s) =>
        s is { Length: 64 } && s.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <summary>Renames a flushed file to its hash name; true when the blob was new (an existing one is kept: same bytes).</summary>
    private bool MoveIntoPlace(string file, string sha)
    {
        string final = PathOf(sha);
        if (File.Exists(final))
            return false;
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        try
        {
            File.Move(file, final, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(final))
        {
            return false; // another writer stored the same bytes first
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
