using System.Net;
using System.Security.Cryptography;
using Polymath.Hub.Client;
using Xunit;

namespace Polymath.Hub.Tests;

/// <summary>
/// kill -9 of the server while an upload chunk and commits are in flight, then a restart: verification finds nothing
/// damaged, no half-written version is visible, and the upload resumes from its last saved chunk.
/// </summary>
public abstract class CrashTests(string backendKind) : IAsyncLifetime
{
    private TestBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await TestBackend.CreateAsync(backendKind);

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [BackendFact]
    public async Task Killing_the_server_mid_upload_and_mid_commit_loses_nothing_committed_and_the_upload_resumes()
    {
        var data = RandomNumberGenerator.GetBytes(3 << 20);
        string uploadId;
        string firstCommit;
        var acceptedCommits = new System.Collections.Concurrent.ConcurrentBag<string>();
        await using (var server = await ServerProcess.StartAsync(_backend))
        {
            string token = (await File.ReadAllTextAsync(Path.Combine(_backend.DataDir, "admin-token"))).Trim();
            using var client = new HubClient(server.Address, token);
            await client.CreateRepoAsync("crash");
            var small = await client.UploadAsync("admin", "crash", new MemoryStream("v1"u8.ToArray()), 2);
            firstCommit = (await client.CommitAsync("admin", "crash", "main", null, "v1", [new HubCommitFile("v1.txt", small.Sha256!)])).Id;

            var session = await client.StartUploadAsync("admin", "crash", data.Length);
            uploadId = session.Id;
            await client.SendChunkAsync(uploadId, 0, data.AsMemory(0, 1 << 20));

            // A second chunk stalls half-way; meanwhile commits race on the branch; then the process is killed.
            var halfSent = new TaskCompletionSource();
            var stalled = SendStalledChunkAsync(server.Address, token, uploadId, 1 << 20, data.AsMemory(1 << 20, 1 << 20), halfSent);
            await halfSent.Task;
            var commits = Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
            {
                try
                {
                    string? head = await client.BranchHeadAsync("admin", "crash", "main");
                    var c = await client.CommitAsync("admin", "crash", "main", head, $"racing {i}", [new HubCommitFile($"r{i}.txt", small.Sha256!)]);
                    acceptedCommits.Add(c.Id);
                }
                catch (Exception e) when (e is HubApiException or HttpRequestException or IOException or TaskCanceledException)
                {
                    // refused (409) or cut off by the kill: either way it must not show up half-written
                }
            })).ToList();
            await Task.Delay(20); // let some commits reach the server; no assertion depends on how many did
            await server.KillAsync();
            await Task.WhenAll(commits);
            await Assert.ThrowsAnyAsync<Exception>(() => stalled);
        }

        await using (var server = await ServerProcess.StartAsync(_backend))
        {
            string token = (await File.ReadAllTextAsync(Path.Combine(_backend.DataDir, "admin-token"))).Trim();
            using var client = new HubClient(server.Address, token) { ChunkSize = 1 << 20, CacheDir = Path.Combine(_backend.DataDir, "cache") };

            var verify = await client.VerifyAsync();
            Assert.True(verify["ok"]!.GetValue<bool>(), verify.ToJsonString());

            // Every version in history is whole: its files download and match their hashes.
            var log = await client.LogAsync("admin", "crash");
            Assert.Equal(firstCommit, log[^1].Id);
            Assert.All(acceptedCommits, id => Assert.Contains(log, c => c.Id == id));
            foreach (var commit in log)
            {
                var tree = await client.TreeAsync("admin", "crash", commit.Id);
                foreach (var f in tree.Files)
                {
                    using var s = await client.OpenFileAsync("admin", "crash", commit.Id, f.Path);
                    Assert.Equal(f.Sha256, Convert.ToHexStringLower(await SHA256.HashDataAsync(s)));
                }
            }

            var state = await client.GetUploadAsync(uploadId);
            Assert.Equal(1 << 20, state.Offset); // the killed chunk was never recorded; the one before it was
            var done = await client.ResumeUploadAsync(uploadId, new MemoryStream(data));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), done.Sha256);
        }
    }

    /// <summary>Sends half of a chunk, signals, then trickles the rest until the server dies under it.</summary>
    private static async Task SendStalledChunkAsync(Uri address, string token, string id, long offset, ReadOnlyMemory<byte> chunk, TaskCompletionSource halfSent)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/uploads/{id}") { Content = new StallingContent(chunk, halfSent) };
        request.Headers.Authorization = new("Bearer", token);
        request.Headers.Add("Upload-Offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    private sealed class StallingContent(ReadOnlyMemory<byte> data, TaskCompletionSource halfSent) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(data[..(data.Length / 2)]);
            await stream.FlushAsync();
            halfSent.TrySetResult();
            // Trickle the rest a byte at a time (far too slow to finish) so the write fails as soon as the server dies.
            for (int i = data.Length / 2; i < data.Length; i++)
            {
                await stream.WriteAsync(data.Slice(i, 1));
                await stream.FlushAsync();
                await Task.Delay(20);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = data.Length;
            return true;
        }
    }
}

/// <summary>Crash safety on SQLite.</summary>
public sealed class CrashSqliteTests() : CrashTests("sqlite");

/// <summary>Crash safety on PostgreSQL.</summary>
public sealed class CrashPostgresTests() : CrashTests("postgresql"), IPostgresBackend;
