namespace Polymath.Models.Bert;

/// <summary>
/// Builds BERT models from a Hugging Face BERT state dict (as read from <c>model.safetensors</c>). Accepted spellings:
/// keys with or without the <c>bert.</c> prefix (BertModel checkpoints lack it), the TF-era <c>LayerNorm.gamma</c> /
/// <c>LayerNorm.beta</c> for weight / bias. Dropped: the <c>position_ids</c> / <c>token_type_ids</c> buffers, the tied
/// <c>cls.predictions.decoder.weight</c> (when it equals the word embedding), <c>cls.predictions.decoder.bias</c> (when it
/// equals <c>cls.predictions.bias</c>) and the next-sentence head <c>cls.seq_relationship.*</c>, which is not modelled.
/// Sizes are read from the tensor shapes.
/// </summary>
public static class BertPretrained
{
    /// <summary>A masked-language model with every weight from <paramref name="state"/> (and its pooler, when the checkpoint has one).</summary>
    /// <param name="state">Tensor name → tensor.</param>
    /// <param name="heads">Attention heads (not recoverable from shapes); null: hidden / 64, as every released BERT size.</param>
    /// <param name="layerNormEps">BERT's 1e-12 unless the checkpoint's config says otherwise.</param>
    /// <exception cref="InvalidDataException">Keys are missing or unexpected, or shapes do not fit (all listed).</exception>
    public static BertForMaskedLM ForMaskedLM(IReadOnlyDictionary<string, Tensor> state, int? heads = null, double layerNormEps = 1e-12)
    {
        var normalized = Normalize(state);
        var config = ConfigFromShapes(normalized, heads, layerNormEps);
        var model = new BertForMaskedLM(config, addPoolingLayer: normalized.ContainsKey("bert.pooler.dense.weight"), new Generator(0));
        Load(model, normalized, config, requireAll: true);
        return model;
    }

    /// <summary>
    /// A sequence classifier whose encoder (and pooler, if present) comes from <paramref name="state"/>; the MLM head is
    /// ignored, and the classifier (and a pooler the checkpoint lacks) start from BERT's initialisation with <paramref name="generator"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">Encoder keys are missing or unexpected, or shapes do not fit (all listed).</exception>
    public static BertForSequenceClassification ForSequenceClassification(IReadOnlyDictionary<string, Tensor> state, int numLabels, int? heads = null,
        double layerNormEps = 1e-12, Generator? generator = null)
    {
        var normalized = Normalize(state);
        var config = ConfigFromShapes(normalized, heads, layerNormEps) with { NumLabels = numLabels };
        var model = new BertForSequenceClassification(config, generator);
        LoadEncoder(model.Bert, normalized);
        return model;
    }

