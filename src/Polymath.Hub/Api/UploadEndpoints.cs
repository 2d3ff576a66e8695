using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Polymath.Hub.Auth;

namespace Polymath.Hub.Api;

/// <summary>
/// Uploads: whole files in one request (POST …/blobs) or resumable sessions (POST …/uploads, then PATCH /api/uploads/{id}
/// with an <c>Upload-Offset</c> header per chunk, then POST /api/uploads/{id}/complete). The hash is always the server's.
/// </summary>
internal static class UploadEndpoints
{
    /// <summary>Header that names where a chunk starts.</summary>
    public const string OffsetHeader = "Upload-Offset";

    /// <summary>Registers the upload endpoints.</summary>
    public static void Map(WebApplication app, HubContext hub)
    {
        app.MapPost("/api/repos/{owner}/{name}/blobs", async (HttpContext c, string owner, string name) =>
        {
            var (repo, _) = await HubApi.RepoAsync(hub, c, owner, name, Role.Contributor);
            var state = await hub.Uploads.PutWholeAsync(AuthMiddleware.CallerOf(c), repo, c.Request.Body, c.RequestAborted);
            return HubApi.Json(state, 201);
        });

        app.MapPost("/api/repos/{owner}/{name}/uploads", async (HttpContext c, string owner, string name) =>
        {
            var body = await ApiJson.ReadAsync<StartUploadRequest>(c.Request);
            var (repo, _) = await HubApi.RepoAsync(hub, c, owner, name, Role.Contributor);
            if (body.Size is not long size)
                throw HubException.BadRequest("'size' (the file's length in bytes) is required.");
            var state = await hub.Uploads.StartAsync(AuthMiddleware.CallerOf(c), repo, size, c.RequestAborted);
            return HubApi.Json(state, 201);
        });

        app.MapGet("/api/uploads/{id}", async (HttpContext c, string id) =>
            HubApi.Json(await hub.Uploads.GetAsync(Signed(c), id, c.RequestAborted)));

        app.MapMethods("/api/uploads/{id}", ["PATCH"], async (HttpContext c, string id) =>
        {
            var caller = Signed(c);
            string? header = c.Request.Headers[OffsetHeader];
            if (header is null || !long.TryParse(header, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long offset))
                throw HubException.BadRequest($"a chunk needs an '{OffsetHeader}' header with the byte offset it starts at.");
            await CheckStillAllowed(hub, c, caller, id);
            var state = await hub.Uploads.AppendAsync(caller, id, offset, c.Request.Body, c.RequestAborted);
            c.Response.Headers[OffsetHeader] = state.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return HubApi.Json(state);
        });

        app.MapPost("/api/uploads/{id}/complete", async (HttpContext c, string id) =>
        {
            var caller = Signed(c);
            await CheckStillAllowed(hub, c, caller, id);
            return HubApi.Json(await hub.Uploads.CompleteAsync(caller, id, c.RequestAborted));
        });
    }

    private static Caller Signed(HttpContext c)
    {
        var caller = AuthMiddleware.CallerOf(c);
        if (!caller.IsAuthenticated)
            throw HubException.Unauthorized("uploads need a signed-in user: send 'Authorization: Bearer TOKEN'.");
        return caller;
    }

    /// <summary>A session outlives a revoked role: check the role again before taking more bytes.</summary>
    private static async Task CheckStillAllowed(HubContext hub, HttpContext c, Caller caller, string id)
    {
        var (owner, name) = await hub.Uploads.RepoOfAsync(caller, id, c.RequestAborted);
        await HubApi.RepoAsync(hub, c, owner, name, Role.Contributor);
    }
}
