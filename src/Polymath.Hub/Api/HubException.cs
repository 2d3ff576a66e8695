namespace Polymath.Hub.Api;

/// <summary>A request the hub refuses: becomes an RFC 9457 problem-details response with this status.</summary>
internal sealed class HubException(int status, string title, string detail, IReadOnlyDictionary<string, object?>? extensions = null) : Exception(detail)
{
    /// <summary>The HTTP status code.</summary>
    public int Status { get; } = status;

    /// <summary>A short, fixed summary of the kind of problem.</summary>
    public string Title { get; } = title;

    /// <summary>Extra members of the problem document (e.g. the branch's current head on a conflict).</summary>
    public IReadOnlyDictionary<string, object?>? Extensions { get; } = extensions;

    /// <summary>400: the request is malformed.</summary>
    public static HubException BadRequest(string detail) => new(400, "Bad request", detail);

    /// <summary>401: no valid credentials.</summary>
    public static HubException Unauthorized(string detail) => new(401, "Unauthorized", detail);

    /// <summary>403: the caller can see the resource but may not do this.</summary>
    public static HubException Forbidden(string detail) => new(403, "Forbidden", detail);

    /// <summary>404: missing, or private and not visible to the caller.</summary>
    public static HubException NotFound(string detail) => new(404, "Not found", detail);

    /// <summary>409: the state changed under the caller (a branch moved, a name is taken, an offset is stale).</summary>
    public static HubException Conflict(string detail, IReadOnlyDictionary<string, object?>? extensions = null) => new(409, "Conflict", detail, extensions);

    /// <summary>413: the body is larger than allowed.</summary>
    public static HubException TooLarge(string detail) => new(413, "Payload too large", detail);
}
