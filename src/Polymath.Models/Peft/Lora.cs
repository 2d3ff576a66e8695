using Polymath.Models.Gpt;

namespace Polymath.Models.Peft;

/// <summary>
/// Puts LoRA into a model (PEFT's <c>get_peft_model</c> for LoRA): every <see cref="Linear"/> or <see cref="Conv1D"/> whose
/// name matches <see cref="LoraConfig.TargetModules"/> is replaced in place by a <see cref="LoraLayer"/> around it, and
/// every other parameter is frozen (parameters named in <c>trainable</c>, such as a classification head, stay trainable).
/// </summary>
public static class Lora
{
    /// <summary>
    /// Wraps the matching layers of <paramref name="model"/> and freezes the rest.
    /// </summary>
    /// <param name="model">The model (changed in place).</param>
    /// <param name="config">Rank, α, dropout, target pattern.</param>
    /// <param name="keepTrainable">Parameter names (dotted prefixes, e.g. <c>score</c>) that stay trainable besides LoRA's.</param>
    /// <param name="generator">Random numbers for A's initialisation and the LoRA dropout (the global generator when null).</param>
    /// <returns>The dotted names of the wrapped layers.</returns>
    /// <exception cref="ArgumentException">Nothing matches (the message lists the layers that could), or the model already has LoRA.</exception>
    public static IReadOnlyList<string> Apply(Module model, LoraConfig config, IReadOnlyCollection<string>? keepTrainable = null, Generator? generator = null)
    {
        config.Validate();
        if (Layers(model).Any())
            throw new ArgumentException("LoRA: the model already has LoRA layers; merge and unload them first (Lora.MergeAndUnload).");
        var targets = Targets(model, config.TargetModules);
        if (targets.Count == 0)
        {
            var candidates = model.NamedModules().Where(m => m.Module is Linear or Conv1D).Select(m => m.Name).ToList();
            throw new ArgumentException($"LoRA: target modules '{config.TargetModules}' match no Linear or Conv1D layer; the model has: {string.Join(", ", candidates)}.");
        }
        foreach (var (name, layer) in targets)
            model.ReplaceModule(name, new LoraLayer(layer, config, generator));
        FreezeAllBut(model, n => n.Contains(".lora_A.", StringComparison.Ordinal) || n.Contains(".lora_B.", StringComparison.Ordinal), keepTrainable);
        return targets.Select(t => t.Name).ToList();
    }

    /// <summary>The Linear / Conv1D layers (not yet wrapped) that <paramref name="pattern"/> selects, by dotted name.</summary>
    public static List<(string Name, Module<Tensor, Tensor> Layer)> Targets(Module model, string pattern) =>
        model.NamedModules()
            .Where(m => m.Module is Linear or Conv1D && m.Name.Length > 0 && LoraConfig.Matches(pattern, m.Name)
                        && !m.Name.EndsWith(".lora_A", StringComparison.Ordinal) && !m.Name.EndsWith(".lora_B", StringComparison.Ordinal)
                        && !m.Name.EndsWith(".base_layer", StringComparison.Ordinal))
            .Select(m => (m.Name, (Module<Tensor, Tensor>)m.Module))
            .ToList();

    /// <summary>The LoRA layers of a model with their dotted names.</summary>
    public static IEnumerable<(string Name, LoraLayer Layer)> Layers(Module model) =>
        model.NamedModules().Where(m => m.Module is LoraLayer).Select(m => (m.Name, (LoraLayer)m.Module));

    /// <summary>Folds every LoRA update into its base weight (inference then costs what the base model does).</summary>
    public static void Merge(Module model)
    {
        foreach (var (_, l) in Layers(model))
            l.Merge();
    }

    /// <summary>Takes every merged update out of its base weight again.</summary>
    public static void Unmerge(Module model)
    {
        foreach (var (_, l) in Layers(model))
            l.Unmerge();
    }

    /// <summary>Merges, then puts each base layer back in its wrapper's place (PEFT's <c>merge_and_unload</c>): a plain model again.</summary>
    public static void MergeAndUnload(Module model)
    {
        foreach (var (name, l) in Layers(model).ToList())
        {
            l.Merge();
            model.ReplaceModule(name, l.BaseLayer);
        }
    }

    /// <summary>
    /// Freezes every parameter of <paramref name="model"/> except those whose dotted name satisfies <paramref name="trainable"/>
    /// or starts with one of <paramref name="keepTrainable"/> (followed by '.').
    /// </summary>
    public static void FreezeAllBut(Module model, Func<string, bool> trainable, IReadOnlyCollection<string>? keepTrainable = null)
    {
        foreach (var (name, p) in model.NamedParameters())
            p.RequiresGrad = trainable(name) || (keepTrainable?.Any(k => name == k || name.StartsWith(k + ".", StringComparison.Ordinal)) ?? false);
    }

    /// <summary>(trainable, total) parameter counts; a shared tensor counts once.</summary>
    public static (long Trainable, long Total) CountParameters(Module model)
    {
        long trainable = 0, total = 0;
        foreach (var p in model.Parameters())
        {
            total += p.Numel;
            if (p.RequiresGrad) trainable += p.Numel;
        }
        return (trainable, total);
    }
}
