using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Polymath.Hub.Api;

/// <summary>
/// Turns every failure into an RFC 9457 problem-details JSON response: the hub's own errors keep their status and
/// message; anything unexpected becomes a 500 that names an id to find in the server log, never a stack trace.
/// </summary>
internal sealed class ProblemMiddleware(RequestDelegate next, ILogger<ProblemMiddleware> log)
{
    /// <summary>Runs the rest of the pipeline and writes a problem document when it throws.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (HubException e)
        {
            await WriteAsync(context, e.Status, e.Title, e.Message, e.Extensions);
        }
        catch (BadHttpRequestException e)
        {
            await WriteAsync(context, e.StatusCode, "Bad request", e.Message, null);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: there is nobody to answer.
        }
        catch (Exception e)
        {
            string id = context.TraceIdentifier;
            log.LogError(e, "request {Id} {Method} {Path} failed", id, context.Request.Method, context.Request.Path);
            await WriteAsync(context, 500, "Internal server error", $"the server failed on this request; the log has the details under id {id}.", null);
        }
    }

    /// <summary>Writes a problem document unless the response has already started.</summary>
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail, IReadOnlyDictionary<string, object?>? extensions)
    {
        if (context.Response.HasStarted)
        {
            context.Abort(); // a half-sent body must not look complete
            return;
        }
        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        var doc = new Dictionary<string, object?>
        {
            ["type"] = $"https://httpstatuses.io/{status}",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
            ["instance"] = context.Request.Path.Value,
        };
        if (extensions is not null)
            foreach (var (k, v) in extensions)
                doc[k] = v;
        await context.Response.WriteAsync(JsonSerializer.Serialize(doc, ApiJson.Options), context.RequestAborted);
    }
}
