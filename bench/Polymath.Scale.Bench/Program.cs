using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polymath;
using Polymath.Data;
using Polymath.Models;
using Polymath.NN;
using Polymath.NN.Optim;
using Polymath.Scale.Distributed;

// Distributed-training benchmark (see bench/README.md, "Distributed rows"). Without --worker it orchestrates:
// it starts itself and the C reference under mpirun and prints one row per figure.
var inv = CultureInfo.InvariantCulture;
var argList = args.ToList();
string? Opt(string name)
{
    int i = argList.IndexOf(name);
    return i >= 0 && i + 1 < argList.Count ? argList[i + 1] : null;
}
bool quick = argList.Contains("--quick"), json = argList.Contains("--json");
string filter = Opt("--filter") ?? "";

if (Opt("--worker") is { } mode)
    return Worker.Run(mode, argList, inv);

string root = Bench.RepoRoot();
string? mpirun = MpiLauncher.FindMpirun();
if (mpirun is null)
{
    Console.Error.WriteLine("polymath scale bench: mpirun not found (install openmpi-bin libopenmpi-dev).");
    return 1;
}
var rows = new List<JsonObject>();
double load = Bench.LoadAverage();
Console.Error.WriteLine($"load average {load.ToString("F2", inv)} on {Environment.ProcessorCount} cores" + (load > Environment.ProcessorCount ? " (busy machine: figures are noisy)" : ""));
long maxBytes = quick ? 4L << 20 : 256L << 20;

if ("allreduce".Contains(filter) || filter.Length == 0)
{
    var ours = Bench.Mpirun(mpirun, 2, [.. Bench.Self(), "--worker", "allreduce", "--max-bytes", maxBytes.ToString(inv)], 1);
    var c = Bench.CReference(root, mpirun, maxBytes);
    foreach (var (bytes, s) in ours)
    {
        var row = new JsonObject
        {
            ["name"] = $"allreduce_{Bench.Size(bytes)}_2ranks",
            ["bytes"] = bytes,
            ["ours_s"] = s,
            ["ours_busbw_gbs"] = bytes / s / 1e9, // 2(p-1)/p = 1 for p = 2
        };
        if (c.TryGetValue(bytes, out double cs))
        {
            row["peer_s"] = cs;
            row["peer_busbw_gbs"] = bytes / cs / 1e9;
            row["ratio"] = cs / s;
        }
        else
            row["note"] = "C MPI_Allreduce reference n/a (mpicc missing?)";
        rows.Add(row);
    }
}

if ("scaling".Contains(filter) || filter.Length == 0)
{
    int limit = int.Parse(Opt("--limit") ?? (quick ? "1280" : "12800"), inv);
    string data = Path.GetFullPath(Path.Combine(root, "..", "shared", "data", "mnist"));
    JsonObject Run(int np, int threads) => JsonNode.Parse(Bench.MpirunText(mpirun, np,
        [.. Bench.Self(), "--worker", "lenet", "--limit", limit.ToString(inv), "--global-batch", "64", "--threads", threads.ToString(inv), "--data", data]).Trim().Split('\n')[^1])!.AsObject();
    var one2 = Run(1, Environment.ProcessorCount);
    var one1 = Run(1, 1);
    var two1 = Run(2, 1);
    double t1 = one2["epoch_s"]!.GetValue<double>(), t1single = one1["epoch_s"]!.GetValue<double>(), t2 = two1["epoch_s"]!.GetValue<double>();
    rows.Add(new JsonObject { ["name"] = "lenet_epoch_1rank_allcores", ["epoch_s"] = t1, ["detail"] = one2 });
    rows.Add(new JsonObject { ["name"] = "lenet_epoch_1rank_1thread", ["epoch_s"] = t1single, ["detail"] = one1 });
    rows.Add(new JsonObject
    {
        ["name"] = "lenet_epoch_2ranks_1thread",
        ["epoch_s"] = t2,
        ["speedup_vs_1rank_allcores"] = t1 / t2,
        ["efficiency_vs_1rank_allcores"] = t1 / (2 * t2),
        ["speedup_vs_1rank_1thread"] = t1single / t2,
        ["efficiency_vs_1rank_1thread"] = t1single / (2 * t2),
        ["detail"] = two1,
    });
    // Paper estimate: per-rank batch 32 (weak scaling), ring all-reduce t = 2(p-1)/p * n/B + 2(p-1) * alpha.
    double compute = two1["compute_s_per_step"]!.GetValue<double>();
    double gradBytes = two1["grad_bytes"]!.GetValue<double>();
    var ar = rows.Where(r => r["name"]!.GetValue<string>().StartsWith("allreduce_", StringComparison.Ordinal)).ToList();
    double alpha = ar.Count > 0 ? ar.Min(r => r["ours_s"]!.GetValue<double>()) / 2 : 20e-6; // 1 KB on 2 ranks ~ 2 latency terms
    double bw = ar.Count > 0 ? ar.Max(r => r["ours_busbw_gbs"]!.GetValue<double>()) * 1e9 : 1e9;
    foreach (var (label, a, b) in new[] { (ar.Count > 0 ? "measured_shm" : "assumed_shm", alpha, bw), ("10GbE", 30e-6, 1.1e9), ("100Gb_IB", 3e-6, 11e9) })
        foreach (int p in new[] { 2, 8, 64 })
        {
            double comm = 2.0 * (p - 1) / p * gradBytes / b + 2.0 * (p - 1) * a;
            rows.Add(new JsonObject
            {
                ["name"] = $"lenet_estimate_{p}hosts_{label}",
                ["alpha_s"] = a,
                ["bandwidth_gbs"] = b / 1e9,
                ["compute_s_per_step"] = compute,
                ["allreduce_s_per_step"] = comm,
                ["efficiency_no_overlap"] = compute / (compute + comm),
                ["efficiency_full_overlap"] = Math.Min(1, compute / Math.Max(compute, comm)),
                ["epoch_s_60k"] = 60000.0 / (32 * p) * (compute + comm),
            });
        }
}

