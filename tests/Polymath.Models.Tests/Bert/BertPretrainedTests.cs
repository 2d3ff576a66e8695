using System.Text.Json;
using Polymath.Models.Bert;

namespace Polymath.Models.Tests.Bert;

/// <summary>
/// A tiny BERT-shaped checkpoint written by Fixtures/make_bert_fixture.py (Debian's PyTorch, Hugging Face
/// BertForPreTraining key names, safetensors written by hand) loads, and our hidden states, pooled output and MLM
/// logits match the ones PyTorch computed for a padded pair batch.
/// </summary>
public sealed class BertPretrainedTests
{
    // float32 through two post-norm layers: summation order differs from PyTorch's kernels by a few ulps per op.
    private const double Tolerance = 1e-4;

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static Dictionary<string, Tensor> State() => SafeTensors.Load(Fixture("tiny_bert.safetensors"));

    private static JsonElement Reference() => JsonDocument.Parse(File.ReadAllText(Fixture("tiny_bert_reference.json"))).RootElement;

    private static Tensor Ints(JsonElement e, string name)
    {
        var rows = e.GetProperty(name).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
        return Tensor.From(rows.SelectMany(r => r).ToArray(), rows.Length, rows[0].Length);
    }

    private static void AssertClose(JsonElement reference, string name, Tensor actual)
    {
        var expected = reference.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var got = actual.Contiguous().ToArray();
        Assert.Equal(expected.Length, got.Length);
        double worst = 0;
        for (int i = 0; i < got.Length; i++)
            worst = Math.Max(worst, Math.Abs(got[i] - expected[i]));
        Assert.True(worst <= Tolerance, $"{name}: largest difference from PyTorch {worst:G3} > {Tolerance}");
    }

    [Fact]
    public void ConfigIsReadFromShapes()
    {
        var model = BertPretrained.ForMaskedLM(State(), heads: 4);
        Assert.Equal(50, model.Config.VocabSize);
        Assert.Equal(32, model.Config.HiddenSize);
        Assert.Equal(2, model.Config.NumHiddenLayers);
        Assert.Equal(48, model.Config.IntermediateSize);
        Assert.Equal(24, model.Config.MaxPositionEmbeddings);
        Assert.Equal(2, model.Config.TypeVocabSize);
        Assert.NotNull(model.Bert.Pooler); // the checkpoint carries bert.pooler.*
        Assert.Equal([32, 32], model.Bert.Encoder.Layer[0].Attention.Self.Query.Weight.Shape); // nn.Linear [out, in]
    }

    [Fact]
    public void ConfigJsonUsesHuggingFaceNames()
    {
        // The fixture's config object is written with HF BertConfig keys.
        var config = JsonSerializer.Deserialize<BertConfig>(Reference().GetProperty("config").GetRawText())!;
        Assert.Equal((50, 32, 2, 4, 48, 24, 2, 1e-12), (config.VocabSize, config.HiddenSize, config.NumHiddenLayers, config.NumAttentionHeads,
            config.IntermediateSize, config.MaxPositionEmbeddings, config.TypeVocabSize, config.LayerNormEps));
        var json = JsonSerializer.Serialize(config);
        Assert.Contains("\"intermediate_size\":48", json);
        Assert.Equal(config, JsonSerializer.Deserialize<BertConfig>(json));
    }

    [Fact]
    public void OutputsMatchPyTorch()
    {
        var model = BertPretrained.ForMaskedLM(State(), heads: 4);
        model.Eval();
        var r = Reference();
        var (ids, types, mask) = (Ints(r, "input_ids"), Ints(r, "token_type_ids"), Ints(r, "attention_mask"));
        using var _ = Tensor.NoGrad();
        var output = model.Bert.Forward(ids, mask, types);
        AssertClose(r, "last_hidden_state", output.LastHiddenState);
        AssertClose(r, "pooler_output", output.PoolerOutput!);
        AssertClose(r, "logits", model.Forward(ids, mask, types));
    }

