using Polymath.Models;

namespace Polymath.Scale.Compression;

/// <summary>A layer cannot be compressed the way that was asked; names the layer, its type and the reason.</summary>
public sealed class NotQuantizableException(string layer, string layerType, string reason)
    : Exception($"layer '{layer}' ({layerType}) cannot be quantized: {reason}.")
{
    /// <summary>The layer's dotted name in the model.</summary>
    public string Layer { get; } = layer;

    /// <summary>The layer's type name.</summary>
    public string LayerType { get; } = layerType;
}

/// <summary>
/// Views a model as the plain chain of layers its forward runs (what pruning and quantization rewrite): the MLP, LeNet-5
/// and any <see cref="Sequential"/> of supported layers. The layers are the model's own (parameters are shared), each
/// with its dotted name in the model.
/// </summary>
public static class LayerSequence
{
    /// <summary>Layer types the compressors understand.</summary>
    public static readonly string[] Supported = ["Linear", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Dropout", "Identity"];

    /// <summary>The layers of <paramref name="model"/> in the order its forward calls them.</summary>
    /// <exception cref="NotQuantizableException">A layer of another type (named), or a model whose forward is not a chain.</exception>
    public static List<(string Name, Module<Tensor, Tensor> Layer)> Of(Module model)
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        switch (model)
        {
            case Mlp mlp:
                layers.Add(("flatten", new Flatten()));
                foreach (var (name, child) in mlp.NamedChildren())
                    layers.Add((name, Check(name, child)));
                break;
            case LeNet5 net:
                layers.Add(("conv1", net.Conv1));
                layers.Add(("conv1.relu", new ReLU()));
                layers.Add(("pool1", new MaxPool2d(2)));
                layers.Add(("conv2", net.Conv2));
                layers.Add(("conv2.relu", new ReLU()));
                layers.Add(("pool2", new MaxPool2d(2)));
                layers.Add(("flatten", new Flatten()));
                layers.Add(("fc1", net.Fc1));
                layers.Add(("fc1.relu", new ReLU()));
                layers.Add(("fc2", net.Fc2));
                layers.Add(("fc2.relu", new ReLU()));
                layers.Add(("fc3", net.Fc3));
                break;
            case Sequential seq:
                foreach (var (name, child) in seq.NamedChildren())
                    layers.Add((name, Check(name, child)));
                break;
            default:
                foreach (var (name, m) in model.NamedModules())
                    if (name.Length > 0 && !m.Children().Any() && !Supported.Contains(m.GetType().Name))
                        Check(name, m);
                throw new NotQuantizableException("", model.GetType().Name,
                    "its forward is not a plain chain of layers (supported models: Mlp, LeNet5, or a Sequential of " + string.Join(", ", Supported) + ")");
        }
        return layers;
    }

    /// <summary>A Sequential running <paramref name="layers"/> (a fresh container; the layers are shared).</summary>
    public static Sequential ToSequential(IEnumerable<(string Name, Module<Tensor, Tensor> Layer)> layers) =>
        new([.. layers.Select(l => l.Layer)]);

    private static Module<Tensor, Tensor> Check(string name, Module m)
    {
        if (m is QuantizedLinear or QuantizedConv2d)
            throw new NotQuantizableException(name, m.GetType().Name, "it is already quantized");
        if (!Supported.Contains(m.GetType().Name) || m is not Module<Tensor, Tensor> layer)
            throw new NotQuantizableException(name, m.TypeName,
                $"supported layers are {string.Join(", ", Supported)}" + (m is LSTM ? " (use dynamic quantization for LSTM models)" : ""));
        if (m is Conv2d { Groups: > 1 } conv)
            throw new NotQuantizableException(name, "Conv2d", $"grouped convolution (groups={conv.Groups}) is not supported");
        return layer;
    }
}
