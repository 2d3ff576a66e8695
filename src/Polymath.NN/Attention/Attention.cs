namespace Polymath.NN;

/// <summary>
/// Attention as functions: PyTorch's <c>F.scaled_dot_product_attention</c> and the causal-mask helper. The modules
/// (<see cref="MultiheadAttention"/>, the transformer layers) are built on the same core.
/// </summary>
public static class Attention
{
    /// <summary>
    /// softmax(q kᵀ · scale + mask) v, as PyTorch's <c>F.scaled_dot_product_attention</c>.
    /// </summary>
    /// <param name="query">[..., L, E].</param>
    /// <param name="key">[..., S, E].</param>
    /// <param name="value">[..., S, Ev].</param>
    /// <param name="attnMask">
    /// Broadcastable to [..., L, S]. Bool: <b>true where attention is allowed</b> (PyTorch's convention for this
    /// function; <see cref="MultiheadAttention"/> masks use true = ignore). Floating: added to the scores.
    /// </param>
    /// <param name="dropoutP">Dropout probability on the attention weights (applied whenever positive, as PyTorch).</param>
    /// <param name="isCausal">Also mask every key after the query's position (j &gt; i, top-left aligned).</param>
    /// <param name="scale">Score scale; 1/√E when null.</param>
    /// <param name="generator">Random source for dropout.</param>
    /// <returns>[..., L, Ev].</returns>
    /// <exception cref="ArgumentException">Ranks below 2, or mismatched feature or sequence sizes.</exception>
    public static Tensor ScaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? attnMask = null, double dropoutP = 0,
        bool isCausal = false, double? scale = null, Generator? generator = null)
    {
        Tensor? masked = null, additive = null;
        if (attnMask is not null)
        {
            if (attnMask.DType == DType.Bool) masked = attnMask.LogicalNot();
            else additive = attnMask;
        }
        return Attend("scaled_dot_product_attention", query, key, value, masked, additive, isCausal, dropoutP, scale, generator).Output;
    }

    /// <summary>
    /// An [n, n] float mask with −∞ above the diagonal and 0 elsewhere, as PyTorch's
    /// <c>nn.Transformer.generate_square_subsequent_mask</c>: added to attention scores it stops position i from seeing j &gt; i.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n is negative.</exception>
    public static Tensor GenerateSquareSubsequentMask(int n, DType dtype = DType.Float32)
    {
        if (n < 0)
            throw new ArgumentOutOfRangeException(nameof(n), $"generate_square_subsequent_mask: size must be non-negative, got {n}.");
        var data = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                data[i * n + j] = double.NegativeInfinity;
        return Tensor.From(data, n, n).To(dtype);
    }

    /// <summary>A bool [l, s] mask that is true where key j comes after query i (the positions causal attention hides).</summary>
    internal static Tensor CausalMaskedOut(int l, int s)
    {
        var data = new bool[l * s];
        for (int i = 0; i < l; i++)
            for (int j = i + 1; j < s; j++)
                data[i * s + j] = true;
        return Tensor.From(data, l, s);
    }

    /// <summary>
    /// The shared core: scores = q kᵀ · scale, −∞ where <paramref name="maskedOut"/> is true, plus
    /// <paramref name="additive"/>, softmax over keys, optional dropout, times v. Returns the output and the weights.
    /// </summary>
    internal static (Tensor Output, Tensor Weights) Attend(string op, Tensor q, Tensor k, Tensor v, Tensor? maskedOut, Tensor? additive,
        bool isCausal, double dropoutP, double? scale, Generator? generator)
    {
        if (q.Rank < 2 || k.Rank < 2 || v.Rank < 2)
            throw new ArgumentException($"{op}: query, key and value need at least 2 dims, got {ShapeText.Of(q)}, {ShapeText.Of(k)}, {ShapeText.Of(v)}.");
        if (q.Size(-1) != k.Size(-1))
            throw new ArgumentException($"{op}: query {ShapeText.Of(q)} and key {ShapeText.Of(k)} must have the same last dim.");
        if (k.Size(-2) != v.Size(-2))
            throw new ArgumentException($"{op}: key {ShapeText.Of(k)} and value {ShapeText.Of(v)} must have the same number of positions (dim -2).");
        int l = q.Size(-2), s = k.Size(-2);
        var scores = q.MatMul(k.Transpose(-2, -1)) * (scale ?? 1.0 / Math.Sqrt(q.Size(-1)));
        if (isCausal)
            maskedOut = maskedOut is null ? CausalMaskedOut(l, s) : maskedOut.LogicalOr(CausalMaskedOut(l, s));
        if (maskedOut is not null)
            scores = scores.MaskedFill(maskedOut, double.NegativeInfinity);
        if (additive is not null)
            scores = scores + additive.To(scores.DType);
        var weights = scores.Softmax(-1);
        if (dropoutP > 0)
            weights = Functional.Dropout(weights, dropoutP, training: true, generator);
        return (weights.MatMul(v), weights);
    }
}
