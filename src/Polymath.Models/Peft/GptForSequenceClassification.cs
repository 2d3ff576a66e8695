using System.Globalization;
using Polymath.Models.Gpt;

namespace Polymath.Models.Peft;

/// <summary>How <see cref="GptForSequenceClassification"/> turns the hidden states of a sequence into one vector.</summary>
public enum Pooling
{
    /// <summary>The hidden state of the last real token (Hugging Face's GPT2ForSequenceClassification): under causal attention it has seen the whole input.</summary>
    Last,

    /// <summary>The mean of the hidden states of the real tokens.</summary>
    Mean,
}

/// <summary>
/// A GPT body with a linear classification head (<c>score</c>, as Hugging Face's GPT2ForSequenceClassification) on the pooled
/// hidden state. Sequences of different lengths are padded on the right; causal attention keeps padding from reaching
/// the real tokens, and pooling uses only positions below each length. With a <see cref="PrefixEncoder"/> attached
/// (<c>prefix_encoder</c>) every layer also attends to the learned prefix.
/// </summary>
public sealed class GptForSequenceClassification : Module
{
    /// <summary>A classifier over <paramref name="transformer"/> (shared, not copied) with a fresh head.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than two labels.</exception>
    public GptForSequenceClassification(GptTransformer transformer, GptConfig config, int numLabels, Pooling pooling = Pooling.Last, Generator? generator = null)
    {
        if (numLabels < 2)
            throw new ArgumentOutOfRangeException(nameof(numLabels), string.Create(CultureInfo.InvariantCulture, $"classifier: need at least 2 labels, got {numLabels}."));
        Config = config;
        NumLabels = numLabels;
        Pooling = pooling;
        Transformer = RegisterModule("transformer", transformer);
        var dtype = transformer.Wte.Weight.DType;
        Score = RegisterModule("score", new Linear(config.EmbeddingDim, numLabels, dtype: dtype, generator: generator));
        using (Tensor.NoGrad())
        {
            Score.Weight.NormalInPlace(0, 0.02, generator);
            Score.Bias!.ZeroInPlace();
        }
    }

    /// <summary>The body's configuration.</summary>
    public GptConfig Config { get; }

    /// <summary>Classes.</summary>
    public int NumLabels { get; }

    /// <summary>How hidden states are pooled.</summary>
    public Pooling Pooling { get; }

    /// <summary>The GPT body.</summary>
    public GptTransformer Transformer { get; }

    /// <summary>The head, embd → labels.</summary>
    public Linear Score { get; }

    /// <summary>Learned prefixes (null unless <see cref="AddPrefix"/> was called).</summary>
    public PrefixEncoder? Prefix { get; private set; }

    /// <summary>Longest input in tokens: the context minus the prefix.</summary>
    public int MaxInputLength => Config.ContextLength - (Prefix?.Length ?? 0);

    /// <inheritdoc/>
    public override string TypeName => "GPT2ForSequenceClassification";

    /// <summary>Attaches prefix tuning (registered as <c>prefix_encoder</c>).</summary>
    /// <exception cref="InvalidOperationException">A prefix is already attached.</exception>
    public PrefixEncoder AddPrefix(PrefixEncoder prefix)
    {
        if (Prefix is not null)
            throw new InvalidOperationException("classifier: a prefix encoder is already attached.");
        return Prefix = RegisterModule("prefix_encoder", prefix);
    }

    /// <summary>Token ids [B, T] (right-padded) with each row's real length → logits [B, labels].</summary>
    /// <exception cref="ArgumentException">Lengths do not match the batch, a length is outside 1..T, or T exceeds <see cref="MaxInputLength"/>.</exception>
    public Tensor Forward(Tensor ids, IReadOnlyList<int> lengths)
    {
        if (ids.Rank != 2)
            throw new ArgumentException($"classifier: expected token ids [B, T], got [{string.Join(",", ids.Shape)}].");
        int b = ids.Size(0), t = ids.Size(1), c = Config.EmbeddingDim;
        if (lengths.Count != b)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"classifier: {lengths.Count} lengths for a batch of {b}."));
        for (int i = 0; i < b; i++)
            if (lengths[i] < 1 || lengths[i] > t)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"classifier: row {i} has length {lengths[i]}, outside 1..{t}."));
        if (t > MaxInputLength)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"classifier: {t} tokens do not fit: the context is {Config.ContextLength}{(Prefix is null ? "" : $" and the prefix takes {Prefix.Length}")}."));
        var hidden = Transformer.Forward(ids, Prefix?.NewCache(b)); // [B, T, C]
        Tensor pooled;
        if (Pooling == Pooling.Last)
        {
            var index = new long[b];
            for (int i = 0; i < b; i++)
                index[i] = (long)i * t + lengths[i] - 1;
            pooled = hidden.Reshape(b * t, c).IndexSelect(0, Tensor.From(index, b));
        }
        else
        {
            var weights = new double[b * t];
            for (int i = 0; i < b; i++)
                for (int j = 0; j < lengths[i]; j++)
                    weights[i * t + j] = 1.0 / lengths[i];
            pooled = (hidden * Tensor.From(weights, b, t, 1).To(hidden.DType)).Sum(1);
        }
        return Score.Call(pooled);
    }

    /// <summary>
    /// Freezing: trains only the head, the last <paramref name="lastBlocks"/> blocks and (when any block trains) the final
    /// norm; everything else is frozen. 0 is a linear probe.
    /// </summary>
    public void FreezeBackbone(int lastBlocks = 0)
    {
        int first = Config.Layers - Math.Clamp(lastBlocks, 0, Config.Layers);
        var keep = new List<string> { "score" };
        for (int i = first; i < Config.Layers; i++)
            keep.Add($"transformer.h.{i}");
        if (lastBlocks > 0)
            keep.Add("transformer.ln_f");
        Lora.FreezeAllBut(this, _ => false, keep);
    }
}
