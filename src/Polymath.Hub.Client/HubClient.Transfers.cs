using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace Polymath.Hub.Client;

public sealed partial class HubClient
{
    /// <summary>
    /// Uploads <paramref name="length"/> bytes of <paramref name="content"/> to a repository and returns the hub's hash.
    /// Small files go in one request; larger ones in a resumable session of <see cref="ChunkSize"/> chunks, each retried
    /// from the hub's recorded offset when a chunk fails (the content stream must then be seekable).
    /// </summary>
    public async Task<HubUpload> UploadAsync(string owner, string name, Stream content, long length, string label = "",
        IProgress<TransferProgress>? progress = null, CancellationToken cancel = default)
    {
        if (length <= ChunkSize)
        {
            using var body = new StreamContent(content);
            body.Headers.ContentLength = length;
            body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var response = await _http.PostAsync(RepoUrl(owner, name) + "/blobs", body, cancel);
            await EnsureOk(response, cancel);
            progress?.Report(new TransferProgress(label, length, length));
            return (await response.Content.ReadFromJsonAsync<HubUpload>(Json, cancel))!;
        }
        var session = await StartUploadAsync(owner, name, length, cancel);
        return await ResumeUploadAsync(session.Id, content, label, progress, cancel);
    }

    /// <summary>Uploads a local file (see <see cref="UploadAsync"/>).</summary>
    public async Task<HubUpload> UploadFileAsync(string owner, string name, string file, IProgress<TransferProgress>? progress = null, CancellationToken cancel = default)
    {
        await using var s = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return await UploadAsync(owner, name, s, s.Length, file, progress, cancel);
    }

    /// <summary>Opens a resumable upload session for a file of <paramref name="size"/> bytes.</summary>
    public Task<HubUpload> StartUploadAsync(string owner, string name, long size, CancellationToken cancel = default) =>
        SendAsync<HubUpload>(HttpMethod.Post, RepoUrl(owner, name) + "/uploads", new { size }, cancel);

    /// <summary>Where an upload session stands.</summary>
    public Task<HubUpload> GetUploadAsync(string id, CancellationToken cancel = default) => GetAsync<HubUpload>($"api/uploads/{Uri.EscapeDataString(id)}", cancel);

