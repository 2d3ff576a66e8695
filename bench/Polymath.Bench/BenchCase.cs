using System.Text.Json.Nodes;

namespace Polymath.Bench;

/// <summary>How the peer figure of a row is obtained.</summary>
public enum PeerKind
{
    /// <summary>No peer.</summary>
    None,

    /// <summary>bench/peers/torch_ops.py with <see cref="BenchCase.TorchSpec"/>.</summary>
    TorchOps,

    /// <summary>../shared/peers/torch_workloads.py --workload <see cref="BenchCase.Workload"/>.</summary>
    TorchWorkload,
}

/// <summary>One benchmark row before it runs: how to time our side, how to time the peer, how to derive extras.</summary>
public sealed class BenchCase
{
    public required string Name { get; init; }

    public required string Group { get; init; }

    /// <summary>Sets up the data and times our op; null result is impossible, exceptions become a note.</summary>
    public required Func<Measurement> Ours { get; init; }

    /// <summary>When not null, the row is kept but our side is skipped with this note.</summary>
    public string? SkipReason { get; init; }

    public PeerKind Peer { get; init; }

    /// <summary>Spec for torch_ops.py (name, op, shapes, timing settings).</summary>
    public JsonObject? TorchSpec { get; init; }

    /// <summary>Workload name for torch_workloads.py, with its steps and warm-up.</summary>
    public string? Workload { get; init; }

    /// <summary>The peer script that runs <see cref="Workload"/>: null for the shared torch_workloads.py, else a file in bench/peers.</summary>
    public string? WorkloadScript { get; init; }

    public int WorkloadSteps { get; init; } = 30;

    public int WorkloadWarmup { get; init; } = 5;

    /// <summary>Also compare with the C OpenBLAS program at this size.</summary>
    public int? GemmCSize { get; init; }

    /// <summary>Floating-point operations per op: gives gflops / peer_gflops.</summary>
    public double? Flops { get; init; }

    /// <summary>Bytes read + written per op: gives gbs, fraction_of_bandwidth and the peer's.</summary>
    public double? Bytes { get; init; }

    /// <summary>Gates per op (quantum rows): gives us_per_gate.</summary>
    public int? Gates { get; init; }

    /// <summary>Bytes of the state a quantum row sweeps: gives passes, its time in read+write passes over the state at the measured bandwidth.</summary>
    public double? StateBytes { get; init; }

    /// <summary>Samples per op (training rows): gives samples_per_s and peer_samples_per_s.</summary>
    public int? Batch { get; init; }

    /// <summary>Record the process's peak working set after our side ran (peak_rss_mb).</summary>
    public bool PeakRss { get; init; }

    /// <summary>Report ns/op extras (small-op overhead rows).</summary>
    public bool Nanoseconds { get; init; }

    /// <summary>Extra figures fixed before the run (shapes, provider).</summary>
    public List<KeyValuePair<string, object?>> Info { get; } = [];

    /// <summary>Extra figures that <see cref="Ours"/> computes while it runs (memory, final loss); copied into the row after it.</summary>
    public Dictionary<string, object?> Results { get; } = [];
}
