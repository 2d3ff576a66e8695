using System.Formats.Tar;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Polymath.Hub.Auth;
using Polymath.Hub.Model;
using Polymath.Hub.Services;

namespace Polymath.Hub.Api;

/// <summary>
/// GET /api/repos/{owner}/{name}/files/{path}?rev=REV: a file of a version, with HTTP Range and an ETag (its SHA-256,
/// so a cached copy stays valid exactly as long as the bytes are the same); a folder comes as a tar archive.
/// </summary>
internal static class FileEndpoints
{
    /// <summary>Registers the download endpoint.</summary>
    public static void Map(WebApplication app, HubContext hub)
    {
        app.MapGet("/api/repos/{owner}/{name}/files/{**path}", async (HttpContext c, string owner, string name, string? path) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            string wanted = RepoPath.Check(path?.TrimEnd('/'), allowEmpty: true);
            var (repo, commit, files) = await hub.Db.ReadAsync(async sql =>
            {
                var (r, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Reader);
                var cm = await Commits.ResolveAsync(sql, r, c.Request.Query["rev"]);
                return (r, cm, await Commits.TreeAsync(sql, cm.Id));
            }, c.RequestAborted);
            c.Response.Headers.CacheControl = repo.Private ? "private, no-cache" : "public, no-cache";
            c.Response.Headers["X-Polymath-Commit"] = commit.Id;
            var file = files.FirstOrDefault(f => f.Path == wanted);
            if (file is not null)
            {
                c.Response.Headers["X-Polymath-Sha256"] = file.Sha256;
                return Results.File(hub.Blobs.PathOf(file.Sha256), MediaTypes.Of(file.Path), fileDownloadName: null,
                    lastModified: null, entityTag: new EntityTagHeaderValue($"\"{file.Sha256}\""), enableRangeProcessing: true);
            }
            var inFolder = files.Where(f => RepoPath.IsUnder(f.Path, wanted)).ToList();
            if (inFolder.Count == 0)
                throw HubException.NotFound($"'{Names.Shown(wanted)}' is neither a file nor a folder in {repo.FullName}@{commit.Id[..12]}.");
            await WriteTarAsync(c, hub, wanted, inFolder);
            return Results.Empty;
        });
    }

    /// <summary>Streams the folder's files as a POSIX (pax) tar, paths relative to the folder.</summary>
    private static async Task WriteTarAsync(HttpContext c, HubContext hub, string folder, List<FileEntry> files)
    {
        c.Response.ContentType = "application/x-tar";
        string stem = folder.Length == 0 ? "root" : folder.Replace('/', '_');
        c.Response.Headers.ContentDisposition = $"attachment; filename=\"{stem}.tar\"";
        await using var tar = new TarWriter(c.Response.Body, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var f in files)
        {
            string relative = folder.Length == 0 ? f.Path : f.Path[(folder.Length + 1)..];
            await using var data = File.OpenRead(hub.Blobs.PathOf(f.Sha256));
            var entry = new PaxTarEntry(TarEntryType.RegularFile, relative) { DataStream = data, Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead };
            await tar.WriteEntryAsync(entry, c.RequestAborted);
        }
    }
}
