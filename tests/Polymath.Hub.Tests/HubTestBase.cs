using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Polymath.Hub.Client;
using Xunit;

namespace Polymath.Hub.Tests;

/// <summary>
/// Each test gets a real hub: Kestrel on a free loopback port over a fresh database of the class's backend. Helpers
/// make users with tokens and send raw requests whose status the tests assert.
/// </summary>
public abstract class HubTestBase(string backendKind) : IAsyncLifetime
{
    private readonly List<IDisposable> _clients = [];

    /// <summary>The database and data folder, kept across restarts.</summary>
    protected TestBackend Backend { get; private set; } = null!;

    /// <summary>The running server.</summary>
    protected HubServer Server { get; private set; } = null!;

    /// <summary>A client signed in as the bootstrap site administrator.</summary>
    protected HubClient Admin { get; private set; } = null!;

    /// <summary>The bootstrap administrator's token.</summary>
    protected string AdminToken { get; private set; } = "";

    /// <summary>Creates the backend and starts the server.</summary>
    public async Task InitializeAsync()
    {
        Backend = await TestBackend.CreateAsync(backendKind);
        await StartAsync();
        AdminToken = Server.AdminToken ?? throw new InvalidOperationException("a fresh hub must create an admin token");
        Admin = Client(AdminToken);
    }

    /// <summary>Stops the server and removes the backend.</summary>
    public async Task DisposeAsync()
    {
        foreach (var c in _clients) c.Dispose();
        if (Server is not null) await Server.DisposeAsync();
        if (Backend is not null) await Backend.DisposeAsync();
    }

    /// <summary>Starts a server on the test's backend.</summary>
    protected async Task StartAsync(long maxFileBytes = 1L << 40)
    {
        Server = await HubServer.StartAsync(new HubServerOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDir = Backend.DataDir,
            Database = Backend.Connection,
            MaxFileBytes = maxFileBytes,
        });
    }

    /// <summary>Stops the server and starts a new one on the same database and data folder (clients must be re-made).</summary>
    protected async Task RestartAsync()
    {
        await Server.DisposeAsync();
        await StartAsync();
        Admin = Client(AdminToken);
    }

    /// <summary>A client of the current server with a token (null: anonymous).</summary>
    protected HubClient Client(string? token)
    {
        var c = new HubClient(Server.Address, token) { ChunkSize = 64 * 1024, CacheDir = Path.Combine(Backend.DataDir, "client-cache") };
        _clients.Add(c);
        return c;
    }

    /// <summary>Creates a user and a write token for them; returns the token.</summary>
    protected async Task<string> UserAsync(string name, string scope = "write", string? repo = null)
    {
        await Admin.CreateUserAsync(name);
        return (await Admin.CreateTokenAsync("test", scope, repo, user: name)).Token;
    }

    /// <summary>A raw request; returns the status and the body text.</summary>
    protected async Task<(HttpStatusCode Status, string Body)> SendAsync(string? token, HttpMethod method, string path, string? json = null, byte[]? bytes = null, Action<HttpRequestMessage>? edit = null)
    {
        using var http = new HttpClient { BaseAddress = Server.Address };
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        else if (bytes is not null)
            request.Content = new ByteArrayContent(bytes);
        edit?.Invoke(request);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The problem document's detail of an error body.</summary>
    protected static string Detail(string body) => JsonNode.Parse(body)?["detail"]?.GetValue<string>() ?? "";

    /// <summary>Uploads text as a file and commits it on a branch on top of its current head; returns the commit id.</summary>
    protected static async Task<string> CommitTextAsync(HubClient client, string owner, string repo, string branch, params (string Path, string Text)[] files)
    {
        string? head = await client.BranchHeadAsync(owner, repo, branch);
        var put = new List<HubCommitFile>();
        foreach (var (path, text) in files)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            var up = await client.UploadAsync(owner, repo, new MemoryStream(bytes), bytes.Length);
            put.Add(new HubCommitFile(path, up.Sha256!));
        }
        return (await client.CommitAsync(owner, repo, branch, head, $"update {string.Join(", ", files.Select(f => f.Path))}", put)).Id;
    }
}
