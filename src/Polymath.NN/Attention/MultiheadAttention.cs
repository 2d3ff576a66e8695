namespace Polymath.NN;

/// <summary>
/// The input of <see cref="MultiheadAttention"/>, PyTorch's <c>forward(query, key, value, key_padding_mask, need_weights,
/// attn_mask, average_attn_weights, is_causal)</c>. Shapes are for batch_first = false; with batch_first the batch comes
/// first ([N, L, E]); unbatched inputs drop N.
/// </summary>
/// <param name="Query">[L, N, E].</param>
/// <param name="Key">[S, N, kdim].</param>
/// <param name="Value">[S, N, vdim].</param>
/// <param name="KeyPaddingMask">[N, S]: bool, true = ignore that key (padding); or floating, added to the scores.</param>
/// <param name="NeedWeights">Also return the attention weights.</param>
/// <param name="AttnMask">[L, S] or [N·num_heads, L, S]: bool, true = not allowed; or floating, added to the scores.</param>
/// <param name="AverageAttnWeights">Return weights averaged over heads ([N, L, S]) rather than per head ([N, num_heads, L, S]).</param>
/// <param name="IsCausal">Also hide every key after the query's position (a causal mask applied on top of AttnMask).</param>
public sealed record MultiheadAttentionInput(Tensor Query, Tensor Key, Tensor Value, Tensor? KeyPaddingMask = null, bool NeedWeights = true,
    Tensor? AttnMask = null, bool AverageAttnWeights = true, bool IsCausal = false);

/// <summary>What <see cref="MultiheadAttention"/> returns, PyTorch's <c>(attn_output, attn_output_weights)</c>.</summary>
/// <param name="Output">[L, N, E] ([N, L, E] with batch_first; [L, E] unbatched).</param>
/// <param name="Weights">[N, L, S] averaged, or [N, num_heads, L, S]; null unless weights were asked for.</param>
public sealed record MultiheadAttentionOutput(Tensor Output, Tensor? Weights);

/// <summary>
/// Multi-head attention, as PyTorch's nn.MultiheadAttention: project query, key and value, attend in num_heads heads of
/// embed_dim / num_heads features, concatenate and project out. Parameters as PyTorch: <c>in_proj_weight</c> [3E, E]
/// (or <c>q_proj_weight</c> [E, E], <c>k_proj_weight</c> [E, kdim], <c>v_proj_weight</c> [E, vdim] when kdim or vdim
/// differ from E), <c>in_proj_bias</c> [3E], <c>out_proj.weight</c> [E, E], <c>out_proj.bias</c> [E]. Initialised as
/// PyTorch: xavier-uniform input projections, zero biases, out_proj.weight as a Linear's.
/// </summary>
public sealed class MultiheadAttention : Module<MultiheadAttentionInput, MultiheadAttentionOutput>
{
    /// <summary>Creates the layer.</summary>
    /// <param name="embedDim">E: features of the query and the output.</param>
    /// <param name="numHeads">Heads; must divide E.</param>
    /// <param name="dropout">Dropout on the attention weights, training only.</param>
    /// <param name="bias">Whether the input and output projections have biases.</param>
    /// <param name="kdim">Features of the key (E when null).</param>
    /// <param name="vdim">Features of the value (E when null).</param>
    /// <param name="batchFirst">Inputs and output are [N, L, E].</param>
    /// <param name="dtype">Parameter type.</param>
    /// <param name="generator">Random source for the initialisation and dropout.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, num_heads does not divide E, or dropout is outside [0, 1].</exception>
    public MultiheadAttention(int embedDim, int numHeads, double dropout = 0, bool bias = true, int? kdim = null, int? vdim = null,
        bool batchFirst = false, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (embedDim <= 0 || numHeads <= 0 || embedDim % numHeads != 0)
            throw new ArgumentOutOfRangeException(nameof(numHeads), $"MultiheadAttention: embed_dim ({embedDim}) must be positive and divisible by num_heads ({numHeads}).");
        if (kdim is <= 0 || vdim is <= 0)
            throw new ArgumentOutOfRangeException(nameof(kdim), $"MultiheadAttention: kdim and vdim must be positive, got {kdim} and {vdim}.");
        if (dropout is < 0 or > 1 || double.IsNaN(dropout))
            throw new ArgumentOutOfRangeException(nameof(dropout), $"MultiheadAttention: dropout must be in [0, 1], got {dropout}.");
        EmbedDim = embedDim;
        NumHeads = numHeads;
        Dropout = dropout;
        KDim = kdim ?? embedDim;
        VDim = vdim ?? embedDim;
        BatchFirst = batchFirst;
        _generator = generator;
        if (SameEmbedDim)
        {
            RegisterParameter("in_proj_weight", XavierUniform([3 * embedDim, embedDim], dtype, generator));
            RegisterNullParameter("q_proj_weight");
            RegisterNullParameter("k_proj_weight");
            RegisterNullParameter("v_proj_weight");
        }
        else
        {
            RegisterNullParameter("in_proj_weight");
            RegisterParameter("q_proj_weight", XavierUniform([embedDim, embedDim], dtype, generator));
            RegisterParameter("k_proj_weight", XavierUniform([embedDim, KDim], dtype, generator));
            RegisterParameter("v_proj_weight", XavierUniform([embedDim, VDim], dtype, generator));
        }
        if (bias)
            RegisterParameter("in_proj_bias", Tensor.Zeros([3 * embedDim], dtype));
        else
            RegisterNullParameter("in_proj_bias");
        OutProj = RegisterModule("out_proj", new Linear(embedDim, embedDim, bias, dtype, generator));
        if (OutProj.Bias is { } ob)
            using (Tensor.NoGrad())
                ob.ZeroInPlace();
    }

