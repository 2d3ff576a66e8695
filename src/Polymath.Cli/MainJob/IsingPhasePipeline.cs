using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polymath.Data;
using Polymath.Physics;
using Polymath.Physics.Learning;
using Polymath.Training;

namespace Polymath.Cli;

/// <summary>
/// Polymath's main job, end to end: simulate the 2D Ising model, publish the configurations to an embedded hub as a
/// versioned dataset (card, Croissant, generating parameters), read that version back, train classifiers that find
/// the phase transition, and publish the weights and an HTML report as a versioned model.
/// It lives in the command line's assembly because it joins layer 2 (Physics, Training) with layer 3 (the hub and its
/// client); the science itself is library code in <c>Polymath.Physics.Learning</c>.
/// </summary>
internal static class IsingPhasePipeline
{
    /// <summary>Repository of the simulated configurations.</summary>
    public const string DatasetRepo = "ising2d-configurations";

    /// <summary>Repository of the transverse-field Ising chain's snapshots.</summary>
    public const string ChainDatasetRepo = "tfim-chain-snapshots";

    /// <summary>Repository of the trained classifiers and the report.</summary>
    public const string ModelRepo = "ising2d-phase-classifier";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Runs every stage; <paramref name="options"/> are validated first, before anything is written.</summary>
    /// <exception cref="UsageException">Invalid options.</exception>
    /// <exception cref="InsufficientMemoryException">The largest lattice's data would not fit in memory.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; files already published stay published.</exception>
    public static DemoResult Run(DemoOptions options, StageProgress progress, CancellationToken cancel) =>
        RunAsync(options, progress, cancel).GetAwaiter().GetResult();

