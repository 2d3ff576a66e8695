using Xunit;

namespace Polymath.NN.Tests;

public class AttentionTests
{
    private sealed class NoParameters : Module
    {
    }

    public static TheoryData<string> MhaCases() => [.. GoldenCase.Names("mha_")];

    [Theory]
    [MemberData(nameof(MhaCases))]
    public void MultiheadAttentionMatchesPyTorch(string name)
    {
        var c = GoldenCase.Get(name);
        int e = c.Int("embed_dim"), kd = c.Int("kdim"), vd = c.Int("vdim");
        var m = new MultiheadAttention(e, c.Int("num_heads"), bias: c.Flag("bias"), kdim: kd, vdim: vd, batchFirst: c.Flag("batch_first"));
        bool needWeights = c.Flag("need_weights");
        c.Check(m, () =>
        {
            var q = c.Inputs["query"];
            var r = m.Call(q, c.Input("key") ?? q, c.Input("value") ?? q, c.Input("key_padding_mask"), needWeights, c.Input("attn_mask"),
                c.Flag("average_attn_weights"), c.Flag("is_causal"));
            var outputs = new Dictionary<string, Tensor> { ["output"] = r.Output };
            if (needWeights)
                outputs["weights"] = r.Weights!;
            else
                Assert.Null(r.Weights);
            return outputs;
        });
    }

    [Theory]
    [InlineData("sdpa_bool_mask")]
    [InlineData("sdpa_bool_mask_causal")]
    public void ScaledDotProductAttentionMatchesPyTorch(string name)
    {
        var c = GoldenCase.Get(name);
        // The fixture's mask is true where a key is hidden; ScaledDotProductAttention takes PyTorch's true = attend.
        c.Check(new NoParameters(), () => new()
        {
            ["output"] = Attention.ScaledDotProductAttention(c.Inputs["q"], c.Inputs["k"], c.Inputs["v"], c.Inputs["attn_mask"].LogicalNot(),
                isCausal: c.Flag("is_causal")),
        });
    }

    [Fact]
    public void PackedAndSeparateProjectionNamesFollowPyTorch()
    {
        Assert.Equal(["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"], new MultiheadAttention(8, 2).StateDict().Keys);
        Assert.Equal(["q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"],
            new MultiheadAttention(8, 2, kdim: 3, vdim: 5).StateDict().Keys);
        Assert.Equal(["in_proj_weight", "out_proj.weight"], new MultiheadAttention(8, 2, bias: false).StateDict().Keys);
        var m = new MultiheadAttention(8, 2);
        Assert.Equal(0.0, m.GetParameter("in_proj_bias")!.Abs().Sum().Item());
        Assert.Equal(0.0, m.OutProj.Bias!.Abs().Sum().Item());
        // xavier_uniform over [24, 8]: bound √(6 / 32).
        Assert.True(m.GetParameter("in_proj_weight")!.Abs().Amax().Item() <= Math.Sqrt(6.0 / 32));
    }

    [Fact]
    public void UnbatchedAndBatchedAgree()
    {
        Polymath.Random.Seed(2);
        var m = new MultiheadAttention(6, 3, batchFirst: true);
        var x = Tensor.Randn(1, 4, 6);
        var batched = m.Call(x, x, x, isCausal: true);
        var single = m.Call(x.Squeeze(0), x.Squeeze(0), x.Squeeze(0), isCausal: true);
        Assert.True(batched.Output.Squeeze(0).AllClose(single.Output, 1e-5, 1e-6));
        Assert.Equal([4, 4], single.Weights!.Shape);
        // Causal: nothing above the diagonal.
        Assert.Equal(0.0, single.Weights![0, 1..].Abs().Sum().Item());
    }

    [Fact]
    public void SubsequentMaskIsMinusInfinityAboveTheDiagonal()
    {
        var mask = Transformer.GenerateSquareSubsequentMask(3).ToArray();
        float inf = float.NegativeInfinity;
        Assert.Equal([0, inf, inf, 0, 0, inf, 0, 0, 0], mask);
    }

    [Fact]
    public void ErrorsNameTheLayerAndShapes()
    {
        var m = new MultiheadAttention(8, 2);
        var x = Tensor.Zeros(4, 2, 8);
        var e = Assert.Throws<ArgumentException>(() => m.Call(x, x, x, attnMask: Tensor.Zeros(3, 4)));
        Assert.Contains("attn_mask must be [4,4] or [4,4,4]", e.Message);
        e = Assert.Throws<ArgumentException>(() => m.Call(x, x, x, keyPaddingMask: Tensor.Zeros([4, 2], DType.Bool)));
        Assert.Contains("key_padding_mask must be [2,4]", e.Message);
        e = Assert.Throws<ArgumentException>(() => m.Call(Tensor.Zeros(4, 2, 6), x, x));
        Assert.Contains("MultiheadAttention", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiheadAttention(10, 3));
    }
}
