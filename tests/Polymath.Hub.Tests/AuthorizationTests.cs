using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace Polymath.Hub.Tests;

/// <summary>
/// Who may do what: every actor (anonymous, reader, contributor, writer, admin, a member of another organisation) against
/// every repository endpoint, on a private and on a public repository, each status asserted.
/// </summary>
public abstract class AuthorizationTests(string backend) : HubTestBase(backend)
{
    private static readonly string[] Actors = ["anonymous", "reader", "contributor", "writer", "admin", "other-org"];

    private sealed record Endpoint(string Name, Func<string, Task<(HttpMethod Method, string Path, string? Json)>> Request, int[] Private, int[] Public);

    [BackendFact]
    public async Task Every_actor_gets_the_expected_status_from_every_endpoint()
    {
        var tokens = await SetUpAsync();
        var failures = new List<string>();
        foreach (var (repo, isPrivate) in new[] { ("secret", true), ("open", false) })
        {
            foreach (var ep in Endpoints(repo))
            {
                int[] expected = isPrivate ? ep.Private : ep.Public;
                for (int a = 0; a < Actors.Length; a++)
                {
                    var (method, path, json) = await ep.Request(Actors[a]);
                    var (status, body) = await SendAsync(tokens[Actors[a]], method, path, json);
                    if ((int)status != expected[a])
                        failures.Add($"{repo} {ep.Name} as {Actors[a]}: expected {expected[a]}, got {(int)status} {Detail(body)}");
                    else if ((int)status >= 400)
                        Assert.False(string.IsNullOrEmpty(Detail(body)), $"{ep.Name} as {Actors[a]}: error without a problem detail");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [BackendFact]
    public async Task A_private_repository_looks_exactly_like_a_missing_one_to_outsiders()
    {
        var tokens = await SetUpAsync();
        var (s1, b1) = await SendAsync(tokens["other-org"], HttpMethod.Get, "/api/repos/lab/secret");
        var (s2, b2) = await SendAsync(tokens["other-org"], HttpMethod.Get, "/api/repos/lab/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, s1);
        Assert.Equal(s1, s2);
        Assert.Equal(Detail(b1).Replace("secret", "X"), Detail(b2).Replace("nothing-here", "X"));
        var (_, list) = await SendAsync(tokens["other-org"], HttpMethod.Get, "/api/repos");
        Assert.DoesNotContain("secret", list);
        var (_, listed) = await SendAsync(tokens["reader"], HttpMethod.Get, "/api/repos");
        Assert.Contains("lab/secret", listed);
    }

    [BackendFact]
    public async Task Read_only_and_repository_scoped_tokens_cannot_exceed_their_scope()
    {
        await SetUpAsync();
        string readOnly = (await Admin.CreateTokenAsync("ro", "read", user: "wendy")).Token;
        var (s1, b1) = await SendAsync(readOnly, HttpMethod.Post, "/api/repos/lab/secret/tags", """{"name":"ro-tag","target":"main"}""");
        Assert.Equal(HttpStatusCode.Forbidden, s1);
        Assert.Contains("read-only", Detail(b1));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(readOnly, HttpMethod.Get, "/api/repos/lab/secret/tree")).Status);

        await Admin.CreateRepoAsync("other", owner: "lab", isPrivate: true);
        await Admin.GrantAsync("lab", "other", "wendy", null, "writer");
        string scoped = (await Admin.CreateTokenAsync("one-repo", "write", repo: "lab/secret", user: "wendy")).Token;
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(scoped, HttpMethod.Get, "/api/repos/lab/secret")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(scoped, HttpMethod.Get, "/api/repos/lab/other")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(scoped, HttpMethod.Post, "/api/orgs", """{"name":"sneaky"}""")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(scoped, HttpMethod.Post, "/api/repos", """{"name":"sneaky"}""")).Status);
    }

    [BackendFact]
    public async Task Team_grants_give_their_role_to_every_member_and_revoking_takes_it_away()
    {
        await SetUpAsync();
        string tina = await UserAsync("tina");
        await Admin.SetOrgMemberAsync("lab", "tina");
        await Admin.CreateTeamAsync("lab", "curators");
        await Admin.AddTeamMemberAsync("lab", "curators", "tina");
        await Admin.GrantAsync("lab", "secret", null, "lab/curators", "writer");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(tina, HttpMethod.Put, "/api/repos/lab/secret/card", json: null, bytes: "# card"u8.ToArray())).Status);
        await Admin.RevokeAsync("lab", "secret", null, "lab/curators");
        var (status, body) = await SendAsync(tina, HttpMethod.Put, "/api/repos/lab/secret/card", json: null, bytes: "# card"u8.ToArray());
        Assert.Equal(HttpStatusCode.Forbidden, status); // still an org member, so a reader: sees it, may not write
        Assert.Contains("reader", Detail(body));
    }

    /// <summary>Org "lab" (owned by the site admin) with private "secret" and public "open", both with a commit; one user per role; "otto" in org "rival".</summary>
    private async Task<Dictionary<string, string?>> SetUpAsync()
    {
        await Admin.CreateOrgAsync("lab");
        await Admin.CreateOrgAsync("rival");
        var tokens = new Dictionary<string, string?> { ["anonymous"] = null };
        foreach (var (actor, user) in new[] { ("reader", "rita"), ("contributor", "carl"), ("writer", "wendy"), ("admin", "adam"), ("other-org", "otto") })
            tokens[actor] = await UserAsync(user);
        await Admin.SetOrgMemberAsync("rival", "otto");
        foreach (var (repo, isPrivate) in new[] { ("secret", true), ("open", false) })
        {
            await Admin.CreateRepoAsync(repo, owner: "lab", isPrivate: isPrivate);
            foreach (var (role, user) in new[] { ("reader", "rita"), ("contributor", "carl"), ("writer", "wendy"), ("admin", "adam") })
                await Admin.GrantAsync("lab", repo, user, null, role);
            await CommitTextAsync(Admin, "lab", repo, "main", ("data/a.csv", "id,v\n1,2\n"));
            await CommitTextAsync(Admin, "lab", repo, "main", ("data/a.csv", "id,v\n1,3\n"));
            await Admin.SetMetadataAsync("lab", repo, new { title = "T", description = "D", creators = new[] { new { name = "N" } }, license = "MIT" });
        }
        return tokens;
    }

    private IEnumerable<Endpoint> Endpoints(string repo)
    {
        string r = $"/api/repos/lab/{repo}";
        int n = 0;
        Task<(HttpMethod, string, string?)> Fixed(HttpMethod m, string path, string? json = null) => Task.FromResult((m, path, json));
        async Task<(HttpMethod, string, string?)> CommitTo(string branch)
        {
            string? head = branch == "main" ? await Admin.BranchHeadAsync("lab", repo, "main") : null;
            string sha = (await Admin.TreeAsync("lab", repo)).Files[0].Sha256;
            string b = branch == "main" ? "main" : $"topic-{++n}";
            var body = new JsonObject { ["branch"] = b, ["parent"] = head, ["message"] = "m", ["files"] = new JsonArray(new JsonObject { ["path"] = $"f{++n}.csv", ["sha256"] = sha }) };
            return (HttpMethod.Post, $"{r}/commits", body.ToJsonString());
        }
        const string meta = """{"title":"T","description":"D","creators":[{"name":"N"}],"license":"CC-BY-4.0"}""";
        int[] read = [404, 200, 200, 200, 200, 404], readPublic = [200, 200, 200, 200, 200, 200];
        yield return new("GET repo", _ => Fixed(HttpMethod.Get, r), read, readPublic);
        yield return new("GET tree", _ => Fixed(HttpMethod.Get, $"{r}/tree"), read, readPublic);
        yield return new("GET file", _ => Fixed(HttpMethod.Get, $"{r}/files/data/a.csv"), read, readPublic);
        yield return new("GET folder", _ => Fixed(HttpMethod.Get, $"{r}/files/data"), read, readPublic);
        yield return new("GET log", _ => Fixed(HttpMethod.Get, $"{r}/commits"), read, readPublic);
        yield return new("GET commit", _ => Fixed(HttpMethod.Get, $"{r}/commits/main"), read, readPublic);
        yield return new("GET refs", _ => Fixed(HttpMethod.Get, $"{r}/refs"), read, readPublic);
        yield return new("GET diff", _ => Fixed(HttpMethod.Get, $"{r}/diff"), read, readPublic);
        yield return new("GET csv diff", _ => Fixed(HttpMethod.Get, $"{r}/diff/csv?path=data/a.csv&key=id"), read, readPublic);
        yield return new("GET metadata", _ => Fixed(HttpMethod.Get, $"{r}/metadata"), read, readPublic);
        yield return new("GET croissant", _ => Fixed(HttpMethod.Get, $"{r}/croissant"), read, readPublic);
        yield return new("POST blobs", _ => Fixed(HttpMethod.Post, $"{r}/blobs", "{}"), [404, 403, 201, 201, 201, 404], [401, 403, 201, 201, 201, 403]);
        yield return new("POST uploads", _ => Fixed(HttpMethod.Post, $"{r}/uploads", """{"size":10}"""), [404, 403, 201, 201, 201, 404], [401, 403, 201, 201, 201, 403]);
        yield return new("POST commit (topic branch)", _ => CommitTo("topic"), [404, 403, 201, 201, 201, 404], [401, 403, 201, 201, 201, 403]);
        yield return new("POST commit (main)", _ => CommitTo("main"), [404, 403, 403, 201, 201, 404], [401, 403, 403, 201, 201, 403]);
        yield return new("POST tag", a => Fixed(HttpMethod.Post, $"{r}/tags", $$"""{"name":"t-{{a}}","target":"main"}"""), [404, 403, 403, 201, 201, 404], [401, 403, 403, 201, 201, 403]);
        yield return new("PUT branch", a => Fixed(HttpMethod.Put, $"{r}/branches/b-{a}", """{"target":"main","expected":null}"""), [404, 403, 403, 200, 200, 404], [401, 403, 403, 200, 200, 403]);
        yield return new("PUT metadata", _ => Fixed(HttpMethod.Put, $"{r}/metadata", meta), [404, 403, 403, 200, 200, 404], [401, 403, 403, 200, 200, 403]);
        yield return new("GET grants", _ => Fixed(HttpMethod.Get, $"{r}/grants"), [404, 403, 403, 403, 200, 404], [401, 403, 403, 403, 200, 403]);
        yield return new("PUT grant", _ => Fixed(HttpMethod.Put, $"{r}/grants", """{"user":"rita","role":"reader"}"""), [404, 403, 403, 403, 200, 404], [401, 403, 403, 403, 200, 403]);
        yield return new("GET audit", _ => Fixed(HttpMethod.Get, $"{r}/audit"), [404, 403, 403, 403, 200, 404], [401, 403, 403, 403, 200, 403]);
        yield return new("PATCH visibility", _ => Fixed(HttpMethod.Patch, r, repo == "secret" ? """{"private":true}""" : """{"private":false}"""), [404, 403, 403, 403, 200, 404], [401, 403, 403, 403, 200, 403]);
        yield return new("POST gc (site admin only)", _ => Fixed(HttpMethod.Post, "/api/admin/gc", "{}"), [401, 403, 403, 403, 403, 403], [401, 403, 403, 403, 403, 403]);
    }
}

/// <summary>Authorization on SQLite.</summary>
public sealed class AuthorizationSqliteTests() : AuthorizationTests("sqlite");

/// <summary>Authorization on PostgreSQL.</summary>
public sealed class AuthorizationPostgresTests() : AuthorizationTests("postgresql"), IPostgresBackend;
