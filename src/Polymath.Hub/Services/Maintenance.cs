using Polymath.Hub.Data;
using Polymath.Hub.Model;
using Polymath.Hub.Storage;

namespace Polymath.Hub.Services;

/// <summary>Garbage collection of unreferenced blobs and integrity verification of the store against the database.</summary>
internal static class Maintenance
{
    /// <summary>
    /// Deletes blobs that no version references and that no upload completed within <paramref name="grace"/> (an
    /// upload waiting for its commit), temporary files older than the grace period left by killed writers, and upload
    /// sessions (with their parts) left unfinished for longer than <paramref name="abandonedUploads"/>.
    /// </summary>
    public static async Task<GcReport> CollectGarbageAsync(HubDatabase db, BlobStore blobs, string partsDir, TimeSpan grace, TimeSpan abandonedUploads, CancellationToken cancel)
    {
        // Upload sessions nobody finished within their lifetime: their parts go, and the session with them.
        string sessionCutoff = Clock.Format(DateTimeOffset.UtcNow - abandonedUploads);
        var abandoned = await db.ReadAsync(sql => sql.QueryAsync("SELECT id FROM uploads WHERE completed IS NULL AND created <= @c", r => r.Text(0), ("c", sessionCutoff)), cancel);
        foreach (var id in abandoned)
        {
            await db.WriteAsync(sql => sql.ExecAsync("DELETE FROM uploads WHERE id = @i AND completed IS NULL", ("i", id)), cancel);
            string part = Path.Combine(partsDir, id + ".part");
            if (File.Exists(part))
                File.Delete(part);
        }

        string cutoff = Clock.Format(DateTimeOffset.UtcNow - grace);
        var keep = await db.ReadAsync(async sql =>
        {
            var set = new HashSet<string>(await sql.QueryAsync("SELECT DISTINCT blob_hash FROM commit_files", r => r.Text(0)), StringComparer.Ordinal);
            set.UnionWith(await sql.QueryAsync("SELECT DISTINCT blob_hash FROM uploads WHERE blob_hash IS NOT NULL AND completed > @c", r => r.Text(0), ("c", cutoff)));
            set.UnionWith(await sql.QueryAsync("SELECT hash FROM blobs WHERE created > @c", r => r.Text(0), ("c", cutoff)));
            return set;
        }, cancel);
        long deleted = 0, freed = 0, kept = 0;
        foreach (var sha in blobs.EnumerateHashes().ToList())
        {
            cancel.ThrowIfCancellationRequested();
            if (keep.Contains(sha)) { kept++; continue; }
            var file = new FileInfo(blobs.PathOf(sha));
            if (file.LastWriteTimeUtc > DateTime.UtcNow - grace) { kept++; continue; }
            // Delete the row first: a commit that checks the blob table in the meantime then fails cleanly rather
            // than referencing a file that is about to vanish.
            await db.WriteAsync(sql => sql.ExecAsync("DELETE FROM blobs WHERE hash = @h AND NOT EXISTS (SELECT 1 FROM commit_files WHERE blob_hash = @h)", ("h", sha)), cancel);
            bool stillReferenced = await db.ReadAsync(sql => sql.ScalarAsync<string>("SELECT commit_id FROM commit_files WHERE blob_hash = @h LIMIT 1", ("h", sha)), cancel) is not null;
            if (stillReferenced) { kept++; continue; }
            freed += file.Length;
            blobs.Delete(sha);
            deleted++;
        }
        await db.WriteAsync(sql => sql.ExecAsync("DELETE FROM blobs WHERE created <= @c AND hash NOT IN (SELECT blob_hash FROM commit_files)", ("c", cutoff)), cancel);
        long temps = 0;
        foreach (var dir in new[] { blobs.TempDir })
            foreach (var f in Directory.EnumerateFiles(dir))
                if (File.GetLastWriteTimeUtc(f) <= DateTime.UtcNow - grace) { File.Delete(f); temps++; }
        return new GcReport(deleted, freed, kept, temps, abandoned.Count);
    }

    /// <summary>
    /// Re-hashes every stored blob and checks that every file of every version has its blob: reports blobs whose bytes
    /// no longer match their name, versions whose files are missing, and stray temporary files.
    /// </summary>
    public static async Task<VerifyReport> VerifyAsync(HubDatabase db, BlobStore blobs, CancellationToken cancel)
    {
        var corrupt = new List<string>();
        long checkedBlobs = 0, bytes = 0;
        foreach (var sha in blobs.EnumerateHashes())
        {
            cancel.ThrowIfCancellationRequested();
            var (actual, size) = await BlobStore.HashFileAsync(blobs.PathOf(sha), cancel);
            checkedBlobs++;
            bytes += size;
            if (actual != sha)
                corrupt.Add(sha);
        }
        var referenced = await db.ReadAsync(sql => sql.QueryAsync(
            "SELECT DISTINCT cf.blob_hash, cf.size, o.name || '/' || r.name, cf.commit_id, cf.path FROM commit_files cf JOIN commits c ON c.id = cf.commit_id " +
            "JOIN repos r ON r.id = c.repo_id JOIN principals o ON o.id = r.owner_id",
            r => (Sha: r.Text(0), Size: r.Long(1), Repo: r.Text(2), Commit: r.Text(3), Path: r.Text(4))), cancel);
        var missing = new List<string>();
        var damaged = new SortedSet<string>(StringComparer.Ordinal);
        var corruptSet = corrupt.ToHashSet();
        foreach (var f in referenced)
        {
            string file = blobs.PathOf(f.Sha);
            bool absent = !File.Exists(file);
            bool wrongSize = !absent && new FileInfo(file).Length != f.Size;
            if (absent || wrongSize || corruptSet.Contains(f.Sha))
            {
                if (absent) missing.Add($"{f.Repo}@{f.Commit[..12]}:{f.Path} (blob {f.Sha})");
                damaged.Add($"{f.Repo}@{f.Commit}");
            }
        }
        long commits = await db.ReadAsync(sql => sql.ScalarAsync<long>("SELECT COUNT(*) FROM commits"), cancel);
        int temps = Directory.EnumerateFiles(blobs.TempDir).Count();
        return new VerifyReport(checkedBlobs, bytes, commits, corrupt, missing, [.. damaged], temps);
    }
}
