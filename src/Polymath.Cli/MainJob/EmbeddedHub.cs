using System.Globalization;
using Polymath.Hub;
using Polymath.Hub.Client;

namespace Polymath.Cli;

/// <summary>
/// A hub started inside the process on a loopback port over a local folder (SQLite and content-addressed blobs), and a
/// client signed in as its administrator. The demo publishes through the same HTTP API, client and storage a shared
/// hub uses, so what it leaves behind can be served later with <c>polymath hub serve --data FOLDER</c>.
/// </summary>
internal sealed class EmbeddedHub : IAsyncDisposable
{
    private readonly HubServer _server;

    private EmbeddedHub(HubServer server, HubClient client, string owner)
    {
        _server = server;
        Client = client;
        Owner = owner;
    }

    /// <summary>The signed-in client.</summary>
    public HubClient Client { get; }

    /// <summary>The account repositories are created under (the hub's administrator).</summary>
    public string Owner { get; }

    /// <summary>Where the hub listens.</summary>
    public Uri Address => _server.Address;

    /// <summary>Starts the hub over <paramref name="dataDir"/> (created, or reopened with the token it wrote on its first start).</summary>
    public static async Task<EmbeddedHub> StartAsync(string dataDir, CancellationToken cancel)
    {
        var server = await HubServer.StartAsync(new HubServerOptions { Urls = "http://127.0.0.1:0", DataDir = dataDir }, cancel);
        try
        {
            string token = server.AdminToken ?? (await File.ReadAllTextAsync(server.AdminTokenPath, cancel)).Trim();
            var client = new HubClient(server.Address, token) { CacheDir = Path.Combine(dataDir, "client-cache") };
            var me = await client.WhoAmIAsync(cancel);
            return new EmbeddedHub(server, client, me.User);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Publishes the files under <paramref name="folder"/> as the next version of repository <paramref name="name"/>
    /// (created when missing): one commit on main, tagged v1, v2, …; then the metadata and card. Returns the tag and commit.
    /// </summary>
    public async Task<(string Tag, string Commit)> PublishAsync(string name, string kind, string folder, string message, Func<string, object> metadata,
        Func<string, string> card, IProgress<long>? bytes, CancellationToken cancel)
    {
        try
        {
            await Client.GetRepoAsync(Owner, name, cancel);
        }
        catch (HubApiException e) when (e.Status == 404)
        {
            await Client.CreateRepoAsync(name, Owner, kind, description: message, cancel: cancel);
        }
        long done = 0;
        var progress = bytes is null ? null : new SyncProgress<TransferProgress>(p => bytes.Report(done + p.Done));
        var commit = await Client.PushAsync(Owner, name, folder, "main", message, progress, cancel);
        string head = commit?.Id ?? (await Client.BranchHeadAsync(Owner, name, "main", cancel))!;
        var refs = await Client.RefsAsync(Owner, name, cancel);
        string tag = refs.FirstOrDefault(r => r.Kind == "tag" && r.Commit == head)?.Name ?? NextTag(refs);
        if (!refs.Any(r => r.Kind == "tag" && r.Name == tag))
            await Client.TagAsync(Owner, name, tag, head, cancel);
        await Client.SetMetadataAsync(Owner, name, metadata(tag), cancel);
        await Client.SetCardAsync(Owner, name, card(tag), cancel);
        return (tag, head);
    }

    private static string NextTag(IEnumerable<HubRef> refs)
    {
        int highest = 0;
        foreach (var r in refs)
            if (r.Kind == "tag" && r.Name.Length > 1 && r.Name[0] == 'v' && int.TryParse(r.Name[1..], NumberStyles.None, CultureInfo.InvariantCulture, out int v))
                highest = Math.Max(highest, v);
        return "v" + (highest + 1).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Stops the hub.</summary>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _server.DisposeAsync();
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
