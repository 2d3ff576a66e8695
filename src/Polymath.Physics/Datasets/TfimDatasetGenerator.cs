using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polymath.Data;

namespace Polymath.Physics;

/// <summary>
/// Writes TFIM ground-state data across the field h to <c>tfim-n{n}.safetensors</c> with a JSON sidecar
/// <c>tfim-n{n}.json</c>, one field at a time (each field's rows are written as soon as they are known). The exact
/// method stores snapshots in the Z and X bases, correlators, energies and optionally amplitudes; cluster QMC
/// (<see cref="TfimClusterQmc"/>, for chains beyond exact diagonalisation) stores Z snapshots and QMC estimates of the
/// energy, ⟨ZᵢZⱼ⟩ and ⟨Xᵢ⟩.
/// </summary>
/// <remarks>
/// Tensors (F = number of fields, S = shots per basis, n = sites): <c>field</c> F64 [F]; <c>energy</c> F64 [F];
/// <c>z_snapshots</c> and <c>x_snapshots</c> U8 [F, S, n] (bit i of a shot, 1 meaning eigenvalue −1 of Zᵢ resp. Xᵢ);
/// <c>zz</c> F64 [F, n, n] = ⟨ZᵢZⱼ⟩; <c>x</c> F64 [F, n] = ⟨Xᵢ⟩; <c>amplitudes</c> F64 [F, 2ⁿ, 2] (re, im; basis index
/// bit i = qubit i) when requested. The draws of field f in basis b use the seed <see cref="SnapshotSeed"/>(seed, f, b).
/// QMC files have no <c>x_snapshots</c> and no <c>amplitudes</c>; field f's Markov chain owns the random stream f of
/// the seed, so the file does not depend on the number of threads.
/// </remarks>
public static class TfimDatasetGenerator
{
    /// <summary>The format tag written into every file.</summary>
    public const string Format = "polymath.physics.tfim/1";

