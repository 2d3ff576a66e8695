using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Polymath.Hub.Auth;
using Polymath.Hub.Csv;
using Polymath.Hub.Model;
using Polymath.Hub.Services;

namespace Polymath.Hub.Api;

/// <summary>Versions: commit, history, one commit, branches and tags, tree listing, file diff and CSV row diff.</summary>
internal static class VersionEndpoints
{
    /// <summary>Registers the version endpoints.</summary>
    public static void Map(WebApplication app, HubContext hub)
    {
        app.MapPost("/api/repos/{owner}/{name}/commits", async (HttpContext c, string owner, string name) =>
        {
            var body = await ApiJson.ReadAsync<CommitRequest>(c.Request, 64 * 1024 * 1024);
            var caller = AuthMiddleware.CallerOf(c);
            var put = (body.Files ?? []).Select((f, i) => (f.Path ?? throw HubException.BadRequest($"files[{i}].path is missing."),
                f.Sha256 ?? throw HubException.BadRequest($"files[{i}].sha256 is missing."))).ToList();
            var commit = await hub.Db.WriteAsync(async sql =>
            {
                var (repo, role) = await Access.RequireAsync(sql, caller, owner, name, Role.Contributor);
                return await Commits.CreateAsync(sql, caller, repo, role, body.Branch ?? RepoRecord.DefaultBranch, body.Parent,
                    body.Message ?? "", put, body.Delete ?? [], body.Replace);
            }, c.RequestAborted);
            return HubApi.Json(commit, 201);
        });

        app.MapGet("/api/repos/{owner}/{name}/commits", async (HttpContext c, string owner, string name) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            int limit = HubApi.IntQuery(c, "limit", 100, 1, 10_000);
            var log = await hub.Db.ReadAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Reader);
                var head = await Commits.ResolveAsync(sql, repo, c.Request.Query["rev"]);
                return await Commits.LogAsync(sql, repo, head, limit);
            }, c.RequestAborted);
            return HubApi.Json(log);
        });

        app.MapGet("/api/repos/{owner}/{name}/commits/{rev}", async (HttpContext c, string owner, string name, string rev) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            var result = await hub.Db.ReadAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Reader);
                var commit = await Commits.ResolveAsync(sql, repo, rev);
                return new { commit, files = await Commits.TreeAsync(sql, commit.Id) };
            }, c.RequestAborted);
            return HubApi.Json(result);
        });

        app.MapGet("/api/repos/{owner}/{name}/refs", async (HttpContext c, string owner, string name) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            var refs = await hub.Db.ReadAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Reader);
                return await Commits.RefsAsync(sql, repo);
            }, c.RequestAborted);
            return HubApi.Json(refs);
        });

        app.MapPut("/api/repos/{owner}/{name}/branches/{**branch}", async (HttpContext c, string owner, string name, string branch) =>
        {
            var body = await ApiJson.ReadAsync<BranchRequest>(c.Request);
            var caller = AuthMiddleware.CallerOf(c);
            Names.Ref(branch, "branch name");
            var target = await hub.Db.WriteAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Writer);
                var commit = await Commits.ResolveAsync(sql, repo, body.Target ?? throw HubException.BadRequest("'target' (a revision) is required."));
                await Commits.MoveBranchAsync(sql, repo, branch, body.Expected, commit.Id);
                await Audit.AppendAsync(sql, caller, "branch.move", repo.FullName, new { branch, from = body.Expected, to = commit.Id });
                return commit.Id;
            }, c.RequestAborted);
            return HubApi.Json(new { branch, commit = target });
        });

        app.MapDelete("/api/repos/{owner}/{name}/branches/{**branch}", async (HttpContext c, string owner, string name, string branch) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            string expected = c.Request.Query["expected"].FirstOrDefault() ?? throw HubException.BadRequest("'expected' (the commit the branch points at) is required.");
            await hub.Db.WriteAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Writer);
                if (branch == RepoRecord.DefaultBranch)
                    throw HubException.BadRequest($"the default branch '{branch}' cannot be deleted.");
                await Commits.DeleteBranchAsync(sql, repo, branch, expected);
                await Audit.AppendAsync(sql, caller, "branch.delete", repo.FullName, new { branch, at = expected });
                return 0;
            }, c.RequestAborted);
            return Results.NoContent();
        });

        app.MapPost("/api/repos/{owner}/{name}/tags", async (HttpContext c, string owner, string name) =>
        {
            var body = await ApiJson.ReadAsync<TagRequest>(c.Request);
            var caller = AuthMiddleware.CallerOf(c);
            var result = await hub.Db.WriteAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Writer);
                var commit = await Commits.ResolveAsync(sql, repo, body.Target);
                await Commits.CreateTagAsync(sql, repo, body.Name!, commit.Id);
                await Audit.AppendAsync(sql, caller, "tag", repo.FullName, new { tag = body.Name, commit = commit.Id });
                return new { tag = body.Name, commit = commit.Id };
            }, c.RequestAborted);
            return HubApi.Json(result, 201);
        });

        app.MapGet("/api/repos/{owner}/{name}/tree", async (HttpContext c, string owner, string name) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            string folder = RepoPath.Check(c.Request.Query["path"], allowEmpty: true);
            var result = await hub.Db.ReadAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Reader);
                var commit = await Commits.ResolveAsync(sql, repo, c.Request.Query["rev"]);
                var files = (await Commits.TreeAsync(sql, commit.Id)).Where(f => RepoPath.IsUnder(f.Path, folder) || f.Path == folder).ToList();
                return new { commit = commit.Id, path = folder, files };
            }, c.RequestAborted);
            return HubApi.Json(result);
        });

        app.MapGet("/api/repos/{owner}/{name}/diff", async (HttpContext c, string owner, string name) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            var diff = await hub.Db.ReadAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Reader);
                var (from, to) = await FromTo(sql, repo, c);
                return TreeDiff.Compute(from.Id, to.Id, await Commits.TreeAsync(sql, from.Id), await Commits.TreeAsync(sql, to.Id));
            }, c.RequestAborted);
            return HubApi.Json(diff);
        });

        app.MapGet("/api/repos/{owner}/{name}/diff/csv", async (HttpContext c, string owner, string name) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            string path = RepoPath.Check(c.Request.Query["path"]);
            string key = c.Request.Query["key"].FirstOrDefault() ?? throw HubException.BadRequest("'key' (the column that identifies a row) is required.");
            var (oldBlob, newBlob) = await hub.Db.ReadAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Reader);
                var (from, to) = await FromTo(sql, repo, c);
                var a = (await Commits.TreeAsync(sql, from.Id)).FirstOrDefault(f => f.Path == path) ?? throw HubException.NotFound($"'{path}' is not in version {from.Id}.");
                var b = (await Commits.TreeAsync(sql, to.Id)).FirstOrDefault(f => f.Path == path) ?? throw HubException.NotFound($"'{path}' is not in version {to.Id}.");
                return (a.Sha256, b.Sha256);
            }, c.RequestAborted);
            try
            {
                await using var oldStream = File.OpenRead(hub.Blobs.PathOf(oldBlob));
                await using var newStream = File.OpenRead(hub.Blobs.PathOf(newBlob));
                return HubApi.Json(new { path, diff = CsvRowDiff.Compute(oldStream, newStream, key) });
            }
            catch (Exception e) when (e is FormatException or System.Text.DecoderFallbackException)
            {
                throw HubException.BadRequest($"'{path}' cannot be compared as CSV: {e.Message}");
            }
        });
    }

    private static async Task<(CommitInfo From, CommitInfo To)> FromTo(Data.Sql sql, RepoRecord repo, HttpContext c)
    {
        string? fromRev = c.Request.Query["from"];
        var to = await Commits.ResolveAsync(sql, repo, c.Request.Query["to"]);
        CommitInfo from = fromRev is not null
            ? await Commits.ResolveAsync(sql, repo, fromRev)
            : to.Parent is { } p ? (await Commits.GetAsync(sql, repo, p))! : throw HubException.BadRequest($"version {to.Id} has no parent; name 'from'.");
        return (from, to);
    }
}
