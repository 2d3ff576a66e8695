using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Polymath.Hub.Auth;
using Polymath.Hub.Services;

namespace Polymath.Hub.Api;

/// <summary>/api/repos: create, list and search, show, change visibility, grants and the repository's audit log.</summary>
internal static class RepoEndpoints
{
    /// <summary>Registers the repository endpoints.</summary>
    public static void Map(WebApplication app, HubContext hub)
    {
        app.MapPost("/api/repos", async (HttpContext c) =>
        {
            var body = await ApiJson.ReadAsync<CreateRepoRequest>(c.Request);
            var caller = AuthMiddleware.CallerOf(c);
            var repo = await hub.Db.WriteAsync(sql => Repos.CreateAsync(sql, caller, body.Owner, body.Name!, body.Kind ?? "dataset", body.Private, body.Description), c.RequestAborted);
            return HubApi.Json(Show(repo, Role.Admin), 201);
        });

        app.MapGet("/api/repos", async (HttpContext c) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            int limit = HubApi.IntQuery(c, "limit", 100, 1, 1000);
            var repos = await hub.Db.ReadAsync(sql => Repos.ListAsync(sql, caller, c.Request.Query["q"], limit), c.RequestAborted);
            return HubApi.Json(repos.Select(r => Show(r, null)));
        });

        app.MapGet("/api/repos/{owner}/{name}", async (HttpContext c, string owner, string name) =>
        {
            var (repo, role) = await HubApi.RepoAsync(hub, c, owner, name, Role.Reader);
            return HubApi.Json(Show(repo, role));
        });

        app.MapMethods("/api/repos/{owner}/{name}", ["PATCH"], async (HttpContext c, string owner, string name) =>
        {
            var body = await ApiJson.ReadAsync<UpdateRepoRequest>(c.Request);
            var caller = AuthMiddleware.CallerOf(c);
            var repo = await hub.Db.WriteAsync(async sql =>
            {
                var (r, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Admin);
                if (body.Private is bool p)
                    await Repos.SetVisibilityAsync(sql, caller, r, p);
                return r with { Private = body.Private ?? r.Private };
            }, c.RequestAborted);
            return HubApi.Json(Show(repo, Role.Admin));
        });

        app.MapGet("/api/repos/{owner}/{name}/grants", async (HttpContext c, string owner, string name) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            var grants = await hub.Db.ReadAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Admin);
                return await Repos.GrantsAsync(sql, repo);
            }, c.RequestAborted);
            return HubApi.Json(grants);
        });

        app.MapPut("/api/repos/{owner}/{name}/grants", async (HttpContext c, string owner, string name) =>
        {
            var body = await ApiJson.ReadAsync<GrantRequest>(c.Request);
            var caller = AuthMiddleware.CallerOf(c);
            var role = Roles.Parse(body.Role);
            await hub.Db.WriteAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Admin);
                await Repos.GrantAsync(sql, caller, repo, body.User, body.Team, role);
                return 0;
            }, c.RequestAborted);
            return HubApi.Json(new { user = body.User, team = body.Team, role = Roles.Name(role) });
        });

        app.MapDelete("/api/repos/{owner}/{name}/grants", async (HttpContext c, string owner, string name) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            string? user = c.Request.Query["user"];
            string? team = c.Request.Query["team"];
            await hub.Db.WriteAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Admin);
                await Repos.RevokeAsync(sql, caller, repo, user, team);
                return 0;
            }, c.RequestAborted);
            return Results.NoContent();
        });

        app.MapGet("/api/repos/{owner}/{name}/audit", async (HttpContext c, string owner, string name) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            int limit = HubApi.IntQuery(c, "limit", 100, 1, 10_000);
            var entries = await hub.Db.ReadAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Admin);
                return await Audit.ListAsync(sql, repo.FullName, limit);
            }, c.RequestAborted);
            return HubApi.Json(entries);
        });
    }

    /// <summary>A repository as the API shows it; <paramref name="role"/> is the caller's, when known.</summary>
    public static object Show(RepoRecord r, Role? role) => new
    {
        owner = r.Owner,
        name = r.Name,
        fullName = r.FullName,
        kind = r.Kind,
        @private = r.Private,
        description = r.Description,
        created = r.Created,
        defaultBranch = RepoRecord.DefaultBranch,
        role = role is { } x ? Roles.Name(x) : null,
    };
}