    private readonly Generator? _generator;

    /// <summary>E: features of the query and the output.</summary>
    public int EmbedDim { get; }

    /// <summary>Number of heads.</summary>
    public int NumHeads { get; }

    /// <summary>Features per head (E / num_heads).</summary>
    public int HeadDim => EmbedDim / NumHeads;

    /// <summary>Dropout probability on the attention weights (training only).</summary>
    public double Dropout { get; }

    /// <summary>Features of the key.</summary>
    public int KDim { get; }

    /// <summary>Features of the value.</summary>
    public int VDim { get; }

    /// <summary>Inputs and output are [N, L, E].</summary>
    public bool BatchFirst { get; }

    /// <summary>The output projection (<c>out_proj.weight</c>, <c>out_proj.bias</c>).</summary>
    public Linear OutProj { get; }

    private bool SameEmbedDim => KDim == EmbedDim && VDim == EmbedDim;

    internal static Tensor XavierUniform(int[] shape, DType dtype, Generator? generator)
    {
        double bound = Math.Sqrt(6.0 / (shape[0] + shape[1]));
        return Tensor.Zeros(shape, dtype).UniformInPlace(-bound, bound, generator);
    }

    /// <summary>Shorthand for <c>Call(new MultiheadAttentionInput(...))</c> with PyTorch's argument order.</summary>
    public MultiheadAttentionOutput Call(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask = null, bool needWeights = true,
        Tensor? attnMask = null, bool averageAttnWeights = true, bool isCausal = false) =>
        Call(new MultiheadAttentionInput(query, key, value, keyPaddingMask, needWeights, attnMask, averageAttnWeights, isCausal));

