using System.Globalization;
using Polymath.Physics;
using Polymath.Physics.Learning;
using Polymath.Training;

namespace Polymath.Cli;

/// <summary>
/// <c>polymath demo</c>, Polymath's main job: simulate the Ising model, publish the data to an embedded hub, learn the
/// phase transition from it, and publish the classifiers with a report (<see cref="IsingPhasePipeline"/>).
/// <c>polymath demo mlp</c> is the first, tiny autograd demo.
/// </summary>
internal static class DemoCommand
{
    private static readonly string[] Options =
        ["--sizes", "--temperatures", "--samples", "--model", "--train-windows", "--epochs", "--networks", "--chain-sizes", "--chain-method", "--shots", "--chain-networks",
         "--seed", "--out", "--threads", "--progress"];

    public static int Run(string[] argv, CancellationToken cancel)
    {
        if (argv.Length > 0 && argv[0] == "mlp")
            return MlpDemoCommand.Run(argv[1..], cancel);
        if (Program.WantsHelp(argv))
        {
            Help.Command("demo");
            return 0;
        }
        var options = Parse(argv, out string progressMode, out int? threads);
        if (threads is int t)
            Threads.Count = t;
        return Execute(options, progressMode, "polymath demo", cancel);
    }

    /// <summary>Validates <paramref name="options"/>, runs the pipeline and prints its results (shared by <c>demo</c> and <c>run</c>).</summary>
    internal static int Execute(DemoOptions options, string progressMode, string title, CancellationToken cancel)
    {
        options.Validate(); // every bad value is reported before the first configuration is simulated
        var inv = CultureInfo.InvariantCulture;
        string chainText = options.ChainSizes.Count > 0 ? $"; transverse-field Ising chain n = {string.Join(", ", options.ChainSizes)} ({options.Shots} snapshots per field)" : "";
        Console.WriteLine(string.Create(inv, $"{title}: learn the 2D Ising phase transition — simulate L = {string.Join(", ", options.Sizes)} at " +
            $"{options.TemperatureCount} temperatures in [{options.MinTemperature}, {options.MaxTemperature}] ({options.SamplesPerTemperature} configurations each, seed {options.Seed}), " +
            $"publish to an embedded hub, train {PhaseClassifierKinds.Name(options.Model)} classifiers{chainText}, report; {Threads.Count} thread(s), output {options.OutputDir}"));
        var result = StageProgress.Run(progressMode == "plain", p => IsingPhasePipeline.Run(options, p, cancel));
        double tc = Onsager.CriticalTemperature;
        foreach (var r in result.Study.Sizes)
            Console.WriteLine(string.Create(inv, $"  L = {r.Size,3}: output crosses 1/2 at T* = {r.Crossing.ToString(4)}"));
        if (result.Study.FreeNu is { } free)
            Console.WriteLine(string.Create(inv, $"  ν free: T_c = {free.Critical.ToString(4)}, ν = {free.Nu.ToString(2)} (χ²/dof {free.ChiSquared:F1}/{free.DegreesOfFreedom})") +
                (free.NuAtScanEdge ? "; ν ended at the edge of its scan [0.3, 3]: these sizes do not determine ν" : ""));
        if (result.Study.FixedNu is { } fit)
            Console.WriteLine(string.Create(inv, $"  extrapolation (ν = 1): T_c = {fit.Critical.ToString(4)} ({(fit.Critical.Value / tc - 1) * 100:+0.00;-0.00}%, {fit.Critical.Deviations(tc):F1} σ)"));
        if (result.Collapse is { } c && double.IsFinite(c.Critical.Value))
            Console.WriteLine(string.Create(inv, $"  data collapse: T_c = {c.Critical.ToString(4)}, ν = {c.Nu.ToString(3)} (exact ν = 1; jackknife over networks {c.CriticalNetworkError:F4}, over sizes {c.CriticalSizeError:F4} in T_c)") +
                (c.AtRangeEdge ? "; at the edge of its search range: not determined by these curves" : ""));
        if (result.Chain is { } chain)
        {
            foreach (var r in chain.Study.Sizes)
                Console.WriteLine(string.Create(inv, $"  chain n = {r.Size,2}: output crosses 1/2 at h* = {r.Crossing.ToString(4)}"));
            if (chain.Study.FixedNu is { } cf)
                Console.WriteLine(string.Create(inv, $"  chain extrapolation (ν = 1): h_c = {cf.Critical.ToString(4)} ({(cf.Critical.Value - 1) * 100:+0.0;-0.0}%)"));
            if (chain.Collapse is { } cc && double.IsFinite(cc.Critical.Value))
                Console.WriteLine(string.Create(inv, $"  chain data collapse: h_c = {cc.Critical.ToString(4)}, ν = {cc.Nu.ToString(3)} (jackknife over networks {cc.CriticalNetworkError:F4}, over sizes {cc.CriticalSizeError:F4} in h_c)") +
                    (cc.AtRangeEdge ? "; at the edge of its search range: not determined by these curves" : ""));
            if (IsingPhasePipeline.PrimaryEstimate(chain.Study, chain.Collapse) is { } hc)
                Console.WriteLine(string.Create(inv, $"h_c estimate: {hc.Value.ToString(4)} ({hc.Method}; exact 1: {(hc.Value.Value - 1) * 100:+0.00;-0.00}%, {hc.Value.Deviations(1):F1} σ)"));
        }
        if (IsingPhasePipeline.PrimaryEstimate(result.Study, result.Collapse) is { } est)
            Console.WriteLine(string.Create(inv, $"T_c estimate: {est.Value.ToString(4)} ({est.Method}; exact {tc:F6}: {(est.Value.Value / tc - 1) * 100:+0.00;-0.00}%, {est.Value.Deviations(tc):F1} σ)"));
        Console.WriteLine($"dataset: {result.DatasetAddress}  model: {result.ModelAddress}  (hub folder {result.HubDir}; serve it with 'polymath hub serve --data {result.HubDir}')");
        Console.WriteLine($"report: {result.ReportPath}");
        Console.WriteLine(string.Create(inv, $"done in {result.Elapsed.TotalSeconds:F1} s"));
        return 0;
    }

