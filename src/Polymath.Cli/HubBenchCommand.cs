using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Polymath.Hub;
using Polymath.Hub.Client;

namespace Polymath.Cli;

/// <summary>
/// <c>polymath hub bench</c>: throughput of a hub on loopback, beside a plain file copy on the same disk measured in the
/// same run: upload and download of one large file (MB/s), and the latency of many concurrent readers of small files.
/// </summary>
internal static class HubBenchCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(string[] argv, CancellationToken cancel)
    {
        var args = new Args("hub", argv);
        int sizeMiB = args.Int("--size-mib", 1, 1 << 20) ?? 1024;
        int readers = args.Int("--readers", 1, 10_000) ?? 50;
        int requests = args.Int("--requests", 1, 1_000_000) ?? 20;
        string? dir = args.Value("--dir");
        string? db = args.Value("--db");
        bool json = args.Flag("--json");
        args.End(["--size-mib", "--readers", "--requests", "--dir", "--db", "--json"]);

        string root = Path.Combine(dir ?? Path.GetTempPath(), "polymath-hub-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            long bytes = (long)sizeMiB << 20;
            string source = Path.Combine(root, "source.bin");
            await WriteRandomFileAsync(source, bytes, cancel);

            // Baseline: copy the same file on the same disk, flushed, as the hub's upload is.
            var sw = Stopwatch.StartNew();
            await CopyFlushedAsync(source, Path.Combine(root, "copy.bin"), cancel);
            double copyS = sw.Elapsed.TotalSeconds;
            File.Delete(Path.Combine(root, "copy.bin"));

            await using var server = await HubServer.StartAsync(new HubServerOptions { Urls = "http://127.0.0.1:0", DataDir = Path.Combine(root, "hub"), Database = db }, cancel);
            using var client = new HubClient(server.Address, server.AdminToken) { CacheDir = Path.Combine(root, "cache") };
            await client.CreateRepoAsync("bench", cancel: cancel);

            sw.Restart();
            var up = await client.UploadFileAsync("admin", "bench", source, cancel: cancel);
            double uploadS = sw.Elapsed.TotalSeconds;
            await client.CommitAsync("admin", "bench", "main", null, "bench file", [new HubCommitFile("big.bin", up.Sha256!)], cancel: cancel);

            string target = Path.Combine(root, "download.bin");
            sw.Restart();
            await using (var s = await client.OpenFileAsync("admin", "bench", null, "big.bin", cancel))
            await using (var f = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous))
            {
                await s.CopyToAsync(f, 1 << 20, cancel);
                f.Flush(flushToDisk: true);
            }
            double downloadS = sw.Elapsed.TotalSeconds;
            File.Delete(target);

            // Many readers of small files: one version of 100 files of 4 KiB, each reader fetching files in turn.
            var files = new List<HubCommitFile>();
            var rng = new System.Random(7);
            for (int i = 0; i < 100; i++)
            {
                var small = new byte[4096];
                rng.NextBytes(small);
                var u = await client.UploadAsync("admin", "bench", new MemoryStream(small), small.Length, cancel: cancel);
                files.Add(new HubCommitFile($"small/{i:D3}.bin", u.Sha256!));
            }
            string? head = await client.BranchHeadAsync("admin", "bench", "main", cancel);
            await client.CommitAsync("admin", "bench", "main", head, "small files", files, cancel: cancel);
            var latencies = new List<double>();
            var gate = new object();
            var tasks = Enumerable.Range(0, readers).Select(r => Task.Run(async () =>
            {
                using var reader = new HubClient(server.Address, server.AdminToken);
                var mine = new List<double>(requests);
                for (int k = 0; k < requests; k++)
                {
                    var t = Stopwatch.StartNew();
                    await using var s = await reader.OpenFileAsync("admin", "bench", null, files[(r * requests + k) % files.Count].Path, cancel);
                    await s.CopyToAsync(Stream.Null, cancel);
                    mine.Add(t.Elapsed.TotalMilliseconds);
                }
                lock (gate) latencies.AddRange(mine);
            }, cancel)).ToList();
            sw.Restart();
            await Task.WhenAll(tasks);
            double readersS = sw.Elapsed.TotalSeconds;
            latencies.Sort();

            double mb = bytes / 1e6;
            var result = new JsonObject
            {
                ["size_mib"] = sizeMiB,
                ["backend"] = server.Backend,
                ["copy_mbs"] = Round(mb / copyS),
                ["upload_mbs"] = Round(mb / uploadS),
                ["download_mbs"] = Round(mb / downloadS),
                ["upload_vs_copy"] = Round(copyS / uploadS),
                ["download_vs_copy"] = Round(copyS / downloadS),
                ["readers"] = readers,
                ["small_requests"] = latencies.Count,
                ["small_p50_ms"] = Round(Percentile(latencies, 0.50)),
                ["small_p99_ms"] = Round(Percentile(latencies, 0.99)),
                ["small_requests_per_s"] = Round(latencies.Count / readersS),
                ["peak_working_set_mb"] = Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1e6),
            };
            if (json)
            {
                Console.WriteLine(result.ToJsonString());
                return 0;
            }
            Console.WriteLine($"polymath hub bench: {sizeMiB} MiB on loopback, {server.Backend}, data under {root}");
            Console.WriteLine($"  file copy (same disk, flushed)  {result["copy_mbs"],10} MB/s");
            Console.WriteLine($"  upload (chunked, hashed)        {result["upload_mbs"],10} MB/s   {result["upload_vs_copy"]} x copy");
            Console.WriteLine($"  download (streamed to disk)     {result["download_mbs"],10} MB/s   {result["download_vs_copy"]} x copy");
            Console.WriteLine($"  {readers} readers x {requests} small files: p50 {result["small_p50_ms"]} ms, p99 {result["small_p99_ms"]} ms, {result["small_requests_per_s"]} requests/s");
            Console.WriteLine($"  peak working set {result["peak_working_set_mb"]} MB (the file was {bytes / 1e6:F0} MB)");
            return 0;
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); }
            catch (IOException) { }
        }
    }

    private static double Round(double x) => Math.Round(x, 2);

    private static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    private static async Task WriteRandomFileAsync(string path, long bytes, CancellationToken cancel)
    {
        var buffer = new byte[1 << 20];
        var rng = new System.Random(42);
        await using var f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous);
        for (long done = 0; done < bytes; done += buffer.Length)
        {
            rng.NextBytes(buffer);
            await f.WriteAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, bytes - done)), cancel);
        }
        f.Flush(flushToDisk: true);
    }

    private static async Task CopyFlushedAsync(string from, string to, CancellationToken cancel)
    {
        await using var src = new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using var dst = new FileStream(to, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous);
        await src.CopyToAsync(dst, 1 << 20, cancel);
        dst.Flush(flushToDisk: true);
    }
}
