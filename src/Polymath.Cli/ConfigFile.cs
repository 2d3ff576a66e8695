using YamlDotNet.RepresentationModel;

namespace Polymath.Cli;

/// <summary>
/// Options from a YAML file (<c>--config run.yaml</c>): a mapping of option names (with or without the leading
/// <c>--</c>, dashes or underscores) to scalar values, e.g. <c>model: lenet5</c>, <c>batch_size: 64</c>,
/// <c>lr: 0.001</c>. Options on the command line win over the file.
/// </summary>
internal static class ConfigFile
{
    /// <summary>
    /// Returns <paramref name="argv"/> with the file's options appended for each option not already given.
    /// Flags (<paramref name="flags"/>) take true/false in the file.
    /// </summary>
    public static string[] Merge(string command, string[] argv, string path, IReadOnlyCollection<string> valueOptions, IReadOnlyCollection<string> flags)
    {
        if (!File.Exists(path))
            throw new UsageException($"config file '{path}' does not exist.", command);
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(path))
                stream.Load(reader);
            if (stream.Documents.Count == 0)
                return argv;
            root = stream.Documents[0].RootNode as YamlMappingNode
                ?? throw new UsageException($"config file '{path}' must be a mapping of option: value lines.", command);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new UsageException($"config file '{path}' line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}", command);
        }
        var given = new HashSet<string>(argv.Where(a => a.StartsWith("--", StringComparison.Ordinal)).Select(a => a.Split('=')[0]));
        var result = argv.ToList();
        foreach (var (keyNode, valueNode) in root.Children)
        {
            string key = "--" + ((keyNode as YamlScalarNode)?.Value ?? "").TrimStart('-').Replace('_', '-').ToLowerInvariant();
            if (valueNode is not YamlScalarNode scalar)
                throw new UsageException($"config file '{path}' line {valueNode.Start.Line}: '{key[2..]}' must have a single value.", command);
            string value = scalar.Value ?? "";
            if (key == "--config")
                throw new UsageException($"config file '{path}': a config file cannot name another config file.", command);
            if (flags.Contains(key))
            {
                bool on = value.ToLowerInvariant() switch
                {
                    "true" or "yes" or "on" or "1" => true,
                    "false" or "no" or "off" or "0" or "" => false,
                    _ => throw new UsageException($"config file '{path}' line {valueNode.Start.Line}: '{key[2..]}' expects true or false, got '{value}'.", command),
                };
                if (on && !given.Contains(key))
                    result.Add(key);
                continue;
            }
            if (!valueOptions.Contains(key))
                throw new UsageException($"config file '{path}' line {keyNode.Start.Line}: unknown option '{key[2..]}'; valid options: {string.Join(", ", valueOptions.Concat(flags).Where(o => o != "--config").Select(o => o[2..]))}.", command);
            if (!given.Contains(key))
            {
                result.Add(key);
                result.Add(value);
            }
        }
        return [.. result];
    }
}
