using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Polymath.Hub.Api;

namespace Polymath.Hub.Ui;

/// <summary>
/// The web pages: one HTML shell and a script that reads the JSON API with the token kept in the tab's session storage
/// and sent in the Authorization header (never in a cookie or a URL). Repository list and search, a repository page
/// with card, metadata, files, versions, diff and annotations, and a sign-in page.
/// </summary>
internal static class UiEndpoints
{
    private const string Csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /// <summary>Registers the pages and their script and style sheet.</summary>
    public static void Map(WebApplication app)
    {
        string shell = Resource("index.html");
        string script = Resource("app.js");
        string style = Resource("app.css");
        IResult Page(HttpContext c)
        {
            c.Response.Headers.ContentSecurityPolicy = Csp;
            c.Response.Headers.XContentTypeOptions = "nosniff";
            c.Response.Headers["Referrer-Policy"] = "no-referrer";
            return Results.Content(shell, "text/html; charset=utf-8");
        }
        app.MapGet("/", Page);
        app.MapGet("/signin", Page);
        app.MapGet("/{owner}/{name}", (HttpContext c, string owner) => owner == "api" || owner == "ui" ? throw HubException.NotFound($"no page {c.Request.Path}.") : Page(c));
        app.MapGet("/ui/app.js", () => Results.Content(script, "text/javascript; charset=utf-8"));
        app.MapGet("/ui/app.css", () => Results.Content(style, "text/css; charset=utf-8"));
    }

    private static string Resource(string name)
    {
        var assembly = Assembly.GetExecutingAssembly();
        string full = assembly.GetManifestResourceNames().Single(n => n.EndsWith(".Ui." + name, StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(full)!);
        return reader.ReadToEnd();
    }
}