foreach (var r in rows)
    Console.WriteLine(json ? r.ToJsonString() : Bench.Line(r));
return 0;

internal static class Bench
{
    public static string RepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Polymath.slnx")))
                    return d.FullName;
        return Environment.CurrentDirectory;
    }

    public static double LoadAverage() =>
        File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : double.NaN;

    public static string[] Self() => MpiLauncher.CurrentProgram(typeof(Bench).Assembly).ToArray();

    public static string Size(long b) => b >= 1 << 20 ? $"{b >> 20}MB" : $"{b >> 10}KB";

    public static string MpirunText(string mpirun, int np, string[] command)
    {
        var psi = new ProcessStartInfo(mpirun) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in MpiLauncher.Arguments(np, null, command)) psi.ArgumentList.Add(a);
        psi.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        psi.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        using var p = Process.Start(psi)!;
        string text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{mpirun} {string.Join(' ', command)} exited with {p.ExitCode}:\n{text}");
        // The .NET console writes terminal mode sequences (ESC[?1h ESC=) when it thinks it has a terminal.
        return System.Text.RegularExpressions.Regex.Replace(text, "\u001b(\\[[0-9;?]*[A-Za-z]|[=>])", "");
    }

    /// <summary>Lines "bytes seconds ..." from a job.</summary>
    public static List<(long Bytes, double Seconds)> Mpirun(string mpirun, int np, string[] command, int _) =>
        MpirunText(mpirun, np, command).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')).Where(f => f.Length >= 2 && long.TryParse(f[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long _))
            .Select(f => (long.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[1], CultureInfo.InvariantCulture))).ToList();

    public static Dictionary<long, double> CReference(string root, string mpirun, long maxBytes)
    {
        string dir = Path.Combine(root, "bench", "mpi_c"), exe = Path.Combine(dir, "allreduce_bench");
        try
        {
            if (!File.Exists(exe))
                Process.Start("sh", Path.Combine(dir, "build.sh"))!.WaitForExit();
            return File.Exists(exe) ? Mpirun(mpirun, 2, [exe, maxBytes.ToString(CultureInfo.InvariantCulture)], 0).ToDictionary(x => x.Bytes, x => x.Seconds) : [];
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine("C reference failed: " + e.Message);
            return [];
        }
    }

    public static string Line(JsonObject r) =>
        string.Join("  ", r.Where(kv => kv.Key != "detail").Select(kv => $"{kv.Key}={(kv.Value is JsonValue v && v.TryGetValue(out double d) ? d.ToString("G4", CultureInfo.InvariantCulture) : kv.Value?.ToJsonString())}"));
}

