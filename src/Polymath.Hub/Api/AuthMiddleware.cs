using Microsoft.AspNetCore.Http;
using Polymath.Hub.Auth;
using Polymath.Hub.Data;
using Polymath.Hub.Services;

namespace Polymath.Hub.Api;

/// <summary>
/// Identifies the caller from <c>Authorization: Bearer TOKEN</c>, the only place a token is read. A token in the query
/// string is refused outright (URLs end up in logs and browser history); a bad token is a 401, never anonymous access.
/// </summary>
internal sealed class AuthMiddleware(RequestDelegate next, HubDatabase db)
{
    private const string CallerKey = "polymath.caller";

    /// <summary>Sets the caller for the rest of the pipeline.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        foreach (var key in context.Request.Query.Keys)
            if (key.Equals("token", StringComparison.OrdinalIgnoreCase) || key.Equals("access_token", StringComparison.OrdinalIgnoreCase))
                throw HubException.BadRequest("tokens are accepted only in the 'Authorization: Bearer TOKEN' header, never in the URL.");
        var caller = Caller.Anonymous;
        string? header = context.Request.Headers.Authorization;
        if (!string.IsNullOrEmpty(header))
        {
            const string bearer = "Bearer ";
            if (!header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) || header.Length <= bearer.Length)
                throw HubException.Unauthorized("the Authorization header must be 'Bearer TOKEN'.");
            string token = header[bearer.Length..].Trim();
            caller = await db.ReadAsync(sql => Accounts.AuthenticateAsync(sql, token), context.RequestAborted);
        }
        context.Items[CallerKey] = caller;
        await next(context);
    }

    /// <summary>The caller of a request that passed this middleware.</summary>
    public static Caller CallerOf(HttpContext context) => context.Items[CallerKey] as Caller ?? Caller.Anonymous;
}
