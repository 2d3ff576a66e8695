namespace Polymath.Models.Bert;

/// <summary>HF <c>BertAttention</c>: <c>self</c> (<see cref="BertSelfAttention"/>) then <c>output</c> (dense, dropout, LayerNorm with the residual).</summary>
public sealed class BertAttention : Module
{
    /// <summary>Creates the sub-layer.</summary>
    public BertAttention(BertConfig config, Generator? generator = null)
    {
        Self = RegisterModule("self", new BertSelfAttention(config, generator));
        Output = RegisterModule("output", new BertOutput(config.HiddenSize, config, generator));
    }

    /// <summary>The attention proper.</summary>
    public BertSelfAttention Self { get; }

    /// <summary>Output projection and post-norm.</summary>
    public BertOutput Output { get; }

    /// <summary>x [B, T, C] → LayerNorm(x + dropout(dense(attention(x)))).</summary>
    public Tensor Forward(Tensor x, Tensor? additiveMask) => Output.Forward(Self.Forward(x, additiveMask), x);
}