    /// <summary>Runs the attention; see <see cref="MultiheadAttentionInput"/> for shapes and masks.</summary>
    /// <exception cref="ArgumentException">An input or mask has the wrong rank or size (the message names them all).</exception>
    public override MultiheadAttentionOutput Forward(MultiheadAttentionInput input)
    {
        var (query, key, value) = (input.Query, input.Key, input.Value);
        bool unbatched = query.Rank == 2;
        int rank = unbatched ? 2 : 3;
        if (query.Rank is not (2 or 3) || key.Rank != rank || value.Rank != rank)
            throw new ArgumentException($"MultiheadAttention: query, key and value must all be 3-D (batched) or 2-D (unbatched), got {ShapeText.Of(query)}, {ShapeText.Of(key)}, {ShapeText.Of(value)}.");
        if (query.Size(-1) != EmbedDim || key.Size(-1) != KDim || value.Size(-1) != VDim)
            throw new ArgumentException($"MultiheadAttention: expected features query {EmbedDim}, key {KDim}, value {VDim}; got query {ShapeText.Of(query)}, key {ShapeText.Of(key)}, value {ShapeText.Of(value)}.");
        // Work in [N, L, E].
        Tensor ToBatchFirst(Tensor t) => unbatched ? t.Unsqueeze(0) : BatchFirst ? t : t.Transpose(0, 1);
        var q = ToBatchFirst(query);
        var k = ToBatchFirst(key);
        var v = ToBatchFirst(value);
        int n = q.Size(0), l = q.Size(1), s = k.Size(1);
        if (k.Size(0) != n || v.Size(0) != n || v.Size(1) != s)
            throw new ArgumentException($"MultiheadAttention: batch sizes or key/value lengths differ: query {ShapeText.Of(query)}, key {ShapeText.Of(key)}, value {ShapeText.Of(value)}{(BatchFirst ? " (batch_first)" : "")}.");

        var bias = GetParameter("in_proj_bias");
        var e = EmbedDim;
        Tensor Project(Tensor x, int part, string separate)
        {
            var w = GetParameter("in_proj_weight") is { } packed ? packed.Narrow(0, part * e, e) : GetParameter(separate)!;
            return Functional.Linear(x, w, bias?.Narrow(0, part * e, e));
        }

        Tensor Heads(Tensor x, int len) => x.View(n, len, NumHeads, HeadDim).Transpose(1, 2);
        var qh = Heads(Project(q, 0, "q_proj_weight"), l);
        var kh = Heads(Project(k, 1, "k_proj_weight"), s);
        var vh = Heads(Project(v, 2, "v_proj_weight"), s);

        Tensor? maskedOut = null, additive = null;
        if (input.AttnMask is { } am)
        {
            Tensor m4;
            if (am.Rank == 2 && am.Size(0) == l && am.Size(1) == s)
                m4 = am;
            else if (am.Rank == 3 && am.Size(0) == n * NumHeads && am.Size(1) == l && am.Size(2) == s)
                m4 = am.Reshape(n, NumHeads, l, s);
            else
                throw new ArgumentException($"MultiheadAttention: attn_mask must be [{l},{s}] or [{n * NumHeads},{l},{s}] (N·num_heads, L, S), got {ShapeText.Of(am)}.");
            if (am.DType == DType.Bool) maskedOut = m4; else additive = m4;
        }
        if (input.KeyPaddingMask is { } kpm)
        {
            int[] expected = unbatched ? [s] : [n, s];
            if (!kpm.Shape.SequenceEqual(expected))
                throw new ArgumentException($"MultiheadAttention: key_padding_mask must be {ShapeText.Format(expected)} (batch, key positions), got {ShapeText.Of(kpm)}.");
            var k4 = kpm.Reshape(n, 1, 1, s);
            if (kpm.DType == DType.Bool)
                maskedOut = maskedOut is null ? k4 : maskedOut.LogicalOr(k4);
            else
                additive = additive is null ? k4 : additive + k4.To(additive.DType);
        }

        double p = Training ? Dropout : 0;
        var (attended, weights) = Attention.Attend("MultiheadAttention", qh, kh, vh, maskedOut, additive, input.IsCausal, p, null, _generator);
        var merged = attended.Transpose(1, 2).Reshape(n, l, e);
        var output = OutProj.Call(merged);
        output = unbatched ? output.Squeeze(0) : BatchFirst ? output : output.Transpose(0, 1);
        Tensor? w = null;
        if (input.NeedWeights)
        {
            w = input.AverageAttnWeights ? weights.Mean(1) : weights;
            if (unbatched)
                w = w.Squeeze(0);
        }
        return new MultiheadAttentionOutput(output, w);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"embed_dim={EmbedDim}, num_heads={NumHeads}" + (BatchFirst ? ", batch_first=True" : "");
}
