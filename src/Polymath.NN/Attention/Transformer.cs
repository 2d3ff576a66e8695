namespace Polymath.NN;

/// <summary>
/// A stack of N encoder blocks, as PyTorch's nn.TransformerEncoder: each is a copy of <c>encoderLayer</c> with its own
/// parameters (keys <c>layers.0.…</c>, <c>layers.1.…</c>), followed by an optional final norm (<c>norm.…</c>).
/// </summary>
public sealed class TransformerEncoder : Module<TransformerEncoderInput, Tensor>
{
    private readonly ModuleList<TransformerEncoderLayer> _layers;

    /// <summary>Creates the stack from copies of <paramref name="encoderLayer"/> (the template itself is not used).</summary>
    /// <exception cref="ArgumentOutOfRangeException">numLayers is not positive.</exception>
    public TransformerEncoder(TransformerEncoderLayer encoderLayer, int numLayers, LayerNorm? norm = null)
    {
        if (numLayers <= 0)
            throw new ArgumentOutOfRangeException(nameof(numLayers), $"TransformerEncoder: num_layers must be positive, got {numLayers}.");
        _layers = RegisterModule("layers", new ModuleList<TransformerEncoderLayer>(Enumerable.Range(0, numLayers).Select(_ => encoderLayer.Clone())));
        if (norm is not null)
            Norm = RegisterModule("norm", norm);
    }

    /// <summary>The blocks, in order.</summary>
    public IReadOnlyList<TransformerEncoderLayer> Layers => _layers;

    /// <summary>The final norm, or null.</summary>
    public LayerNorm? Norm { get; }

    /// <summary>Shorthand for <c>Call(new TransformerEncoderInput(src, mask, srcKeyPaddingMask, isCausal))</c>.</summary>
    public Tensor Call(Tensor src, Tensor? mask = null, Tensor? srcKeyPaddingMask = null, bool isCausal = false) =>
        Call(new TransformerEncoderInput(src, mask, srcKeyPaddingMask, isCausal));

    /// <summary>Runs every block with the same masks, then the final norm.</summary>
    public override Tensor Forward(TransformerEncoderInput input)
    {
        var x = input.Src;
        foreach (var layer in _layers)
            x = layer.Call(input with { Src = x });
        return Norm is null ? x : Norm.Call(x);
    }
}

/// <summary>
/// A stack of N decoder blocks, as PyTorch's nn.TransformerDecoder: copies of <c>decoderLayer</c> with their own
/// parameters (<c>layers.0.…</c>) and an optional final norm (<c>norm.…</c>).
/// </summary>
public sealed class TransformerDecoder : Module<TransformerDecoderInput, Tensor>
{
    private readonly ModuleList<TransformerDecoderLayer> _layers;

    /// <summary>Creates the stack from copies of <paramref name="decoderLayer"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">numLayers is not positive.</exception>
    public TransformerDecoder(TransformerDecoderLayer decoderLayer, int numLayers, LayerNorm? norm = null)
    {
        if (numLayers <= 0)
            throw new ArgumentOutOfRangeException(nameof(numLayers), $"TransformerDecoder: num_layers must be positive, got {numLayers}.");
        _layers = RegisterModule("layers", new ModuleList<TransformerDecoderLayer>(Enumerable.Range(0, numLayers).Select(_ => decoderLayer.Clone())));
        if (norm is not null)
            Norm = RegisterModule("norm", norm);
    }

    /// <summary>The blocks, in order.</summary>
    public IReadOnlyList<TransformerDecoderLayer> Layers => _layers;

    /// <summary>The final norm, or null.</summary>
    public LayerNorm? Norm { get; }

    /// <summary>Shorthand for <c>Call(new TransformerDecoderInput(...))</c> with PyTorch's argument order.</summary>
    public Tensor Call(Tensor tgt, Tensor memory, Tensor? tgtMask = null, Tensor? memoryMask = null, Tensor? tgtKeyPaddingMask = null,
        Tensor? memoryKeyPaddingMask = null, bool tgtIsCausal = false, bool memoryIsCausal = false) =>
        Call(new TransformerDecoderInput(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, tgtIsCausal, memoryIsCausal));

