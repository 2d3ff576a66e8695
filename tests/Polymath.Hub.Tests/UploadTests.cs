using System.Net;
using System.Security.Cryptography;
using Polymath.Hub.Client;
using Xunit;

namespace Polymath.Hub.Tests;

/// <summary>Resumable uploads: chunks at the recorded offset only, sizes checked, sessions surviving a restart, deduplication.</summary>
public abstract class UploadTests(string backend) : HubTestBase(backend)
{
    [BackendFact]
    public async Task A_chunked_upload_is_hashed_by_the_server_and_deduplicated()
    {
        await Admin.CreateRepoAsync("u");
        var data = RandomNumberGenerator.GetBytes(300_000); // > the test client's 64 KiB chunks
        var progress = new List<long>();
        var first = await Admin.UploadAsync("admin", "u", new MemoryStream(data), data.Length, "data.bin", new SyncProgress(p => progress.Add(p.Done)));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), first.Sha256);
        Assert.Equal(data.Length, progress[^1]);
        Assert.True(progress.Count >= 5);

        var second = await Admin.UploadAsync("admin", "u", new MemoryStream(data), data.Length);
        Assert.Equal(first.Sha256, second.Sha256);
        Assert.Single(Directory.EnumerateFiles(Path.Combine(Backend.DataDir, "blobs"), "*", SearchOption.AllDirectories));
    }

    [BackendFact]
    public async Task A_chunk_at_the_wrong_offset_gets_409_with_the_current_offset_and_nothing_is_written()
    {
        await Admin.CreateRepoAsync("u");
        var session = await Admin.StartUploadAsync("admin", "u", 100);
        await Admin.SendChunkAsync(session.Id, 0, new byte[40]);
        var e = await Assert.ThrowsAsync<HubApiException>(() => Admin.SendChunkAsync(session.Id, 10, new byte[20]));
        Assert.Equal(409, e.Status);
        Assert.Equal(40, e.Offset);
        Assert.Contains("offset 10", e.Detail);
        Assert.Equal(40, (await Admin.GetUploadAsync(session.Id)).Offset);
        Assert.Equal(40, new FileInfo(Path.Combine(Backend.DataDir, "uploads", session.Id + ".part")).Length);
    }

    [BackendFact]
    public async Task Bytes_past_the_declared_size_and_completing_short_are_refused()
    {
        await Admin.CreateRepoAsync("u");
        var session = await Admin.StartUploadAsync("admin", "u", 50);
        await Admin.SendChunkAsync(session.Id, 0, new byte[30]);
        var tooMuch = await Assert.ThrowsAsync<HubApiException>(() => Admin.SendChunkAsync(session.Id, 30, new byte[30]));
        Assert.Equal(400, tooMuch.Status);
        Assert.Contains("declared size of 50", tooMuch.Detail);
        Assert.Equal(30, (await Admin.GetUploadAsync(session.Id)).Offset);

        var early = await Assert.ThrowsAsync<HubApiException>(() => Admin.CompleteUploadAsync(session.Id));
        Assert.Equal(400, early.Status);
        Assert.Contains("declared 50 bytes but 30 arrived", early.Detail);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Backend.DataDir, "blobs"), "*", SearchOption.AllDirectories));

        var negative = await SendAsync(AdminToken, HttpMethod.Post, "/api/repos/admin/u/uploads", """{"size":-1}""");
        Assert.Equal(HttpStatusCode.BadRequest, negative.Status);
    }

    [BackendFact]
    public async Task An_upload_resumes_after_a_server_restart_from_the_saved_offset()
    {
        await Admin.CreateRepoAsync("u");
        var data = RandomNumberGenerator.GetBytes(200_000);
        var session = await Admin.StartUploadAsync("admin", "u", data.Length);
        await Admin.SendChunkAsync(session.Id, 0, data.AsMemory(0, 70_000));

        await RestartAsync();

        var state = await Admin.GetUploadAsync(session.Id);
        Assert.Equal(70_000, state.Offset);
        var done = await Admin.ResumeUploadAsync(session.Id, new MemoryStream(data));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), done.Sha256);
        var commit = await Admin.CommitAsync("admin", "u", "main", null, "big file", [new HubCommitFile("big.bin", done.Sha256!)]);
        using var s = await Admin.OpenFileAsync("admin", "u", commit.Id, "big.bin");
        var back = new MemoryStream();
        await s.CopyToAsync(back);
        Assert.Equal(data, back.ToArray());
    }

    [BackendFact]
    public async Task Another_users_session_is_invisible_and_a_blob_hash_alone_grants_nothing()
    {
        await Admin.CreateRepoAsync("mine", isPrivate: true);
        var secret = "top secret"u8.ToArray();
        var up = await Admin.UploadAsync("admin", "mine", new MemoryStream(secret), secret.Length);
        var session = await Admin.StartUploadAsync("admin", "mine", 10);

        string eve = await UserAsync("eve");
        var evil = Client(eve);
        Assert.Equal(404, (await Assert.ThrowsAsync<HubApiException>(() => evil.GetUploadAsync(session.Id))).Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<HubApiException>(() => evil.SendChunkAsync(session.Id, 0, new byte[10]))).Status);

        // Eve knows the hash of admin's private file but never uploaded it: her repository may not reference it.
        await evil.CreateRepoAsync("loot");
        var e = await Assert.ThrowsAsync<HubApiException>(() => evil.CommitAsync("eve", "loot", "main", null, "steal", [new HubCommitFile("x", up.Sha256!)]));
        Assert.Equal(400, e.Status);
        Assert.Contains("was not uploaded", e.Detail);
    }

    /// <summary>Reports progress synchronously (Progress&lt;T&gt; posts to the thread pool, which would race the assertions).</summary>
    private sealed class SyncProgress(Action<TransferProgress> report) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => report(value);
    }
}

/// <summary>Uploads on SQLite.</summary>
public sealed class UploadSqliteTests() : UploadTests("sqlite");

/// <summary>Uploads on PostgreSQL.</summary>
public sealed class UploadPostgresTests() : UploadTests("postgresql"), IPostgresBackend;
