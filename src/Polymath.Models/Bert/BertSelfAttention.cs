namespace Polymath.Models.Bert;

/// <summary>
/// Bidirectional multi-head self-attention (HF <c>BertSelfAttention</c>): separate <c>query</c>, <c>key</c> and <c>value</c>
/// Linear layers ([out, in] weights, as nn.Linear), softmax(q kᵀ/√d + mask) v per head, dropout on the weights. The heads'
/// outputs are concatenated; the output projection is in <see cref="BertOutput"/>.
/// </summary>
public sealed class BertSelfAttention : Module
{
    private readonly BertConfig _config;
    private readonly Generator? _generator;

    /// <summary>Creates the three projections.</summary>
    public BertSelfAttention(BertConfig config, Generator? generator = null)
    {
        _config = config;
        _generator = generator;
        Query = RegisterModule("query", new Linear(config.HiddenSize, config.HiddenSize, generator: generator));
        Key = RegisterModule("key", new Linear(config.HiddenSize, config.HiddenSize, generator: generator));
        Value = RegisterModule("value", new Linear(config.HiddenSize, config.HiddenSize, generator: generator));
    }

    /// <summary>Query projection.</summary>
    public Linear Query { get; }

    /// <summary>Key projection.</summary>
    public Linear Key { get; }

    /// <summary>Value projection.</summary>
    public Linear Value { get; }

    /// <summary>x [B, T, C] and an additive mask broadcastable to [B, H, T, T] (see <see cref="BertModel.ExtendedAttentionMask"/>) → [B, T, C].</summary>
    public Tensor Forward(Tensor x, Tensor? additiveMask)
    {
        int b = x.Size(0), t = x.Size(1), c = x.Size(2), h = _config.NumAttentionHeads, d = c / h;
        Tensor Heads(Linear proj) => proj.Call(x).Reshape(b, t, h, d).Transpose(1, 2); // [B, H, T, d]
        double dropout = Training ? _config.AttentionProbsDropoutProb : 0;
        var y = Attention.ScaledDotProductAttention(Heads(Query), Heads(Key), Heads(Value), additiveMask, dropout, generator: _generator);
        return y.Transpose(1, 2).Reshape(b, t, c);
    }
}