    private static async Task<DemoResult> RunAsync(DemoOptions options, StageProgress progress, CancellationToken cancel)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        string root = Path.GetFullPath(options.OutputDir);
        string dataDir = Path.Combine(root, "data"), modelDir = Path.Combine(root, "model");
        // Both folders are this run's own output and are rebuilt, so a smaller rerun never publishes stale sizes.
        foreach (var dir in new[] { dataDir, modelDir })
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            Directory.CreateDirectory(dir);
        }
        var simulation = options.Simulation();
        var timings = new List<(string, double)>();

        // 1. Simulate.
        string stage = $"simulate Ising L = {string.Join(", ", options.Sizes)}";
        var sink = progress.Begin(stage, simulation.TotalSamples);
        var files = IsingDatasetGenerator.Generate(simulation, dataDir, sink, cancel);
        timings.Add(("simulate", clock.Elapsed.TotalSeconds));
        progress.End(stage, $"{simulation.TotalSamples.ToString("N0", Inv)} configurations, {simulation.Temperatures.Count} temperatures ({clock.Elapsed.TotalSeconds.ToString("F1", Inv)} s)");

        // 2. Publish the dataset.
        await using var hub = await EmbeddedHub.StartAsync(Path.Combine(root, "hub"), cancel);
        stage = "publish dataset to the hub";
        long bytes = files.Sum(f => new FileInfo(f.Path).Length + new FileInfo(f.SidecarPath).Length);
        var (dataTag, dataCommit) = await hub.PublishAsync(DatasetRepo, "dataset", dataDir,
            $"Ising configurations L = {string.Join(",", options.Sizes)}, {simulation.Temperatures.Count} temperatures, seed {options.Seed}",
            tag => DatasetMetadata(options, tag), tag => DatasetCard(options, tag), progress.Begin(stage, bytes), cancel);
        var croissant = await hub.Client.CroissantAsync(hub.Owner, DatasetRepo, dataTag, cancel);
        string croissantPath = Path.Combine(root, "croissant.json");
        AtomicFile.Write(croissantPath, s => JsonSerializer.Serialize(s, croissant, new JsonSerializerOptions { WriteIndented = true }));
        string dataAddress = $"hub://{hub.Owner}/{DatasetRepo}@{dataTag}";
        progress.End(stage, $"{dataAddress} (commit {dataCommit[..12]})");

        // 3. Read the version back and train.
        string pulled = Path.Combine(root, "pulled", dataTag);
        await hub.Client.PullAsync(hub.Owner, DatasetRepo, dataTag, "", pulled, null, cancel);
        var samples = new List<PhaseSamples>();
        var observables = new List<IsingObservables>();
        foreach (int l in options.Sizes.Order())
        {
            using var ds = new IsingSpinDataset(Path.Combine(pulled, IsingDatasetGenerator.FileStem(l) + ".safetensors"));
            samples.Add(PhaseSampleLoader.Ising(ds));
            observables.AddRange(ds.Observables());
        }
        var learning = options.Learning();
        stage = $"train {PhaseClassifierKinds.Name(options.Model)} classifiers ({learning.Networks} per size)";
        // Progress in thousandths of a network (a small data set may train for more epochs than asked, see MinimumSteps).
        var trainSink = progress.Begin(stage, (long)options.Sizes.Count * learning.Networks * 1000);
        var sizeIndex = samples.Select((s, i) => (s.Size, i)).ToDictionary(p => p.Size, p => p.i);
        double trainStart = clock.Elapsed.TotalSeconds;
        var study = PhaseLearning.Study(samples, learning, new Reporter<PhaseLearningProgress>(p =>
            trainSink.Report((sizeIndex[p.Size] * (long)learning.Networks + p.Network) * 1000 + 1000L * p.Epoch / p.Epochs)), cancel);
        timings.Add(("train", clock.Elapsed.TotalSeconds - trainStart));
        var fit = study.FixedNu;
        var collapse = study.Sizes.Count >= 2 ? DataCollapse.FitEnsemble(study.Sizes, (2.0, 2.6), (0.4, 2.5)) : null;
        progress.End(stage, fit is null ? $"T* = {study.Sizes[0].Crossing.ToString(4)} (one size: no extrapolation)" : $"T_c = {fit.Critical.ToString(4)}");

        // 3b. The quantum chain: Z-basis snapshots (cluster QMC or exact ground states) published as a second dataset, dense classifiers.
        ChainResult? chain = null;
        if (options.ChainSizes.Count > 0)
        {
            double chainStart = clock.Elapsed.TotalSeconds;
            string chainDir = Path.Combine(root, "chain");
            if (Directory.Exists(chainDir)) Directory.Delete(chainDir, recursive: true);
            Directory.CreateDirectory(chainDir);
            double[] fields = DemoOptions.ChainFields();
            bool qmc = options.ChainMethod == TfimSamplingMethod.ClusterQmc;
            stage = $"{(qmc ? "cluster QMC of" : "ground states of")} the transverse-field Ising chain n = {string.Join(", ", options.ChainSizes)}";
            var chainSink = progress.Begin(stage, (long)options.ChainSizes.Count * fields.Length);
            int chainDone = 0;
            foreach (int n in options.ChainSizes.Order())
            {
                int before = chainDone;
                TfimDatasetGenerator.Generate(new TfimDatasetOptions
                    {
                        Sites = n, Fields = fields, ShotsPerBasis = options.Shots, Periodic = true, IncludeAmplitudes = false, Seed = options.Seed, Method = options.ChainMethod,
                    }, chainDir, new Reporter<int>(k => chainSink.Report(before + k)), cancel);
                chainDone += fields.Length;
            }
            progress.End(stage, $"{fields.Length} fields in [{fields[0].ToString(Inv)}, {fields[^1].ToString(Inv)}], {options.Shots} Z snapshots each");
            stage = "publish chain snapshots to the hub";
            var (chainTag, _) = await hub.PublishAsync(ChainDatasetRepo, "dataset", chainDir,
                $"TFIM chain snapshots n = {string.Join(",", options.ChainSizes)}, {fields.Length} fields, seed {options.Seed}",
                tag => ChainMetadata(options, tag), tag => ChainCard(options, fields, tag),
                progress.Begin(stage, Directory.GetFiles(chainDir).Sum(f => new FileInfo(f).Length)), cancel);
            string chainAddress = $"hub://{hub.Owner}/{ChainDatasetRepo}@{chainTag}";
            progress.End(stage, chainAddress);
            string chainPulled = Path.Combine(root, "pulled", "chain-" + chainTag);
            await hub.Client.PullAsync(hub.Owner, ChainDatasetRepo, chainTag, "", chainPulled, null, cancel);
            var chainSamples = new List<PhaseSamples>();
            foreach (int n in options.ChainSizes.Order())
            {
                using var ds = new TfimSnapshotDataset(Path.Combine(chainPulled, $"tfim-n{n.ToString(Inv)}.safetensors"), MeasurementBasis.Z);
                chainSamples.Add(PhaseSampleLoader.Tfim(ds));
            }
            var chainLearning = options.ChainLearning();
            stage = $"train dense classifiers on the chain's snapshots ({chainLearning.Networks} per size)";
            var chainTrain = progress.Begin(stage, (long)options.ChainSizes.Count * chainLearning.Networks * 1000);
            var chainIndex = chainSamples.Select((c, i) => (c.Size, i)).ToDictionary(p => p.Size, p => p.i);
            var chainStudy = PhaseLearning.Study(chainSamples, chainLearning, new Reporter<PhaseLearningProgress>(p =>
                chainTrain.Report((chainIndex[p.Size] * (long)chainLearning.Networks + p.Network) * 1000 + 1000L * p.Epoch / p.Epochs)), cancel);
            var chainCollapse = chainStudy.Sizes.Count >= 2 ? DataCollapse.FitEnsemble(chainStudy.Sizes, (0.7, 1.3), (0.4, 2.5)) : null;
            chain = new ChainResult(chainStudy, chainCollapse, chainAddress);
            timings.Add(("chain", clock.Elapsed.TotalSeconds - chainStart));
            progress.End(stage, chainStudy.FixedNu is { } cf ? $"h_c = {cf.Critical.ToString(3)}" : $"h* = {chainStudy.Sizes[0].Crossing.ToString(3)}");
        }

        // 4. Report, weights, publish the model.
        stage = "publish model and report to the hub";
        foreach (var r in study.Sizes)
        {
            var state = r.Network.StateDict();
            SafeTensors.Save(Path.Combine(modelDir, $"classifier-L{r.Size.ToString(Inv)}.safetensors"), state, new Dictionary<string, string>
            {
                ["model"] = PhaseClassifierKinds.Name(options.Model), ["lattice_size"] = r.Size.ToString(Inv), ["dataset"] = dataAddress,
                ["crossing"] = r.Crossing.Value.ToString("R", Inv), ["crossing_error"] = r.Crossing.Error.ToString("R", Inv),
                ["input"] = "float32 [B, 1, L, L] of ±1 spins", ["output"] = "logit [B, 1] of P(disordered)",
            });
        }
        string resultsPath = Path.Combine(modelDir, "results.json");
        AtomicFile.Write(resultsPath, s => JsonSerializer.Serialize(s, ResultsJson(options, study, collapse, chain, dataAddress), new JsonSerializerOptions { WriteIndented = true }));
        string reportPath = Path.Combine(modelDir, "report.html");
        var provenance = new List<(string, string)>
        {
            ("dataset", $"{dataAddress} (commit {dataCommit}) on the embedded hub in {Path.Combine(root, "hub")}"),
            ("model", $"hub://{hub.Owner}/{ModelRepo} (the next tag; this report is part of it)"),
            ("simulation", string.Create(Inv, $"Wolff, L = {string.Join(", ", options.Sizes)}, {simulation.Temperatures.Count} temperatures in [{options.MinTemperature}, {options.MaxTemperature}], {options.SamplesPerTemperature} configurations each, seed {options.Seed}")),
            ("classifier", string.Create(Inv, $"{PhaseClassifierKinds.Name(options.Model)}, {learning.Networks} networks per size × {learning.Epochs} epochs, Adam lr {learning.LearningRate}, batch {learning.BatchSize}")),
            ("time", string.Join(", ", timings.Select(t => $"{t.Item1} {t.Item2.ToString("F1", Inv)} s")) + $", {Threads.Count} thread(s)"),
        };
        HtmlReport.Save(reportPath, PhaseReport.Render(options, study, collapse, chain, observables, provenance));
        var (modelTag, modelCommit) = await hub.PublishAsync(ModelRepo, "model", modelDir, $"classifiers trained on {dataAddress}",
            tag => ModelMetadata(options, tag, dataAddress), tag => ModelCard(options, study, tag, dataAddress), progress.Begin(stage, Directory.GetFiles(modelDir).Sum(f => new FileInfo(f).Length)), cancel);
        string modelAddress = $"hub://{hub.Owner}/{ModelRepo}@{modelTag}";
        progress.End(stage, $"{modelAddress} (commit {modelCommit[..12]})");
        return new DemoResult(study, collapse, chain, reportPath, dataAddress, modelAddress, croissantPath, Path.Combine(root, "hub"), clock.Elapsed);
    }

    /// <summary>
    /// The study's headline estimate, by a rule fixed before looking at any result: the data collapse of the ensemble's
    /// output curves when it converged (a minimum inside its search ranges, finite errors) with at least two networks
    /// (it uses every point of every curve between outputs 0.05 and 0.95, fits ν as well, and its error carries the
    /// networks' jackknife spread and the data's χ² rule); otherwise the ν = 1 extrapolation of the crossings;
    /// otherwise nothing.
    /// </summary>
    internal static (string Method, Estimate Value)? PrimaryEstimate(PhaseStudyResult study, CollapseFit? collapse)
    {
        if (collapse is { Networks: >= 2, AtRangeEdge: false } c && double.IsFinite(c.Critical.Value) && double.IsFinite(c.Critical.Error))
            return ("data collapse", c.Critical);
        if (study.FixedNu is { } f) return ("extrapolation, nu = 1", f.Critical);
        return null;
    }

    private static object DatasetMetadata(DemoOptions o, string tag) => new
    {
        title = "2D Ising model configurations across the phase transition",
        description = string.Create(Inv, $"Spin configurations of the ferromagnetic 2D Ising model (J = 1, periodic L×L lattices, L = {string.Join(", ", o.Sizes)}) " +
            $"at {o.TemperatureCount} temperatures in [{o.MinTemperature}, {o.MaxTemperature}], {o.SamplesPerTemperature} per temperature, " +
            $"sampled with Wolff cluster updates by Polymath.Physics (seed {o.Seed}). The generating parameters are in each file's metadata and JSON sidecar."),
        creators = new[] { new { name = "Polymath", type = "Organization" } },
        license = "CC-BY-4.0",
        keywords = new[] { "ising-model", "monte-carlo", "phase-transition", "physics", "safetensors" },
        domain = "statistical physics",
        version = tag,
        citation = "Carrasquilla, J. & Melko, R. G. Machine learning phases of matter. Nature Physics 13, 431 (2017).",
    };

    private static object ChainMetadata(DemoOptions o, string tag) => new
    {
        title = "Transverse-field Ising chain snapshots across the quantum phase transition",
        description = string.Create(Inv, $"{ChainSource(o)} of H = −Σ ZᵢZᵢ₊₁ − h Σ Xᵢ (periodic chains, n = {string.Join(", ", o.ChainSizes)}) " +
            $"at {DemoOptions.ChainFields().Length} fields in [0.2, 2.0], {o.Shots} shots per basis, by Polymath.Physics (seed {o.Seed})."),
        creators = new[] { new { name = "Polymath", type = "Organization" } },
        license = "CC-BY-4.0",
        keywords = new[] { "transverse-field-ising", "quantum-phase-transition", "snapshots", "physics", "safetensors" },
        domain = "quantum many-body physics",
        version = tag,
    };

    private static string ChainSource(DemoOptions o) => o.ChainMethod == TfimSamplingMethod.ClusterQmc
        ? "Z-basis measurement snapshots from continuous-time cluster QMC at β = 2n (Rieger & Kawashima 1999)"
        : "Z- and X-basis measurement snapshots of the exact (Lanczos) ground state";

    private static string ChainCard(DemoOptions o, double[] fields, string tag) =>
        $"# Transverse-field Ising chain snapshots ({tag})\n\nMade by `polymath demo`: {ChainSource(o)} of H = −Σ ZᵢZᵢ₊₁ − h Σ Xᵢ on periodic chains, " +
        string.Create(Inv, $"n = {string.Join(", ", o.ChainSizes)}, at the fields {string.Join(", ", fields)}; {o.Shots} snapshots per field and basis, seed {o.Seed}.\n\n") +
        (o.ChainMethod == TfimSamplingMethod.ClusterQmc
            ? "Files: `tfim-n{n}.safetensors` (`field`, `energy`, `z_snapshots` U8 [F, S, n], `zz`, `x`; energy, zz and x are QMC estimates) with the parameters in `__metadata__`, and `tfim-n{n}.json`.\n"
            : "Files: `tfim-n{n}.safetensors` (`field`, `energy`, `z_snapshots` and `x_snapshots` U8 [F, S, n], `zz`, `x`) with the parameters in `__metadata__`, and `tfim-n{n}.json`.\n");

    private static object ModelMetadata(DemoOptions o, string tag, string data) => new
    {
        title = "Ising phase classifiers",
        description = $"{PhaseClassifierKinds.Name(o.Model)} networks (one per lattice size) that tell ordered from disordered 2D Ising configurations, trained on {data}; with the study's report.",
        creators = new[] { new { name = "Polymath", type = "Organization" } },
        license = "MIT",
        keywords = new[] { "ising-model", "phase-transition", "classifier" },
        domain = "statistical physics",
        version = tag,
    };

    private static string DatasetCard(DemoOptions o, string tag)
    {
        var sb = new StringBuilder();
        sb.Append("# 2D Ising configurations (").Append(tag).Append(")\n\n")
          .Append("Made by `polymath demo`: Wolff Monte Carlo of H = −Σ⟨ij⟩ sᵢsⱼ on periodic L×L lattices.\n\n")
          .Append("| parameter | value |\n| --- | --- |\n")
          .Append("| sizes L | ").Append(string.Join(", ", o.Sizes)).Append(" |\n")
          .Append(string.Create(Inv, $"| temperatures | {o.TemperatureCount} evenly spaced in [{o.MinTemperature}, {o.MaxTemperature}] |\n"))
          .Append("| configurations per (L, T) | ").Append(o.SamplesPerTemperature.ToString(Inv)).Append(" |\n")
          .Append("| seed | ").Append(o.Seed.ToString(Inv)).Append(" |\n\n")
          .Append("Files: `ising2d-L{L}.safetensors` (tensors `spins` I8 [N, L, L], `temperature`, `replica`, `sweep`, `energy`, `magnetization`; ")
          .Append("the generating parameters in `__metadata__`) and `ising2d-L{L}.json` (parameters, per-chain spacing and autocorrelation times).\n");
        return sb.ToString();
    }

    private static string ModelCard(DemoOptions o, PhaseStudyResult study, string tag, string data)
    {
        var sb = new StringBuilder();
        sb.Append("# Ising phase classifiers (").Append(tag).Append(")\n\n")
          .Append("Trained by `polymath demo` on `").Append(data).Append(string.Create(Inv, $"` at T ≤ {o.OrderedMax} (ordered) and T ≥ {o.DisorderedMin} (disordered).\n\n"))
          .Append("| L | crossing T*(L) |\n| --- | --- |\n");
        foreach (var r in study.Sizes) sb.Append("| ").Append(r.Size).Append(" | ").Append(r.Crossing.ToString(4)).Append(" |\n");
        if (study.FixedNu is { } f)
            sb.Append(string.Create(Inv, $"\nExtrapolated (ν = 1): **T_c = {f.Critical.ToString(4)}**; exact 2/ln(1+√2) = {Onsager.CriticalTemperature:F6}.\n"));
        sb.Append("\n`report.html` holds the curves; `classifier-L{L}.safetensors` the first network of each size; `results.json` the numbers.\n");
        return sb.ToString();
    }

    private static JsonObject ResultsJson(DemoOptions o, PhaseStudyResult study, CollapseFit? collapse, ChainResult? chain, string data)
    {
        static JsonObject Est(Estimate e) => new() { ["value"] = e.Value, ["error"] = e.Error };
        static JsonObject? Collapse(CollapseFit? c) => c is null ? null : new JsonObject
        {
            ["critical"] = Est(c.Critical), ["nu"] = Est(c.Nu), ["critical_network_error"] = c.CriticalNetworkError, ["nu_network_error"] = c.NuNetworkError,
            ["critical_size_error"] = c.CriticalSizeError, ["nu_size_error"] = c.NuSizeError,
            ["networks"] = c.Networks, ["cost_per_point"] = c.CostPerPoint, ["points"] = c.Points, ["at_range_edge"] = c.AtRangeEdge,
        };
        var sizes = new JsonArray();
        foreach (var r in study.Sizes)
            sizes.Add(new JsonObject
            {
                ["L"] = r.Size, ["crossing"] = Est(r.Crossing), ["bootstrap_error"] = r.BootstrapError, ["network_error"] = r.NetworkError,
                ["network_crossings"] = new JsonArray(r.NetworkCrossings.Select(c => (JsonNode?)c).ToArray()),
                ["training_accuracy"] = r.TrainingAccuracy,
                ["temperature"] = new JsonArray(r.Grid.Select(t => (JsonNode?)t).ToArray()),
                ["mean_output"] = new JsonArray(r.MeanOutput.Select(t => (JsonNode?)t).ToArray()),
                ["mean_output_error"] = new JsonArray(r.MeanOutputError.Select(t => (JsonNode?)t).ToArray()),
            });
        JsonObject? Fit(FiniteSizeFit? f) => f is null ? null : new JsonObject
        {
            ["critical_temperature"] = Est(f.Critical), ["amplitude"] = Est(f.Amplitude), ["nu"] = Est(f.Nu), ["nu_free"] = f.NuFree,
            ["chi_squared"] = f.ChiSquared, ["degrees_of_freedom"] = f.DegreesOfFreedom,
        };
        return new JsonObject
        {
            ["dataset"] = data, ["model"] = PhaseClassifierKinds.Name(o.Model), ["seed"] = o.Seed, ["exact_critical_temperature"] = Onsager.CriticalTemperature,
            ["sizes"] = sizes, ["fit_nu_fixed"] = Fit(study.FixedNu), ["fit_nu_free"] = Fit(study.FreeNu),
            ["data_collapse"] = Collapse(collapse),
            ["estimate"] = PrimaryEstimate(study, collapse) is { } est ? new JsonObject { ["method"] = est.Method, ["critical_temperature"] = Est(est.Value) } : null,
            ["chain"] = chain is null ? null : new JsonObject
            {
                ["dataset"] = chain.DatasetAddress, ["exact_critical_field"] = TransverseFieldIsing.CriticalField,
                ["method"] = o.ChainMethod == TfimSamplingMethod.ClusterQmc ? "cluster QMC, beta = 2n" : "exact ground state (Lanczos)",
                ["sizes"] = new JsonArray(chain.Study.Sizes.Select(r => (JsonNode?)new JsonObject
                {
                    ["n"] = r.Size, ["crossing"] = Est(r.Crossing), ["bootstrap_error"] = r.BootstrapError, ["network_error"] = r.NetworkError,
                    ["network_crossings"] = new JsonArray(r.NetworkCrossings.Select(c => (JsonNode?)c).ToArray()),
                }).ToArray()),
                ["fit_nu_fixed"] = Fit(chain.Study.FixedNu), ["fit_nu_free"] = Fit(chain.Study.FreeNu), ["data_collapse"] = Collapse(chain.Collapse),
                ["estimate"] = PrimaryEstimate(chain.Study, chain.Collapse) is { } ce ? new JsonObject { ["method"] = ce.Method, ["critical_field"] = Est(ce.Value) } : null,
            },
        };
    }

    private sealed class Reporter<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

