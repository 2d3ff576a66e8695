using Polymath.NN;

namespace Polymath.Physics.Learning;

/// <summary>Builds the classifiers of <see cref="PhaseClassifierKind"/>: input [B, ...InputShape], output logits [B, 1].</summary>
public static class PhaseClassifier
{
    /// <summary>A freshly initialised network for samples of <paramref name="inputShape"/>, its weights drawn from <paramref name="generator"/>.</summary>
    /// <exception cref="ArgumentException">A CNN asked for input that is not [1, L, L] with L ≥ 2.</exception>
    public static Sequential Create(PhaseClassifierKind kind, int[] inputShape, int hidden, int channels, Generator generator)
    {
        int dimension = inputShape.Aggregate(1, (a, b) => a * b);
        if (kind == PhaseClassifierKind.Dense)
            return new Sequential(new Flatten(), new Linear(dimension, hidden, generator: generator), new Tanh(), new Linear(hidden, 1, generator: generator));
        if (inputShape is not [1, int h, int w] || h < 2 || w < 2)
            throw new ArgumentException($"the cnn classifier needs 2D input [1, L, L] with L ≥ 2, not [{string.Join(", ", inputShape)}]; use the dense model for chains", nameof(inputShape));
        // 3×3 filters see a site and its four neighbours (the Ising energy's stencil); pooling halves the map so the
        // dense head stays small.
        int pooled = channels * (h / 2) * (w / 2);
        return new Sequential(new Conv2d(1, channels, 3, padding: 1, generator: generator), new ReLU(), new MaxPool2d(2), new Flatten(),
            new Linear(pooled, hidden, generator: generator), new ReLU(), new Linear(hidden, 1, generator: generator));
    }
}
