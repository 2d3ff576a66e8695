using Xunit;

namespace Polymath.NN.Tests;

public class TransformerTests
{
    public static TheoryData<string> EncoderCases() => [.. GoldenCase.Names("encoder_layer_")];

    public static TheoryData<string> DecoderCases() => [.. GoldenCase.Names("decoder_layer_")];

    [Theory]
    [MemberData(nameof(EncoderCases))]
    public void EncoderLayerMatchesPyTorch(string name)
    {
        var c = GoldenCase.Get(name);
        var m = new TransformerEncoderLayer(c.Int("d_model"), c.Int("nhead"), c.Int("dim_feedforward"), activation: c.Str("activation"),
            batchFirst: c.Flag("batch_first"), normFirst: c.Flag("norm_first"));
        c.Check(m, () => new() { ["output"] = m.Call(c.Inputs["src"], c.Inputs["src_mask"], c.Inputs["src_key_padding_mask"]) });
    }

    [Theory]
    [MemberData(nameof(DecoderCases))]
    public void DecoderLayerMatchesPyTorch(string name)
    {
        var c = GoldenCase.Get(name);
        var m = new TransformerDecoderLayer(c.Int("d_model"), c.Int("nhead"), c.Int("dim_feedforward"), activation: c.Str("activation"),
            batchFirst: c.Flag("batch_first"), normFirst: c.Flag("norm_first"));
        c.Check(m, () => new()
        {
            ["output"] = m.Call(c.Inputs["tgt"], c.Inputs["memory"], tgtMask: c.Inputs["tgt_mask"], memoryKeyPaddingMask: c.Inputs["memory_key_padding_mask"]),
        });
    }

    [Fact]
    public void FullTransformerMatchesPyTorch()
    {
        var c = GoldenCase.Get("transformer_2enc_1dec");
        var m = new Transformer(c.Int("d_model"), c.Int("nhead"), c.Int("num_encoder_layers"), c.Int("num_decoder_layers"), c.Int("dim_feedforward"));
        c.Check(m, () => new()
        {
            ["output"] = m.Call(c.Inputs["src"], c.Inputs["tgt"], tgtMask: c.Inputs["tgt_mask"],
                srcKeyPaddingMask: c.Inputs["src_key_padding_mask"], memoryKeyPaddingMask: c.Inputs["src_key_padding_mask"]),
        });
    }

    [Fact]
    public void IsCausalEqualsTheSubsequentMask()
    {
        Polymath.Random.Seed(4);
        var layer = new TransformerEncoderLayer(8, 2, 16, dropout: 0);
        var x = Tensor.Randn(5, 3, 8);
        var masked = layer.Call(x, Transformer.GenerateSquareSubsequentMask(5));
        Assert.True(masked.AllClose(layer.Call(x, isCausal: true), 1e-5, 1e-6));
    }

    [Fact]
    public void StackedLayersAreIndependentCopies()
    {
        var template = new TransformerEncoderLayer(8, 2, 16);
        var encoder = new TransformerEncoder(template, 3, new LayerNorm(8));
        Assert.Equal(3, encoder.Layers.Count);
        var keys = encoder.StateDict().Keys.ToList();
        Assert.Contains("layers.2.self_attn.in_proj_weight", keys);
        Assert.Contains("layers.0.linear2.bias", keys);
        Assert.Contains("norm.weight", keys);
        var w0 = encoder.Layers[0].Linear1.Weight;
        var w1 = encoder.Layers[1].Linear1.Weight;
        Assert.True(w0.AllClose(w1)); // copies start equal, as PyTorch's deepcopy
        Assert.NotSame(w0, w1);
        using (Tensor.NoGrad())
            w0.AddInPlace(1.0);
        Assert.False(w0.AllClose(w1));
        Assert.False(w0.AllClose(template.Linear1.Weight));
    }

    [Fact]
    public void TrainingModeDropsOutAndEvalIsDeterministic()
    {
        Polymath.Random.Seed(9);
        var model = new Transformer(8, 2, 1, 1, 16, dropout: 0.5, batchFirst: true);
        var src = Tensor.Randn(2, 5, 8);
        var tgt = Tensor.Randn(2, 3, 8);
        model.Eval();
        var a = model.Call(src, tgt);
        Assert.Equal([2, 3, 8], a.Shape);
        Assert.True(a.AllClose(model.Call(src, tgt)));
        model.Train();
        Assert.False(a.AllClose(model.Call(src, tgt)));
        var e = Assert.Throws<ArgumentException>(() => model.Call(src, Tensor.Randn(3, 3, 8)));
        Assert.Contains("batch number", e.Message);
    }
}
