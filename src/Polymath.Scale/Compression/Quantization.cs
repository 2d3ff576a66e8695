namespace Polymath.Scale.Compression;

/// <summary>
/// Post-training quantization of a model to int8 (PyTorch's <c>torch.ao.quantization</c> workflows): static
/// (weights per-channel symmetric int8, activations uint8 with scales calibrated by an <see cref="Observer"/> on
/// sample batches) and dynamic (weights int8, activations quantized per batch at run time). A Linear or Conv2d
/// followed by ReLU becomes one layer with the ReLU fused,
/// and a Conv2d also takes in a following non-overlapping max-pool. The float model is not changed.
/// </summary>
public static class Quantization
{
    /// <summary>
    /// Static int8 quantization: runs the float model on <paramref name="calibration"/> batches (inference mode),
    /// records each Linear/Conv2d input with a fresh observer from <paramref name="observer"/> (min/max by default), and
    /// returns a Sequential of int8 layers.
    /// </summary>
    /// <exception cref="NotQuantizableException">A layer that cannot be quantized (named), or no calibration batch.</exception>
    public static Sequential QuantizeStatic(Module model, IEnumerable<Tensor> calibration, Func<Observer>? observer = null)
    {
        observer ??= () => new MinMaxObserver();
        var layers = LayerSequence.Of(model);
        var observers = layers.Select(l => l.Layer is Linear or Conv2d ? observer() : null).ToArray();
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            using (Tensor.NoGrad())
            {
                foreach (var batch in calibration)
                {
                    var x = batch;
                    for (int i = 0; i < layers.Count; i++)
                    {
                        observers[i]?.Observe(x);
                        x = layers[i].Layer.Call(x);
                    }
                }
            }
        }
        finally
        {
            model.Train(wasTraining);
        }
        for (int i = 0; i < layers.Count; i++)
            if (observers[i] is { HasData: false })
                throw new NotQuantizableException(layers[i].Name, layers[i].Layer.TypeName, "no calibration batch reached it (pass at least one batch)");
        return Convert(layers, i => observers[i]!.Compute());
    }

    /// <summary>Dynamic int8 quantization: Linear and Conv2d weights become int8, their inputs are quantized per batch.</summary>
    /// <exception cref="NotQuantizableException">A layer that cannot be quantized (named).</exception>
    public static Sequential QuantizeDynamic(Module model) => Convert(LayerSequence.Of(model), _ => null);

    /// <summary>Builds the int8 chain; <paramref name="inputParams"/>(i) gives layer i's input parameters (null: dynamic).</summary>
    internal static Sequential Convert(List<(string Name, Module<Tensor, Tensor> Layer)> layers, Func<int, QuantParams?> inputParams)
    {
        var result = new Sequential();
        for (int i = 0; i < layers.Count; i++)
        {
            var (name, layer) = layers[i];
            bool relu = i + 1 < layers.Count && layers[i + 1].Layer is ReLU;
            switch (layer)
            {
                case Linear lin:
                    result.Append(QuantizedLinear.FromFloat(lin, inputParams(i), relu));
                    if (relu) i++;
                    break;
                case Conv2d conv:
                {
                    // A k×k max-pool with stride k that follows (after the ReLU, if any) is fused: it is taken on the int32
                    // sums, so the full-size float output is never written and read back.
                    int next = i + (relu ? 2 : 1), pool = 0;
                    if (next < layers.Count && layers[next].Layer is MaxPool2d { Padding: 0, Dilation: 1, CeilMode: false } mp && mp.Stride == mp.KernelSize)
                        pool = mp.KernelSize;
                    result.Append(QuantizedConv2d.FromFloat(conv, inputParams(i), relu, name, pool));
                    if (relu) i++;
                    if (pool > 0) i++;
                }
                    break;
                case Dropout or Identity:
                    break; // inference: both pass the input through
                default:
                    result.Append(layer);
                    break;
            }
        }
        return result;
    }
}
