using Polymath.Models.Peft;

namespace Polymath.Models.Tests.Peft;

/// <summary>Tiny models shared by the PEFT tests.</summary>
internal static class PeftFixtures
{
    public static GptConfig Config(int embd = 16, int context = 12) =>
        new() { VocabSize = 11, ContextLength = context, EmbeddingDim = embd, Layers = 2, Heads = 2 };

    public static GptModel Tiny(int embd = 16, int context = 12, ulong seed = 7) => new(Config(embd, context), new Generator(seed));

    public static GptForSequenceClassification Classifier(GptModel lm, int labels = 3, Pooling pooling = Pooling.Last) =>
        new(lm.Transformer, lm.Config, labels, pooling, new Generator(11));

    public static readonly Tensor Ids = Tensor.From(new long[] { 1, 5, 2, 9, 3, 10, 4, 4, 0, 2 }, 2, 5);

    /// <summary>Fills every LoRA B with small random numbers so the update is not zero.</summary>
    public static void RandomizeB(Module model, ulong seed = 3)
    {
        var g = new Generator(seed);
        using var _ = Tensor.NoGrad();
        foreach (var (_, l) in Lora.Layers(model))
            l.LoraB.Weight.NormalInPlace(0, 0.1, g);
    }

    public static TensorIndex[] Unravel(int flat, int[] shape)
    {
        var index = new TensorIndex[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    /// <summary>Central difference of <paramref name="loss"/> with respect to one element of <paramref name="p"/> (float64).</summary>
    public static double CentralDifference(Tensor p, int flat, Func<double> loss, double h = 1e-6)
    {
        var cell = p.Detach()[Unravel(flat, p.Shape)];
        using var _ = Tensor.NoGrad();
        double old = cell.Item();
        cell.FillInPlace(old + h);
        double plus = loss();
        cell.FillInPlace(old - h);
        double minus = loss();
        cell.FillInPlace(old);
        return (plus - minus) / (2 * h);
    }
}