    /// <summary>Copies the <c>bert.*</c> weights of <paramref name="state"/> into <paramref name="encoder"/> (its pooler only when the state has one).</summary>
    /// <exception cref="InvalidDataException">Encoder keys are missing or unexpected, or shapes do not fit (all listed).</exception>
    public static void LoadEncoder(BertModel encoder, IReadOnlyDictionary<string, Tensor> state)
    {
        var normalized = Normalize(state);
        var own = encoder.StateDict();
        bool hasPooler = normalized.ContainsKey("bert.pooler.dense.weight");
        var wanted = own.Keys.Where(k => hasPooler || !k.StartsWith("pooler.", StringComparison.Ordinal)).ToHashSet();
        var encoderState = normalized.Where(kv => kv.Key.StartsWith("bert.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["bert.".Length..], kv => kv.Value);
        Check(own, encoderState, wanted, encoder.Config, "BERT checkpoint", keyPrefix: "bert.");
        encoder.LoadStateDict(encoderState.ToDictionary(kv => kv.Key, kv => kv.Value.To(DType.Float32)), strict: false);
    }

    /// <summary>Hugging Face key spellings mapped onto ours (see the class summary).</summary>
    public static Dictionary<string, Tensor> Normalize(IReadOnlyDictionary<string, Tensor> state)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, value) in state)
        {
            if (key.EndsWith("embeddings.position_ids", StringComparison.Ordinal) || key.EndsWith("embeddings.token_type_ids", StringComparison.Ordinal)
                || key.StartsWith("cls.seq_relationship.", StringComparison.Ordinal))
                continue;
            string k = key.StartsWith("bert.", StringComparison.Ordinal) || key.StartsWith("cls.", StringComparison.Ordinal) || key.StartsWith("classifier.", StringComparison.Ordinal)
                ? key : "bert." + key;
            if (k.EndsWith(".gamma", StringComparison.Ordinal))
                k = k[..^".gamma".Length] + ".weight";
            else if (k.EndsWith(".beta", StringComparison.Ordinal))
                k = k[..^".beta".Length] + ".bias";
            result[k] = value;
        }
        if (result.TryGetValue("cls.predictions.decoder.weight", out var dec) && result.TryGetValue("bert.embeddings.word_embeddings.weight", out var wte)
            && dec.Shape.SequenceEqual(wte.Shape) && dec.AllClose(wte, 0, 0))
            result.Remove("cls.predictions.decoder.weight"); // tied: the same tensor saved twice
        if (result.TryGetValue("cls.predictions.decoder.bias", out var db))
        {
            if (!result.TryGetValue("cls.predictions.bias", out var b))
                result["cls.predictions.bias"] = db;
            if (!result.TryGetValue("cls.predictions.bias", out b) || (b.Shape.SequenceEqual(db.Shape) && b.AllClose(db, 0, 0)))
                result.Remove("cls.predictions.decoder.bias");
        }
        return result;
    }

    private static BertConfig ConfigFromShapes(Dictionary<string, Tensor> s, int? heads, double layerNormEps)
    {
        Tensor Need(string key, string what) => s.TryGetValue(key, out var t) && t.Rank == 2 ? t
            : throw new InvalidDataException($"BERT checkpoint: no '{key}' {what} (with or without the 'bert.' prefix); is this a BERT state dict?");
        var words = Need("bert.embeddings.word_embeddings.weight", "[vocab, hidden]");
        var positions = Need("bert.embeddings.position_embeddings.weight", "[max_positions, hidden]");
        var types = Need("bert.embeddings.token_type_embeddings.weight", "[type_vocab, hidden]");
        int layers = 0;
        while (s.ContainsKey($"bert.encoder.layer.{layers}.attention.self.query.weight"))
            layers++;
        int hidden = words.Size(1);
        var config = new BertConfig
        {
            VocabSize = words.Size(0),
            HiddenSize = hidden,
            NumHiddenLayers = Math.Max(1, layers),
            NumAttentionHeads = heads ?? Math.Max(1, hidden / 64),
            IntermediateSize = s.TryGetValue("bert.encoder.layer.0.intermediate.dense.weight", out var inter) && inter.Rank == 2 ? inter.Size(0) : 4 * hidden,
            MaxPositionEmbeddings = positions.Size(0),
            TypeVocabSize = types.Size(0),
            LayerNormEps = layerNormEps,
            HiddenDropoutProb = 0.1,
            AttentionProbsDropoutProb = 0.1,
        };
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"BERT checkpoint: {e.Message}", e);
        }
        return config;
    }

    private static void Load(Module model, Dictionary<string, Tensor> normalized, BertConfig config, bool requireAll)
    {
        var own = model.StateDict();
        Check(own, normalized, requireAll ? own.Keys.ToHashSet() : [], config, "BERT checkpoint", keyPrefix: "");
        model.LoadStateDict(normalized.ToDictionary(kv => kv.Key, kv => kv.Value.To(DType.Float32)));
    }

    /// <summary>Lists every missing key of <paramref name="wanted"/>, every key of <paramref name="state"/> the model lacks, and every shape mismatch, in one message.</summary>
    private static void Check(IReadOnlyDictionary<string, Tensor> own, IReadOnlyDictionary<string, Tensor> state, HashSet<string> wanted, BertConfig config, string what, string keyPrefix)
    {
        var problems = new List<string>();
        problems.AddRange(wanted.Where(k => !state.ContainsKey(k)).Select(k => $"missing: {keyPrefix}{k}"));
        problems.AddRange(state.Keys.Where(k => !own.ContainsKey(k)).Select(k => $"unexpected: {keyPrefix}{k}"));
        problems.AddRange(own.Where(kv => state.TryGetValue(kv.Key, out var v) && !v.Shape.SequenceEqual(kv.Value.Shape))
            .Select(kv => $"shape: {keyPrefix}{kv.Key} is [{string.Join(",", state[kv.Key].Shape)}], a {config.NumHiddenLayers}-layer BERT of width {config.HiddenSize} needs [{string.Join(",", kv.Value.Shape)}]"));
        if (problems.Count > 0)
            throw new InvalidDataException($"{what} does not fit: {string.Join("; ", problems)}.");
    }
}
