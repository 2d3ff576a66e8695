using Polymath.Hub.Data;
using Polymath.Hub.Services;
using Polymath.Hub.Storage;

namespace Polymath.Hub.Api;

/// <summary>What the endpoints share: the database, the blob store, upload sessions and the server's options.</summary>
internal sealed class HubContext(HubDatabase db, BlobStore blobs, Uploads uploads, HubServerOptions options, string dataDir)
{
    /// <summary>The database.</summary>
    public HubDatabase Db { get; } = db;

    /// <summary>The content-addressed blob store.</summary>
    public BlobStore Blobs { get; } = blobs;

    /// <summary>Resumable upload sessions.</summary>
    public Uploads Uploads { get; } = uploads;

    /// <summary>The options the server started with.</summary>
    public HubServerOptions Options { get; } = options;

    /// <summary>The data folder.</summary>
    public string DataDir { get; } = dataDir;

    /// <summary>Base URL for links in exported documents.</summary>
    public string BaseUrl { get; set; } = "";
}
