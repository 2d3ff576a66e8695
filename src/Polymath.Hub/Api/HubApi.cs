using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Polymath.Hub.Auth;
using Polymath.Hub.Services;

namespace Polymath.Hub.Api;

/// <summary>Maps the HTTP API (under /api) onto the services.</summary>
internal static class HubApi
{
    /// <summary>Registers every endpoint.</summary>
    public static void Map(WebApplication app, HubContext hub)
    {
        app.MapGet("/api/health", () => Results.Json(new { status = "ok" }, ApiJson.Options));
        AccountEndpoints.Map(app, hub);
        RepoEndpoints.Map(app, hub);
        UploadEndpoints.Map(app, hub);
        VersionEndpoints.Map(app, hub);
        FileEndpoints.Map(app, hub);
        MetadataEndpoints.Map(app, hub);
        AnnotationEndpoints.Map(app, hub);
        AdminEndpoints.Map(app, hub);
        Ui.UiEndpoints.Map(app);
    }

    /// <summary>A JSON response with the API's serializer settings.</summary>
    public static IResult Json(object value, int status = 200) => Results.Json(value, ApiJson.Options, statusCode: status);

    /// <summary>Checks the caller's role in a repository inside a read-only database session.</summary>
    public static Task<(RepoRecord Repo, Role Role)> RepoAsync(HubContext hub, HttpContext c, string owner, string name, Role needed) =>
        hub.Db.ReadAsync(sql => Access.RequireAsync(sql, AuthMiddleware.CallerOf(c), owner, name, needed), c.RequestAborted);

    /// <summary>An integer query parameter within bounds.</summary>
    public static int IntQuery(HttpContext c, string key, int fallback, int min, int max)
    {
        string? s = c.Request.Query[key];
        if (s is null)
            return fallback;
        if (!int.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out int v) || v < min || v > max)
            throw HubException.BadRequest($"query parameter '{key}' must be an integer from {min} to {max}, got '{Model.Names.Shown(s)}'.");
        return v;
    }
}
