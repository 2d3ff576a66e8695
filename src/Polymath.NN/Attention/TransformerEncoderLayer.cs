namespace Polymath.NN;

/// <summary>
/// The input of <see cref="TransformerEncoderLayer"/> and <see cref="TransformerEncoder"/>, PyTorch's
/// <c>forward(src, mask, src_key_padding_mask, is_causal)</c>. A plain tensor converts implicitly.
/// </summary>
/// <param name="Src">[S, N, E] ([N, S, E] with batch_first; [S, E] unbatched).</param>
/// <param name="Mask">[S, S] or [N·nhead, S, S] attention mask: bool, true = not allowed; or floating, added to the scores.</param>
/// <param name="KeyPaddingMask">[N, S]: true = padding (ignored as a key).</param>
/// <param name="IsCausal">Also hide later positions (a causal mask on top of Mask).</param>
public sealed record TransformerEncoderInput(Tensor Src, Tensor? Mask = null, Tensor? KeyPaddingMask = null, bool IsCausal = false)
{
    /// <summary>A sequence with no masks.</summary>
    public static implicit operator TransformerEncoderInput(Tensor src) => new(src);
}

/// <summary>
/// One transformer encoder block, as PyTorch's nn.TransformerEncoderLayer: self-attention and a feed-forward network
/// (linear1 → activation → dropout → linear2), each with dropout and a residual connection, and layer norm after
/// (post-norm, the default) or before (norm_first) each. Submodules, for state-dict keys: <c>self_attn</c>,
/// <c>linear1</c>, <c>dropout</c>, <c>linear2</c>, <c>norm1</c>, <c>norm2</c>, <c>dropout1</c>, <c>dropout2</c>.
/// </summary>
public sealed class TransformerEncoderLayer : TransformerLayerBase<TransformerEncoderInput>
{
    /// <summary>Creates the block.</summary>
    /// <param name="dModel">E: features of the input and output.</param>
    /// <param name="nhead">Attention heads (must divide E).</param>
    /// <param name="dimFeedforward">Hidden features of the feed-forward network.</param>
    /// <param name="dropout">Dropout probability (attention weights, feed-forward and residual branches; training only).</param>
    /// <param name="activation">"relu" or "gelu" (exact, erf-based).</param>
    /// <param name="layerNormEps">Layer norm epsilon.</param>
    /// <param name="batchFirst">Inputs and output are [N, S, E].</param>
    /// <param name="normFirst">Pre-norm: normalise before attention and feed-forward instead of after the residual add.</param>
    /// <param name="bias">Whether the linear layers, attention projections and layer norms have biases.</param>
    /// <param name="dtype">Parameter type.</param>
    /// <param name="generator">Random source for the initialisation and dropout.</param>
    /// <exception cref="ArgumentException">Unknown activation.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, nhead does not divide dModel, or dropout is outside [0, 1].</exception>
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward = 2048, double dropout = 0.1, string activation = "relu",
        double layerNormEps = 1e-5, bool batchFirst = false, bool normFirst = false, bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
        : base("TransformerEncoderLayer", dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias, dtype, generator)
    {
        SelfAttn = RegisterAttention("self_attn");
        RegisterFeedForward();
        Norm1 = RegisterNorm("norm1");
        Norm2 = RegisterNorm("norm2");
        Dropout1 = RegisterDropout("dropout1");
        Dropout2 = RegisterDropout("dropout2");
    }

    /// <summary>Self-attention (<c>self_attn</c>).</summary>
    public MultiheadAttention SelfAttn { get; }

    /// <summary>Norm of the attention sublayer.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>Norm of the feed-forward sublayer.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>Dropout on the attention branch.</summary>
    public Dropout Dropout1 { get; }

    /// <summary>Dropout on the feed-forward branch.</summary>
    public Dropout Dropout2 { get; }

    /// <summary>Shorthand for <c>Call(new TransformerEncoderInput(src, mask, srcKeyPaddingMask, isCausal))</c>.</summary>
    public Tensor Call(Tensor src, Tensor? mask = null, Tensor? srcKeyPaddingMask = null, bool isCausal = false) =>
        Call(new TransformerEncoderInput(src, mask, srcKeyPaddingMask, isCausal));

    /// <summary>Runs the block; the output has the input's shape.</summary>
    /// <exception cref="ArgumentException">The input or a mask has the wrong shape.</exception>
    public override Tensor Forward(TransformerEncoderInput input)
    {
        var x = input.Src;
        if (x.Rank is not (2 or 3) || x.Size(-1) != DModel)
            throw new ArgumentException($"TransformerEncoderLayer: expected src [S, N, {DModel}]{(BatchFirst ? " (batch_first: [N, S, " + DModel + "])" : "")} or [S, {DModel}], got {ShapeText.Of(x)}.");
        Tensor SelfAttention(Tensor h) => Dropout1.Call(SelfAttn.Call(h, h, h, input.KeyPaddingMask, needWeights: false, attnMask: input.Mask, isCausal: input.IsCausal).Output);
        if (NormFirst)
        {
            x = x + SelfAttention(Norm1.Call(x));
            return x + Dropout2.Call(FeedForward(Norm2.Call(x)));
        }
        x = Norm1.Call(x + SelfAttention(x));
        return Norm2.Call(x + Dropout2.Call(FeedForward(x)));
    }

    /// <summary>A new layer with the same configuration and a copy of this one's parameters (PyTorch's deepcopy in TransformerEncoder).</summary>
    public TransformerEncoderLayer Clone() => CopyInto(new TransformerEncoderLayer(DModel, NHead, DimFeedforward, DropoutP, Activation,
        LayerNormEps, BatchFirst, NormFirst, HasBias, ParameterType, Generator));
}