    /// <summary>Generates the file into <paramref name="directory"/> and returns its path.</summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    /// <exception cref="InsufficientMemoryException">Too many sites for the memory available.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (the file is not written).</exception>
    public static string Generate(TfimDatasetOptions options, string directory, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options.Validate();
        int n = options.Sites, f = options.Fields.Count, shots = options.ShotsPerBasis;
        bool qmc = options.Method == TfimSamplingMethod.ClusterQmc;
        bool amplitudes = options.IncludeAmplitudes && !qmc;
        long dim = qmc ? 0 : 1L << n;
        double beta = options.BetaPerSite * n / Math.Abs(options.Coupling);
        string stem = $"tfim-n{n.ToString(CultureInfo.InvariantCulture)}";
        string path = Path.Combine(directory, stem + ".safetensors");
        var parameters = new JsonObject
        {
            ["model"] = PhysicsModels.TransverseFieldIsing, ["hamiltonian"] = "H = -J sum Z_i Z_{i+1} - h sum X_i",
            ["sites"] = n, ["coupling_j"] = options.Coupling, ["periodic"] = options.Periodic,
            ["fields"] = new JsonArray(options.Fields.Select(h => (JsonNode?)h).ToArray()), ["shots_per_basis"] = shots,
            ["seed"] = options.Seed,
            ["method"] = qmc ? "cluster QMC (continuous imaginary time, Swendsen-Wang)" : "Lanczos from |+...+> (parity-even ground state)",
            ["critical_field"] = TransverseFieldIsing.CriticalField,
        };
        if (qmc)
        {
            parameters["beta"] = beta;
            parameters["thermalization_sweeps"] = options.ThermalizationSweeps;
            parameters["sweeps_per_shot"] = options.SweepsPerShot;
        }
        var tensors = new List<StreamedTensor>
        {
            new("field", "F64", [f]), new("energy", "F64", [f]), new("z_snapshots", "U8", [f, shots, n]),
            new("zz", "F64", [f, n, n]), new("x", "F64", [f, n]),
        };
        if (!qmc) tensors.Add(new("x_snapshots", "U8", [f, shots, n]));
        if (amplitudes) tensors.Add(new("amplitudes", "F64", [f, dim, 2]));
        using var writer = new SafeTensorsStreamWriter(path, tensors, new Dictionary<string, string> { ["format"] = Format, ["parameters"] = parameters.ToJsonString() });
        int done = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = n <= 14 || qmc ? Threads.Count : 1, CancellationToken = cancellationToken };
        Parallel.For(0, f, parallel, i =>
        {
            if (qmc)
            {
                WriteQmcField(writer, options, i, beta, cancellationToken);
                progress?.Report(Interlocked.Increment(ref done));
                return;
            }
            var gs = TransverseFieldIsing.ExactGroundState(n, options.Fields[i], options.Coupling, options.Periodic);
            writer.Write<double>("field", i, [options.Fields[i]]);
            writer.Write<double>("energy", i, [gs.Energy]);
            foreach (var (name, basis) in new[] { ("z_snapshots", MeasurementBasis.Z), ("x_snapshots", MeasurementBasis.X) })
            {
                var indices = gs.SampleIndices(basis, shots, SnapshotSeed(options.Seed, i, basis));
                var bits = new byte[shots * n];
                for (int s = 0; s < shots; s++)
                    for (int q = 0; q < n; q++) bits[s * n + q] = (byte)(indices[s] >> q & 1);
                writer.Write<byte>(name, (long)i * shots * n, bits);
            }
            var zz = gs.ZZCorrelations();
            var flat = new double[n * n];
            Buffer.BlockCopy(zz, 0, flat, 0, flat.Length * sizeof(double));
            writer.Write<double>("zz", (long)i * n * n, flat);
            writer.Write<double>("x", (long)i * n, Enumerable.Range(0, n).Select(gs.X).ToArray());
            if (amplitudes)
            {
                var amps = gs.Amplitudes();
                var pairs = new double[2 * amps.Length];
                for (int k = 0; k < amps.Length; k++) { pairs[2 * k] = amps[k].Real; pairs[2 * k + 1] = amps[k].Imaginary; }
                writer.Write<double>("amplitudes", (long)i * dim * 2, pairs);
            }
            progress?.Report(Interlocked.Increment(ref done));
        });
        writer.Commit();
        var sidecar = new JsonObject
        {
            ["format"] = Format, ["model"] = PhysicsModels.TransverseFieldIsing, ["file"] = Path.GetFileName(path), ["parameters"] = parameters,
            ["tensors"] = new JsonObject
            {
                ["field"] = "F64 [F]", ["energy"] = "F64 [F], ground energy",
                ["z_snapshots"] = "U8 [F, S, n], bit i = 1 means Z_i = -1", ["x_snapshots"] = "U8 [F, S, n], bit i = 1 means X_i = -1 (Hadamard on every qubit, then Z)",
                ["zz"] = "F64 [F, n, n], <Z_i Z_j>", ["x"] = "F64 [F, n], <X_i>",
                ["amplitudes"] = amplitudes ? "F64 [F, 2^n, 2], (re, im), basis index bit i = qubit i" : qmc ? "not stored (QMC has no wavefunction)" : "not stored",
            },
            ["snapshot_seed"] = qmc ? "field f's Markov chain uses ChainRandom(seed, f)" : "SplitMix64(seed, field index, basis), low 31 bits, passed to StateVector.SampleIndices",
        };
        if (qmc)
        {
            var t = sidecar["tensors"]!.AsObject();
            t.Remove("x_snapshots");
            t["energy"] = "F64 [F], QMC estimate -J sum <Z_i Z_i+1> - <kinks>/beta";
            t["zz"] = "F64 [F, n, n], <Z_i Z_j> estimated from the snapshots";
            t["x"] = "F64 [F, n], <X_i> estimated as <kinks on site i>/(beta h)";
        }
        AtomicFile.Write(Path.Combine(directory, stem + ".json"), stream => JsonSerializer.Serialize(stream, sidecar, new JsonSerializerOptions { WriteIndented = true }));
        return Path.GetFullPath(path);
    }

    // One field by cluster QMC: thermalise, then a Z snapshot at a random imaginary time every SweepsPerShot sweeps;
    // the energy, ⟨ZᵢZⱼ⟩ and ⟨Xᵢ⟩ are averaged over the same sweeps.
    private static void WriteQmcField(SafeTensorsStreamWriter writer, TfimDatasetOptions options, int i, double beta, CancellationToken cancel)
    {
        int n = options.Sites, shots = options.ShotsPerBasis;
        double h = options.Fields[i], j = options.Coupling;
        var chain = new TfimClusterQmc(n, h, j, options.Periodic, beta, options.Seed, (ulong)i);
        chain.Sweep(options.ThermalizationSweeps);
        var bits = new byte[(long)shots * n];
        var zz = new double[n * n];
        var kinks = new double[n];
        var z = new sbyte[n];
        double energy = 0;
        for (int s = 0; s < shots; s++)
        {
            if ((s & 63) == 0) cancel.ThrowIfCancellationRequested();
            chain.Sweep(options.SweepsPerShot);
            chain.Snapshot(chain.NextSnapshotTime(), z);
            for (int q = 0; q < n; q++) bits[(long)s * n + q] = (byte)(z[q] < 0 ? 1 : 0);
            for (int a = 0; a < n; a++)
                for (int b = a; b < n; b++) zz[a * n + b] += z[a] * z[b];
            for (int q = 0; q < n; q++) kinks[q] += chain.SiteKinkCount(q);
            energy += chain.EnergyEstimate(z);
        }
        for (int a = 0; a < n; a++)
            for (int b = a; b < n; b++) zz[b * n + a] = zz[a * n + b] /= shots;
        writer.Write<double>("field", i, [h]);
        writer.Write<double>("energy", i, [energy / shots]);
        writer.Write<byte>("z_snapshots", (long)i * shots * n, bits);
        writer.Write<double>("zz", (long)i * n * n, zz);
        writer.Write<double>("x", (long)i * n, kinks.Select(c => h > 0 ? c / shots / (beta * h) : double.NaN).ToArray());
    }

    /// <summary>The sampling seed of field index <paramref name="fieldIndex"/> in <paramref name="basis"/>.</summary>
    public static int SnapshotSeed(ulong seed, int fieldIndex, MeasurementBasis basis) =>
        (int)(ChainRandom.StreamKey(seed, (ulong)fieldIndex * 2 + (ulong)basis) & int.MaxValue);
}
