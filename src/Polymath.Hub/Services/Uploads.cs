using System.Collections.Concurrent;
using Polymath.Hub.Api;
using Polymath.Hub.Auth;
using Polymath.Hub.Data;
using Polymath.Hub.Model;
using Polymath.Hub.Storage;

namespace Polymath.Hub.Services;

/// <summary>
/// Resumable uploads. A session declares the file's size; chunks are appended at the offset the server has recorded
/// (a chunk at any other offset is refused with the current one, so a client resumes where the server is); each chunk
/// is flushed to disk before its new offset is committed to the database, so a restart resumes from the last chunk that
/// was saved. Completing hashes the assembled file (the client's hash is never asked for) and moves it into the blob store.
/// </summary>
internal sealed class Uploads(HubDatabase db, BlobStore blobs, string partsDir, long maxFileBytes)
{
    private const int CopyBufferBytes = 1 << 16;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new();

    /// <summary>Largest file the hub accepts.</summary>
    public long MaxFileBytes => maxFileBytes;

    /// <summary>Opens a session for a file of <paramref name="size"/> bytes.</summary>
    public async Task<UploadState> StartAsync(Caller caller, RepoRecord repo, long size, CancellationToken cancel)
    {
        if (size < 0 || size > maxFileBytes)
            throw HubException.BadRequest($"declared size {size} is outside 0..{maxFileBytes} bytes.");
        string id = TokenHasher.NewId();
        Directory.CreateDirectory(partsDir);
        await using (File.Create(PartPath(id))) { }
        await db.WriteAsync(async sql =>
        {
            await sql.ExecAsync("INSERT INTO uploads (id, repo_id, user_id, size, received, blob_hash, created, completed) VALUES (@i, @r, @u, @s, 0, NULL, @t, NULL)",
                ("i", id), ("r", repo.Id), ("u", caller.UserId), ("s", size), ("t", Clock.Now()));
            await Audit.AppendAsync(sql, caller, "upload.start", repo.FullName, new { id, size });
            return 0;
        }, cancel);
        return new UploadState(id, size, 0, null);
    }

    /// <summary>Where a session stands.</summary>
    /// <exception cref="HubException">404 when the session is unknown or belongs to someone else.</exception>
    public async Task<UploadState> GetAsync(Caller caller, string id, CancellationToken cancel)
    {
        var row = await Load(caller, id, cancel);
        return new UploadState(id, row.Size, row.Received, row.Blob);
    }

    /// <summary>The repository a session uploads into (for the access check before a chunk is accepted).</summary>
    public async Task<(string Owner, string Name)> RepoOfAsync(Caller caller, string id, CancellationToken cancel)
    {
        var row = await Load(caller, id, cancel);
        return (row.Owner, row.RepoName);
    }

