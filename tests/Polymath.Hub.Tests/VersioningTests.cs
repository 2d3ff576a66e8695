using System.Formats.Tar;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Polymath.Hub.Client;
using Xunit;

namespace Polymath.Hub.Tests;

/// <summary>Repositories, commits, branches, tags, history, diffs and downloads against a real server.</summary>
public abstract class VersioningTests(string backend) : HubTestBase(backend)
{
    [BackendFact]
    public async Task Commits_form_a_history_and_each_version_keeps_its_files()
    {
        await Admin.CreateRepoAsync("ising", kind: "dataset");
        string c1 = await CommitTextAsync(Admin, "admin", "ising", "main", ("data/train.csv", "id,t\n1,2\n"), ("README.md", "# Ising\n"));
        string c2 = await CommitTextAsync(Admin, "admin", "ising", "main", ("data/train.csv", "id,t\n1,2\n2,3\n"));

        var log = await Admin.LogAsync("admin", "ising");
        Assert.Equal([c2, c1], log.Select(c => c.Id));
        Assert.Equal(c1, log[0].Parent);
        Assert.Null(log[1].Parent);
        Assert.Equal("admin", log[0].Author);

        var v1 = await Admin.TreeAsync("admin", "ising", c1);
        var v2 = await Admin.TreeAsync("admin", "ising", "main");
        Assert.Equal(["README.md", "data/train.csv"], v2.Files.Select(f => f.Path));
        Assert.NotEqual(v1.Files[1].Sha256, v2.Files[1].Sha256);
        Assert.Equal(Sha("id,t\n1,2\n"), v1.Files[1].Sha256);

        using var old = new StreamReader(await Admin.OpenFileAsync("admin", "ising", c1[..10], "data/train.csv"));
        Assert.Equal("id,t\n1,2\n", await old.ReadToEndAsync());
    }

    [BackendFact]
    public async Task A_commit_on_a_branch_that_moved_gets_409_and_writes_nothing()
    {
        await Admin.CreateRepoAsync("r");
        string c1 = await CommitTextAsync(Admin, "admin", "r", "main", ("a.txt", "1"));
        var up = await Admin.UploadAsync("admin", "r", new MemoryStream("2"u8.ToArray()), 1);
        await Admin.CommitAsync("admin", "r", "main", c1, "second", [new HubCommitFile("b.txt", up.Sha256!)]);

        var e = await Assert.ThrowsAsync<HubApiException>(() => Admin.CommitAsync("admin", "r", "main", c1, "stale", [new HubCommitFile("c.txt", up.Sha256!)]));
        Assert.Equal(409, e.Status);
        Assert.Contains("moved", e.Detail);
        Assert.Equal(2, (await Admin.LogAsync("admin", "r")).Count);
        Assert.DoesNotContain((await Admin.TreeAsync("admin", "r")).Files, f => f.Path == "c.txt");

        var e2 = await Assert.ThrowsAsync<HubApiException>(() => Admin.CommitAsync("admin", "r", "main", null, "as if new", [new HubCommitFile("c.txt", up.Sha256!)]));
        Assert.Equal(409, e2.Status);
    }

