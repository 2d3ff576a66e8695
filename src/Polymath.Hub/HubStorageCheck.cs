using Polymath.Hub.Data;
using Polymath.Hub.Services;
using Polymath.Hub.Storage;

namespace Polymath.Hub;

/// <summary>Offline integrity check of a hub's data folder and database, for when the server is not running.</summary>
public static class HubStorageCheck
{
    /// <summary>
    /// Re-hashes every blob and checks every version's files; returns one line per problem (empty: all good) and a summary.
    /// </summary>
    public static async Task<(IReadOnlyList<string> Problems, string Summary)> VerifyAsync(string dataDir, string? database, CancellationToken cancel = default)
    {
        if (!Directory.Exists(dataDir))
            throw new DirectoryNotFoundException($"hub data folder '{dataDir}' does not exist.");
        await using var db = HubDatabase.Open(database, Path.GetFullPath(dataDir));
        await db.MigrateAsync(cancel);
        var report = await Maintenance.VerifyAsync(db, new BlobStore(dataDir), cancel);
        var problems = report.CorruptBlobs.Select(b => $"corrupt blob {b}: its bytes no longer hash to its name")
            .Concat(report.MissingFiles.Select(m => $"missing blob for {m}"))
            .Concat(report.DamagedVersions.Select(v => $"damaged version {v}"))
            .ToList();
        return (problems, $"{report.Blobs} blobs ({report.Bytes} bytes) re-hashed, {report.Commits} versions checked, {report.TempFiles} temporary files");
    }
}
