using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Polymath.Hub.Auth;
using Polymath.Hub.Model;
using Polymath.Hub.Services;

namespace Polymath.Hub.Api;

/// <summary>The dataset card (Markdown), the structured metadata (validated JSON) and their Croissant JSON-LD export.</summary>
internal static class MetadataEndpoints
{
    /// <summary>Registers the metadata endpoints.</summary>
    public static void Map(WebApplication app, HubContext hub)
    {
        app.MapGet("/api/repos/{owner}/{name}/metadata", async (HttpContext c, string owner, string name) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            var meta = await hub.Db.ReadAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Reader);
                return await Metadata.GetAsync(sql, repo);
            }, c.RequestAborted);
            return meta is null ? throw HubException.NotFound($"{owner}/{name} has no metadata yet.") : HubApi.Json(meta);
        });

        app.MapPut("/api/repos/{owner}/{name}/metadata", async (HttpContext c, string owner, string name) =>
        {
            var body = MetadataValidator.Validate(await ApiJson.ReadAsync<DatasetMetadata>(c.Request, MetadataValidator.MaxBytes));
            var caller = AuthMiddleware.CallerOf(c);
            await hub.Db.WriteAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Writer);
                await Metadata.SetAsync(sql, caller, repo, body);
                return 0;
            }, c.RequestAborted);
            return HubApi.Json(body);
        });

        app.MapGet("/api/repos/{owner}/{name}/card", async (HttpContext c, string owner, string name) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            var card = await hub.Db.ReadAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Reader);
                return await Metadata.GetCardAsync(sql, repo);
            }, c.RequestAborted);
            if (card is null)
                throw HubException.NotFound($"{owner}/{name} has no card yet.");
            return c.Request.Query["format"] == "html"
                ? Results.Text(Ui.MarkdownLite.ToHtml(card), "text/html; charset=utf-8")
                : Results.Text(card, "text/markdown; charset=utf-8");
        });

        app.MapPut("/api/repos/{owner}/{name}/card", async (HttpContext c, string owner, string name) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            var (repoCheck, _) = await HubApi.RepoAsync(hub, c, owner, name, Role.Writer);
            string card = await ReadCardAsync(c.Request);
            await hub.Db.WriteAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Writer);
                await Metadata.SetCardAsync(sql, caller, repo, card);
                return 0;
            }, c.RequestAborted);
            return HubApi.Json(new { repo = repoCheck.FullName, bytes = Encoding.UTF8.GetByteCount(card) });
        });

        app.MapGet("/api/repos/{owner}/{name}/croissant", async (HttpContext c, string owner, string name) =>
        {
            var caller = AuthMiddleware.CallerOf(c);
            var doc = await hub.Db.ReadAsync(async sql =>
            {
                var (repo, _) = await Access.RequireAsync(sql, caller, owner, name, Role.Reader);
                var commit = await Commits.ResolveAsync(sql, repo, c.Request.Query["rev"]);
                return Croissant.Export(repo, commit, await Metadata.GetAsync(sql, repo), await Commits.TreeAsync(sql, commit.Id), hub.BaseUrl);
            }, c.RequestAborted);
            return Results.Text(doc.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }), "application/ld+json; charset=utf-8");
        });
    }

    /// <summary>The body as strict UTF-8 text of at most <see cref="MetadataValidator.MaxCardBytes"/> bytes.</summary>
    private static async Task<string> ReadCardAsync(HttpRequest request)
    {
        int max = MetadataValidator.MaxCardBytes;
        if (request.ContentLength > max)
            throw HubException.TooLarge($"the card is {request.ContentLength} bytes; the limit is {max}.");
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + n > max)
                throw HubException.TooLarge($"the card is larger than the limit of {max} bytes.");
            buffer.Write(chunk, 0, n);
        }
        try
        {
            string text = new UTF8Encoding(false, true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            if (text.Contains('\0'))
                throw HubException.BadRequest("the card contains a NUL character.");
            return text;
        }
        catch (DecoderFallbackException e)
        {
            throw HubException.BadRequest($"the card is not valid UTF-8 (byte {e.Index}).");
        }
    }
}