    [BackendFact]
    public async Task Eight_concurrent_writers_on_one_branch_each_land_in_history_or_get_409()
    {
        await Admin.CreateRepoAsync("busy");
        string root = await CommitTextAsync(Admin, "admin", "busy", "main", ("start.txt", "0"));
        var uploads = new List<string>();
        for (int i = 0; i < 8; i++)
            uploads.Add((await Admin.UploadAsync("admin", "busy", new MemoryStream(Encoding.UTF8.GetBytes($"writer {i}")), 8)).Sha256!);

        var landed = new System.Collections.Concurrent.ConcurrentBag<string>();
        var conflicts = new System.Collections.Concurrent.ConcurrentBag<int>();
        var start = new TaskCompletionSource();
        var writers = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            await start.Task;
            // Each writer retries against the head it sees, as a real client would, at most 20 times.
            for (int attempt = 0; attempt < 20; attempt++)
            {
                string? head = await Admin.BranchHeadAsync("admin", "busy", "main");
                try
                {
                    var c = await Admin.CommitAsync("admin", "busy", "main", head, $"writer {i}", [new HubCommitFile($"w{i}.txt", uploads[i])]);
                    landed.Add(c.Id);
                    return;
                }
                catch (HubApiException e) when (e.Status == 409)
                {
                    conflicts.Add(i);
                }
            }
        })).ToList();
        start.SetResult();
        await Task.WhenAll(writers);

        var history = (await Admin.LogAsync("admin", "busy", limit: 100)).Select(c => c.Id).ToHashSet();
        Assert.All(landed, id => Assert.Contains(id, history));
        Assert.Equal(landed.Count + 1, history.Count);
        Assert.Contains(root, history);
        // Every successful commit's file is in the final tree: no write was lost silently.
        var files = (await Admin.TreeAsync("admin", "busy")).Files.Select(f => f.Path).ToHashSet();
        Assert.Equal(landed.Count + 1, files.Count);
        Assert.Equal(8, landed.Count);
    }

    [BackendFact]
    public async Task Branches_move_only_from_the_expected_commit_and_tags_never_move()
    {
        await Admin.CreateRepoAsync("refs");
        string c1 = await CommitTextAsync(Admin, "admin", "refs", "main", ("a", "1"));
        string c2 = await CommitTextAsync(Admin, "admin", "refs", "main", ("a", "2"));
        await Admin.MoveBranchAsync("admin", "refs", "exp/one", c1, null);
        var e = await Assert.ThrowsAsync<HubApiException>(() => Admin.MoveBranchAsync("admin", "refs", "exp/one", c2, c2));
        Assert.Equal(409, e.Status);
        await Admin.MoveBranchAsync("admin", "refs", "exp/one", c2, c1);

        await Admin.TagAsync("admin", "refs", "v1.0", c1);
        Assert.Equal(409, (await Assert.ThrowsAsync<HubApiException>(() => Admin.TagAsync("admin", "refs", "v1.0", c2))).Status);
        var refs = await Admin.RefsAsync("admin", "refs");
        Assert.Contains(refs, r => r is { Kind: "tag", Name: "v1.0" } && r.Commit == c1);
        Assert.Contains(refs, r => r is { Kind: "branch", Name: "exp/one" } && r.Commit == c2);
        Assert.Equal(c1, (await Admin.LogAsync("admin", "refs", "v1.0"))[0].Id);
    }

    [BackendFact]
    public async Task Diff_lists_added_removed_and_modified_files_and_csv_rows_by_key()
    {
        await Admin.CreateRepoAsync("d");
        string c1 = await CommitTextAsync(Admin, "admin", "d", "main", ("t.csv", "id,v\n1,a\n2,b\n3,c\n"), ("gone.txt", "x"), ("same.txt", "s"));
        string? head = await Admin.BranchHeadAsync("admin", "d", "main");
        var csvBytes = "id,v\n1,a\n3,C\n4,d\n"u8.ToArray();
        var csv = await Admin.UploadAsync("admin", "d", new MemoryStream(csvBytes), csvBytes.Length);
        var added = await Admin.UploadAsync("admin", "d", new MemoryStream("n"u8.ToArray()), 1);
        var c2 = await Admin.CommitAsync("admin", "d", "main", head, "change", [new("t.csv", csv.Sha256!), new("new.txt", added.Sha256!)], delete: ["gone.txt"]);

        var diff = await Admin.DiffAsync("admin", "d", c1, c2.Id);
        Assert.Equal(["new.txt"], diff.Added.Select(f => f.Path));
        Assert.Equal(["gone.txt"], diff.Removed.Select(f => f.Path));
        Assert.Equal(["t.csv"], diff.Modified.Select(f => f.Path));

        var rows = await Admin.CsvDiffAsync("admin", "d", c1, c2.Id, "t.csv", "id");
        Assert.Equal((1L, 1L, 1L, 1L), (rows.Added, rows.Removed, rows.Changed, rows.Unchanged));
        Assert.Equal(["3"], rows.ChangedKeys);

        var bad = await Assert.ThrowsAsync<HubApiException>(() => Admin.CsvDiffAsync("admin", "d", c1, c2.Id, "t.csv", "nope"));
        Assert.Equal(400, bad.Status);
        Assert.Contains("no column 'nope'", bad.Detail);
    }

    [BackendFact]
    public async Task Downloads_honour_range_and_etag_and_folders_come_as_tar()
    {
        await Admin.CreateRepoAsync("dl");
        var data = new byte[100_000];
        new System.Random(1).NextBytes(data);
        var up = await Admin.UploadAsync("admin", "dl", new MemoryStream(data), data.Length);
        var small = await Admin.UploadAsync("admin", "dl", new MemoryStream("hello"u8.ToArray()), 5);
        await Admin.CommitAsync("admin", "dl", "main", null, "files", [new("bin/data.bin", up.Sha256!), new("bin/sub/hello.txt", small.Sha256!), new("top.txt", small.Sha256!)]);

        var (status, _) = await SendAsync(null, HttpMethod.Get, "/api/repos/admin/dl/files/bin/data.bin", edit: r => r.Headers.Range = new RangeHeaderValue(1000, 1999));
        Assert.Equal(HttpStatusCode.PartialContent, status);
        using (var http = new HttpClient { BaseAddress = Server.Address })
        {
            var req = new HttpRequestMessage(HttpMethod.Get, "/api/repos/admin/dl/files/bin/data.bin");
            req.Headers.Range = new RangeHeaderValue(1000, 1999);
            var resp = await http.SendAsync(req);
            Assert.Equal(data[1000..2000], await resp.Content.ReadAsByteArrayAsync());
            Assert.Equal($"\"{up.Sha256}\"", resp.Headers.ETag?.Tag);

            var again = new HttpRequestMessage(HttpMethod.Get, "/api/repos/admin/dl/files/bin/data.bin");
            again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{up.Sha256}\""));
            Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(again)).StatusCode);

            var tar = await http.GetAsync("/api/repos/admin/dl/files/bin");
            Assert.Equal("application/x-tar", tar.Content.Headers.ContentType?.MediaType);
            using var reader = new TarReader(await tar.Content.ReadAsStreamAsync());
            var names = new List<string>();
            while (await reader.GetNextEntryAsync() is { } entry)
                names.Add(entry.Name);
            Assert.Equal(["data.bin", "sub/hello.txt"], names);
        }

        string dest = Path.Combine(Backend.DataDir, "pulled");
        var pulled = await Admin.PullAsync("admin", "dl", null, "bin", dest);
        Assert.Equal(2, pulled.Count);
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(dest, "data.bin")));
        Assert.Equal("hello", await File.ReadAllTextAsync(Path.Combine(dest, "sub", "hello.txt")));
        Assert.True(File.Exists(BlobCache.PathOf(Admin.CacheDir, up.Sha256!)));
    }

    [BackendFact]
    public async Task Push_uploads_only_changed_files_and_a_second_push_of_the_same_folder_is_a_no_op()
    {
        await Admin.CreateRepoAsync("pushed");
        string dir = Path.Combine(Backend.DataDir, "work");
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        await File.WriteAllTextAsync(Path.Combine(dir, "a.txt"), "alpha");
        await File.WriteAllBytesAsync(Path.Combine(dir, "sub", "big.bin"), RandomNumberGenerator.GetBytes(300_000)); // > chunk size: resumable session
        var c1 = await Admin.PushAsync("admin", "pushed", dir, "main", "first");
        Assert.NotNull(c1);
        Assert.Null(await Admin.PushAsync("admin", "pushed", dir, "main", "nothing changed"));
        File.Delete(Path.Combine(dir, "a.txt"));
        var c2 = await Admin.PushAsync("admin", "pushed", dir, "main", "removed a");
        var diff = await Admin.DiffAsync("admin", "pushed", c1!.Id, c2!.Id);
        Assert.Equal(["a.txt"], diff.Removed.Select(f => f.Path));
        Assert.Empty(diff.Added);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(dir, "sub", "big.bin")))),
            (await Admin.TreeAsync("admin", "pushed")).Files.Single().Sha256);
    }

    private static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>Versioning on SQLite.</summary>
public sealed class VersioningSqliteTests() : VersioningTests("sqlite");

/// <summary>Versioning on PostgreSQL.</summary>
public sealed class VersioningPostgresTests() : VersioningTests("postgresql"), IPostgresBackend;