    /// <summary>Sends one chunk that starts at <paramref name="offset"/>; returns the session's new state.</summary>
    public async Task<HubUpload> SendChunkAsync(string id, long offset, ReadOnlyMemory<byte> chunk, CancellationToken cancel = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"api/uploads/{Uri.EscapeDataString(id)}") { Content = new ReadOnlyMemoryContent(chunk) };
        request.Headers.Add("Upload-Offset", Num(offset));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        using var response = await _http.SendAsync(request, cancel);
        await EnsureOk(response, cancel);
        return (await response.Content.ReadFromJsonAsync<HubUpload>(Json, cancel))!;
    }

    /// <summary>Asks the hub to hash and store a fully received upload.</summary>
    public Task<HubUpload> CompleteUploadAsync(string id, CancellationToken cancel = default) =>
        SendAsync<HubUpload>(HttpMethod.Post, $"api/uploads/{Uri.EscapeDataString(id)}/complete", null, cancel);

    /// <summary>
    /// Continues an upload session from the offset the hub has saved (after a dropped connection, a client restart or a
    /// server restart): <paramref name="content"/> holds the whole file and must be seekable.
    /// </summary>
    public async Task<HubUpload> ResumeUploadAsync(string id, Stream content, string label = "", IProgress<TransferProgress>? progress = null, CancellationToken cancel = default)
    {
        const int maxRetries = 5;
        var state = await GetUploadAsync(id, cancel);
        var buffer = new byte[ChunkSize];
        int failures = 0;
        while (state.Offset < state.Size)
        {
            if (content.CanSeek)
                content.Position = state.Offset;
            int want = (int)Math.Min(buffer.Length, state.Size - state.Offset);
            int got = await content.ReadAtLeastAsync(buffer.AsMemory(0, want), want, throwOnEndOfStream: false, cancel);
            if (got < want)
                throw new EndOfStreamException($"'{label}' ended at byte {state.Offset + got}, before the {state.Size} bytes declared for upload {id}.");
            try
            {
                state = await SendChunkAsync(id, state.Offset, buffer.AsMemory(0, got), cancel);
                failures = 0;
            }
            catch (Exception e) when (e is HttpRequestException or HubApiException { Status: 409 or >= 500 } && content.CanSeek && ++failures <= maxRetries)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * failures), cancel);
                state = await GetUploadAsync(id, cancel);
            }
            progress?.Report(new TransferProgress(label, state.Offset, state.Size));
        }
        return await CompleteUploadAsync(id, cancel);
    }

    /// <summary>
    /// Downloads a file of a version to <paramref name="destination"/> through the local cache: the bytes are hashed on
    /// the way in and must match the version's SHA-256; a file already cached is copied without a request for its bytes.
    /// </summary>
    public async Task<HubFile> DownloadFileAsync(string owner, string name, string? rev, string path, string destination,
        IProgress<TransferProgress>? progress = null, CancellationToken cancel = default)
    {
        var tree = await TreeAsync(owner, name, rev, path, cancel);
        var file = tree.Files.FirstOrDefault(f => f.Path == path)
            ?? throw new HubApiException(404, "Not found", $"'{path}' is not a file of {owner}/{name}@{rev ?? "main"}.");
        await FetchAsync(owner, name, tree.Commit, file, destination, progress, cancel);
        return file;
    }

    /// <summary>Opens a file of a version as a stream (not cached); the caller disposes it.</summary>
    public async Task<Stream> OpenFileAsync(string owner, string name, string? rev, string path, CancellationToken cancel = default)
    {
        var response = await _http.GetAsync(FileUrl(owner, name, path, rev), HttpCompletionOption.ResponseHeadersRead, cancel);
        try
        {
            await EnsureOk(response, cancel);
            return await response.Content.ReadAsStreamAsync(cancel);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The local path of a file of a version given as <c>hub://owner/name@rev/path</c>: the file in the local cache, named
    /// by its hash, downloaded (streamed and verified) only when it is not cached yet. Readers such as
    /// <c>Polymath.Data.Csv.Read</c> and the <c>DataLoader</c> then read it like any local file; do not modify it.
    /// </summary>
    public async Task<string> LocalPathAsync(string address, IProgress<TransferProgress>? progress = null, CancellationToken cancel = default)
    {
        var a = HubAddress.Parse(address);
        if (a.Path.Length == 0)
            throw new FormatException($"'{address}' names no file: add its path, hub://owner/name@rev/path.");
        var tree = await TreeAsync(a.Owner, a.Name, a.Revision, a.Path, cancel);
        var file = tree.Files.FirstOrDefault(f => f.Path == a.Path)
            ?? throw new HubApiException(404, "Not found", $"'{a.Path}' is not a file of {a.Owner}/{a.Name}@{a.Revision ?? "main"}.");
        return await EnsureCachedAsync(a.Owner, a.Name, tree.Commit, file, progress, cancel);
    }

    /// <summary>Puts a blob into the cache (downloading it unless already there) and copies it to <paramref name="destination"/>.</summary>
    private async Task FetchAsync(string owner, string name, string commit, HubFile file, string destination, IProgress<TransferProgress>? progress, CancellationToken cancel)
    {
        string cached = await EnsureCachedAsync(owner, name, commit, file, progress, cancel);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(destination));
        if (dir is not null) Directory.CreateDirectory(dir);
        string part = destination + ".part";
        File.Copy(cached, part, overwrite: true);
        File.Move(part, destination, overwrite: true);
    }

    /// <summary>The cached copy of a blob, downloaded (hash checked on the way in) when missing.</summary>
    private async Task<string> EnsureCachedAsync(string owner, string name, string commit, HubFile file, IProgress<TransferProgress>? progress, CancellationToken cancel)
    {
        string cached = BlobCache.PathOf(CacheDir, file.Sha256);
        if (!File.Exists(cached) || new FileInfo(cached).Length != file.Size)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
            string temp = cached + "." + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                using (var response = await _http.GetAsync(FileUrl(owner, name, file.Path, commit), HttpCompletionOption.ResponseHeadersRead, cancel))
                {
                    await EnsureOk(response, cancel);
                    await using var source = await response.Content.ReadAsStreamAsync(cancel);
                    await using var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
                    using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                    var buffer = new byte[1 << 16];
                    long done = 0;
                    int n;
                    while ((n = await source.ReadAsync(buffer, cancel)) > 0)
                    {
                        hash.AppendData(buffer, 0, n);
                        await target.WriteAsync(buffer.AsMemory(0, n), cancel);
                        done += n;
                        progress?.Report(new TransferProgress(file.Path, done, file.Size));
                    }
                    target.Flush(flushToDisk: true);
                    string actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                    if (actual != file.Sha256)
                        throw new InvalidDataException($"'{file.Path}' from {owner}/{name}@{commit[..12]} arrived with SHA-256 {actual}, not {file.Sha256}; nothing was kept.");
                }
                File.Move(temp, cached, overwrite: true);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }
        else
        {
            progress?.Report(new TransferProgress(file.Path, file.Size, file.Size));
        }
        return cached;
    }

    /// <summary>
    /// Makes a branch hold exactly the files under <paramref name="localDir"/>: uploads only files whose hash differs from
    /// the branch head, then commits with the head as parent (a concurrent writer makes this fail with 409, nothing written).
    /// Returns the new commit, or null when nothing changed.
    /// </summary>
    public async Task<HubCommit?> PushAsync(string owner, string name, string localDir, string branch, string message,
        IProgress<TransferProgress>? progress = null, CancellationToken cancel = default)
    {
        if (!Directory.Exists(localDir))
            throw new DirectoryNotFoundException($"push: folder '{localDir}' does not exist.");
        string? head = await BranchHeadAsync(owner, name, branch, cancel);
        var remote = head is null ? new Dictionary<string, HubFile>() : (await TreeAsync(owner, name, head, "", cancel)).Files.ToDictionary(f => f.Path);
        var local = Directory.EnumerateFiles(localDir, "*", SearchOption.AllDirectories)
            .Select(f => (Full: f, Rel: Path.GetRelativePath(localDir, f).Replace(Path.DirectorySeparatorChar, '/')))
            .OrderBy(f => f.Rel, StringComparer.Ordinal).ToList();
        var files = new List<HubCommitFile>();
        bool changed = false;
        foreach (var (full, rel) in local)
        {
            string sha = await BlobCache.HashFileAsync(full, cancel);
            if (remote.TryGetValue(rel, out var existing) && existing.Sha256 == sha)
            {
                files.Add(new HubCommitFile(rel, sha));
                continue;
            }
            var uploaded = await UploadFileAsync(owner, name, full, progress is null ? null : new Progress<TransferProgress>(p => progress.Report(p with { Path = rel })), cancel);
            files.Add(new HubCommitFile(rel, uploaded.Sha256!));
            changed = true;
        }
        if (!changed && files.Count == remote.Count && head is not null)
            return null;
        return await CommitAsync(owner, name, branch, head, message, files, replace: true, cancel: cancel);
    }

    /// <summary>Downloads a file or folder of a version into <paramref name="destDir"/>, through the local cache; returns the files written.</summary>
    public async Task<IReadOnlyList<HubFile>> PullAsync(string owner, string name, string? rev, string path, string destDir,
        IProgress<TransferProgress>? progress = null, CancellationToken cancel = default)
    {
        var tree = await TreeAsync(owner, name, rev, path, cancel);
        if (tree.Files.Count == 0)
            throw new HubApiException(404, "Not found", $"'{path}' holds no files in {owner}/{name}@{rev ?? "main"}.");
        string root = Path.GetFullPath(destDir);
        foreach (var f in tree.Files)
        {
            string relative = path.Length == 0 || f.Path == path ? (f.Path == path ? Path.GetFileName(f.Path) : f.Path) : f.Path[(path.Length + 1)..];
            string target = Path.GetFullPath(Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar)));
            if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new InvalidDataException($"'{f.Path}' would be written outside '{destDir}'; refused.");
            await FetchAsync(owner, name, tree.Commit, f, target, progress, cancel);
        }
        return tree.Files;
    }
}
