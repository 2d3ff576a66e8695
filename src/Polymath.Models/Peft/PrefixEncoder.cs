using System.Globalization;
using Polymath.Models.Gpt;

namespace Polymath.Models.Peft;

/// <summary>
/// Prefix tuning (Li and Liang 2021): P learned key and value vectors per layer and head that every position of the input
/// can attend to, as if P extra tokens came first. They enter through the GPT's key/value cache
/// (<see cref="GptKvCache.FromPrefix"/>), so the input's positions start at P, exactly as with PEFT's past_key_values.
/// The prefixes are trained directly (no reparameterisation MLP); they can start from the keys and values that real text
/// produces (<see cref="InitFromText"/>), which Li and Liang found trains better than random vectors.
/// </summary>
public sealed class PrefixEncoder : Module
{
    /// <summary>Creates prefixes of <paramref name="length"/> positions for a model of this configuration, ~ N(0, 0.02²).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is not positive or leaves no room in the context.</exception>
    public PrefixEncoder(GptConfig config, int length, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (length <= 0 || length >= config.ContextLength)
            throw new ArgumentOutOfRangeException(nameof(length), string.Create(CultureInfo.InvariantCulture, $"prefix tuning: the prefix length must be in 1..{config.ContextLength - 1} (the context is {config.ContextLength}), got {length}."));
        Length = length;
        Layers = config.Layers;
        Heads = config.Heads;
        HeadDim = config.EmbeddingDim / config.Heads;
        Keys = RegisterParameter("keys", Tensor.Zeros([Layers, Heads, length, HeadDim], dtype).NormalInPlace(0, 0.02, generator));
        Values = RegisterParameter("values", Tensor.Zeros([Layers, Heads, length, HeadDim], dtype).NormalInPlace(0, 0.02, generator));
    }

    /// <summary>Prefix positions P.</summary>
    public int Length { get; }

    /// <summary>Blocks.</summary>
    public int Layers { get; }

    /// <summary>Heads per block.</summary>
    public int Heads { get; }

    /// <summary>Width of one head.</summary>
    public int HeadDim { get; }

    /// <summary>[layers, heads, P, head].</summary>
    public Tensor Keys { get; private set; }

    /// <summary>[layers, heads, P, head].</summary>
    public Tensor Values { get; private set; }

    /// <summary>A cache holding the prefixes for a batch of <paramref name="batch"/> (views of the parameters: gradients reach them).</summary>
    public GptKvCache NewCache(int batch)
    {
        var ks = new Tensor[Layers];
        var vs = new Tensor[Layers];
        for (int i = 0; i < Layers; i++)
        {
            ks[i] = Keys.Select(0, i).Unsqueeze(0).Expand(batch, Heads, Length, HeadDim);
            vs[i] = Values.Select(0, i).Unsqueeze(0).Expand(batch, Heads, Length, HeadDim);
        }
        return GptKvCache.FromPrefix(ks, vs);
    }

    /// <summary>Sets the prefixes to the keys and values <paramref name="transformer"/> computes for <paramref name="ids"/> (P token ids).</summary>
    /// <exception cref="ArgumentException">The number of ids is not P.</exception>
    public void InitFromText(GptTransformer transformer, IReadOnlyList<long> ids)
    {
        if (ids.Count != Length)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"prefix tuning: initialising {Length} prefix positions needs {Length} token ids, got {ids.Count}."));
        bool wasTraining = transformer.Training;
        transformer.Eval();
        try
        {
            using var _ = Tensor.NoGrad();
            var cache = new GptKvCache(Layers);
            transformer.Forward(Tensor.From(ids.ToArray(), 1, Length), cache);
            for (int i = 0; i < Layers; i++)
            {
                Keys.Select(0, i).CopyFrom(cache.Keys(i)!.Select(0, 0).To(Keys.DType));
                Values.Select(0, i).CopyFrom(cache.Values(i)!.Select(0, 0).To(Values.DType));
            }
        }
        finally
        {
            transformer.Train(wasTraining);
        }
    }

    /// <inheritdoc/>
    protected override void OnParameterReplaced(string name, Tensor value)
    {
        if (name == "keys") Keys = value;
        else if (name == "values") Values = value;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => string.Create(CultureInfo.InvariantCulture, $"length={Length}, layers={Layers}, heads={Heads}");
}