    /// <summary>The options from the command line over the embedded defaults.</summary>
    /// <exception cref="UsageException">A malformed or out-of-range value.</exception>
    internal static DemoOptions Parse(string[] argv, out string progress, out int? threads)
    {
        var args = new Args("demo", argv);
        var d = new DemoOptions();
        var sizes = args.Value("--sizes") is { } s ? ParseList(s, "--sizes") : d.Sizes;
        var chainSizes = args.Value("--chain-sizes") is { } cs ? (cs.Trim() is "none" or "" ? [] : ParseList(cs, "--chain-sizes")) : d.ChainSizes;
        double tMin = d.MinTemperature, tMax = d.MaxTemperature;
        int tCount = d.TemperatureCount;
        if (args.Value("--temperatures") is { } range)
        {
            var parts = range.Split(':');
            if (parts.Length != 3 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out tMin)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out tMax)
                || !int.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out tCount))
                throw new UsageException($"--temperatures expects MIN:MAX:COUNT (e.g. 1.5:3.5:41), got '{range}'.", "demo");
        }
        string modelName = args.Value("--model") ?? PhaseClassifierKinds.Name(d.Model);
        PhaseClassifierKind model;
        try { model = PhaseClassifierKinds.Parse(modelName); }
        catch (ArgumentException) { throw new UsageException($"--model: unknown model '{modelName}'; known models: {string.Join(", ", PhaseClassifierKinds.Names)}.", "demo"); }
        string chainMethodName = args.Value("--chain-method") ?? TfimSamplingMethods.Name(d.ChainMethod);
        TfimSamplingMethod chainMethod;
        try { chainMethod = TfimSamplingMethods.Parse(chainMethodName); }
        catch (ArgumentException) { throw new UsageException($"--chain-method: unknown method '{chainMethodName}'; use qmc or exact.", "demo"); }
        double below = d.OrderedMax, above = d.DisorderedMin;
        if (args.Value("--train-windows") is { } w)
        {
            var parts = w.Split(':');
            if (parts.Length != 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out below)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out above))
                throw new UsageException($"--train-windows expects ORDERED_MAX:DISORDERED_MIN (e.g. 1.9:2.7), got '{w}'.", "demo");
        }
        var options = d with
        {
            Sizes = sizes, MinTemperature = tMin, MaxTemperature = tMax, TemperatureCount = tCount,
            SamplesPerTemperature = args.Int("--samples", 1, 1_000_000) ?? d.SamplesPerTemperature,
            Model = model, OrderedMax = below, DisorderedMin = above,
            Epochs = args.Int("--epochs", 1, 10_000) ?? d.Epochs,
            Networks = args.Int("--networks", 1, 100) ?? d.Networks,
            ChainSizes = chainSizes, ChainMethod = chainMethod,
            Shots = args.Int("--shots", 1, 1_000_000) ?? d.Shots,
            ChainNetworks = args.Int("--chain-networks", 1, 100) ?? d.ChainNetworks,
            Seed = (ulong)(args.Int("--seed", 0, int.MaxValue) ?? (int)d.Seed),
            OutputDir = args.Value("--out") ?? d.OutputDir,
        };
        threads = args.Int("--threads", 1, 1024);
        progress = args.Value("--progress") ?? "auto";
        if (progress is not ("auto" or "plain"))
            throw new UsageException($"--progress expects auto or plain, got '{progress}'.", "demo");
        args.End(Options);
        return options;
    }

    private static List<int> ParseList(string text, string option)
    {
        var list = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                throw new UsageException($"{option}: '{part}' is not an integer (expected e.g. 8,12,16,24).", "demo");
            list.Add(v);
        }
        return list;
    }
}
