using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polymath.Data;

namespace Polymath.Physics;

/// <summary>
/// Writes 2D Ising spin configurations for training, streaming: one safetensors file per L
/// (<c>ising2d-L{L}.safetensors</c>) with a JSON sidecar (<c>ising2d-L{L}.json</c>). All chains run in parallel and
/// write their samples straight into their own slots of the file, so memory stays at a few lattices per thread
/// whatever the dataset size, and the bytes are the same for any thread count.
/// </summary>
/// <remarks>
/// File layout (N = samples in the file; sample k of replica r at temperature index t is row
/// t·S + (first sample of r) + k, S = samples per temperature, replicas take consecutive slices):
/// <list type="bullet">
/// <item><c>spins</c> I8 [N, L, L]: sᵢ = ±1, row-major;</item>
/// <item><c>temperature</c> F32 [N]; <c>replica</c> I32 [N]; <c>sweep</c> I64 [N] (the chain's sweep count when taken);</item>
/// <item><c>energy</c> F32 [N] and <c>magnetization</c> F32 [N]: E/N and M/N (signed) of the sample.</item>
/// </list>
/// The safetensors <c>__metadata__</c> holds <c>format</c> = <see cref="Format"/> and <c>parameters</c> (the
/// generating options as JSON); the sidecar repeats them and adds each chain's spacing and τ_int.
/// </remarks>
public static class IsingDatasetGenerator
{
    /// <summary>The format tag written into every file.</summary>
    public const string Format = "polymath.physics.ising2d/1";

    // Samples buffered per chain before a positioned write.
    private const int WriteBatch = 64;