internal static class Worker
{
    public static int Run(string mode, List<string> args, CultureInfo inv)
    {
        string? Opt(string name)
        {
            int i = args.IndexOf(name);
            return i >= 0 && i + 1 < args.Count ? args[i + 1] : null;
        }
        using var comm = new MpiCommunicator();
        long t0;
        if (mode == "allreduce")
        {
            long max = long.Parse(Opt("--max-bytes") ?? (256L << 20).ToString(inv), inv);
            var buf = new float[max / 4];
            for (int i = 0; i < buf.Length; i++) buf[i] = i % 7 * 1e-3f;
            for (long bytes = 1024; bytes <= max; bytes *= 4)
            {
                int n = (int)(bytes / 4);
                int inner = bytes <= 65536 ? 100 : bytes <= 4L << 20 ? 10 : 1;
                for (int w = 0; w < 2; w++) comm.AllReduce(buf, 0, n);
                var samples = new List<double>();
                double total = 0;
                while (true)
                {
                    comm.Barrier();
                    t0 = Stopwatch.GetTimestamp();
                    for (int k = 0; k < inner; k++) comm.AllReduce(buf, 0, n);
                    double t = Stopwatch.GetElapsedTime(t0).TotalSeconds / inner;
                    samples.Add(t);
                    total += t * inner;
                    var more = new[] { samples.Count < 5 || (total < 0.3 && samples.Count < 1000) ? 1 : 0 };
                    comm.Broadcast(more);
                    if (more[0] == 0) break;
                }
                samples.Sort();
                var med = new[] { samples[samples.Count / 2] };
                comm.AllReduce(med, ReduceOp.Max);
                if (comm.Rank == 0)
                    Console.WriteLine(FormattableString.Invariant($"{bytes} {med[0]:G9}"));
            }
            return 0;
        }
        // lenet: one epoch over the first --limit MNIST images with global batch --global-batch split between the ranks.
        int limit = int.Parse(Opt("--limit")!, inv), global = int.Parse(Opt("--global-batch")!, inv);
        Threads.Count = int.Parse(Opt("--threads")!, inv);
        int perRank = global / comm.Size;
        var mnist = new Mnist(Opt("--data")!, train: true);
        Dataset<(Tensor, Tensor)> items = new Subset<(Tensor, Tensor)>(mnist, Enumerable.Range(0, Math.Min(limit, mnist.Count)));
        var sampler = DistributedSampler.For(comm, items.Count, seed: 1);
        var loader = DataLoader.Create(sampler.Shard(items), perRank, dropLast: true);
        var model = new LeNet5(generator: new Generator(1));
        using var ddp = new DistributedDataParallel(model, comm);
        var opt = new Adam(model.Parameters(), 1e-3);
        var loss = new CrossEntropyLoss();
        var batches = loader.ToList(); // decode once: the epoch times training, not PNG-free IDX parsing
        void Step((Tensor X, Tensor Y) b)
        {
            opt.ZeroGrad();
            loss.Call(ddp.Call(b.X), b.Y).Backward();
            opt.Step();
        }
        Step(batches[0]); // fixes the buckets, JIT
        comm.Barrier();
        t0 = Stopwatch.GetTimestamp();
        foreach (var b in batches) Step(b);
        comm.Barrier();
        double epoch = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        // Compute alone (no communication) and the gradient all-reduce alone, per step.
        int reps = Math.Min(20, batches.Count);
        comm.Barrier();
        t0 = Stopwatch.GetTimestamp();
        using (ddp.NoSync())
            for (int i = 0; i < reps; i++) Step(batches[i]);
        double compute = Stopwatch.GetElapsedTime(t0).TotalSeconds / reps;
        model.ZeroGrad();
        long numel = model.Parameters().Sum(p => p.Numel);
        var g = new float[numel];
        comm.Barrier();
        t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < reps; i++) comm.AllReduce(g);
        double commS = Stopwatch.GetElapsedTime(t0).TotalSeconds / reps;
        var times = comm.AllGather(new[] { epoch, compute, commS });
        if (comm.Rank == 0)
            Console.WriteLine(new JsonObject
            {
                ["ranks"] = comm.Size,
                ["threads_per_rank"] = Threads.Count,
                ["images"] = items.Count,
                ["steps"] = batches.Count,
                ["batch_per_rank"] = perRank,
                ["epoch_s"] = Enumerable.Range(0, comm.Size).Max(r => times[3 * r]),
                ["compute_s_per_step"] = Enumerable.Range(0, comm.Size).Max(r => times[3 * r + 1]),
                ["comm_s_per_step"] = Enumerable.Range(0, comm.Size).Max(r => times[3 * r + 2]),
                ["grad_bytes"] = numel * 4,
                ["buckets"] = ddp.BucketCount,
            }.ToJsonString());
        return 0;
    }
}
