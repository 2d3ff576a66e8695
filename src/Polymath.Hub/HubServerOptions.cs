namespace Polymath.Hub;

/// <summary>How a hub server starts: where it listens, where it keeps blobs, which database it uses, and its limits.</summary>
public sealed class HubServerOptions
{
    /// <summary>Addresses to listen on, separated by ';' (port 0 picks a free port). Default http://127.0.0.1:8080.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary>Folder for blobs, upload parts and (by default) the SQLite database. Created when missing.</summary>
    public string DataDir { get; set; } = "hub-data";

    /// <summary>
    /// Database connection: null for SQLite at <c>DataDir/hub.db</c>; a path or <c>Data Source=FILE</c> for another SQLite
    /// file; <c>Host=…;Database=…</c> or a <c>postgres://</c> URL for PostgreSQL.
    /// </summary>
    public string? Database { get; set; }

    /// <summary>Largest file accepted, in bytes (default 1 TiB).</summary>
    public long MaxFileBytes { get; set; } = 1L << 40;

    /// <summary>Log requests and start-up details to the console (default: warnings and errors only).</summary>
    public bool Verbose { get; set; }

    /// <summary>Public base URL used in exported links (Croissant contentUrl); default: the first listening address.</summary>
    public string? PublicUrl { get; set; }
}
