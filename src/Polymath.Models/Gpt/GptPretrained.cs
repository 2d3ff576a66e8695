namespace Polymath.Models.Gpt;

/// <summary>
/// Builds a <see cref="GptModel"/> from a Hugging Face GPT-2 state dict (as read from <c>model.safetensors</c>): keys
/// with or without the <c>transformer.</c> prefix, the causal-mask buffers <c>attn.bias</c> / <c>attn.masked_bias</c>
/// of older checkpoints ignored, and a tied <c>lm_head.weight</c> dropped. Sizes are read from the tensor shapes.
/// </summary>
public static class GptPretrained
{
    /// <summary>The model, with every weight from <paramref name="state"/>.</summary>
    /// <param name="state">Tensor name → tensor.</param>
    /// <param name="heads">Attention heads (not recoverable from shapes); null: embd / 64, as every GPT-2 size.</param>
    /// <param name="layerNormEps">GPT-2's 1e-5 unless the checkpoint says otherwise.</param>
    /// <exception cref="InvalidDataException">Keys are missing or unexpected, or shapes do not fit (all listed).</exception>
    public static GptModel FromHuggingFace(IReadOnlyDictionary<string, Tensor> state, int? heads = null, double layerNormEps = 1e-5)
    {
        var normalized = Normalize(state);
        if (!normalized.TryGetValue("transformer.wte.weight", out var wte) || wte.Rank != 2)
            throw new InvalidDataException("GPT-2 checkpoint: no 'wte.weight' [vocab, embd] (with or without the 'transformer.' prefix); is this a GPT-2 state dict?");
        int vocab = wte.Size(0), embd = wte.Size(1);
        int layers = 0;
        while (normalized.ContainsKey($"transformer.h.{layers}.ln_1.weight"))
            layers++;
        bool learned = normalized.TryGetValue("transformer.wpe.weight", out var wpe);
        bool tied = !normalized.ContainsKey("lm_head.weight");
        var config = new GptConfig
        {
            VocabSize = vocab,
            EmbeddingDim = embd,
            Layers = Math.Max(1, layers),
            Heads = heads ?? Math.Max(1, embd / 64),
            ContextLength = learned ? wpe!.Size(0) : 1024,
            Positions = learned ? PositionEncoding.Learned : PositionEncoding.Rotary,
            TieWeights = tied,
            LayerNormEps = layerNormEps,
            InnerDim = normalized.TryGetValue("transformer.h.0.mlp.c_fc.weight", out var fc) ? fc.Size(1) : null,
        };
        var model = new GptModel(config, new Generator(0));
        var own = model.StateDict();
        var problems = new List<string>();
        problems.AddRange(own.Keys.Where(k => !normalized.ContainsKey(k)).Select(k => $"missing: {k}"));
        problems.AddRange(normalized.Keys.Where(k => !own.ContainsKey(k)).Select(k => $"unexpected: {k}"));
        problems.AddRange(own.Where(kv => normalized.TryGetValue(kv.Key, out var v) && !v.Shape.SequenceEqual(kv.Value.Shape))
            .Select(kv => $"shape: {kv.Key} is [{string.Join(",", normalized[kv.Key].Shape)}], a {layers}-layer GPT-2 of width {embd} needs [{string.Join(",", kv.Value.Shape)}]"));
        if (problems.Count > 0)
            throw new InvalidDataException($"GPT-2 checkpoint does not fit: {string.Join("; ", problems)}.");
        model.LoadStateDict(normalized.Where(kv => own.ContainsKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value.To(DType.Float32)));
        return model;
    }

    /// <summary>Hugging Face key spellings mapped onto ours: the <c>transformer.</c> prefix added where absent; mask buffers and a tied lm_head removed.</summary>
    public static Dictionary<string, Tensor> Normalize(IReadOnlyDictionary<string, Tensor> state)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, value) in state)
        {
            if (key.EndsWith(".attn.bias", StringComparison.Ordinal) || key.EndsWith(".attn.masked_bias", StringComparison.Ordinal))
                continue; // causal-mask buffers, not weights
            string k = key.StartsWith("transformer.", StringComparison.Ordinal) || key.StartsWith("lm_head.", StringComparison.Ordinal) ? key : "transformer." + key;
            result[k] = value;
        }
        if (result.TryGetValue("lm_head.weight", out var head) && result.TryGetValue("transformer.wte.weight", out var wte)
            && head.Shape.SequenceEqual(wte.Shape) && head.AllClose(wte, 0, 0))
            result.Remove("lm_head.weight"); // tied: the same tensor saved twice
        return result;
    }
}