    /// <summary>Appends a chunk that starts at <paramref name="offset"/>; returns the new offset.</summary>
    /// <exception cref="HubException">409 wrong offset (with the current one); 400 past the declared size; nothing is kept then.</exception>
    public async Task<UploadState> AppendAsync(Caller caller, string id, long offset, Stream chunk, CancellationToken cancel)
    {
        var gate = _locks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancel);
        try
        {
            var row = await Load(caller, id, cancel);
            if (row.Blob is not null)
                throw HubException.Conflict($"upload {id} is already complete; start a new one.");
            if (offset != row.Received)
                throw HubException.Conflict($"chunk offset {offset} does not match upload {id}'s current offset {row.Received}; resume from {row.Received}.",
                    new Dictionary<string, object?> { ["offset"] = row.Received });
            long room = row.Size - row.Received;
            long written = 0;
            await using (var file = new FileStream(PartPath(id), FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, CopyBufferBytes, FileOptions.Asynchronous))
            {
                // Bytes past the recorded offset are left from a chunk whose offset never reached the database: drop them.
                file.SetLength(row.Received);
                file.Position = row.Received;
                var buffer = new byte[CopyBufferBytes];
                int n;
                try
                {
                    while ((n = await chunk.ReadAsync(buffer, cancel)) > 0)
                    {
                        if (written + n > room)
                            throw HubException.BadRequest($"chunk at offset {offset} runs past the declared size of {row.Size} bytes; nothing of it was kept.");
                        await file.WriteAsync(buffer.AsMemory(0, n), cancel);
                        written += n;
                    }
                    file.Flush(flushToDisk: true);
                }
                catch
                {
                    file.SetLength(row.Received);
                    throw;
                }
            }
            long now = row.Received + written;
            await db.WriteAsync(sql => sql.ExecAsync("UPDATE uploads SET received = @n WHERE id = @i AND received = @o", ("n", now), ("i", id), ("o", row.Received)), cancel);
            return new UploadState(id, row.Size, now, null);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Checks the size, hashes the assembled file and stores it as a blob.</summary>
    /// <exception cref="HubException">400 when fewer bytes arrived than were declared.</exception>
    public async Task<UploadState> CompleteAsync(Caller caller, string id, CancellationToken cancel)
    {
        var gate = _locks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancel);
        try
        {
            var row = await Load(caller, id, cancel);
            if (row.Blob is not null)
                return new UploadState(id, row.Size, row.Received, row.Blob);
            if (row.Received != row.Size)
                throw HubException.BadRequest($"upload {id} declared {row.Size} bytes but {row.Received} arrived; send the rest from offset {row.Received}.");
            string part = PartPath(id);
            await using (var f = new FileStream(part, FileMode.Open, FileAccess.Write))
                f.SetLength(row.Received);
            var blob = await blobs.AdoptAsync(part, cancel);
            await RecordAsync(caller, id, row.RepoFullName, blob, cancel);
            return new UploadState(id, row.Size, row.Received, blob.Sha256);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Stores a whole file sent in one request (small files): a session opened and completed at once.</summary>
    public async Task<UploadState> PutWholeAsync(Caller caller, RepoRecord repo, Stream body, CancellationToken cancel)
    {
        BlobInfo blob;
        try
        {
            blob = await blobs.WriteAsync(body, maxFileBytes, cancel);
        }
        catch (BlobTooLargeException e)
        {
            throw HubException.TooLarge($"the file is larger than this hub's limit of {e.MaxBytes} bytes.");
        }
        string id = TokenHasher.NewId();
        await db.WriteAsync(async sql =>
        {
            await sql.ExecAsync("INSERT INTO uploads (id, repo_id, user_id, size, received, blob_hash, created, completed) VALUES (@i, @r, @u, @s, @s, NULL, @t, NULL)",
                ("i", id), ("r", repo.Id), ("u", caller.UserId), ("s", blob.Size), ("t", Clock.Now()));
            return 0;
        }, cancel);
        await RecordAsync(caller, id, repo.FullName, blob, cancel);
        return new UploadState(id, blob.Size, blob.Size, blob.Sha256);
    }

    private Task RecordAsync(Caller caller, string id, string repoFullName, BlobInfo blob, CancellationToken cancel) =>
        db.WriteAsync(async sql =>
        {
            await sql.ExecAsync("INSERT INTO blobs (hash, size, created) VALUES (@h, @s, @t) ON CONFLICT DO NOTHING", ("h", blob.Sha256), ("s", blob.Size), ("t", Clock.Now()));
            await sql.ExecAsync("UPDATE uploads SET blob_hash = @h, completed = @t WHERE id = @i", ("h", blob.Sha256), ("t", Clock.Now()), ("i", id));
            await Audit.AppendAsync(sql, caller, "upload.complete", repoFullName, new { id, sha256 = blob.Sha256, size = blob.Size, deduplicated = !blob.New });
            return 0;
        }, cancel);

    private async Task<UploadRow> Load(Caller caller, string id, CancellationToken cancel)
    {
        var row = await db.ReadAsync(sql => sql.SingleAsync(
            "SELECT u.user_id, u.size, u.received, u.blob_hash, o.name, r.name FROM uploads u JOIN repos r ON r.id = u.repo_id JOIN principals o ON o.id = r.owner_id WHERE u.id = @i",
            r => new UploadRow(r.Text(0), r.Long(1), r.Long(2), r.TextOrNull(3), r.Text(4), r.Text(5)), ("i", id)), cancel);
        if (row is null || row.UserId != caller.UserId)
            throw HubException.NotFound($"upload session '{Names.Shown(id)}' does not exist.");
        return row;
    }

    private string PartPath(string id)
    {
        if (id.Length == 0 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw HubException.NotFound($"upload session '{Names.Shown(id)}' does not exist.");
        return Path.Combine(partsDir, id + ".part");
    }

    private sealed record UploadRow(string UserId, long Size, long Received, string? Blob, string Owner, string RepoName)
    {
        public string RepoFullName => $"{Owner}/{RepoName}";
    }
}
