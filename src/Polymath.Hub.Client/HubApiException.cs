namespace Polymath.Hub.Client;

/// <summary>The hub refused a request: its HTTP status and the problem document's title and detail.</summary>
public sealed class HubApiException : Exception
{
    /// <summary>Creates the exception from a problem document.</summary>
    public HubApiException(int status, string title, string detail, long? offset = null)
        : base($"{status} {title}: {detail}")
    {
        Status = status;
        Title = title;
        Detail = detail;
        Offset = offset;
    }

    /// <summary>HTTP status code (404 missing or private, 409 conflict, …).</summary>
    public int Status { get; }

    /// <summary>Short summary of the kind of problem.</summary>
    public string Title { get; }

    /// <summary>What was wrong, in the hub's words.</summary>
    public string Detail { get; }

    /// <summary>For a chunk at the wrong offset: the offset the hub expects.</summary>
    public long? Offset { get; }
}
