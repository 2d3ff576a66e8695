using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Polymath.Hub.Auth;
using Polymath.Hub.Model;
using Polymath.Hub.Services;

namespace Polymath.Hub.Api;

/// <summary>Label sets, annotations, the caller's remaining items to label, and agreement between annotators.</summary>
internal static class AnnotationEndpoints
{
    /// <summary>Registers the annotation endpoints.</summary>
    public static void Map(WebApplication app, HubContext hub)
    {
        app.MapPut("/api/repos/{owner}/{name}/labelsets/{set}", async (HttpContext c, string owner, string name, string set) =>
        {
            var body = await ApiJson.ReadAsync<LabelSetRequest>(c.Request);
            var caller = AuthMiddleware.CallerOf(c);
            await hub.Db.WriteAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Writer);
                await Annotations.SetLabelSetAsync(sql, caller, repo, set, body.Labels ?? []);
                return 0;
            }, c.RequestAborted);
            return HubApi.Json(new { name = set, labels = body.Labels });
        });

        app.MapGet("/api/repos/{owner}/{name}/labelsets", async (HttpContext c, string owner, string name) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            return HubApi.Json(await hub.Db.ReadAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Reader);
                return await Annotations.LabelSetsAsync(sql, repo);
            }, c.RequestAborted));
        });

        app.MapPost("/api/repos/{owner}/{name}/annotations", async (HttpContext c, string owner, string name) =>
        {
            var body = await ApiJson.ReadAsync<AnnotationRequest>(c.Request);
            var caller = AuthMiddleware.CallerOf(c);
            var a = await hub.Db.WriteAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Contributor);
                return await Annotations.AddAsync(sql, caller, repo, body.Rev, body.Path ?? "", body.Record, body.Key ?? "", body.Value ?? "", body.LabelSet);
            }, c.RequestAborted);
            return HubApi.Json(a, 201);
        });

        app.MapGet("/api/repos/{owner}/{name}/annotations", async (HttpContext c, string owner, string name) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            var q = c.Request.Query;
            return HubApi.Json(await hub.Db.ReadAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Reader);
                string? commit = q["rev"].FirstOrDefault() is { } rev ? (await Commits.ResolveAsync(sql, repo, rev)).Id : null;
                return await Annotations.ListAsync(sql, repo, commit, q["path"], q["key"], q["labelSet"]);
            }, c.RequestAborted));
        });

        app.MapGet("/api/repos/{owner}/{name}/labelsets/{set}/todo", async (HttpContext c, string owner, string name, string set) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            if (!caller.IsAuthenticated)
                throw HubException.Unauthorized("the items left to label are per annotator: sign in.");
            string folder = RepoPath.Check(c.Request.Query["path"], allowEmpty: true);
            return HubApi.Json(await hub.Db.ReadAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Reader);
                var commit = await Commits.ResolveAsync(sql, repo, c.Request.Query["rev"]);
                var done = (await Annotations.ListAsync(sql, repo, commit.Id, null, null, set)).Where(a => a.Author == caller.UserName).Select(a => a.Path).ToHashSet();
                var todo = (await Commits.TreeAsync(sql, commit.Id)).Where(f => RepoPath.IsUnder(f.Path, folder) && !done.Contains(f.Path)).Select(f => f.Path).ToList();
                return new { commit = commit.Id, labelSet = set, annotator = caller.UserName, done = done.Count, todo };
            }, c.RequestAborted));
        });

        app.MapGet("/api/repos/{owner}/{name}/labelsets/{set}/agreement", async (HttpContext c, string owner, string name, string set) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            return HubApi.Json(await hub.Db.ReadAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Reader);
                string? commit = c.Request.Query["rev"].FirstOrDefault() is { } rev ? (await Commits.ResolveAsync(sql, repo, rev)).Id : null;
                return Annotations.Agreement(await Annotations.ListAsync(sql, repo, commit, null, null, set));
            }, c.RequestAborted));
        });
    }
}
