using Polymath.Models.Gpt;
using Polymath.NN;

namespace Polymath.Bench;

/// <summary>
/// The training step of <c>polymath pretrain gpt</c> with its default shapes (char vocabulary 65, context 128, width
/// 128, 4 layers, 4 heads, batch 32): zero_grad + forward + cross-entropy + backward + clip_grad_norm(1) + AdamW,
/// against the same model and step in PyTorch (bench/peers/gpt_char.py). Tokens per step = 32 × 128.
/// </summary>
internal static class GptBench
{
    private const int Vocab = 65, Context = 128, Batch = 32;

    public static BenchCase Case(bool quick, double warmS)
    {
        var c = PretrainStepBench.Case("train_gpt_char", "gpt_char", Batch * Context, quick, warmS, Step);
        c.Info.Add(new("unit_of_batch", "tokens (32 sequences x 128)"));
        c.Info.Add(new("model", "GPT 4x128, 4 heads, context 128, vocab 65, tied"));
        c.Info.Add(new("optimizer", "adamw lr 2e-3 wd 0.1 + clip 1.0"));
        return c;
    }

    private static Measurement Step(MeasureSettings s)
    {
        Random.Seed(1234);
        var model = new GptModel(new GptConfig { VocabSize = Vocab, ContextLength = Context, EmbeddingDim = 128, Layers = 4, Heads = 4 });
        var g = new Generator(1234);
        var xs = new long[Batch * Context];
        var ys = new long[Batch * Context];
        g.FillRandInt(xs, 0, Vocab);
        g.FillRandInt(ys, 0, Vocab);
        var x = Tensor.From(xs, Batch, Context);
        var y = Tensor.From(ys, Batch, Context);
        return PretrainStepBench.Measure(model, 2e-3, () => model.Loss(x, y), s);
    }
}
