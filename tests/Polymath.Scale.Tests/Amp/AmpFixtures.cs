using Polymath.Data;
using Polymath.Models;
using Polymath.Models.Gpt;

namespace Polymath.Scale.Tests.Amp;

/// <summary>Small seeded models and data for the mixed-precision tests.</summary>
internal static class AmpFixtures
{
    public static GptConfig TinyGpt => new() { VocabSize = 48, ContextLength = 16, EmbeddingDim = 32, Layers = 2, Heads = 4 };

    /// <summary>Three Gaussian blobs in 8-D (classes 0..2), seeded.</summary>
    public static (Tensor X, Tensor Y) Blobs(int n, ulong seed)
    {
        var gen = new Generator(seed);
        var y = Tensor.RandInt(0, 3, [n], gen);
        var centers = Tensor.Randn([3, 8], generator: gen).Mul(1.5);
        var x = centers.IndexSelect(0, y) + Tensor.Randn([n, 8], generator: gen);
        return (x, y);
    }

    public static DataLoader<(Tensor, long), (Tensor, Tensor)> Loader(Tensor x, Tensor y, int batch, ulong seed)
    {
        var labels = y.ToArray<long>();
        var items = Enumerable.Range(0, labels.Length).Select(i => (x[i], labels[i])).ToList();
        return DataLoader.Create(new ListDataset<(Tensor, long)>(items), batch, shuffle: true, seed: seed);
    }

    /// <summary>Cosine of the angle between two gradient lists flattened into one vector (float64).</summary>
    public static double Cosine(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Count; i++)
        {
            var x = a[i].ToDoubleArray();
            var y = b[i].ToDoubleArray();
            for (int j = 0; j < x.Length; j++)
            {
                dot += x[j] * y[j];
                na += x[j] * x[j];
                nb += y[j] * y[j];
            }
        }
        return dot / Math.Sqrt(na * nb);
    }
}
