namespace Polymath.Scale.Compression;

/// <summary>
/// Fake quantization for quantization-aware training: the forward pass returns quantize-then-dequantize of the input
/// (so the loss sees int8 rounding), the backward pass uses the straight-through estimator — the gradient passes
/// unchanged where the value lies inside the quantization range and is zero where it was clipped. Built from existing
/// differentiable ops as y = x·m + (q(x) − x·m).detach(), whose value is q(x) and whose gradient is m.
/// </summary>
public static class FakeQuantize
{
    /// <summary>Per-tensor affine uint8 fake quantization with <paramref name="p"/>.</summary>
    public static Tensor PerTensor(Tensor x, QuantParams p)
    {
        var v = x.Detach().Contiguous().To(DType.Float32).ToArray();
        var fq = new float[v.Length];
        var mask = new float[v.Length];
        float lo = p.Scale * (QuantParams.QMin - p.ZeroPoint), hi = p.Scale * (QuantParams.QMax - p.ZeroPoint);
        for (int i = 0; i < v.Length; i++)
        {
            fq[i] = Quantize.RoundTrip(v[i], p);
            mask[i] = v[i] >= lo && v[i] <= hi ? 1f : 0f;
        }
        return Straight(x, fq, mask);
    }

    /// <summary>
    /// Per-output-channel symmetric int8 fake quantization of a weight [C_out, …] with scales max|W[c]|/127 taken from
    /// the current values (no value is clipped, so the gradient passes through unchanged).
    /// </summary>
    public static Tensor WeightPerChannel(Tensor w)
    {
        int rows = w.Size(0), cols = (int)(w.Numel / rows);
        var v = w.Detach().Contiguous().To(DType.Float32).ToArray();
        var (q, scales) = Quantize.WeightsPerChannel(v, rows, cols);
        var fq = new float[v.Length];
        for (int i = 0; i < v.Length; i++)
            fq[i] = q[i] * scales[i / cols];
        return Straight(w, fq, null);
    }

    private static Tensor Straight(Tensor x, float[] fq, float[]? mask)
    {
        var shape = x.Shape.ToArray();
        var q = Tensor.From(fq, shape).To(x.DType);
        if (!x.RequiresGrad)
            return q;
        var passed = mask is null ? x : x * Tensor.From(mask, shape).To(x.DType);
        return passed + (q - passed).Detach();
    }
}

/// <summary>
/// A Linear or Conv2d trained with fake-quantized weights (per-channel int8) and inputs (uint8, range tracked by a
/// <see cref="MovingAverageObserver"/> in training mode and frozen in evaluation mode). It shares the float layer's
/// parameters, so an optimizer over them trains the original model; <see cref="Qat.Convert"/> turns it into int8.
/// </summary>
public sealed class QatLayer : Module<Tensor, Tensor>
{
    /// <summary>Wraps <paramref name="layer"/> (a Linear or Conv2d with groups 1).</summary>
    /// <exception cref="NotQuantizableException">Another layer type, or a grouped convolution.</exception>
    public QatLayer(Module<Tensor, Tensor> layer, string name = "")
    {
        if (layer is not (Linear or Conv2d { Groups: 1 }))
            throw new NotQuantizableException(name, layer.TypeName, "quantization-aware training supports Linear and Conv2d (groups 1)");
        Layer = RegisterModule("layer", layer);
    }

    /// <summary>The float layer.</summary>
    public Module<Tensor, Tensor> Layer { get; }

    /// <summary>The input range seen in training.</summary>
    public MovingAverageObserver InputObserver { get; } = new();

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (Training)
            InputObserver.Observe(input);
        var x = InputObserver.HasData ? FakeQuantize.PerTensor(input, InputObserver.Compute()) : input;
        return Layer switch
        {
            Linear l => Functional.Linear(x, FakeQuantize.WeightPerChannel(l.Weight), l.Bias),
            Conv2d c => Functional.Conv2d(x, FakeQuantize.WeightPerChannel(c.Weight), c.Bias, c.Stride, c.Padding, c.Dilation, c.Groups),
            _ => throw new InvalidOperationException("unreachable"),
        };
    }
}

/// <summary>Quantization-aware training: prepare a float model with fake quantization, train it, convert it to int8.</summary>
public static class Qat
{
    /// <summary>A Sequential in which every Linear/Conv2d of <paramref name="model"/> is wrapped in a <see cref="QatLayer"/>.</summary>
    /// <exception cref="NotQuantizableException">A layer that cannot be quantized (named).</exception>
    public static Sequential Prepare(Module model)
    {
        var result = new Sequential();
        foreach (var (name, layer) in LayerSequence.Of(model))
            result.Append(layer is Linear or Conv2d ? new QatLayer(layer, name) : layer);
        return result;
    }

    /// <summary>The int8 model for a prepared, trained Sequential: the input scales are those the QAT observers hold.</summary>
    /// <exception cref="NotQuantizableException">A QAT layer that never saw a training batch.</exception>
    public static Sequential Convert(Sequential prepared)
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        var inputs = new List<QuantParams?>();
        for (int i = 0; i < prepared.Count; i++)
        {
            var m = prepared[i];
            string name = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (m is QatLayer q)
            {
                if (!q.InputObserver.HasData)
                    throw new NotQuantizableException(name, q.Layer.TypeName, "its QAT observer saw no batch (train before converting)");
                layers.Add((name, q.Layer));
                inputs.Add(q.InputObserver.Compute());
            }
            else
            {
                layers.Add((name, m));
                inputs.Add(null);
            }
        }
        return Quantization.Convert(layers, i => inputs[i]);
    }
}