/// <summary>What a demo run produced.</summary>
/// <param name="Study">Crossings and fits.</param>
/// <param name="Collapse">The data collapse of the output curves (null with one size).</param>
/// <param name="Chain">The quantum chain's study (null when skipped).</param>
/// <param name="ReportPath">The HTML report.</param>
/// <param name="DatasetAddress">hub://owner/name@tag of the published data.</param>
/// <param name="ModelAddress">hub://owner/name@tag of the published classifiers and report.</param>
/// <param name="CroissantPath">The dataset version's Croissant JSON-LD, as exported by the hub.</param>
/// <param name="HubDir">The embedded hub's folder.</param>
/// <param name="Elapsed">Wall time.</param>
internal sealed record DemoResult(PhaseStudyResult Study, CollapseFit? Collapse, ChainResult? Chain, string ReportPath, string DatasetAddress, string ModelAddress, string CroissantPath, string HubDir, TimeSpan Elapsed);

/// <summary>The transverse-field Ising chain step's results.</summary>
/// <param name="Study">Crossings h*(n) and their extrapolation.</param>
/// <param name="Collapse">The data collapse of the output curves, with the networks' jackknife (null with one size).</param>
/// <param name="DatasetAddress">hub://owner/name@tag of the snapshots.</param>
internal sealed record ChainResult(PhaseStudyResult Study, CollapseFit? Collapse, string DatasetAddress);
