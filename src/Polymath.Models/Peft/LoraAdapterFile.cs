using System.Globalization;
using System.Text;
using Polymath.Data;

namespace Polymath.Models.Peft;

/// <summary>
/// A LoRA adapter on its own, as Hugging Face PEFT's <c>adapter_model.safetensors</c>: only the LoRA matrices (and any
/// small modules trained with them, such as a classification head), keyed
/// <c>base_model.model.&lt;layer&gt;.lora_A.weight</c> / <c>…lora_B.weight</c> / <c>base_model.model.&lt;module&gt;.&lt;param&gt;</c>,
/// with the configuration in the safetensors metadata (<c>peft_type</c>, <c>r</c>, <c>lora_alpha</c>, <c>lora_dropout</c>,
/// <c>target_modules</c>, <c>modules_to_save</c>). The base model is not in the file.
/// </summary>
public static class LoraAdapterFile
{
    /// <summary>Prefix of every key (PEFT's PeftModel → LoraModel → model nesting).</summary>
    public const string Prefix = "base_model.model.";

    /// <summary>Writes the adapter of <paramref name="model"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The .safetensors file.</param>
    /// <param name="model">A model with LoRA layers (see <see cref="Lora.Apply"/>).</param>
    /// <param name="modulesToSave">Dotted module names saved whole besides LoRA (e.g. <c>score</c>).</param>
    /// <param name="metadata">Extra metadata entries (dataset, labels, ...).</param>
    /// <exception cref="ArgumentException">The model has no LoRA layers, or a module to save does not exist.</exception>
    public static void Save(string path, Module model, IReadOnlyCollection<string>? modulesToSave = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var layers = Lora.Layers(model).ToList();
        if (layers.Count == 0)
            throw new ArgumentException("LoRA adapter: the model has no LoRA layers to save (apply LoRA first).");
        var config = layers[0].Layer.Config;
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, layer) in layers)
        {
            tensors[$"{Prefix}{name}.lora_A.weight"] = layer.LoraA.Weight.Detach();
            tensors[$"{Prefix}{name}.lora_B.weight"] = layer.LoraB.Weight.Detach();
        }
        foreach (var (name, p) in SavedModuleParameters(model, modulesToSave ?? []))
            tensors[Prefix + name] = p.Detach();
        var meta = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>())
        {
            ["format"] = "pt",
            ["peft_type"] = "LORA",
            ["r"] = config.Rank.ToString(CultureInfo.InvariantCulture),
            ["lora_alpha"] = config.Alpha.ToString("R", CultureInfo.InvariantCulture),
            ["lora_dropout"] = config.Dropout.ToString("R", CultureInfo.InvariantCulture),
            ["target_modules"] = config.TargetModules,
            ["modules_to_save"] = string.Join(",", modulesToSave ?? []),
        };
        SafeTensors.Save(path, tensors, meta);
    }

    /// <summary>Reads the LoRA configuration and the modules-to-save list from a file's metadata.</summary>
    /// <exception cref="InvalidDataException">The file is not a LoRA adapter (no <c>peft_type</c> LORA) or a value is malformed.</exception>
    public static (LoraConfig Config, IReadOnlyList<string> ModulesToSave, IReadOnlyDictionary<string, string> Metadata) ReadConfig(string path)
    {
        var meta = SafeTensors.LoadMetadata(path);
        if (!meta.TryGetValue("peft_type", out var type) || type != "LORA")
            throw new InvalidDataException($"{path}: not a LoRA adapter file (its metadata has no peft_type = LORA).");
        string Get(string key) => meta.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"{path}: LoRA adapter metadata lacks '{key}'.");
        try
        {
            var config = new LoraConfig
            {
                Rank = int.Parse(Get("r"), CultureInfo.InvariantCulture),
                Alpha = double.Parse(Get("lora_alpha"), CultureInfo.InvariantCulture),
                Dropout = double.Parse(Get("lora_dropout"), CultureInfo.InvariantCulture),
                TargetModules = Get("target_modules"),
            };
            config.Validate();
            var save = meta.TryGetValue("modules_to_save", out var s) && s.Length > 0 ? s.Split(',') : [];
            return (config, save, meta);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: malformed LoRA adapter metadata: {e.Message}", e);
        }
    }

    /// <summary>
    /// Loads an adapter into <paramref name="model"/>: applies LoRA with the file's configuration when the model has none yet,
    /// then copies the LoRA matrices and saved modules. Every key is checked before anything changes.
    /// </summary>
    /// <returns>The file's configuration.</returns>
    /// <exception cref="ArgumentException">
    /// The adapter does not fit the model: the message lists every missing and unexpected key and every shape mismatch
    /// (file shape vs model shape).
    /// </exception>
    public static LoraConfig Load(string path, Module model, Generator? generator = null)
    {
        var (config, modulesToSave, _) = ReadConfig(path);
        var file = SafeTensors.Load(path);
        var expected = ExpectedShapes(model, config, modulesToSave);
        var missing = expected.Keys.Where(k => !file.ContainsKey(k)).ToList();
        var unexpected = file.Keys.Where(k => !expected.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var mismatched = expected.Where(e => file.TryGetValue(e.Key, out var t) && !t.Shape.SequenceEqual(e.Value))
            .Select(e => $"{e.Key}: adapter [{string.Join(",", file[e.Key].Shape)}] vs model [{string.Join(",", e.Value)}]").ToList();
        if (missing.Count > 0 || unexpected.Count > 0 || mismatched.Count > 0)
        {
            var sb = new StringBuilder($"LoRA adapter {path} does not fit the model (r={config.Rank}, target modules '{config.TargetModules}'):");
            if (mismatched.Count > 0) sb.Append("\n  size mismatch: ").Append(string.Join("; ", mismatched));
            if (missing.Count > 0) sb.Append("\n  missing keys: ").Append(string.Join(", ", missing));
            if (unexpected.Count > 0) sb.Append("\n  unexpected keys: ").Append(string.Join(", ", unexpected));
            throw new ArgumentException(sb.ToString());
        }
        if (!Lora.Layers(model).Any())
            Lora.Apply(model, config, modulesToSave.ToList(), generator);
        var targets = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, layer) in Lora.Layers(model))
        {
            targets[$"{Prefix}{name}.lora_A.weight"] = layer.LoraA.Weight;
            targets[$"{Prefix}{name}.lora_B.weight"] = layer.LoraB.Weight;
        }
        foreach (var (name, p) in SavedModuleParameters(model, modulesToSave))
            targets[Prefix + name] = p;
        using (Tensor.NoGrad())
            foreach (var (key, value) in file)
                targets[key].CopyFrom(value);
        return config;
    }

    private static Dictionary<string, int[]> ExpectedShapes(Module model, LoraConfig config, IReadOnlyCollection<string> modulesToSave)
    {
        var shapes = new Dictionary<string, int[]>(StringComparer.Ordinal);
        var existing = Lora.Layers(model).ToList();
        if (existing.Count > 0)
        {
            foreach (var (name, l) in existing)
            {
                shapes[$"{Prefix}{name}.lora_A.weight"] = l.LoraA.Weight.Shape;
                shapes[$"{Prefix}{name}.lora_B.weight"] = l.LoraB.Weight.Shape;
            }
        }
        else
        {
            foreach (var (name, layer) in Lora.Targets(model, config.TargetModules))
            {
                var (inF, outF) = layer switch
                {
                    Linear l => (l.InFeatures, l.OutFeatures),
                    Gpt.Conv1D c => (c.InFeatures, c.OutFeatures),
                    _ => throw new InvalidOperationException("unreachable"),
                };
                shapes[$"{Prefix}{name}.lora_A.weight"] = [config.Rank, inF];
                shapes[$"{Prefix}{name}.lora_B.weight"] = [outF, config.Rank];
            }
        }
        foreach (var (name, p) in SavedModuleParameters(model, modulesToSave))
            shapes[Prefix + name] = p.Shape;
        return shapes;
    }

    private static IEnumerable<(string Name, Tensor Parameter)> SavedModuleParameters(Module model, IEnumerable<string> modules)
    {
        foreach (var m in modules)
        {
            var module = model.GetModule(m) ?? throw new ArgumentException($"LoRA adapter: module to save '{m}' does not exist in the model.");
            foreach (var (name, p) in module.NamedParameters())
                yield return ($"{m}.{name}", p);
        }
    }
}
