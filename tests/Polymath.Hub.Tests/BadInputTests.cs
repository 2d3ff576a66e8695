using System.Net;
using System.Text;
using Xunit;

namespace Polymath.Hub.Tests;

/// <summary>Malformed or hostile requests: each refused with a clear problem document, and nothing stored.</summary>
public abstract class BadInputTests(string backend) : HubTestBase(backend)
{
    [BackendFact]
    public async Task Hostile_paths_in_a_commit_are_refused_and_no_version_is_written()
    {
        await Admin.CreateRepoAsync("b");
        var up = await Admin.UploadAsync("admin", "b", new MemoryStream("x"u8.ToArray()), 1);
        string[] paths = ["../escape.csv", "a/../../b", "/etc/passwd", "C:/x", "dir\\file", "a\u0000b", "CON", "data/aux.txt", "a//b", "sp ace. ", "LONE-SURROGATE"];
        foreach (var p in paths)
        {
            string json = "{\"branch\":\"main\",\"parent\":null,\"message\":\"m\",\"files\":[{\"path\":" + JsonString(p) + ",\"sha256\":\"" + up.Sha256 + "\"}]}";
            var (status, body) = await SendAsync(AdminToken, HttpMethod.Post, "/api/repos/admin/b/commits", json);
            Assert.True(status == HttpStatusCode.BadRequest, $"path {JsonString(p)}: {(int)status} {body}");
            Assert.Contains("path", Detail(body));
        }
        Assert.Empty(await Admin.RefsAsync("admin", "b"));
    }

