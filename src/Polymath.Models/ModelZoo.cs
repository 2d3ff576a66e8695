namespace Polymath.Models;

/// <summary>Builds the models of this assembly by name (what <c>polymath train --model</c> accepts).</summary>
public static class ModelZoo
{
    /// <summary>The names <see cref="Create"/> knows, in the order help texts list them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["mlp", "lenet5", "resnet", "lstm"];

    /// <summary>
    /// A model for images [N, <paramref name="channels"/>, <paramref name="height"/>, <paramref name="width"/>] and
    /// <paramref name="numClasses"/> classes: <c>mlp</c> (784-512-256-10 for MNIST), <c>lenet5</c>, <c>resnet</c> (small,
    /// batch norm), <c>lstm</c> (rows as time steps through a projection).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown name (the message lists the known ones).</exception>
    public static Module<Tensor, Tensor> Create(string name, int channels = 1, int height = 28, int width = 28, int numClasses = 10, Generator? generator = null) =>
        name.ToLowerInvariant() switch
        {
            "mlp" => new Mlp(channels * height * width, null, numClasses, generator),
            "lenet5" or "lenet" => new LeNet5(channels, numClasses, generator),
            "resnet" => new ResNet(channels, numClasses, generator: generator),
            "lstm" => new LstmClassifier(numClasses: numClasses, inputFeatures: channels * width, generator: generator),
            _ => throw new ArgumentException($"unknown model '{name}'; valid models: {string.Join(", ", Names)}."),
        };
}