    [Fact]
    public void StateDictUsesHuggingFaceNamesAndRoundTrips()
    {
        var model = BertPretrained.ForMaskedLM(State(), heads: 4);
        var keys = model.StateDict().Keys.ToHashSet();
        foreach (var k in new[]
                 {
                     "bert.embeddings.word_embeddings.weight", "bert.embeddings.position_embeddings.weight", "bert.embeddings.token_type_embeddings.weight",
                     "bert.embeddings.LayerNorm.weight", "bert.encoder.layer.0.attention.self.query.weight", "bert.encoder.layer.0.attention.self.key.bias",
                     "bert.encoder.layer.1.attention.self.value.weight", "bert.encoder.layer.0.attention.output.dense.weight",
                     "bert.encoder.layer.0.attention.output.LayerNorm.bias", "bert.encoder.layer.1.intermediate.dense.weight",
                     "bert.encoder.layer.1.output.dense.bias", "bert.encoder.layer.1.output.LayerNorm.weight", "bert.pooler.dense.weight",
                     "cls.predictions.transform.dense.weight", "cls.predictions.transform.LayerNorm.weight", "cls.predictions.bias",
                 })
            Assert.Contains(k, keys);
        Assert.DoesNotContain("cls.predictions.decoder.weight", keys); // tied to the word embedding
        Assert.Equal(keys.Count, State().Count - 5); // position_ids, decoder weight and bias, seq_relationship weight and bias dropped
        var again = BertPretrained.ForMaskedLM(model.StateDict(), heads: 4);
        Assert.True(again.Cls.Predictions.Bias.AllClose(model.Cls.Predictions.Bias, 0, 0));
        // A BertModel checkpoint (no bert. prefix, no head) with TF-era gamma/beta names gives the same encoder.
        var bare = State().Where(kv => kv.Key.StartsWith("bert.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["bert.".Length..].Replace("LayerNorm.weight", "LayerNorm.gamma").Replace("LayerNorm.bias", "LayerNorm.beta"), kv => kv.Value);
        var classifier = BertPretrained.ForSequenceClassification(bare, numLabels: 3, heads: 4, generator: new Generator(1));
        Assert.True(classifier.Bert.Encoder.Layer[1].Output.LayerNorm.Weight!.AllClose(model.Bert.Encoder.Layer[1].Output.LayerNorm.Weight!, 0, 0));
        Assert.True(classifier.Bert.Pooler!.Dense.Weight.AllClose(model.Bert.Pooler!.Dense.Weight, 0, 0));
        Assert.Equal([3, 32], classifier.Classifier.Weight.Shape);
    }

    [Fact]
    public void MismatchesAreListed()
    {
        var state = State();
        state.Remove("bert.encoder.layer.1.output.dense.bias");
        state["bert.encoder.layer.0.attention.self.key.weight"] = Tensor.Zeros(32, 33);
        state["bert.encoder.extra.weight"] = Tensor.Zeros(2);
        var e = Assert.Throws<InvalidDataException>(() => BertPretrained.ForMaskedLM(state, heads: 4));
        Assert.Contains("missing: bert.encoder.layer.1.output.dense.bias", e.Message);
        Assert.Contains("unexpected: bert.encoder.extra.weight", e.Message);
        Assert.Contains("shape: bert.encoder.layer.0.attention.self.key.weight is [32,33]", e.Message);
        var notBert = new Dictionary<string, Tensor> { ["transformer.wte.weight"] = Tensor.Zeros(3, 4) };
        Assert.Contains("bert.embeddings.word_embeddings.weight", Assert.Throws<InvalidDataException>(() => BertPretrained.ForMaskedLM(notBert)).Message);
        var badHeads = Assert.Throws<InvalidDataException>(() => BertPretrained.ForMaskedLM(State(), heads: 5));
        Assert.Contains("5 heads do not divide hidden_size 32", badHeads.Message);
    }
}
