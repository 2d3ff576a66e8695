using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Polymath.Hub.Auth;
using Polymath.Hub.Services;

namespace Polymath.Hub.Api;

/// <summary>/api/whoami, /api/users, /api/tokens, /api/orgs.</summary>
internal static class AccountEndpoints
{
    /// <summary>Registers the account endpoints.</summary>
    public static void Map(WebApplication app, HubContext hub)
    {
        app.MapGet("/api/whoami", (HttpContext c) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            if (!caller.IsAuthenticated)
                throw HubException.Unauthorized("not signed in: send 'Authorization: Bearer TOKEN'.");
            return HubApi.Json(new { user = caller.UserName, siteAdmin = caller.SiteAdmin, scope = caller.Scope.ToString().ToLowerInvariant(), tokenId = caller.TokenId });
        });

        app.MapPost("/api/users", async (HttpContext c) =>
        {
            var body = await ApiJson.ReadAsync<CreateUserRequest>(c.Request);
            var caller = AuthMiddleware.CallerOf(c);
            Accounts.RequireWriter(caller);
            await hub.Db.WriteAsync(sql => Accounts.CreateUserAsync(sql, caller, body.Name!, body.SiteAdmin), c.RequestAborted);
            return HubApi.Json(new { name = body.Name, siteAdmin = body.SiteAdmin }, 201);
        });

        app.MapPost("/api/tokens", async (HttpContext c) =>
        {
            var body = await ApiJson.ReadAsync<CreateTokenRequest>(c.Request);
            var caller = AuthMiddleware.CallerOf(c);
            var scope = body.Scope switch
            {
                "read" => TokenScope.Read,
                "write" => TokenScope.Write,
                _ => throw HubException.BadRequest($"token scope must be 'read' or 'write', got '{Model.Names.Shown(body.Scope ?? "")}'."),
            };
            double days = body.ExpiresInDays ?? 90;
            if (!(days > 0) || days > Accounts.MaxTokenLifetime.TotalDays)
                throw HubException.BadRequest($"expiresInDays must be more than 0 and at most {Accounts.MaxTokenLifetime.TotalDays}.");
            var (token, id, expires) = await hub.Db.WriteAsync(
                sql => Accounts.CreateTokenAsync(sql, caller, body.User, body.Name ?? "", scope, body.Repo, TimeSpan.FromDays(days)), c.RequestAborted);
            return HubApi.Json(new { token, id, expires, scope = body.Scope, repo = body.Repo }, 201);
        });

        app.MapGet("/api/tokens", async (HttpContext c) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            if (!caller.IsAuthenticated)
                throw HubException.Unauthorized("not signed in: send 'Authorization: Bearer TOKEN'.");
            var tokens = await hub.Db.ReadAsync(sql => sql.QueryAsync(
                "SELECT id, name, scope, repo_id, expires, revoked, created FROM tokens WHERE user_id = @u ORDER BY created",
                r => new { id = r.Text(0), name = r.Text(1), scope = r.Text(2), repoId = r.TextOrNull(3), expires = r.Text(4), revoked = r.TextOrNull(5), created = r.Text(6) },
                ("u", caller.UserId)), c.RequestAborted);
            return HubApi.Json(tokens);
        });

        app.MapDelete("/api/tokens/{id}", async (HttpContext c, string id) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            await hub.Db.WriteAsync(async sql => { await Accounts.RevokeTokenAsync(sql, caller, id); return 0; }, c.RequestAborted);
            return Results.NoContent();
        });

        app.MapPost("/api/orgs", async (HttpContext c) =>
        {
            var body = await ApiJson.ReadAsync<NameRequest>(c.Request);
            var caller = AuthMiddleware.CallerOf(c);
            await hub.Db.WriteAsync(async sql => { await Accounts.CreateOrgAsync(sql, caller, body.Name!); return 0; }, c.RequestAborted);
            return HubApi.Json(new { name = body.Name }, 201);
        });

        app.MapPut("/api/orgs/{org}/members/{user}", async (HttpContext c, string org, string user) =>
        {
            var body = await ApiJson.ReadAsync<OrgMemberRequest>(c.Request);
            var caller = AuthMiddleware.CallerOf(c);
            await hub.Db.WriteAsync(async sql => { await Accounts.SetOrgMemberAsync(sql, caller, org, user, body.Role ?? "member"); return 0; }, c.RequestAborted);
            return HubApi.Json(new { org, user, role = body.Role ?? "member" });
        });

        app.MapPost("/api/orgs/{org}/teams", async (HttpContext c, string org) =>
        {
            var body = await ApiJson.ReadAsync<NameRequest>(c.Request);
            var caller = AuthMiddleware.CallerOf(c);
            await hub.Db.WriteAsync(async sql => { await Accounts.CreateTeamAsync(sql, caller, org, body.Name!); return 0; }, c.RequestAborted);
            return HubApi.Json(new { org, team = body.Name }, 201);
        });

        app.MapPut("/api/orgs/{org}/teams/{team}/members/{user}", async (HttpContext c, string org, string team, string user) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            await hub.Db.WriteAsync(async sql => { await Accounts.AddTeamMemberAsync(sql, caller, org, team, user); return 0; }, c.RequestAborted);
            return HubApi.Json(new { org, team, user });
        });
    }
}
