using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Polymath.Bench;

/// <summary>Options of <c>polymath bench</c>.</summary>
public sealed class BenchOptions
{
    /// <summary>Patterns matched against "group/name", case-insensitive: a substring, or a glob with * and ?. Any may match.</summary>
    public IReadOnlyList<string> Filters { get; init; } = [];

    /// <summary>Threads for Polymath and for the peers.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Fewer reps and smaller sizes (CI smoke).</summary>
    public bool Quick { get; init; }

    /// <summary>Skip the peers (ours only).</summary>
    public bool NoPeer { get; init; }

    /// <summary>Seed of the rows that train a model (amp); 0 gives the documented runs.</summary>
    public int Seed { get; init; }

    /// <summary>Progress lines (which row is running); null for silence.</summary>
    public Action<string>? Progress { get; init; }

    /// <summary>Called with each finished row, in order, after the peers have run.</summary>
    public Action<BenchRow>? RowDone { get; init; }
}

/// <summary>Runs the selected cases: our side first (one at a time), then the peers in as few subprocesses as possible.</summary>
public static class BenchRunner
{
    /// <summary>True when <paramref name="c"/> matches one of the filters (or there are none).</summary>
    public static bool Matches(BenchCase c, IReadOnlyList<string> filters)
    {
        if (filters.Count == 0)
            return true;
        string key = $"{c.Group}/{c.Name}";
        foreach (string f in filters)
        {
            if (f.Contains('*') || f.Contains('?'))
            {
                string rx = "^" + Regex.Escape(f).Replace(@"\*", ".*").Replace(@"\?", ".") + "$";
                if (Regex.IsMatch(c.Name, rx, RegexOptions.IgnoreCase) || Regex.IsMatch(key, rx, RegexOptions.IgnoreCase))
                    return true;
            }
            else if (key.Contains(f, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    public static List<BenchRow> Run(BenchOptions options, CancellationToken cancel = default)
    {
        var cases = Suite.Cases(options.Quick, options.Seed).Where(c => Matches(c, options.Filters)).ToList();
        var rows = new List<BenchRow>();
        if (cases.Count == 0)
            return rows;

        int savedThreads = Threads.Count;
        Threads.Count = options.Threads;
        BandwidthResult? bandwidth = null;
        try
        {
            if (cases.Any(c => c.Bytes is not null || c.StateBytes is not null))
            {
                options.Progress?.Invoke("measuring memory bandwidth (managed triad, copy, read; C STREAM in bench/stream_c)");
                // Same array size as the elementwise rows (16M floats), so both see the same cache/memory mix.
                int elements = options.Quick ? 8 << 20 : 16 << 20;
                bandwidth = MemoryBandwidth.Measure(elements, options.Threads, options.Quick ? 3 : 10);
                // The C STREAM program is the machine's reference too; the best of both is the figure used.
                var stream = PeerRunner.StreamC(options.Threads, elements, options.Quick ? 3 : 10, TimeSpan.FromSeconds(120));
                var best = stream.Lines.FirstOrDefault(l => (string?)l["kernel"] == "best");
                if (best is not null && Number(best["gbs"]) is double cgbs)
                    bandwidth = bandwidth.Value with { StreamCGBs = cgbs };
                Collect();
            }

            for (int i = 0; i < cases.Count; i++)
            {
                cancel.ThrowIfCancellationRequested();
                var c = cases[i];
                var row = new BenchRow(c.Name, c.Group);
                row.Set("threads", options.Threads);
                foreach (var kv in c.Info)
                    row.Set(kv.Key, kv.Value);
                rows.Add(row);
                if (c.SkipReason is not null)
                {
                    row.Notes.Add(c.SkipReason);
                    continue;
                }
                options.Progress?.Invoke($"[{i + 1}/{cases.Count}] {c.Name}");
                try
                {
                    var m = c.Ours();
                    row.OursS = m.MedianS;
                    row.Set("ours_min_s", m.MinS);
                    row.Set("reps", m.Reps);
                    foreach (var kv in c.Info)
                        row.Set(kv.Key, kv.Value); // again: a case may add extras it measured (the int8 rows' float32 times)
                    foreach (var kv in c.Results)
                        row.Set(kv.Key, kv.Value);
                    if (c.PeakRss)
                    {
                        using var self = System.Diagnostics.Process.GetCurrentProcess();
                        row.Set("peak_rss_mb", self.PeakWorkingSet64 / (1024.0 * 1024.0));
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    row.Notes.Add($"ours failed: {e.GetType().Name}: {e.Message}");
                }
                Collect();
            }
        }
        finally
        {
            Threads.Count = savedThreads;
        }

        if (options.NoPeer)
        {
            foreach (var r in rows)
                r.Notes.Add("peer skipped (--no-peer)");
        }
        else
        {
            RunPeers(cases, rows, options, cancel);
        }

        for (int i = 0; i < cases.Count; i++)
        {
            Derive(cases[i], rows[i], bandwidth);
            options.RowDone?.Invoke(rows[i]);
        }
        return rows;
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static void RunPeers(List<BenchCase> cases, List<BenchRow> rows, BenchOptions options, CancellationToken cancel)
    {
        var timeout = TimeSpan.FromMinutes(options.Quick ? 3 : 8);

        // torch_ops.py: one process for every op spec.
        var opCases = cases.Select((c, i) => (c, i)).Where(t => t.c.Peer == PeerKind.TorchOps && t.c.TorchSpec is not null).ToList();
        if (opCases.Count > 0)
        {
            options.Progress?.Invoke($"peer: torch_ops.py ({opCases.Count} ops, {options.Threads} threads)");
            var output = PeerRunner.TorchOps(opCases.Select(t => t.c.TorchSpec!).ToList(), options.Threads, timeout);
            foreach (var (c, i) in opCases)
            {
                var line = output.Lines.FirstOrDefault(l => (string?)l["name"] == c.Name);
                ApplyTorch(rows[i], line, output.Error, "torch (bench/peers/torch_ops.py)");
            }
        }

        // torch_workloads.py: one process per distinct workload.
        foreach (var group in cases.Select((c, i) => (c, i)).Where(t => t.c.Peer == PeerKind.TorchWorkload && t.c.Workload is not null)
                     .GroupBy(t => t.c.Workload!))
        {
            cancel.ThrowIfCancellationRequested();
            var first = group.First().c;
            string scriptName = first.WorkloadScript ?? "torch_workloads.py";
            options.Progress?.Invoke($"peer: {scriptName} --workload {group.Key}");
            var output = PeerRunner.TorchWorkload(group.Key, options.Threads, first.WorkloadSteps, first.WorkloadWarmup, timeout, first.WorkloadScript);
            var line = output.Lines.FirstOrDefault(l => (string?)l["workload"] == group.Key);
            var rss = output.Lines.FirstOrDefault(l => l["peer_peak_rss_mb"] is not null);
            foreach (var (_, i) in group)
            {
                ApplyTorch(rows[i], line, output.Error, first.WorkloadScript is null ? $"torch (shared torch_workloads.py {group.Key})" : $"torch (bench/peers/{first.WorkloadScript} {group.Key})");
                if (cases[i].PeakRss && rss is not null)
                    rows[i].Set("peer_peak_rss_mb", Number(rss["peer_peak_rss_mb"]));
            }
        }

        // The C OpenBLAS program, once for all sizes.
        var gemmCases = cases.Select((c, i) => (c, i)).Where(t => t.c.GemmCSize is not null).ToList();
        if (gemmCases.Count > 0)
        {
            cancel.ThrowIfCancellationRequested();
            var sizes = gemmCases.Select(t => t.c.GemmCSize!.Value).Distinct().ToList();
            options.Progress?.Invoke($"peer: bench/gemm_c/gemm_bench {options.Threads} {string.Join(' ', sizes)}");
            var output = PeerRunner.GemmC(options.Threads, sizes, timeout);
            foreach (var (c, i) in gemmCases)
            {
                var line = output.Lines.FirstOrDefault(l => (int?)l["n"] == c.GemmCSize);
                double? s = Number(line?["median_s"]);
                if (s is > 0)
                {
                    rows[i].Set("c_openblas_s", s);
                }
                else
                {
                    rows[i].Set("c_openblas_s", null);
                    rows[i].Notes.Add($"C OpenBLAS peer n/a: {output.Error ?? "no result for this size"}");
                }
            }
        }
    }

    private static void ApplyTorch(BenchRow row, JsonObject? line, string? error, string peerName)
    {
        double? s = Number(line?["median_s"]);
        if (s is > 0)
        {
            row.PeerS = s;
            if ((string?)line?["torch"] is { } v)
                row.Set("torch", v);
            return;
        }
        string why = (string?)line?["error"] ?? error ?? "no result";
        row.Notes.Add($"peer n/a ({peerName}): {why}");
    }

    private static double? Number(JsonNode? node)
    {
        if (node is JsonValue v && v.TryGetValue(out double d))
            return d;
        return null;
    }

    private static void Derive(BenchCase c, BenchRow row, BandwidthResult? bw)
    {
        if (c.Flops is double flops)
        {
            row.Set("gflops", row.OursS is > 0 ? flops / row.OursS.Value / 1e9 : null);
            row.Set("peer_gflops", row.PeerS is > 0 ? flops / row.PeerS.Value / 1e9 : null);
            if (c.GemmCSize is not null && row.Get("c_openblas_s") is double cs)
            {
                row.Set("c_openblas_gflops", flops / cs / 1e9);
                if (row.OursS is > 0)
                    row.Set("ratio_vs_c", cs / row.OursS.Value);
            }
        }
        if (c.Bytes is double bytes)
        {
            double? gbs = row.OursS is > 0 ? bytes / row.OursS.Value / 1e9 : null;
            double? peerGbs = row.PeerS is > 0 ? bytes / row.PeerS.Value / 1e9 : null;
            row.Set("gbs", gbs);
            row.Set("peer_gbs", peerGbs);
            if (bw is { } b)
            {
                row.Set("bandwidth_gbs", b.BestGBs);
                row.Set("triad_gbs", b.TriadGBs);
                row.Set("copy_gbs", b.CopyGBs);
                row.Set("read_gbs", b.ReadGBs);
                row.Set("stream_c_gbs", b.StreamCGBs);
                row.Set("fraction_of_bandwidth", gbs / b.BestGBs);
                row.Set("peer_fraction_of_bandwidth", peerGbs / b.BestGBs);
            }
        }
        if (c.Gates is int gates && row.OursS is > 0)
            row.Set("us_per_gate", row.OursS.Value / gates * 1e6);
        if (c.StateBytes is double state && bw is { } bws && row.OursS is > 0)
            row.Set("passes", row.OursS.Value / (2 * state / (bws.BestGBs * 1e9)));
        if (c.Batch is int batch)
        {
            row.Set("samples_per_s", row.OursS is > 0 ? batch / row.OursS.Value : null);
            row.Set("peer_samples_per_s", row.PeerS is > 0 ? batch / row.PeerS.Value : null);
        }
        if (c.Nanoseconds)
        {
            row.Set("ours_ns_per_op", row.OursS * 1e9);
            row.Set("peer_ns_per_op", row.PeerS * 1e9);
        }
    }
}
