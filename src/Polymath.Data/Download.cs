using System.Security.Cryptography;

namespace Polymath.Data;

/// <summary>A file of a known data set: its name, where to get it, and its SHA-256.</summary>
/// <param name="FileName">Name of the file in the data set's folder.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file.</param>
/// <param name="Urls">Mirrors to try in order.</param>
public sealed record RemoteFile(string FileName, string Sha256, IReadOnlyList<string> Urls);

/// <summary>Downloads files and checks them against their SHA-256 before they appear under their final name.</summary>
public static class Downloader
{
    private static readonly Lazy<HttpClient> Http = new(() => new HttpClient { Timeout = TimeSpan.FromMinutes(10) });

    /// <summary>
    /// Makes sure <paramref name="file"/> is in <paramref name="folder"/>: a file already there with the right
    /// checksum is kept; otherwise each mirror is tried in turn, downloading to a temporary file in the same folder,
    /// verifying its SHA-256 and then renaming it into place (a failed or interrupted download never leaves a
    /// partial file under the final name).
    /// </summary>
    /// <returns>The path of the verified file.</returns>
    /// <exception cref="IOException">Every mirror failed or served a file with the wrong checksum; the message lists each attempt.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static async Task<string> EnsureAsync(RemoteFile file, string folder, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(folder);
        string target = Path.Combine(folder, file.FileName);
        if (File.Exists(target) && string.Equals(await Sha256OfAsync(target, cancellationToken), file.Sha256, StringComparison.OrdinalIgnoreCase))
            return target;
        var failures = new List<string>();
        foreach (string url in file.Urls)
        {
            string tmp = Path.Combine(folder, $".{file.FileName}.{Guid.NewGuid():N}.download");
            try
            {
                progress?.Report($"downloading {url}");
                using (var response = await Http.Value.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken))
                {
                    response.EnsureSuccessStatusCode();
                    await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                    await using var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                    await body.CopyToAsync(fs, cancellationToken);
                    await fs.FlushAsync(cancellationToken);
                    fs.Flush(flushToDisk: true);
                }
                string actual = await Sha256OfAsync(tmp, cancellationToken);
                if (!string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    failures.Add($"{url}: SHA-256 {actual}, expected {file.Sha256}");
                    continue;
                }
                File.Move(tmp, target, overwrite: true);
                progress?.Report($"verified {target}");
                return target;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                failures.Add($"{url}: {e.Message}");
            }
            finally
            {
                if (File.Exists(tmp)) File.Delete(tmp);
            }
        }
        throw new IOException($"Could not download {file.FileName} into {folder}:\n  " + string.Join("\n  ", failures));
    }

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static async Task<string> Sha256OfAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(fs, cancellationToken));
    }

    /// <summary>Lower-case hex SHA-256 of a file (synchronous).</summary>
    public static string Sha256Of(string path)
    {
        using var fs = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(fs));
    }

    /// <summary>
    /// Throws a <see cref="FileNotFoundException"/> listing every file of <paramref name="files"/> missing from
    /// <paramref name="folder"/>, with how to get them.
    /// </summary>
    /// <exception cref="FileNotFoundException">At least one file is missing.</exception>
    public static void RequireFiles(string dataset, string folder, IEnumerable<RemoteFile> files, string downloadHint)
    {
        var missing = files.Where(f => !File.Exists(Path.Combine(folder, f.FileName))).ToList();
        if (missing.Count == 0)
            return;
        throw new FileNotFoundException(
            $"{dataset}: {missing.Count} file(s) missing from {Path.GetFullPath(folder)}: {string.Join(", ", missing.Select(m => m.FileName))}. " +
            $"Get them with {downloadHint}, or download them yourself from {string.Join(" or ", missing[0].Urls.Select(u => u[..(u.LastIndexOf('/') + 1)]).Distinct())} " +
            "and put them in that folder.",
            Path.Combine(folder, missing[0].FileName));
    }
}