    /// <summary>Generates the files into <paramref name="directory"/>.</summary>
    /// <param name="options">What to generate; validated before anything is written.</param>
    /// <param name="directory">Output folder (created if missing); existing files of the same names are replaced atomically.</param>
    /// <param name="progress">Told the total samples written so far.</param>
    /// <param name="cancellationToken">Stops between sweeps; files not yet committed are removed.</param>
    /// <exception cref="ArgumentException">Invalid options (unknown model, empty temperature list, T ≤ 0, …).</exception>
    /// <exception cref="InsufficientMemoryException">The chains would not fit in memory.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static IReadOnlyList<IsingDatasetFile> Generate(IsingDatasetOptions options, string directory, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options.Validate();
        var run = options.ToRunOptions();
        int s = options.SamplesPerTemperature, nt = options.Temperatures.Count, reps = options.Replicas;
        var parameters = ParametersJson(options);
        var writers = new Dictionary<int, SafeTensorsStreamWriter>();
        var chainInfo = new Dictionary<int, JsonObject[]>();
        try
        {
            foreach (int l in options.Sizes.Distinct())
            {
                long n = (long)s * nt;
                writers[l] = new SafeTensorsStreamWriter(Path.Combine(directory, FileStem(l) + ".safetensors"),
                [
                    new("spins", "I8", [n, l, l]), new("temperature", "F32", [n]), new("replica", "I32", [n]),
                    new("sweep", "I64", [n]), new("energy", "F32", [n]), new("magnetization", "F32", [n]),
                ], new Dictionary<string, string> { ["format"] = Format, ["parameters"] = parameters.ToJsonString() });
                chainInfo[l] = new JsonObject[nt * reps];
            }
            var jobs = new List<(int L, int T, int Replica)>();
            foreach (int l in options.Sizes.Distinct())
                for (int t = 0; t < nt; t++)
                    for (int r = 0; r < reps; r++) jobs.Add((l, t, r));
            long written = 0;
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism ?? Threads.Count, CancellationToken = cancellationToken };
            Parallel.ForEach(jobs.OrderByDescending(j => j.L), parallel, job =>
            {
                var (l, t, r) = job;
                int first = r * (s / reps) + Math.Min(r, s % reps), count = s / reps + (r < s % reps ? 1 : 0);
                long row0 = (long)t * s + first;
                double temperature = options.Temperatures[t];
                var (chain, spacing, tauE, tauM) = IsingSimulation.Thermalize(run, l, temperature, r, cancellationToken);
                if (options.Spacing is null && tauE is { } te && tauM is { } tm)
                    spacing = Math.Max(1, (int)Math.Ceiling(2 * Math.Max(te.Tau, tm.Tau)));
                chainInfo[l][t * reps + r] = new JsonObject
                {
                    ["temperature"] = temperature, ["replica"] = r, ["first_row"] = row0, ["samples"] = count, ["spacing"] = spacing,
                    ["thermalization_sweeps"] = chain.SweepsDone, ["tau_energy"] = tauE?.Tau, ["tau_abs_magnetization"] = tauM?.Tau,
                    ["wolff_clusters_per_sweep"] = chain.ClustersPerSweep,
                };
                WriteChain(writers[l], chain, row0, count, spacing, r, ref written, progress, cancellationToken);
            });
            var files = new List<IsingDatasetFile>();
            foreach (var (l, writer) in writers)
            {
                writer.Commit();
                string path = Path.Combine(directory, FileStem(l) + ".safetensors"), sidecar = Path.Combine(directory, FileStem(l) + ".json");
                var doc = new JsonObject
                {
                    ["format"] = Format, ["model"] = PhysicsModels.Ising2D, ["file"] = Path.GetFileName(path), ["size"] = l,
                    ["samples"] = (long)s * nt, ["parameters"] = JsonNode.Parse(parameters.ToJsonString()),
                    ["tensors"] = new JsonObject
                    {
                        ["spins"] = "I8 [N, L, L], s = ±1, row-major (site (row, col) at row·L + col)",
                        ["temperature"] = "F32 [N], units of J/k_B", ["replica"] = "I32 [N]", ["sweep"] = "I64 [N], the chain's sweep count at the sample",
                        ["energy"] = "F32 [N], E/N with E = −Σ⟨ij⟩ sᵢsⱼ", ["magnetization"] = "F32 [N], M/N (signed)",
                    },
                    ["row_order"] = "temperature-major; within a temperature, replicas take consecutive slices",
                    ["critical_temperature"] = Onsager.CriticalTemperature,
                    ["chains"] = new JsonArray(chainInfo[l].Select(c => (JsonNode?)c).ToArray()),
                };
                AtomicFile.Write(sidecar, stream => JsonSerializer.Serialize(stream, doc, new JsonSerializerOptions { WriteIndented = true }));
                files.Add(new IsingDatasetFile(path, sidecar, l, s * nt));
            }
            return files.OrderBy(f => f.Size).ToList();
        }
        finally
        {
            foreach (var w in writers.Values) w.Dispose();
        }
    }

    /// <summary>The file name without extension for size L: <c>ising2d-L{L}</c>.</summary>
    public static string FileStem(int size) => $"ising2d-L{size.ToString(CultureInfo.InvariantCulture)}";

    private static void WriteChain(SafeTensorsStreamWriter writer, IsingChain chain, long row0, int count, int spacing, int replica,
        ref long written, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        int sites = chain.Lattice.Sites;
        int batch = Math.Max(1, Math.Min(WriteBatch, (1 << 22) / sites));
        var spins = new sbyte[batch * sites];
        var temperature = new float[batch];
        var replicas = new int[batch];
        var sweeps = new long[batch];
        var energy = new float[batch];
        var magnetization = new float[batch];
        Array.Fill(temperature, (float)chain.Temperature);
        Array.Fill(replicas, replica);
        for (int done = 0; done < count;)
        {
            int k = Math.Min(batch, count - done);
            for (int j = 0; j < k; j++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                chain.Sweep(spacing);
                chain.Lattice.Spins.CopyTo(spins, j * sites);
                sweeps[j] = chain.SweepsDone;
                energy[j] = (float)((double)chain.Energy / sites);
                magnetization[j] = (float)((double)chain.Magnetization / sites);
            }
            long row = row0 + done;
            writer.Write<sbyte>("spins", row * sites, spins.AsSpan(0, k * sites));
            writer.Write<float>("temperature", row, temperature.AsSpan(0, k));
            writer.Write<int>("replica", row, replicas.AsSpan(0, k));
            writer.Write<long>("sweep", row, sweeps.AsSpan(0, k));
            writer.Write<float>("energy", row, energy.AsSpan(0, k));
            writer.Write<float>("magnetization", row, magnetization.AsSpan(0, k));
            done += k;
            long total = Interlocked.Add(ref written, k);
            progress?.Report(total);
        }
    }

    private static JsonObject ParametersJson(IsingDatasetOptions o) => new()
    {
        ["model"] = PhysicsModels.Ising2D,
        ["sizes"] = new JsonArray(o.Sizes.Select(l => (JsonNode?)l).ToArray()),
        ["temperatures"] = new JsonArray(o.Temperatures.Select(t => (JsonNode?)t).ToArray()),
        ["samples_per_temperature"] = o.SamplesPerTemperature, ["replicas"] = o.Replicas,
        ["algorithm"] = o.Algorithm.ToString().ToLowerInvariant(), ["burn_in_sweeps"] = o.BurnInSweeps, ["pilot_sweeps"] = o.PilotSweeps,
        ["spacing"] = o.Spacing is { } sp ? sp : "auto: max(1, ceil(2 tau_int)) from the pilot",
        ["seed"] = o.Seed, ["coupling_j"] = 1.0, ["boundary"] = "periodic", ["start"] = "cold (all +1)",
        ["rng"] = "Philox4x32-10, one stream per chain keyed by SplitMix64(seed, L, T, replica)",
    };
}
