using System.Globalization;

namespace Polymath.Models;

/// <summary>
/// A multi-layer perceptron: Linear layers with ReLU between them, registered as PyTorch's
/// <c>nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))</c> is, so the
/// state-dict keys are <c>0.weight</c>, <c>0.bias</c>, <c>2.weight</c>, … and load from or into that PyTorch model.
/// Input [N, ...] is flattened to [N, in_features] (so MNIST images [N, 1, 28, 28] go in as they are); output [N, classes].
/// </summary>
public sealed class Mlp : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> _layers = [];

    /// <summary>Creates the network; the default is the 784-512-256-10 MNIST classifier.</summary>
    /// <param name="inFeatures">Features per sample after flattening.</param>
    /// <param name="hidden">Width of each hidden layer (null: 512, 256).</param>
    /// <param name="outFeatures">Outputs (classes).</param>
    /// <param name="generator">Random source for the initialisation (the default generator when null).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Mlp(int inFeatures = 784, IReadOnlyList<int>? hidden = null, int outFeatures = 10, Generator? generator = null)
    {
        hidden ??= [512, 256];
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        int previous = inFeatures;
        foreach (int width in hidden)
        {
            Add(new Linear(previous, width, generator: generator));
            Add(new ReLU());
            previous = width;
        }
        Add(new Linear(previous, outFeatures, generator: generator));
    }

    private void Add(Module<Tensor, Tensor> layer)
    {
        RegisterModule(_layers.Count.ToString(CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
    }

    /// <summary>Features per sample the first layer expects.</summary>
    public int InFeatures { get; }

    /// <summary>Outputs per sample.</summary>
    public int OutFeatures { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input does not flatten to [N, in_features].</exception>
    public override Tensor Forward(Tensor input)
    {
        var x = input.Rank > 2 ? input.Flatten(1) : input;
        if (x.Rank != 2 || x.Size(1) != InFeatures)
            throw new ArgumentException($"Mlp: expected input [N, {InFeatures}] (or [N, ...] with {InFeatures} features), got [{string.Join(",", input.Shape)}].");
        foreach (var layer in _layers)
            x = layer.Call(x);
        return x;
    }
}
