using Polymath.Models.Bert;
using Polymath.NN;

namespace Polymath.Bench;

/// <summary>
/// The training step of <c>polymath pretrain bert</c> at its default model shape (WordPiece vocabulary 2000, width 128,
/// 4 layers, 4 heads, feed-forward 512, no dropout) on 32 sequences of 128 tokens with every 7th position labelled:
/// zero_grad + forward + masked-token cross-entropy + backward + clip_grad_norm(1) + AdamW, against the same model and
/// step in PyTorch (bench/peers/bert_mlm.py). Tokens per step = 32 × 128.
/// </summary>
internal static class BertBench
{
    private const int Vocab = 2000, Context = 128, Batch = 32;

    public static BenchCase Case(bool quick, double warmS)
    {
        var c = PretrainStepBench.Case("train_bert_mlm", "bert_mlm", Batch * Context, quick, warmS, Step);
        c.Info.Add(new("unit_of_batch", "tokens (32 sequences x 128, 586 labelled)"));
        c.Info.Add(new("model", "BERT 4x128, 4 heads, feed-forward 512, vocab 2000, tied decoder"));
        c.Info.Add(new("optimizer", "adamw lr 1e-3 wd 0.1 + clip 1.0"));
        return c;
    }

    private static Measurement Step(MeasureSettings s)
    {
        Random.Seed(1234);
        var model = new BertForMaskedLM(new BertConfig
        {
            VocabSize = Vocab, HiddenSize = 128, NumHiddenLayers = 4, NumAttentionHeads = 4, IntermediateSize = 512, MaxPositionEmbeddings = Context,
            HiddenDropoutProb = 0, AttentionProbsDropoutProb = 0,
        });
        var g = new Generator(1234);
        var ids = new long[Batch * Context];
        g.FillRandInt(ids, 5, Vocab);
        var labels = new long[Batch * Context];
        Array.Fill(labels, Losses.DefaultIgnoreIndex);
        for (int i = 0; i < labels.Length; i += 7)
            labels[i] = g.NextLong(5, Vocab);
        var mask = Tensor.Ones([Batch, Context], DType.Int64);
        var x = Tensor.From(ids, Batch, Context);
        var y = Tensor.From(labels, Batch, Context);
        return PretrainStepBench.Measure(model, 1e-3, () => model.Loss(x, y, mask), s);
    }
}
