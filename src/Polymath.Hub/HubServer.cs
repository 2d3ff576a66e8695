using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Polymath.Hub.Api;
using Polymath.Hub.Auth;
using Polymath.Hub.Data;
using Polymath.Hub.Services;
using Polymath.Hub.Storage;

namespace Polymath.Hub;

/// <summary>
/// A running hub: Kestrel serving the HTTP API over a blob store and a SQLite or PostgreSQL database. Start it with
/// <see cref="StartAsync"/>; the schema is migrated on start, and on first start an administrator account is created
/// whose token is written to <c>DATA/admin-token</c> (readable by the owner only).
/// </summary>
public sealed class HubServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HubDatabase _db;

    private HubServer(WebApplication app, HubDatabase db, IReadOnlyList<Uri> addresses, string? adminToken, string adminTokenPath, string backend)
    {
        _app = app;
        _db = db;
        Addresses = addresses;
        AdminToken = adminToken;
        AdminTokenPath = adminTokenPath;
        Backend = backend;
    }

    /// <summary>Where the server listens (with the real port when 0 was asked for).</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    /// <summary>The first listening address.</summary>
    public Uri Address => Addresses[0];

    /// <summary>The administrator token created on this start (first start of an empty database only), else null.</summary>
    public string? AdminToken { get; }

    /// <summary>The file the first administrator token was written to.</summary>
    public string AdminTokenPath { get; }

    /// <summary>"sqlite" or "postgresql".</summary>
    public string Backend { get; }

    /// <summary>Opens the database (migrating it), the blob store, and starts listening.</summary>
    /// <exception cref="IOException">the address is in use or the data folder cannot be written.</exception>
    public static async Task<HubServer> StartAsync(HubServerOptions options, CancellationToken cancel = default)
    {
        string dataDir = Path.GetFullPath(options.DataDir);
        Directory.CreateDirectory(dataDir);
        var db = HubDatabase.Open(options.Database, dataDir);
        try
        {
            await db.MigrateAsync(cancel);
            string tokenPath = Path.Combine(dataDir, "admin-token");
            string? adminToken = await BootstrapAsync(db, tokenPath, cancel);
            var blobs = new BlobStore(dataDir);
            var uploads = new Uploads(db, blobs, Path.Combine(dataDir, "uploads"), options.MaxFileBytes);

            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = dataDir });
            builder.WebHost.UseUrls(options.Urls);
            builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null); // each endpoint enforces its own limit
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Logging.SetMinimumLevel(options.Verbose ? LogLevel.Information : LogLevel.Warning);
            builder.Services.AddSingleton(db);
            var app = builder.Build();
            app.UseMiddleware<ProblemMiddleware>();
            app.UseMiddleware<AuthMiddleware>();
            var hub = new HubContext(db, blobs, uploads, options, dataDir);
            HubApi.Map(app, hub);
            app.MapFallback((HttpContext c) => throw HubException.NotFound($"no endpoint {c.Request.Method} {c.Request.Path}."));
            await app.StartAsync(cancel);
            var addresses = app.Urls.Select(u => new Uri(u.Replace("://[::]", "://localhost").Replace("://0.0.0.0", "://127.0.0.1"))).ToList();
            hub.BaseUrl = options.PublicUrl ?? addresses[0].ToString().TrimEnd('/');
            return new HubServer(app, db, addresses, adminToken, tokenPath, db.Dialect.Name);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until the server is stopped (Ctrl-C when run by the command line, or <paramref name="cancel"/>).</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancel)
    {
        try { await Task.Delay(Timeout.Infinite, cancel); }
        catch (OperationCanceledException) { }
    }

    /// <summary>Stops listening, finishing requests in flight, and closes the database.</summary>
    public async ValueTask DisposeAsync()
    {
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
            await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>On an empty database: creates the site administrator "admin" and writes a token for it to <paramref name="tokenPath"/>.</summary>
    private static async Task<string?> BootstrapAsync(HubDatabase db, string tokenPath, CancellationToken cancel)
    {
        return await db.WriteAsync(async sql =>
        {
            if (await sql.ScalarAsync<long>("SELECT COUNT(*) FROM principals") > 0)
                return null;
            var system = new Caller(null, "(hub)", true, TokenScope.Write, null, null);
            string id = await Accounts.CreateUserAsync(sql, system, "admin", siteAdmin: true, bootstrap: true);
            var admin = new Caller(id, "admin", true, TokenScope.Write, null, null);
            var (token, _, _) = await Accounts.CreateTokenAsync(sql, admin, null, "bootstrap", TokenScope.Write, null, Accounts.MaxTokenLifetime);
            string temp = tokenPath + ".tmp";
            await File.WriteAllTextAsync(temp, token + "\n", cancel);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(temp, tokenPath, overwrite: true);
            return token;
        }, cancel);
    }
}
