namespace Polymath.Hub.Auth;

/// <summary>Who sent a request: a user authenticated by an API token, or nobody (anonymous).</summary>
internal sealed record Caller(string? UserId, string? UserName, bool SiteAdmin, TokenScope Scope, string? TokenRepoId, string? TokenId)
{
    /// <summary>A request without credentials.</summary>
    public static readonly Caller Anonymous = new(null, null, false, TokenScope.Read, null, null);

    /// <summary>Whether a user is signed in.</summary>
    public bool IsAuthenticated => UserId is not null;
}

/// <summary>What a token allows at most, whatever its user's roles.</summary>
internal enum TokenScope
{
    /// <summary>Reads only.</summary>
    Read,

    /// <summary>Reads and writes.</summary>
    Write,
}