    /// <summary>Runs every block over the same memory and masks, then the final norm.</summary>
    public override Tensor Forward(TransformerDecoderInput input)
    {
        var x = input.Tgt;
        foreach (var layer in _layers)
            x = layer.Call(input with { Tgt = x });
        return Norm is null ? x : Norm.Call(x);
    }
}

/// <summary>
/// The input of <see cref="Transformer"/>, PyTorch's <c>forward(src, tgt, src_mask, tgt_mask, memory_mask,
/// src_key_padding_mask, tgt_key_padding_mask, memory_key_padding_mask, src_is_causal, tgt_is_causal, memory_is_causal)</c>.
/// </summary>
/// <param name="Src">[S, N, E] ([N, S, E] with batch_first).</param>
/// <param name="Tgt">[T, N, E] ([N, T, E] with batch_first).</param>
/// <param name="SrcMask">[S, S] encoder self-attention mask.</param>
/// <param name="TgtMask">[T, T] decoder self-attention mask (e.g. <see cref="Transformer.GenerateSquareSubsequentMask"/>).</param>
/// <param name="MemoryMask">[T, S] cross-attention mask.</param>
/// <param name="SrcKeyPaddingMask">[N, S]: true = padding.</param>
/// <param name="TgtKeyPaddingMask">[N, T]: true = padding.</param>
/// <param name="MemoryKeyPaddingMask">[N, S]: true = padding (usually the same as SrcKeyPaddingMask).</param>
/// <param name="SrcIsCausal">Causal encoder self-attention.</param>
/// <param name="TgtIsCausal">Causal decoder self-attention.</param>
/// <param name="MemoryIsCausal">Causal cross-attention.</param>
public sealed record TransformerInput(Tensor Src, Tensor Tgt, Tensor? SrcMask = null, Tensor? TgtMask = null, Tensor? MemoryMask = null,
    Tensor? SrcKeyPaddingMask = null, Tensor? TgtKeyPaddingMask = null, Tensor? MemoryKeyPaddingMask = null,
    bool SrcIsCausal = false, bool TgtIsCausal = false, bool MemoryIsCausal = false);

