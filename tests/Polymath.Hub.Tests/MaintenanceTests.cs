using System.Text;
using Xunit;

namespace Polymath.Hub.Tests;

/// <summary>Garbage collection and integrity verification.</summary>
public abstract class MaintenanceTests(string backend) : HubTestBase(backend)
{
    [BackendFact]
    public async Task Gc_removes_only_blobs_no_version_references()
    {
        await Admin.CreateRepoAsync("g");
        await CommitTextAsync(Admin, "admin", "g", "main", ("kept.txt", "kept"));
        var orphan = await Admin.UploadAsync("admin", "g", new MemoryStream("orphan"u8.ToArray()), 6);

        var young = await Admin.CollectGarbageAsync(); // default grace: a fresh upload waiting for its commit stays
        Assert.Equal(0, young["deletedBlobs"]!.GetValue<long>());

        var report = await Admin.CollectGarbageAsync(graceSeconds: 0);
        Assert.Equal(1, report["deletedBlobs"]!.GetValue<long>());
        Assert.False(File.Exists(Path.Combine(Backend.DataDir, "blobs", orphan.Sha256![..2], orphan.Sha256[2..])));
        using var kept = new StreamReader(await Admin.OpenFileAsync("admin", "g", null, "kept.txt"));
        Assert.Equal("kept", await kept.ReadToEndAsync());
        Assert.True((await Admin.VerifyAsync())["ok"]!.GetValue<bool>());
    }

    [BackendFact]
    public async Task Gc_removes_abandoned_upload_sessions_and_their_parts_but_keeps_recent_ones()
    {
        await Admin.CreateRepoAsync("s");
        var session = await Admin.StartUploadAsync("admin", "s", 100);
        await Admin.SendChunkAsync(session.Id, 0, new byte[40]);
        string part = Path.Combine(Backend.DataDir, "uploads", session.Id + ".part");

        var kept = await Admin.CollectGarbageAsync(graceSeconds: 0);
        Assert.Equal(0, kept["abandonedUploads"]!.GetValue<long>());
        Assert.Equal(40, (await Admin.GetUploadAsync(session.Id)).Offset);

        var report = await Admin.CollectGarbageAsync(graceSeconds: 0, abandonedUploadSeconds: 0);
        Assert.Equal(1, report["abandonedUploads"]!.GetValue<long>());
        Assert.False(File.Exists(part));
        Assert.Equal(404, (await Assert.ThrowsAsync<Polymath.Hub.Client.HubApiException>(() => Admin.GetUploadAsync(session.Id))).Status);
    }

    [BackendFact]
    public async Task Verify_finds_a_corrupted_blob_and_names_the_versions_it_damages()
    {
        await Admin.CreateRepoAsync("v");
        string commit = await CommitTextAsync(Admin, "admin", "v", "main", ("data.csv", "a,b\n1,2\n"));
        Assert.True((await Admin.VerifyAsync())["ok"]!.GetValue<bool>());

        var file = (await Admin.TreeAsync("admin", "v")).Files[0];
        string path = Path.Combine(Backend.DataDir, "blobs", file.Sha256[..2], file.Sha256[2..]);
        await File.WriteAllTextAsync(path, "a,b\n1,3\n", Encoding.UTF8); // same length, other bytes: bit rot

        var result = await Admin.VerifyAsync();
        Assert.False(result["ok"]!.GetValue<bool>());
        Assert.Equal(file.Sha256, result["report"]!["corruptBlobs"]![0]!.GetValue<string>());
        Assert.Equal($"admin/v@{commit}", result["report"]!["damagedVersions"]![0]!.GetValue<string>());
    }
}

/// <summary>Maintenance on SQLite.</summary>
public sealed class MaintenanceSqliteTests() : MaintenanceTests("sqlite");

/// <summary>Maintenance on PostgreSQL.</summary>
public sealed class MaintenancePostgresTests() : MaintenanceTests("postgresql"), IPostgresBackend;
