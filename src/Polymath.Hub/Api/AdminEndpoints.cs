using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Polymath.Hub.Auth;
using Polymath.Hub.Services;

namespace Polymath.Hub.Api;

/// <summary>Site administration: garbage collection, integrity verification, the whole audit log.</summary>
internal static class AdminEndpoints
{
    /// <summary>Default age an unreferenced blob must reach before garbage collection removes it.</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromDays(1);

    /// <summary>Default time an unfinished upload session is kept before garbage collection removes it and its parts.</summary>
    public static readonly TimeSpan DefaultUploadLifetime = TimeSpan.FromDays(7);

    /// <summary>Registers the admin endpoints.</summary>
    public static void Map(WebApplication app, HubContext hub)
    {
        app.MapPost("/api/admin/gc", async (HttpContext c) =>
        {
            var caller = SiteAdmin(c);
            bool hasBody = c.Request.ContentLength > 0 || (c.Request.ContentLength is null && c.Request.Headers.TransferEncoding.Count > 0);
            var body = hasBody ? await ApiJson.ReadAsync<GcRequest>(c.Request) : new GcRequest(null);
            var grace = body.GraceSeconds is double s ? TimeSpan.FromSeconds(Math.Max(0, s)) : DefaultGrace;
            var sessions = body.AbandonedUploadSeconds is double a ? TimeSpan.FromSeconds(Math.Max(0, a)) : DefaultUploadLifetime;
            var report = await Maintenance.CollectGarbageAsync(hub.Db, hub.Blobs, Path.Combine(hub.DataDir, "uploads"), grace, sessions, c.RequestAborted);
            await hub.Db.WriteAsync(async sql => { await Audit.AppendAsync(sql, caller, "gc", null, report); return 0; }, c.RequestAborted);
            return HubApi.Json(report);
        });

        app.MapPost("/api/admin/verify", async (HttpContext c) =>
        {
            SiteAdmin(c);
            var report = await Maintenance.VerifyAsync(hub.Db, hub.Blobs, c.RequestAborted);
            return HubApi.Json(new { ok = report.Ok, report });
        });

        app.MapGet("/api/audit", async (HttpContext c) =>
        {
            SiteAdmin(c);
            int limit = HubApi.IntQuery(c, "limit", 100, 1, 10_000);
            return HubApi.Json(await hub.Db.ReadAsync(sql => Audit.ListAsync(sql, null, limit), c.RequestAborted));
        });
    }

    private static Caller SiteAdmin(HttpContext c)
    {
        var caller = AuthMiddleware.CallerOf(c);
        if (!caller.IsAuthenticated)
            throw HubException.Unauthorized("this needs a site administrator: send 'Authorization: Bearer TOKEN'.");
        if (!caller.SiteAdmin)
            throw HubException.Forbidden("only a site administrator may do this.");
        return caller;
    }
}