/// <summary>
/// The encoder-decoder transformer of "Attention Is All You Need", as PyTorch's nn.Transformer: an
/// <see cref="TransformerEncoder"/> (<c>encoder.…</c>) and a <see cref="TransformerDecoder"/> (<c>decoder.…</c>), each
/// with a final layer norm; every parameter of rank above 1 is re-initialised xavier-uniform, as PyTorch does.
/// </summary>
public sealed class Transformer : Module<TransformerInput, Tensor>
{
    /// <summary>Creates the model.</summary>
    /// <param name="dModel">E: features of inputs and outputs.</param>
    /// <param name="nhead">Attention heads.</param>
    /// <param name="numEncoderLayers">Encoder blocks.</param>
    /// <param name="numDecoderLayers">Decoder blocks.</param>
    /// <param name="dimFeedforward">Hidden features of the feed-forward networks.</param>
    /// <param name="dropout">Dropout probability (training only).</param>
    /// <param name="activation">"relu" or "gelu".</param>
    /// <param name="customEncoder">An encoder to use instead of the standard one.</param>
    /// <param name="customDecoder">A decoder to use instead of the standard one.</param>
    /// <param name="layerNormEps">Layer norm epsilon.</param>
    /// <param name="batchFirst">Inputs and output are [N, len, E].</param>
    /// <param name="normFirst">Pre-norm blocks.</param>
    /// <param name="bias">Whether the sublayers have biases.</param>
    /// <param name="dtype">Parameter type.</param>
    /// <param name="generator">Random source for the initialisation and dropout.</param>
    public Transformer(int dModel = 512, int nhead = 8, int numEncoderLayers = 6, int numDecoderLayers = 6, int dimFeedforward = 2048,
        double dropout = 0.1, string activation = "relu", TransformerEncoder? customEncoder = null, TransformerDecoder? customDecoder = null,
        double layerNormEps = 1e-5, bool batchFirst = false, bool normFirst = false, bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
    {
        DModel = dModel;
        NHead = nhead;
        BatchFirst = batchFirst;
        Encoder = RegisterModule("encoder", customEncoder ?? new TransformerEncoder(
            new TransformerEncoderLayer(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias, dtype, generator),
            numEncoderLayers, new LayerNorm(dModel, layerNormEps, bias: bias, dtype: dtype)));
        Decoder = RegisterModule("decoder", customDecoder ?? new TransformerDecoder(
            new TransformerDecoderLayer(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias, dtype, generator),
            numDecoderLayers, new LayerNorm(dModel, layerNormEps, bias: bias, dtype: dtype)));
        using (Tensor.NoGrad())
            foreach (var p in Parameters())
                if (p.Rank > 1)
                    p.CopyFrom(MultiheadAttention.XavierUniform(p.Shape, p.DType, generator));
    }

    /// <summary>E: features of inputs and outputs.</summary>
    public int DModel { get; }

    /// <summary>Attention heads.</summary>
    public int NHead { get; }

    /// <summary>Inputs and output are [N, len, E].</summary>
    public bool BatchFirst { get; }

    /// <summary>The encoder (<c>encoder.…</c>).</summary>
    public TransformerEncoder Encoder { get; }

    /// <summary>The decoder (<c>decoder.…</c>).</summary>
    public TransformerDecoder Decoder { get; }

    /// <summary>Shorthand for <c>Call(new TransformerInput(...))</c> with PyTorch's argument order.</summary>
    public Tensor Call(Tensor src, Tensor tgt, Tensor? srcMask = null, Tensor? tgtMask = null, Tensor? memoryMask = null,
        Tensor? srcKeyPaddingMask = null, Tensor? tgtKeyPaddingMask = null, Tensor? memoryKeyPaddingMask = null) =>
        Call(new TransformerInput(src, tgt, srcMask, tgtMask, memoryMask, srcKeyPaddingMask, tgtKeyPaddingMask, memoryKeyPaddingMask));

    /// <summary>Encodes the source and decodes the target against it; the output has the target's shape.</summary>
    /// <exception cref="ArgumentException">Source and target differ in batch size or features.</exception>
    public override Tensor Forward(TransformerInput input)
    {
        var (src, tgt) = (input.Src, input.Tgt);
        bool batched = src.Rank == 3;
        if (src.Rank != tgt.Rank || (batched && src.Size(BatchFirst ? 0 : 1) != tgt.Size(BatchFirst ? 0 : 1)))
            throw new ArgumentException($"Transformer: the batch number of src and tgt must be equal, got src {ShapeText.Of(src)} and tgt {ShapeText.Of(tgt)}{(BatchFirst ? " (batch_first)" : "")}.");
        if (src.Size(-1) != DModel || tgt.Size(-1) != DModel)
            throw new ArgumentException($"Transformer: the feature number of src and tgt must be d_model={DModel}, got src {ShapeText.Of(src)} and tgt {ShapeText.Of(tgt)}.");
        var memory = Encoder.Call(new TransformerEncoderInput(src, input.SrcMask, input.SrcKeyPaddingMask, input.SrcIsCausal));
        return Decoder.Call(new TransformerDecoderInput(tgt, memory, input.TgtMask, input.MemoryMask, input.TgtKeyPaddingMask,
            input.MemoryKeyPaddingMask, input.TgtIsCausal, input.MemoryIsCausal));
    }

    /// <summary>The [n, n] causal float mask (−∞ above the diagonal); see <see cref="Attention.GenerateSquareSubsequentMask"/>.</summary>
    public static Tensor GenerateSquareSubsequentMask(int n, DType dtype = DType.Float32) => Attention.GenerateSquareSubsequentMask(n, dtype);
}
