using System.Globalization;

namespace Polymath.Models.Seq2Seq;

/// <summary>
/// An encoder–decoder Transformer for translation ("Attention Is All You Need"), built from
/// <see cref="TransformerEncoderLayer"/> and <see cref="TransformerDecoderLayer"/> (batch first, pre- or post-norm).
/// Token embeddings are scaled by √d_model and added to sinusoidal or learned positions; source and target may share
/// one table (<c>embed.weight</c>, else <c>src_embed.weight</c> and <c>tgt_embed.weight</c>), and the output
/// projection may be the target table (else <c>out_proj.weight</c>). Training is teacher forcing
/// (<see cref="Loss"/>); decoding is incremental (<see cref="StartDecoding"/>, <see cref="Step"/>) with the memory's
/// cross-attention keys and values computed once and a self-attention key/value cache.
/// </summary>
public sealed class TransformerTranslator : Module
{
    // Added to attention scores of padded source positions: exp(−1e9) is exactly 0 in float32, and unlike −∞ it
    // cannot make 0·∞ NaNs.
    private const double PadScore = -1e9;
    private readonly Tensor? _sinusoid;
    private readonly Embedding? _posEmbed;
    private readonly Dropout _embedDropout;
    private readonly Linear? _outProj;
    private readonly Generator? _generator;
    private (int T, Tensor Mask)? _causal;

    /// <summary>Creates a randomly initialised model: xavier-uniform matrices in the blocks, N(0, d_model^−½) embeddings.</summary>
    /// <exception cref="ArgumentException">An inconsistent configuration.</exception>
    public TransformerTranslator(TranslationConfig config, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        _generator = generator;
        int d = config.DModel;
        if (config.ShareEmbeddings)
            SourceEmbedding = TargetEmbedding = RegisterModule("embed", new Embedding(config.SourceVocabSize, d, generator: generator));
        else
        {
            SourceEmbedding = RegisterModule("src_embed", new Embedding(config.SourceVocabSize, d, generator: generator));
            TargetEmbedding = RegisterModule("tgt_embed", new Embedding(config.TargetVocabSize, d, generator: generator));
        }
        if (config.Positions == TranslationPositions.Learned)
            _posEmbed = RegisterModule("pos_embed", new Embedding(config.MaxLength, d, generator: generator));
        else
            _sinusoid = Sinusoid(config.MaxLength, d);
        _embedDropout = RegisterModule("embed_dropout", new Dropout(config.Dropout, generator));
        Encoder = RegisterModule("encoder", new TransformerEncoder(
            new TransformerEncoderLayer(d, config.Heads, config.FeedForward, config.Dropout, config.Activation, batchFirst: true, normFirst: config.NormFirst, generator: generator),
            config.EncoderLayers, config.NormFirst ? new LayerNorm(d) : null));
        Decoder = RegisterModule("decoder", new TransformerDecoder(
            new TransformerDecoderLayer(d, config.Heads, config.FeedForward, config.Dropout, config.Activation, batchFirst: true, normFirst: config.NormFirst, generator: generator),
            config.DecoderLayers, config.NormFirst ? new LayerNorm(d) : null));
        if (!config.TieOutput)
            _outProj = RegisterModule("out_proj", new Linear(d, config.TargetVocabSize, bias: false, generator: generator));
        using (Tensor.NoGrad())
        {
            foreach (var p in Encoder.Parameters().Concat(Decoder.Parameters()))
                if (p.Rank == 2)
                {
                    double bound = Math.Sqrt(6.0 / (p.Size(0) + p.Size(1)));
                    p.UniformInPlace(-bound, bound, generator);
                }
            foreach (var e in new[] { SourceEmbedding, TargetEmbedding }.Distinct())
                e.Weight.NormalInPlace(0, 1 / Math.Sqrt(d), generator);
        }
    }

    /// <summary>The configuration.</summary>
    public TranslationConfig Config { get; }

    /// <summary>Source token table (the same object as <see cref="TargetEmbedding"/> when shared).</summary>
    public Embedding SourceEmbedding { get; }

    /// <summary>Target token table.</summary>
    public Embedding TargetEmbedding { get; }

    /// <summary>The encoder stack (final norm when pre-norm).</summary>
    public TransformerEncoder Encoder { get; }

    /// <summary>The decoder stack (final norm when pre-norm).</summary>
    public TransformerDecoder Decoder { get; }

    /// <summary>Number of parameters (a shared table counted once).</summary>
    public long ParameterCount() => Parameters().Sum(p => p.Numel);

    /// <summary>The [n, d] sine/cosine table: PE(p, 2i) = sin(p / 10000^(2i/d)), PE(p, 2i+1) = cos(same).</summary>
    public static Tensor Sinusoid(int n, int d)
    {
        var data = new float[n * d];
        for (int p = 0; p < n; p++)
            for (int i = 0; i < d; i += 2)
            {
                double angle = p / Math.Pow(10000, (double)i / d);
                data[p * d + i] = (float)Math.Sin(angle);
                if (i + 1 < d)
                    data[p * d + i + 1] = (float)Math.Cos(angle);
            }
        return Tensor.From(data, n, d);
    }

