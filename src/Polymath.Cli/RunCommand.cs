using System.Globalization;
using Polymath.Physics;
using Polymath.Physics.Learning;
using YamlDotNet.RepresentationModel;

namespace Polymath.Cli;

/// <summary>
/// <c>polymath run CONFIG.yaml</c>: a study described by a YAML file. The one job so far is <c>ising-phase</c>, the main
/// job of <c>polymath demo</c> (<see cref="IsingPhasePipeline"/>) at whatever size the file asks for, e.g.
/// <c>examples/ising-phase.yaml</c> (the paper-scale study) or <c>examples/ising-phase-small.yaml</c> (seconds).
/// Every key is checked (unknown keys, wrong types, bad values, memory) before any work starts, and errors name the
/// file, the key and its line.
/// </summary>
internal static class RunCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] argv, CancellationToken cancel)
    {
        if (Program.WantsHelp(argv))
        {
            Help.Command("run");
            return 0;
        }
        var args = new Args("run", argv);
        string? progress = args.Value("--progress");
        int? threadsOverride = args.Int("--threads", 1, 1024);
        string? outOverride = args.Value("--out");
        var positional = args.TakePositionals();
        args.End(["--progress", "--threads", "--out"]);
        if (positional.Count != 1)
            throw new UsageException(positional.Count == 0 ? "give the study's YAML file, e.g. polymath run examples/ising-phase.yaml." : $"one YAML file, not {positional.Count}: {string.Join(" ", positional)}.", "run");
        var (options, threads, fileProgress) = Load(positional[0]);
        if (outOverride is not null) options = options with { OutputDir = outOverride };
        progress ??= fileProgress ?? "auto";
        if (progress is not ("auto" or "plain"))
            throw new UsageException($"--progress expects auto or plain, got '{progress}'.", "run");
        if ((threadsOverride ?? threads) is int t)
            Threads.Count = t;
        try
        {
            options.Validate();
        }
        catch (UsageException e)
        {
            throw new UsageException($"config file '{positional[0]}': {e.Message}", "run");
        }
        return DemoCommand.Execute(options, progress, $"polymath run {positional[0]}", cancel);
    }

    /// <summary>Reads a study file into the pipeline's options (not yet validated against each other: see <see cref="DemoOptions.Validate"/>).</summary>
    /// <exception cref="UsageException">A missing file, malformed YAML, an unknown job or key, or a value of the wrong type.</exception>
    internal static (DemoOptions Options, int? Threads, string? Progress) Load(string path)
    {
        if (!File.Exists(path))
            throw new UsageException($"config file '{path}' does not exist.", "run");
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(path))
                stream.Load(reader);
            if (stream.Documents.Count == 0)
                throw new UsageException($"config file '{path}' is empty; it needs at least 'job: ising-phase'.", "run");
            root = stream.Documents[0].RootNode as YamlMappingNode
                ?? throw new UsageException($"config file '{path}' must be a mapping of key: value lines.", "run");
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new UsageException($"config file '{path}' line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}", "run");
        }
        var yaml = new Reader(path);
        var top = yaml.Keys(root, "", ["job", "seed", "out", "threads", "progress", "ising", "chain"]);
        string job = top.TryGetValue("job", out var jobNode) ? yaml.String(jobNode, "job") : throw new UsageException($"config file '{path}': missing 'job' (the one job is ising-phase).", "run");
        if (job != "ising-phase")
            throw new UsageException($"config file '{path}' line {jobNode.Start.Line}: unknown job '{job}'; known jobs: ising-phase.", "run");
        var o = new DemoOptions();
        if (top.TryGetValue("seed", out var n)) o = o with { Seed = (ulong)yaml.Long(n, "seed", 0, long.MaxValue) };
        if (top.TryGetValue("out", out n)) o = o with { OutputDir = yaml.String(n, "out") };
        int? threads = top.TryGetValue("threads", out n) ? (int)yaml.Long(n, "threads", 1, 1024) : null;
        string? progress = top.TryGetValue("progress", out n) ? yaml.String(n, "progress") : null;
        if (top.TryGetValue("ising", out n))
        {
            var ising = yaml.Keys(n, "ising", ["sizes", "temperatures", "samples", "model", "train_windows", "epochs", "networks"]);
            if (ising.TryGetValue("sizes", out var v)) o = o with { Sizes = yaml.IntList(v, "ising.sizes") };
            if (ising.TryGetValue("temperatures", out v))
            {
                var t = yaml.Keys(v, "ising.temperatures", ["min", "max", "count"], required: true);
                o = o with
                {
                    MinTemperature = yaml.Double(t["min"], "ising.temperatures.min"), MaxTemperature = yaml.Double(t["max"], "ising.temperatures.max"),
                    TemperatureCount = (int)yaml.Long(t["count"], "ising.temperatures.count", int.MinValue, int.MaxValue),
                };
            }
            if (ising.TryGetValue("samples", out v)) o = o with { SamplesPerTemperature = (int)yaml.Long(v, "ising.samples", 1, 1_000_000) };
            if (ising.TryGetValue("model", out v))
            {
                string name = yaml.String(v, "ising.model");
                try { o = o with { Model = PhaseClassifierKinds.Parse(name) }; }
                catch (ArgumentException) { throw new UsageException($"config file '{path}' line {v.Start.Line}: ising.model: unknown model '{name}'; known models: {string.Join(", ", PhaseClassifierKinds.Names)}.", "run"); }
            }
            if (ising.TryGetValue("train_windows", out v))
            {
                var w = yaml.Keys(v, "ising.train_windows", ["ordered_max", "disordered_min"], required: true);
                o = o with { OrderedMax = yaml.Double(w["ordered_max"], "ising.train_windows.ordered_max"), DisorderedMin = yaml.Double(w["disordered_min"], "ising.train_windows.disordered_min") };
            }
            if (ising.TryGetValue("epochs", out v)) o = o with { Epochs = (int)yaml.Long(v, "ising.epochs", 1, 10_000) };
            if (ising.TryGetValue("networks", out v)) o = o with { Networks = (int)yaml.Long(v, "ising.networks", 1, 100) };
        }
        if (top.TryGetValue("chain", out n))
        {
            if (n is YamlScalarNode { Value: "none" or "off" or "false" or "" })
                o = o with { ChainSizes = [] };
            else
            {
                var chain = yaml.Keys(n, "chain", ["sizes", "method", "shots", "networks"]);
                if (chain.TryGetValue("sizes", out var v)) o = o with { ChainSizes = yaml.IntList(v, "chain.sizes") };
                if (chain.TryGetValue("method", out v))
                {
                    string name = yaml.String(v, "chain.method");
                    try { o = o with { ChainMethod = TfimSamplingMethods.Parse(name) }; }
                    catch (ArgumentException) { throw new UsageException($"config file '{path}' line {v.Start.Line}: chain.method: unknown method '{name}'; use qmc or exact.", "run"); }
                }
                if (chain.TryGetValue("shots", out v)) o = o with { Shots = (int)yaml.Long(v, "chain.shots", 1, 1_000_000) };
                if (chain.TryGetValue("networks", out v)) o = o with { ChainNetworks = (int)yaml.Long(v, "chain.networks", 1, 100) };
            }
        }
        return (o, threads, progress);
    }

    /// <summary>Typed access to YAML nodes with errors that name the file, the key and its line.</summary>
    private sealed class Reader(string path)
    {
        private UsageException Error(YamlNode node, string key, string what) =>
            new($"config file '{path}' line {node.Start.Line}: {key}: {what}.", "run");

        public Dictionary<string, YamlNode> Keys(YamlNode node, string section, string[] known, bool required = false)
        {
            string where = section.Length == 0 ? "the top level" : $"'{section}'";
            if (node is not YamlMappingNode map)
                throw new UsageException($"config file '{path}' line {node.Start.Line}: {where} must be a mapping of key: value lines.", "run");
            var result = new Dictionary<string, YamlNode>();
            foreach (var (k, v) in map.Children)
            {
                string key = ((k as YamlScalarNode)?.Value ?? "").Trim().Replace('-', '_').ToLowerInvariant();
                if (!known.Contains(key))
                    throw new UsageException($"config file '{path}' line {k.Start.Line}: unknown key '{(k as YamlScalarNode)?.Value}' in {where}; known keys: {string.Join(", ", known)}.", "run");
                if (!result.TryAdd(key, v))
                    throw new UsageException($"config file '{path}' line {k.Start.Line}: '{key}' appears twice in {where}.", "run");
            }
            if (required)
                foreach (string k in known)
                    if (!result.ContainsKey(k))
                        throw new UsageException($"config file '{path}' line {node.Start.Line}: {where} needs '{k}' (keys: {string.Join(", ", known)}).", "run");
            return result;
        }

        public string String(YamlNode node, string key) =>
            node is YamlScalarNode { Value: { } v } ? v : throw Error(node, key, "expected a single value");

        public long Long(YamlNode node, string key, long min, long max)
        {
            string s = String(node, key);
            if (!long.TryParse(s, NumberStyles.Integer, Inv, out long v)) throw Error(node, key, $"'{s}' is not an integer");
            if (v < min || v > max) throw Error(node, key, $"{v} is outside [{min}, {max}]");
            return v;
        }

        public double Double(YamlNode node, string key)
        {
            string s = String(node, key);
            if (!double.TryParse(s, NumberStyles.Float, Inv, out double v) || !double.IsFinite(v)) throw Error(node, key, $"'{s}' is not a number");
            return v;
        }

        public List<int> IntList(YamlNode node, string key)
        {
            if (node is not YamlSequenceNode seq) throw Error(node, key, "expected a list such as [8, 16, 32]");
            return seq.Children.Select(c => (int)Long(c, key, int.MinValue, int.MaxValue)).ToList();
        }
    }
}
