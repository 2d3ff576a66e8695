using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Polymath.Hub.Client;

/// <summary>
/// Talks to a Polymath hub over HTTP. Every call is async and cancellable; transfers report progress. Errors from the
/// hub arrive as <see cref="HubApiException"/> with its status and message.
/// </summary>
public sealed partial class HubClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;

    /// <summary>A client for the hub at <paramref name="baseAddress"/>, signed in with <paramref name="token"/> (null: anonymous).</summary>
    public HubClient(Uri baseAddress, string? token = null, HttpMessageHandler? handler = null)
    {
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.BaseAddress = new Uri(baseAddress.ToString().TrimEnd('/') + "/");
        _http.Timeout = Timeout.InfiniteTimeSpan; // long transfers; callers cancel with their token
        if (token is not null)
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>Files larger than this go up in resumable chunks of this size (default 8 MiB).</summary>
    public int ChunkSize { get; set; } = 8 << 20;

    /// <summary>Folder of the local blob cache (files named by SHA-256); default from <see cref="BlobCache.DefaultRoot"/>.</summary>
    public string CacheDir { get; set; } = BlobCache.DefaultRoot();

    /// <summary>The hub's address.</summary>
    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>Who the token belongs to.</summary>
    public Task<HubIdentity> WhoAmIAsync(CancellationToken cancel = default) => GetAsync<HubIdentity>("api/whoami", cancel);

    /// <summary>Creates a user (site administrators only).</summary>
    public Task CreateUserAsync(string name, bool siteAdmin = false, CancellationToken cancel = default) =>
        SendAsync(HttpMethod.Post, "api/users", new { name, siteAdmin }, cancel);

    /// <summary>Creates a token for the signed-in user (or, for a site admin, for <paramref name="user"/>).</summary>
    public Task<HubToken> CreateTokenAsync(string name, string scope = "write", string? repo = null, double expiresInDays = 90, string? user = null, CancellationToken cancel = default) =>
        SendAsync<HubToken>(HttpMethod.Post, "api/tokens", new { name, scope, repo, expiresInDays, user }, cancel);

    /// <summary>Revokes a token by id.</summary>
    public Task RevokeTokenAsync(string id, CancellationToken cancel = default) => SendAsync(HttpMethod.Delete, $"api/tokens/{Esc(id)}", null, cancel);

    /// <summary>Creates an organisation owned by the signed-in user.</summary>
    public Task CreateOrgAsync(string name, CancellationToken cancel = default) => SendAsync(HttpMethod.Post, "api/orgs", new { name }, cancel);

    /// <summary>Adds a user to an organisation as "member" or "owner".</summary>
    public Task SetOrgMemberAsync(string org, string user, string role = "member", CancellationToken cancel = default) =>
        SendAsync(HttpMethod.Put, $"api/orgs/{Esc(org)}/members/{Esc(user)}", new { role }, cancel);

    /// <summary>Creates a team in an organisation.</summary>
    public Task CreateTeamAsync(string org, string team, CancellationToken cancel = default) =>
        SendAsync(HttpMethod.Post, $"api/orgs/{Esc(org)}/teams", new { name = team }, cancel);

    /// <summary>Adds an organisation member to a team.</summary>
    public Task AddTeamMemberAsync(string org, string team, string user, CancellationToken cancel = default) =>
        SendAsync(HttpMethod.Put, $"api/orgs/{Esc(org)}/teams/{Esc(team)}/members/{Esc(user)}", null, cancel);

    /// <summary>Creates a repository (owner null: the signed-in user).</summary>
    public Task<HubRepo> CreateRepoAsync(string name, string? owner = null, string kind = "dataset", bool isPrivate = false, string? description = null, CancellationToken cancel = default) =>
        SendAsync<HubRepo>(HttpMethod.Post, "api/repos", new { name, owner, kind, @private = isPrivate, description }, cancel);

    /// <summary>A repository.</summary>
    public Task<HubRepo> GetRepoAsync(string owner, string name, CancellationToken cancel = default) => GetAsync<HubRepo>(RepoUrl(owner, name), cancel);

    /// <summary>Repositories the caller can see, optionally filtered by a search text.</summary>
    public Task<List<HubRepo>> ListReposAsync(string? query = null, CancellationToken cancel = default) =>
        GetAsync<List<HubRepo>>("api/repos" + (query is null ? "" : "?q=" + Esc(query)), cancel);

    /// <summary>Makes a repository public or private (admins).</summary>
    public Task<HubRepo> SetPrivateAsync(string owner, string name, bool isPrivate, CancellationToken cancel = default) =>
        SendAsync<HubRepo>(HttpMethod.Patch, RepoUrl(owner, name), new { @private = isPrivate }, cancel);

    /// <summary>Gives a user, or a team written org/team, a role: reader, contributor, writer or admin.</summary>
    public Task GrantAsync(string owner, string name, string? user, string? team, string role, CancellationToken cancel = default) =>
        SendAsync(HttpMethod.Put, RepoUrl(owner, name) + "/grants", new { user, team, role }, cancel);

    /// <summary>Removes a user's or team's role.</summary>
    public Task RevokeAsync(string owner, string name, string? user, string? team, CancellationToken cancel = default) =>
        SendAsync(HttpMethod.Delete, RepoUrl(owner, name) + "/grants?" + (user is not null ? "user=" + Esc(user) : "team=" + Esc(team!)), null, cancel);

    /// <summary>Records a version on a branch; <paramref name="parent"/> is the head the caller saw (null: new branch). 409 when the branch moved.</summary>
    public Task<HubCommit> CommitAsync(string owner, string name, string branch, string? parent, string message,
        IEnumerable<HubCommitFile> files, IEnumerable<string>? delete = null, bool replace = false, CancellationToken cancel = default) =>
        SendAsync<HubCommit>(HttpMethod.Post, RepoUrl(owner, name) + "/commits",
            new { branch, parent, message, files = files.ToList(), delete = delete?.ToList() ?? [], replace }, cancel);

    /// <summary>History from a revision (default branch when null), newest first.</summary>
    public Task<List<HubCommit>> LogAsync(string owner, string name, string? rev = null, int limit = 100, CancellationToken cancel = default) =>
        GetAsync<List<HubCommit>>(RepoUrl(owner, name) + $"/commits?limit={limit}" + Rev(rev), cancel);

    /// <summary>Branches and tags.</summary>
    public Task<List<HubRef>> RefsAsync(string owner, string name, CancellationToken cancel = default) =>
        GetAsync<List<HubRef>>(RepoUrl(owner, name) + "/refs", cancel);

    /// <summary>The commit a branch points at, or null when it does not exist.</summary>
    public async Task<string?> BranchHeadAsync(string owner, string name, string branch, CancellationToken cancel = default) =>
        (await RefsAsync(owner, name, cancel)).FirstOrDefault(r => r.Kind == "branch" && r.Name == branch)?.Commit;

    /// <summary>Tags a revision; tags never move.</summary>
    public Task TagAsync(string owner, string name, string tag, string? target = null, CancellationToken cancel = default) =>
        SendAsync(HttpMethod.Post, RepoUrl(owner, name) + "/tags", new { name = tag, target }, cancel);

    /// <summary>Points a branch at a revision if it is still at <paramref name="expected"/> (null: create it).</summary>
    public Task MoveBranchAsync(string owner, string name, string branch, string target, string? expected, CancellationToken cancel = default) =>
        SendAsync(HttpMethod.Put, RepoUrl(owner, name) + "/branches/" + branch, new { target, expected }, cancel);

    /// <summary>Files of a version under a folder.</summary>
    public Task<HubTree> TreeAsync(string owner, string name, string? rev = null, string path = "", CancellationToken cancel = default) =>
        GetAsync<HubTree>(RepoUrl(owner, name) + "/tree?path=" + Esc(path) + Rev(rev), cancel);

    /// <summary>File-level difference between two revisions (from null: the parent of <paramref name="to"/>).</summary>
    public Task<HubDiff> DiffAsync(string owner, string name, string? from, string? to, CancellationToken cancel = default) =>
        GetAsync<HubDiff>(RepoUrl(owner, name) + "/diff?" + (from is null ? "" : "from=" + Esc(from)) + (to is null ? "" : "&to=" + Esc(to)), cancel);

    /// <summary>Row-level difference of one CSV file between two revisions, rows matched by <paramref name="key"/>.</summary>
    public async Task<HubCsvDiff> CsvDiffAsync(string owner, string name, string? from, string? to, string path, string key, CancellationToken cancel = default)
    {
        var doc = await GetAsync<JsonObject>(RepoUrl(owner, name) + "/diff/csv?path=" + Esc(path) + "&key=" + Esc(key)
            + (from is null ? "" : "&from=" + Esc(from)) + (to is null ? "" : "&to=" + Esc(to)), cancel);
        return doc["diff"].Deserialize<HubCsvDiff>(Json) ?? throw new InvalidDataException("the hub's CSV diff response had no 'diff'.");
    }

    /// <summary>Replaces the structured metadata (title, description, creators, license, keywords, domain, version, citation, doi).</summary>
    public Task SetMetadataAsync(string owner, string name, object metadata, CancellationToken cancel = default) =>
        SendAsync(HttpMethod.Put, RepoUrl(owner, name) + "/metadata", metadata, cancel);

    /// <summary>The structured metadata as JSON.</summary>
    public Task<JsonObject> GetMetadataAsync(string owner, string name, CancellationToken cancel = default) =>
        GetAsync<JsonObject>(RepoUrl(owner, name) + "/metadata", cancel);

    /// <summary>Replaces the dataset card (Markdown).</summary>
    public async Task SetCardAsync(string owner, string name, string markdown, CancellationToken cancel = default)
    {
        using var content = new StringContent(markdown, Encoding.UTF8, "text/markdown");
        using var response = await _http.PutAsync(RepoUrl(owner, name) + "/card", content, cancel);
        await EnsureOk(response, cancel);
    }

    /// <summary>The dataset card (Markdown).</summary>
    public async Task<string> GetCardAsync(string owner, string name, CancellationToken cancel = default)
    {
        using var response = await _http.GetAsync(RepoUrl(owner, name) + "/card", cancel);
        await EnsureOk(response, cancel);
        return await response.Content.ReadAsStringAsync(cancel);
    }

    /// <summary>The Croissant JSON-LD description of a version.</summary>
    public Task<JsonObject> CroissantAsync(string owner, string name, string? rev = null, CancellationToken cancel = default) =>
        GetAsync<JsonObject>(RepoUrl(owner, name) + "/croissant?" + Rev(rev).TrimStart('&'), cancel);

    /// <summary>Re-hashes every blob on the hub and checks every version's files (site administrators).</summary>
    public Task<JsonObject> VerifyAsync(CancellationToken cancel = default) => SendAsync<JsonObject>(HttpMethod.Post, "api/admin/verify", null, cancel);

    /// <summary>
    /// Deletes blobs no version references, older than <paramref name="graceSeconds"/> (default a day), and upload sessions
    /// unfinished for longer than <paramref name="abandonedUploadSeconds"/> (default a week); site administrators only.
    /// </summary>
    public Task<JsonObject> CollectGarbageAsync(double? graceSeconds = null, double? abandonedUploadSeconds = null, CancellationToken cancel = default) =>
        SendAsync<JsonObject>(HttpMethod.Post, "api/admin/gc", new { graceSeconds, abandonedUploadSeconds }, cancel);

    /// <summary>A raw request for callers that need headers (ranges, ETags): the response is the caller's to dispose.</summary>
    public Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken cancel = default) =>
        _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);

    /// <summary>Closes connections.</summary>
    public void Dispose() => _http.Dispose();

    /// <summary>The API path of a repository.</summary>
    internal static string RepoUrl(string owner, string name) => $"api/repos/{Esc(owner)}/{Esc(name)}";

    /// <summary>The API path of a file of a repository.</summary>
    internal static string FileUrl(string owner, string name, string path, string? rev) =>
        RepoUrl(owner, name) + "/files/" + string.Join('/', path.Split('/').Select(Esc)) + (rev is null ? "" : "?rev=" + Esc(rev));

    private static string Rev(string? rev) => rev is null ? "" : "&rev=" + Esc(rev);

    private static string Esc(string s) => Uri.EscapeDataString(s);

    private async Task<T> GetAsync<T>(string url, CancellationToken cancel)
    {
        using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancel);
        await EnsureOk(response, cancel);
        return await response.Content.ReadFromJsonAsync<T>(Json, cancel) ?? throw new InvalidDataException($"the hub answered {url} with an empty body.");
    }

    private async Task SendAsync(HttpMethod method, string url, object? body, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body, options: Json) };
        using var response = await _http.SendAsync(request, cancel);
        await EnsureOk(response, cancel);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string url, object? body, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body, options: Json) };
        using var response = await _http.SendAsync(request, cancel);
        await EnsureOk(response, cancel);
        return await response.Content.ReadFromJsonAsync<T>(Json, cancel) ?? throw new InvalidDataException($"the hub answered {url} with an empty body.");
    }

    /// <summary>Throws <see cref="HubApiException"/> for an error status, with the problem document's title and detail.</summary>
    internal static async Task EnsureOk(HttpResponseMessage response, CancellationToken cancel)
    {
        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotModified)
            return;
        string text = await response.Content.ReadAsStringAsync(cancel);
        string title = response.ReasonPhrase ?? "";
        string detail = text;
        long? offset = null;
        try
        {
            var doc = JsonNode.Parse(text) as JsonObject;
            title = doc?["title"]?.GetValue<string>() ?? title;
            detail = doc?["detail"]?.GetValue<string>() ?? text;
            if (doc?["offset"] is JsonValue v && v.TryGetValue(out long o))
                offset = o;
        }
        catch (JsonException)
        {
            // not a problem document: keep the raw text
        }
        throw new HubApiException((int)response.StatusCode, title, detail.Length > 2000 ? detail[..2000] : detail, offset);
    }

    /// <summary>Invariant formatting for headers.</summary>
    internal static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);
}
