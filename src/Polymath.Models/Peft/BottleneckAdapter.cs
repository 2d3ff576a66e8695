using System.Globalization;

namespace Polymath.Models.Peft;

/// <summary>
/// Houlsby et al. (2019) bottleneck adapter: h + up(GELU(down(h))), down: d → m, up: m → d with zero weights and bias, so a
/// freshly inserted adapter is the identity and the model computes exactly what it did before.
/// </summary>
public sealed class BottleneckAdapter : Module<Tensor, Tensor>
{
    /// <summary>Creates the adapter for width <paramref name="dim"/> with a bottleneck of <paramref name="bottleneck"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public BottleneckAdapter(int dim, int bottleneck, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (dim <= 0 || bottleneck <= 0)
            throw new ArgumentOutOfRangeException(nameof(bottleneck), string.Create(CultureInfo.InvariantCulture, $"BottleneckAdapter: sizes must be positive, got dim {dim}, bottleneck {bottleneck}."));
        Down = RegisterModule("down", new Linear(dim, bottleneck, dtype: dtype, generator: generator));
        Up = RegisterModule("up", new Linear(bottleneck, dim, dtype: dtype, generator: generator));
        using (Tensor.NoGrad())
        {
            Up.Weight.ZeroInPlace();
            Up.Bias!.ZeroInPlace();
        }
    }

    /// <summary>d → m.</summary>
    public Linear Down { get; }

    /// <summary>m → d (zeros at the start).</summary>
    public Linear Up { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input + Up.Call(Down.Call(input).Gelu("tanh"));
}

/// <summary>A sublayer followed by a <see cref="BottleneckAdapter"/> on its output (children <c>base_layer</c>, <c>adapter</c>).</summary>
public sealed class AdaptedLayer : Module<Tensor, Tensor>
{
    /// <summary>Wraps <paramref name="baseLayer"/>.</summary>
    public AdaptedLayer(Module<Tensor, Tensor> baseLayer, BottleneckAdapter adapter)
    {
        BaseLayer = RegisterModule("base_layer", baseLayer);
        Adapter = RegisterModule("adapter", adapter);
    }

    /// <summary>The wrapped sublayer.</summary>
    public Module<Tensor, Tensor> BaseLayer { get; }

    /// <summary>The adapter applied to its output.</summary>
    public BottleneckAdapter Adapter { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Adapter.Call(BaseLayer.Call(input));
}

/// <summary>
/// Inserts bottleneck adapters into a GPT the way Houlsby et al. place them: after the output projection of each
/// attention and of each MLP (inside the residual branch, before it is added back), then freezes everything but the
/// adapters, the layer norms when asked (Houlsby train them too), and the named modules (a classification head).
/// </summary>
public static class Adapters
{
    /// <summary>The layers adapters follow by default: both output projections of every GPT block.</summary>
    public const string DefaultTargets = @"attn\.c_proj|mlp\.c_proj";

    /// <summary>Wraps every Linear/Conv1D matching <paramref name="targetModules"/> (see <see cref="LoraConfig.TargetModules"/> for the rule).</summary>
    /// <returns>The wrapped layers' names.</returns>
    /// <exception cref="ArgumentException">Nothing matches, or the model already has adapters.</exception>
    public static IReadOnlyList<string> Apply(Module model, int bottleneck, string targetModules = DefaultTargets, bool trainLayerNorms = false,
        IReadOnlyCollection<string>? keepTrainable = null, Generator? generator = null)
    {
        if (model.Modules().Any(m => m is AdaptedLayer))
            throw new ArgumentException("adapters: the model already has adapters.");
        var targets = Lora.Targets(model, targetModules);
        if (targets.Count == 0)
            throw new ArgumentException($"adapters: target modules '{targetModules}' match no Linear or Conv1D layer.");
        foreach (var (name, layer) in targets)
        {
            int outF = layer is Linear l ? l.OutFeatures : ((Gpt.Conv1D)layer).OutFeatures;
            var dtype = layer.Parameters().First().DType;
            model.ReplaceModule(name, new AdaptedLayer(layer, new BottleneckAdapter(outF, bottleneck, dtype, generator)));
        }
        var norms = trainLayerNorms ? model.NamedModules().Where(m => m.Module is LayerNorm).Select(m => m.Name).ToList() : [];
        Lora.FreezeAllBut(model, n => n.Contains(".adapter.", StringComparison.Ordinal), [.. norms, .. keepTrainable ?? []]);
        return targets.Select(t => t.Name).ToList();
    }
}
