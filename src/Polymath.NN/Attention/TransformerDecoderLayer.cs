namespace Polymath.NN;

/// <summary>
/// The input of <see cref="TransformerDecoderLayer"/> and <see cref="TransformerDecoder"/>, PyTorch's
/// <c>forward(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask, tgt_is_causal, memory_is_causal)</c>.
/// </summary>
/// <param name="Tgt">[T, N, E] ([N, T, E] with batch_first; [T, E] unbatched).</param>
/// <param name="Memory">[S, N, E]: the encoder's output.</param>
/// <param name="TgtMask">[T, T] or [N·nhead, T, T] self-attention mask: bool, true = not allowed; or floating, added.</param>
/// <param name="MemoryMask">[T, S] or [N·nhead, T, S] cross-attention mask.</param>
/// <param name="TgtKeyPaddingMask">[N, T]: true = padding.</param>
/// <param name="MemoryKeyPaddingMask">[N, S]: true = padding.</param>
/// <param name="TgtIsCausal">Also hide later target positions in self-attention.</param>
/// <param name="MemoryIsCausal">Also hide later memory positions in cross-attention.</param>
public sealed record TransformerDecoderInput(Tensor Tgt, Tensor Memory, Tensor? TgtMask = null, Tensor? MemoryMask = null,
    Tensor? TgtKeyPaddingMask = null, Tensor? MemoryKeyPaddingMask = null, bool TgtIsCausal = false, bool MemoryIsCausal = false);

/// <summary>
/// One transformer decoder block, as PyTorch's nn.TransformerDecoderLayer: self-attention, cross-attention over the
/// memory, and a feed-forward network, each with dropout, a residual connection and layer norm (after, or before with
/// norm_first). Submodules: <c>self_attn</c>, <c>multihead_attn</c>, <c>linear1</c>, <c>dropout</c>, <c>linear2</c>,
/// <c>norm1</c>, <c>norm2</c>, <c>norm3</c>, <c>dropout1</c>, <c>dropout2</c>, <c>dropout3</c>.
/// </summary>
public sealed class TransformerDecoderLayer : TransformerLayerBase<TransformerDecoderInput>
{
    /// <summary>Creates the block (parameters as <see cref="TransformerEncoderLayer"/>).</summary>
    /// <param name="dModel">E: features of the input, memory and output.</param>
    /// <param name="nhead">Attention heads (must divide E).</param>
    /// <param name="dimFeedforward">Hidden features of the feed-forward network.</param>
    /// <param name="dropout">Dropout probability (training only).</param>
    /// <param name="activation">"relu" or "gelu".</param>
    /// <param name="layerNormEps">Layer norm epsilon.</param>
    /// <param name="batchFirst">Inputs and output are [N, T, E].</param>
    /// <param name="normFirst">Pre-norm instead of post-norm.</param>
    /// <param name="bias">Whether the sublayers have biases.</param>
    /// <param name="dtype">Parameter type.</param>
    /// <param name="generator">Random source for the initialisation and dropout.</param>
    /// <exception cref="ArgumentException">Unknown activation.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, nhead does not divide dModel, or dropout is outside [0, 1].</exception>
    public TransformerDecoderLayer(int dModel, int nhead, int dimFeedforward = 2048, double dropout = 0.1, string activation = "relu",
        double layerNormEps = 1e-5, bool batchFirst = false, bool normFirst = false, bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
        : base("TransformerDecoderLayer", dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias, dtype, generator)
    {
        SelfAttn = RegisterAttention("self_attn");
        MultiheadAttn = RegisterAttention("multihead_attn");
        RegisterFeedForward();
        Norm1 = RegisterNorm("norm1");
        Norm2 = RegisterNorm("norm2");
        Norm3 = RegisterNorm("norm3");
        Dropout1 = RegisterDropout("dropout1");
        Dropout2 = RegisterDropout("dropout2");
        Dropout3 = RegisterDropout("dropout3");
    }

    /// <summary>Self-attention over the target (<c>self_attn</c>).</summary>
    public MultiheadAttention SelfAttn { get; }

    /// <summary>Cross-attention from the target to the memory (<c>multihead_attn</c>).</summary>
    public MultiheadAttention MultiheadAttn { get; }

    /// <summary>Norm of the self-attention sublayer.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>Norm of the cross-attention sublayer.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>Norm of the feed-forward sublayer.</summary>
    public LayerNorm Norm3 { get; }

    /// <summary>Dropout on the self-attention branch.</summary>
    public Dropout Dropout1 { get; }

    /// <summary>Dropout on the cross-attention branch.</summary>
    public Dropout Dropout2 { get; }

    /// <summary>Dropout on the feed-forward branch.</summary>
    public Dropout Dropout3 { get; }

    /// <summary>Shorthand for <c>Call(new TransformerDecoderInput(...))</c> with PyTorch's argument order.</summary>
    public Tensor Call(Tensor tgt, Tensor memory, Tensor? tgtMask = null, Tensor? memoryMask = null, Tensor? tgtKeyPaddingMask = null,
        Tensor? memoryKeyPaddingMask = null, bool tgtIsCausal = false, bool memoryIsCausal = false) =>
        Call(new TransformerDecoderInput(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, tgtIsCausal, memoryIsCausal));

    /// <summary>Runs the block; the output has the target's shape.</summary>
    /// <exception cref="ArgumentException">The target, memory or a mask has the wrong shape.</exception>
    public override Tensor Forward(TransformerDecoderInput input)
    {
        var x = input.Tgt;
        var mem = input.Memory;
        if (x.Rank is not (2 or 3) || x.Size(-1) != DModel || mem.Rank != x.Rank || mem.Size(-1) != DModel)
            throw new ArgumentException($"TransformerDecoderLayer: expected tgt and memory [len, N, {DModel}]{(BatchFirst ? " (batch_first: [N, len, " + DModel + "])" : "")} or [len, {DModel}], got tgt {ShapeText.Of(x)} and memory {ShapeText.Of(mem)}.");
        Tensor SelfBlock(Tensor h) => Dropout1.Call(SelfAttn.Call(h, h, h, input.TgtKeyPaddingMask, needWeights: false, attnMask: input.TgtMask, isCausal: input.TgtIsCausal).Output);
        Tensor CrossBlock(Tensor h) => Dropout2.Call(MultiheadAttn.Call(h, mem, mem, input.MemoryKeyPaddingMask, needWeights: false, attnMask: input.MemoryMask, isCausal: input.MemoryIsCausal).Output);
        if (NormFirst)
        {
            x = x + SelfBlock(Norm1.Call(x));
            x = x + CrossBlock(Norm2.Call(x));
            return x + Dropout3.Call(FeedForward(Norm3.Call(x)));
        }
        x = Norm1.Call(x + SelfBlock(x));
        x = Norm2.Call(x + CrossBlock(x));
        return Norm3.Call(x + Dropout3.Call(FeedForward(x)));
    }

    /// <summary>A new layer with the same configuration and a copy of this one's parameters.</summary>
    public TransformerDecoderLayer Clone() => CopyInto(new TransformerDecoderLayer(DModel, NHead, DimFeedforward, DropoutP, Activation,
        LayerNormEps, BatchFirst, NormFirst, HasBias, ParameterType, Generator));
}
