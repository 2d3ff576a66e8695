using System.Globalization;
using Polymath.Models.Gpt;

namespace Polymath.Models.Peft;

/// <summary>
/// A <see cref="Linear"/> or GPT <see cref="Conv1D"/> with a LoRA update beside it: y = base(x) + (α / r) · B (A · dropout(x)),
/// A [r, in] Kaiming-uniform (PyTorch's Linear initialisation, as PEFT), B [out, r] zeros, so at the start the layer computes
/// exactly what the base layer does. Children: <c>base_layer</c>, <c>lora_A</c>, <c>lora_B</c> (PEFT's layout without the
/// adapter-name level). <see cref="Merge"/> folds the update into the base weight; <see cref="Unmerge"/> takes it out again.
/// </summary>
public sealed class LoraLayer : Module<Tensor, Tensor>
{
    private readonly Generator? _generator;

    /// <summary>Wraps <paramref name="baseLayer"/>; the LoRA weights take its dtype.</summary>
    /// <exception cref="ArgumentException">The base layer is neither Linear nor Conv1D, or the configuration is invalid.</exception>
    public LoraLayer(Module<Tensor, Tensor> baseLayer, LoraConfig config, Generator? generator = null)
    {
        config.Validate();
        (InFeatures, OutFeatures, var weight) = baseLayer switch
        {
            Linear l => (l.InFeatures, l.OutFeatures, l.Weight),
            Conv1D c => (c.InFeatures, c.OutFeatures, c.Weight),
            _ => throw new ArgumentException($"LoRA: can only wrap Linear or Conv1D layers, got {baseLayer.TypeName}."),
        };
        Config = config;
        _generator = generator;
        Scaling = config.Alpha / config.Rank;
        BaseLayer = RegisterModule("base_layer", baseLayer);
        LoraA = RegisterModule("lora_A", new Linear(InFeatures, config.Rank, bias: false, dtype: weight.DType, generator: generator));
        LoraB = RegisterModule("lora_B", new Linear(config.Rank, OutFeatures, bias: false, dtype: weight.DType, generator: generator));
        using (Tensor.NoGrad())
        {
            Init.KaimingUniform(LoraA.Weight, a: Math.Sqrt(5), generator: generator);
            LoraB.Weight.ZeroInPlace();
        }
    }

    /// <summary>The wrapped layer (its weight is the frozen W).</summary>
    public Module<Tensor, Tensor> BaseLayer { get; }

    /// <summary>A: in → r.</summary>
    public Linear LoraA { get; }

    /// <summary>B: r → out (zeros at the start).</summary>
    public Linear LoraB { get; }

    /// <summary>The settings.</summary>
    public LoraConfig Config { get; }

    /// <summary>α / r.</summary>
    public double Scaling { get; }

    /// <summary>Input features of the base layer.</summary>
    public int InFeatures { get; }

    /// <summary>Output features of the base layer.</summary>
    public int OutFeatures { get; }

    /// <summary>True while the update is folded into the base weight (the forward pass then runs the base layer alone).</summary>
    public bool Merged { get; private set; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var y = BaseLayer.Call(input);
        if (Merged)
            return y;
        var x = Training && Config.Dropout > 0 ? Functional.Dropout(input, Config.Dropout, true, _generator) : input;
        return y + LoraB.Call(LoraA.Call(x)) * Scaling;
    }

    /// <summary>The update (α / r) · B A in the base weight's layout ([out, in] for Linear, [in, out] for Conv1D).</summary>
    public Tensor DeltaWeight()
    {
        using var _ = Tensor.NoGrad();
        var delta = LoraB.Weight.MatMul(LoraA.Weight) * Scaling; // [out, in]
        return BaseLayer is Conv1D ? delta.Transpose(0, 1).Contiguous() : delta;
    }

    /// <summary>W ← W + (α / r) · B A. A second call does nothing.</summary>
    public void Merge()
    {
        if (Merged)
            return;
        using (Tensor.NoGrad())
            BaseWeight.AddInPlace(DeltaWeight());
        Merged = true;
    }

    /// <summary>W ← W − (α / r) · B A (undoes <see cref="Merge"/> up to rounding). Does nothing when not merged.</summary>
    public void Unmerge()
    {
        if (!Merged)
            return;
        using (Tensor.NoGrad())
            BaseWeight.SubInPlace(DeltaWeight());
        Merged = false;
    }

    private Tensor BaseWeight => BaseLayer switch
    {
        Linear l => l.Weight,
        Conv1D c => c.Weight,
        _ => throw new InvalidOperationException("unreachable"),
    };

    /// <inheritdoc/>
    protected override string ExtraRepr() => string.Create(CultureInfo.InvariantCulture, $"r={Config.Rank}, alpha={Config.Alpha}, dropout={Config.Dropout}{(Merged ? ", merged" : "")}");
}