    private static string Fmt(Tensor t) => "[" + string.Join(",", t.Shape) + "]";

    private Tensor Embed(Embedding table, Tensor ids, int offset)
    {
        int t = ids.Size(1);
        if (offset + t > Config.MaxLength)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"TransformerTranslator: a sequence of {offset + t} tokens is longer than MaxLength {Config.MaxLength}."));
        var x = table.Call(ids) * Math.Sqrt(Config.DModel);
        var pos = _posEmbed is not null ? _posEmbed.Weight.Narrow(0, offset, t) : _sinusoid!.Narrow(0, offset, t);
        return _embedDropout.Call(x + pos);
    }

    private void CheckIds(Tensor ids, int vocab, string what)
    {
        if (ids.DType != DType.Int64 || ids.Rank != 2)
            throw new ArgumentException($"TransformerTranslator: {what} must be int64 token ids [batch, length], got {ids.DType} {Fmt(ids)}.");
        if (ids.Size(1) == 0)
            throw new ArgumentException($"TransformerTranslator: {what} is empty (length 0).");
        foreach (var id in ids.Contiguous().ToArray<long>())
            if ((ulong)id >= (ulong)vocab)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"TransformerTranslator: {what} holds token id {id}, outside 0..{vocab - 1}."));
    }

    /// <summary>Additive [B, 1, 1, S] mask of the padded source positions.</summary>
    private Tensor SourceMask(Tensor src) => src.Eq(Config.PadId).To(DType.Float32).Mul(PadScore).Reshape(src.Size(0), 1, 1, src.Size(1));

    /// <summary>Source ids [B, S] (padded with <see cref="TranslationConfig.PadId"/>) → memory [B, S, d_model] and the source's additive padding mask [B, 1, 1, S].</summary>
    /// <exception cref="ArgumentException">Not int64 [B, S], an id outside the vocabulary, or longer than MaxLength.</exception>
    public (Tensor Memory, Tensor MemoryMask) Encode(Tensor src)
    {
        CheckIds(src, Config.SourceVocabSize, "source");
        var mask = SourceMask(src);
        // Encoder layers take a [N, S] key padding mask; a float one is added to the scores as [N, 1, 1, S].
        var memory = Encoder.Call(Embed(SourceEmbedding, src, 0), srcKeyPaddingMask: mask.Reshape(src.Size(0), src.Size(1)));
        return (memory, mask);
    }

    private Tensor Project(Tensor h) => _outProj is not null ? _outProj.Call(h) : Functional.Linear(h, TargetEmbedding.Weight);

    private Tensor CausalMask(int t)
    {
        if (_causal is { } c && c.T == t)
            return c.Mask;
        var m = Attention.GenerateSquareSubsequentMask(t);
        _causal = (t, m);
        return m;
    }

    /// <summary>
    /// Teacher forcing: logits [B, T, target vocab] for every position of the decoder input <paramref name="tgtIn"/>
    /// (BOS followed by the target, shifted right), each seeing only earlier target tokens and the whole source.
    /// </summary>
    /// <exception cref="ArgumentException">Bad ids or shapes, or source and target batches that differ.</exception>
    public Tensor Logits(Tensor src, Tensor tgtIn)
    {
        CheckIds(tgtIn, Config.TargetVocabSize, "target");
        if (src.Rank == 2 && src.Size(0) != tgtIn.Size(0))
            throw new ArgumentException($"TransformerTranslator: source {Fmt(src)} and target {Fmt(tgtIn)} batches differ.");
        var (memory, mask) = Encode(src);
        int t = tgtIn.Size(1);
        // Later target positions never reach earlier ones (causal mask), so target padding, which only follows EOS,
        // needs no mask of its own; the loss ignores it.
        var h = Decoder.Call(Embed(TargetEmbedding, tgtIn, 0), memory, tgtMask: CausalMask(t),
            memoryKeyPaddingMask: mask.Reshape(src.Size(0), src.Size(1)));
        return Project(h);
    }

    /// <summary>
    /// Mean label-smoothed cross-entropy (nats per target token, padding ignored) of <paramref name="tgtOut"/> (the
    /// target followed by EOS, padded) given the source and the decoder input. <paramref name="labelSmoothing"/>
    /// overrides <see cref="TranslationConfig.LabelSmoothing"/> (0 gives the plain negative log-likelihood).
    /// </summary>
    public Tensor Loss(Tensor src, Tensor tgtIn, Tensor tgtOut, double? labelSmoothing = null)
    {
        if (!tgtOut.Shape.SequenceEqual(tgtIn.Shape))
            throw new ArgumentException($"TransformerTranslator.Loss: decoder input {Fmt(tgtIn)} and output {Fmt(tgtOut)} shapes differ.");
        var logits = Logits(src, tgtIn);
        return Losses.CrossEntropy(logits.Reshape(-1, Config.TargetVocabSize), tgtOut.Reshape(-1), ignoreIndex: Config.PadId,
            labelSmoothing: labelSmoothing ?? Config.LabelSmoothing);
    }

    /// <summary>
    /// Encodes the source and returns the state for incremental decoding: per decoder layer, the memory projected to
    /// cross-attention keys and values (done once here, not every step). Call in evaluation mode without gradients.
    /// </summary>
    public DecoderState StartDecoding(Tensor src)
    {
        var (memory, mask) = Encode(src);
        int b = memory.Size(0), s = memory.Size(1);
        var layers = Decoder.Layers;
        var ks = new Tensor[layers.Count];
        var vs = new Tensor[layers.Count];
        for (int l = 0; l < layers.Count; l++)
        {
            var attn = layers[l].MultiheadAttn;
            ks[l] = Heads(InProject(attn, memory, 1), b, s);
            vs[l] = Heads(InProject(attn, memory, 2), b, s);
        }
        return new DecoderState(mask, ks, vs);
    }

    private Tensor Heads(Tensor x, int b, int len) => x.View(b, len, Config.Heads, Config.DModel / Config.Heads).Transpose(1, 2);

    /// <summary>Part <paramref name="part"/> (0 query, 1 key, 2 value) of a MultiheadAttention's packed input projection.</summary>
    private Tensor InProject(MultiheadAttention attn, Tensor x, int part)
    {
        int e = Config.DModel;
        var w = attn.GetParameter("in_proj_weight")!.Narrow(0, part * e, e);
        var bias = attn.GetParameter("in_proj_bias")?.Narrow(0, part * e, e);
        return Functional.Linear(x, w, bias);
    }

    /// <summary>
    /// Feeds the next target tokens (one per row, [B]) and returns log-probabilities [B, target vocab] of the token
    /// after them. The first call takes BOS. Same numbers as <see cref="Logits"/> over the whole prefix, without
    /// recomputing it: each layer attends from the new position to its cached keys and values.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong number of tokens, an id outside the vocabulary, or past MaxLength.</exception>
    public Tensor Step(DecoderState state, IReadOnlyList<long> tokens)
    {
        ArgumentNullException.ThrowIfNull(state);
        int b = state.Batch, e = Config.DModel;
        if (tokens.Count != b)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"TransformerTranslator.Step: {tokens.Count} tokens for a batch of {b}."));
        var ids = Tensor.From(tokens.ToArray(), b, 1);
        CheckIds(ids, Config.TargetVocabSize, "target");
        var x = Embed(TargetEmbedding, ids, state.Length);
        var layers = Decoder.Layers;
        bool pre = Config.NormFirst;
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            // Self-attention: the new key and value join the cache; the new query sees all of it (no mask needed).
            var h = pre ? layer.Norm1.Call(x) : x;
            var q = Heads(InProject(layer.SelfAttn, h, 0), b, 1);
            var k = Heads(InProject(layer.SelfAttn, h, 1), b, 1);
            var v = Heads(InProject(layer.SelfAttn, h, 2), b, 1);
            state.SelfK[l] = state.SelfK[l] is { } ck ? Tensor.Cat([ck, k], 2) : k;
            state.SelfV[l] = state.SelfV[l] is { } cv ? Tensor.Cat([cv, v], 2) : v;
            var sa = layer.SelfAttn.OutProj.Call(Attention.ScaledDotProductAttention(q, state.SelfK[l]!, state.SelfV[l]!).Transpose(1, 2).Reshape(b, 1, e));
            x = pre ? x + sa : layer.Norm1.Call(x + sa);
            // Cross-attention over the cached memory projections.
            h = pre ? layer.Norm2.Call(x) : x;
            q = Heads(InProject(layer.MultiheadAttn, h, 0), b, 1);
            var ca = layer.MultiheadAttn.OutProj.Call(Attention.ScaledDotProductAttention(q, state.CrossK[l], state.CrossV[l], state.MemoryMask)
                .Transpose(1, 2).Reshape(b, 1, e));
            x = pre ? x + ca : layer.Norm2.Call(x + ca);
            h = pre ? layer.Norm3.Call(x) : x;
            var hidden = layer.Linear1.Call(h);
            hidden = layer.Activation == "gelu" ? hidden.Gelu() : hidden.Relu();
            var ff = layer.Linear2.Call(hidden);
            x = pre ? x + ff : layer.Norm3.Call(x + ff);
        }
        if (Decoder.Norm is { } norm)
            x = norm.Call(x);
        state.Length++;
        return Project(x).Reshape(b, Config.TargetVocabSize).LogSoftmax(-1);
    }
}
