using System.Globalization;

namespace Polymath.Models.Gpt;

/// <summary>
/// A decoder-only Transformer language model laid out as Hugging Face's <c>GPT2LMHeadModel</c>: state-dict keys
/// <c>transformer.wte.weight</c>, <c>transformer.wpe.weight</c>, <c>transformer.h.N.ln_1.*</c>,
/// <c>transformer.h.N.attn.c_attn.*</c> (Conv1D, weight [in, out]), <c>…attn.c_proj.*</c>, <c>…ln_2.*</c>,
/// <c>…mlp.c_fc.*</c>, <c>…mlp.c_proj.*</c>, <c>transformer.ln_f.*</c>, and <c>lm_head.weight</c> only when
/// the output projection is not tied to the token embedding. Input: token ids [B, T] int64; output: logits [B, T, vocab].
/// </summary>
public sealed class GptModel : Module<Tensor, Tensor>
{
    /// <summary>Creates a randomly initialised model (GPT-2's initialisation).</summary>
    /// <exception cref="ArgumentException">An inconsistent configuration.</exception>
    public GptModel(GptConfig config, Generator? generator = null)
    {
        config.Validate();
        Config = config;
        Transformer = RegisterModule("transformer", new GptTransformer(config, generator));
        if (!config.TieWeights)
            LmHead = RegisterModule("lm_head", new Linear(config.EmbeddingDim, config.VocabSize, bias: false, generator: generator));
    }

    /// <summary>The configuration.</summary>
    public GptConfig Config { get; }

    /// <summary>Embeddings, blocks and the final norm.</summary>
    public GptTransformer Transformer { get; }

    /// <summary>The output projection when untied (null when it is the token embedding).</summary>
    public Linear? LmHead { get; }

    /// <inheritdoc/>
    public override string TypeName => "GPT2LMHeadModel";

    /// <summary>Token ids [B, T] → logits [B, T, vocab].</summary>
    public override Tensor Forward(Tensor input) => Forward(input, null);

    /// <summary>Token ids [B, T] continuing the cached sequence (when <paramref name="cache"/> is given) → logits [B, T, vocab].</summary>
    public Tensor Forward(Tensor ids, GptKvCache? cache)
    {
        var hidden = Transformer.Forward(ids, cache);
        return LmHead is not null ? LmHead.Call(hidden) : Functional.Linear(hidden, Transformer.Wte.Weight);
    }

    /// <summary>Mean next-token cross-entropy (nats per token) of ids [B, T] against targets [B, T].</summary>
    public Tensor Loss(Tensor ids, Tensor targets)
    {
        var logits = Forward(ids);
        return Losses.CrossEntropy(logits.Reshape(-1, Config.VocabSize), targets.Reshape(-1));
    }

    /// <summary>A fresh key/value cache for this model.</summary>
    public GptKvCache NewCache() => new(Config.Layers);

    /// <summary>
    /// Continues <paramref name="prompt"/> by <paramref name="maxNewTokens"/> tokens. The model sees at most the last
    /// <see cref="GptConfig.ContextLength"/> tokens: a longer prompt is cut to its end (callers should warn), and once
    /// the text outgrows the context the cache is rebuilt over the last window each step, so the result is the same
    /// as recomputing from scratch. Runs without gradients and in evaluation mode (restored afterwards).
    /// </summary>
    /// <returns>The prompt followed by the new tokens.</returns>
    /// <exception cref="ArgumentException">An empty prompt or an id outside the vocabulary.</exception>
    public long[] Generate(IReadOnlyList<long> prompt, int maxNewTokens, SamplingOptions? options = null, Action<long>? onToken = null)
    {
        options ??= new SamplingOptions();
        options.Validate();
        if (prompt.Count == 0)
            throw new ArgumentException("GPT generate: the prompt is empty; give at least one token.");
        foreach (var id in prompt)
            if ((ulong)id >= (ulong)Config.VocabSize)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"GPT generate: token id {id} in the prompt is outside 0..{Config.VocabSize - 1}."));
        var generator = new Generator(options.Seed);
        var tokens = new List<long>(prompt);
        bool wasTraining = Training;
        Eval();
        try
        {
            using var _ = Tensor.NoGrad();
            var cache = options.UseCache ? NewCache() : null;
            int window = Config.ContextLength;
            for (int step = 0; step < maxNewTokens; step++)
            {
                Tensor logits;
                if (cache is not null && cache.Length > 0 && cache.Length < window)
                    logits = Forward(Tensor.From([tokens[^1]], 1, 1), cache);
                else
                {
                    cache?.Clear();
                    int start = Math.Max(0, tokens.Count - window);
                    logits = Forward(Tensor.From(tokens.Skip(start).ToArray(), 1, tokens.Count - start), cache);
                }
                var last = logits.Select(1, logits.Size(1) - 1).Reshape(-1).Contiguous().ToArray();
                long next = TokenSampler.Sample(last, options, generator);
                tokens.Add(next);
                onToken?.Invoke(next);
            }
        }
        finally
        {
            Train(wasTraining);
        }
        return [.. tokens];
    }

    /// <summary>Number of parameters (a tied embedding counted once).</summary>
    public long ParameterCount() => Parameters().Sum(p => p.Numel);
}
