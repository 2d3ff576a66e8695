namespace Polymath.Models.Gpt;

/// <summary>One pre-norm GPT-2 block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).</summary>
public sealed class GptBlock : Module
{
    /// <summary>Creates the block.</summary>
    public GptBlock(GptConfig config, RotaryEmbedding? rotary, Generator? generator = null)
    {
        Ln1 = RegisterModule("ln_1", new LayerNorm(config.EmbeddingDim, config.LayerNormEps));
        Attn = RegisterModule("attn", new CausalSelfAttention(config, rotary, generator));
        Ln2 = RegisterModule("ln_2", new LayerNorm(config.EmbeddingDim, config.LayerNormEps));
        Mlp = RegisterModule("mlp", new GptMlp(config, generator));
    }

    /// <summary>Norm before attention.</summary>
    public LayerNorm Ln1 { get; }

    /// <summary>Causal self-attention.</summary>
    public CausalSelfAttention Attn { get; }

    /// <summary>Norm before the MLP.</summary>
    public LayerNorm Ln2 { get; }

    /// <summary>The MLP.</summary>
    public GptMlp Mlp { get; }

    /// <summary>x [B, T, C] → [B, T, C].</summary>
    public Tensor Forward(Tensor x, GptKvCache? cache, int layer, int past)
    {
        x = x + Attn.Forward(Ln1.Call(x), cache, layer, past);
        return x + Mlp.Call(Ln2.Call(x));
    }
}