    [BackendFact]
    public async Task Invalid_json_unknown_fields_and_invalid_utf8_are_400_with_where()
    {
        var (s1, b1) = await SendAsync(AdminToken, HttpMethod.Post, "/api/repos", "{\"name\": \"x\",");
        Assert.Equal(HttpStatusCode.BadRequest, s1);
        Assert.Contains("invalid JSON", Detail(b1));

        var (s2, b2) = await SendAsync(AdminToken, HttpMethod.Post, "/api/repos", """{"name":"x","privat":true}""");
        Assert.Equal(HttpStatusCode.BadRequest, s2);
        Assert.Contains("privat", Detail(b2));

        var bytes = Encoding.UTF8.GetBytes("{\"name\":\"x\"}");
        bytes[9] = 0xFF; // the name's 'x' becomes a byte that is not UTF-8
        var (s3, b3) = await SendAsync(AdminToken, HttpMethod.Post, "/api/repos", json: null, bytes: bytes, edit: r => r.Content!.Headers.ContentType = new("application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, s3);
        Assert.Contains("invalid JSON", Detail(b3));

        var (s4, _) = await SendAsync(AdminToken, HttpMethod.Post, "/api/repos", """{"name":"Bad Name"}""");
        Assert.Equal(HttpStatusCode.BadRequest, s4);
        Assert.Empty(await Admin.ListReposAsync());
    }

    [BackendFact]
    public async Task Oversized_metadata_and_cards_are_413_and_invalid_metadata_names_every_field()
    {
        await Admin.CreateRepoAsync("m");
        string huge = "{\"title\":\"" + new string('a', 70_000) + "\"}";
        var (s1, b1) = await SendAsync(AdminToken, HttpMethod.Put, "/api/repos/admin/m/metadata", huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, s1);
        Assert.Contains("limit", Detail(b1));

        var (s2, _) = await SendAsync(AdminToken, HttpMethod.Put, "/api/repos/admin/m/card", json: null, bytes: new byte[1024 * 1024 + 1]);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, s2);

        var (s3, b3) = await SendAsync(AdminToken, HttpMethod.Put, "/api/repos/admin/m/card", json: null, bytes: [0x23, 0x20, 0xC3, 0x28]);
        Assert.Equal(HttpStatusCode.BadRequest, s3);
        Assert.Contains("UTF-8", Detail(b3));

        var (s4, b4) = await SendAsync(AdminToken, HttpMethod.Put, "/api/repos/admin/m/metadata",
            """{"title":"","description":"d","creators":[],"license":"Made-Up-1.0","doi":"doi.org/x","creators":[{"name":"a","orcid":"123"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, s4);
        string d = Detail(b4);
        Assert.Contains("title", d);
        Assert.Contains("license", d);
        Assert.Contains("doi", d);
        Assert.Contains("orcid", d);

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(AdminToken, HttpMethod.Get, "/api/repos/admin/m/metadata")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(AdminToken, HttpMethod.Get, "/api/repos/admin/m/card")).Status);
    }

    [BackendFact]
    public async Task Expired_revoked_unknown_and_query_string_tokens_are_refused()
    {
        await Admin.CreateUserAsync("tim");
        var shortLived = await Admin.CreateTokenAsync("short", "write", expiresInDays: 1.0 / 86400 / 2, user: "tim"); // half a second
        var expires = DateTimeOffset.Parse(shortLived.Expires, System.Globalization.CultureInfo.InvariantCulture);
        while (DateTimeOffset.UtcNow <= expires)
            await Task.Delay(100);
        var (s1, b1) = await SendAsync(shortLived.Token, HttpMethod.Get, "/api/whoami");
        Assert.Equal(HttpStatusCode.Unauthorized, s1);
        Assert.Contains("expired", Detail(b1));

        var revoked = await Admin.CreateTokenAsync("rev", "write", user: "tim");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(revoked.Token, HttpMethod.Get, "/api/whoami")).Status);
        await Admin.RevokeTokenAsync(revoked.Id);
        var (s2, b2) = await SendAsync(revoked.Token, HttpMethod.Post, "/api/repos", """{"name":"after-revoke"}""");
        Assert.Equal(HttpStatusCode.Unauthorized, s2);
        Assert.Contains("revoked", Detail(b2));

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync("pmh_not-a-real-token", HttpMethod.Get, "/api/repos")).Status);
        var (s3, b3) = await SendAsync(null, HttpMethod.Get, "/api/repos?token=" + revoked.Token);
        Assert.Equal(HttpStatusCode.BadRequest, s3);
        Assert.Contains("header", Detail(b3));
        Assert.DoesNotContain(await Admin.ListReposAsync(), r => r.Name == "after-revoke");
    }

    [BackendFact]
    public async Task Tokens_are_stored_only_as_hashes()
    {
        var t = await Admin.CreateTokenAsync("look", "read");
        var db = await File.ReadAllBytesAsync(Path.Combine(Backend.DataDir, Backend.Kind == "sqlite" ? "hub.db" : "admin-token"));
        if (Backend.Kind == "sqlite")
            Assert.DoesNotContain(t.Token, Encoding.UTF8.GetString(db));
        var (_, tokens) = await SendAsync(AdminToken, HttpMethod.Get, "/api/tokens");
        Assert.DoesNotContain(t.Token, tokens);
        Assert.Contains(t.Id, tokens);
    }

    [BackendFact]
    public async Task Unknown_routes_and_server_errors_answer_with_problem_documents()
    {
        var (status, body) = await SendAsync(null, HttpMethod.Get, "/api/no/such/thing");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("no endpoint", Detail(body));
        var (s2, b2) = await SendAsync(AdminToken, HttpMethod.Get, "/api/repos/admin/none/files/../x");
        Assert.True(s2 is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, b2);
    }

    /// <summary>A JSON string literal; "LONE-SURROGATE" becomes the escape \ud800 (a serializer would replace it with U+FFFD).</summary>
    private static string JsonString(string s) => s == "LONE-SURROGATE" ? "\"\\ud800x\"" : System.Text.Json.JsonSerializer.Serialize(s);
}

/// <summary>Bad input on SQLite.</summary>
public sealed class BadInputSqliteTests() : BadInputTests("sqlite");

/// <summary>Bad input on PostgreSQL.</summary>
public sealed class BadInputPostgresTests() : BadInputTests("postgresql"), IPostgresBackend;
