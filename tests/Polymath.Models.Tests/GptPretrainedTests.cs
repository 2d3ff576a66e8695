using System.Text.Json;

namespace Polymath.Models.Tests;

/// <summary>
/// A tiny GPT-2-shaped checkpoint written by Fixtures/make_gpt2_fixture.py (Debian's PyTorch, Hugging Face key names,
/// safetensors written by hand) loads, and our logits and greedy continuation match the ones PyTorch recorded.
/// </summary>
public sealed class GptPretrainedTests
{
    // float32 through two blocks: summation order differs from PyTorch's OpenBLAS kernels by a few ulps per layer.
    private const double LogitTolerance = 1e-4;

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static (GptModel Model, JsonElement Reference) Load()
    {
        var model = GptPretrained.FromHuggingFace(SafeTensors.Load(Fixture("tiny_gpt2.safetensors")), heads: 4);
        var reference = JsonDocument.Parse(File.ReadAllText(Fixture("tiny_gpt2_logits.json"))).RootElement;
        return (model, reference);
    }

    [Fact]
    public void ConfigIsReadFromShapes()
    {
        var (model, _) = Load();
        Assert.Equal(new GptConfig { VocabSize = 61, ContextLength = 16, EmbeddingDim = 32, Layers = 2, Heads = 4, InnerDim = 128 }, model.Config);
        Assert.Equal([32, 96], model.Transformer.H[0].Attn.CAttn.Weight.Shape); // Conv1D [in, out]
    }

    [Fact]
    public void LogitsMatchPyTorch()
    {
        var (model, reference) = Load();
        var prompt = reference.GetProperty("prompt").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var expected = reference.GetProperty("logits").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToArray();
        model.Eval();
        float[] logits;
        using (Tensor.NoGrad())
            logits = model.Forward(Tensor.From(prompt, 1, prompt.Length)).Contiguous().ToArray();
        double worst = 0;
        for (int t = 0; t < expected.Length; t++)
            for (int v = 0; v < 61; v++)
                worst = Math.Max(worst, Math.Abs(logits[t * 61 + v] - expected[t][v]));
        Assert.True(worst <= LogitTolerance, $"largest logit difference from PyTorch {worst:G3} > {LogitTolerance}");
    }

    [Fact]
    public void GreedyContinuationMatchesPyTorch()
    {
        var (model, reference) = Load();
        var prompt = reference.GetProperty("prompt").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var expected = reference.GetProperty("greedy").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.Equal(expected, model.Generate(prompt, expected.Length - prompt.Length, SamplingOptions.Greedy));
    }

    [Fact]
    public void StateDictUsesHuggingFaceNamesAndRoundTrips()
    {
        var (model, _) = Load();
        var keys = model.StateDict().Keys.ToHashSet();
        foreach (var k in new[] { "transformer.wte.weight", "transformer.wpe.weight", "transformer.h.0.ln_1.weight", "transformer.h.0.attn.c_attn.weight",
                     "transformer.h.0.attn.c_proj.bias", "transformer.h.1.ln_2.bias", "transformer.h.1.mlp.c_fc.weight", "transformer.h.1.mlp.c_proj.weight",
                     "transformer.ln_f.weight" })
            Assert.Contains(k, keys);
        Assert.DoesNotContain("lm_head.weight", keys); // tied
        var fromOwn = GptPretrained.FromHuggingFace(model.StateDict(), heads: 4);
        Assert.True(fromOwn.Transformer.H[1].Mlp.CFc.Weight.AllClose(model.Transformer.H[1].Mlp.CFc.Weight, 0, 0));
        // Keys without the transformer. prefix (GPT2Model checkpoints) load too.
        var bare = model.StateDict().ToDictionary(kv => kv.Key["transformer.".Length..], kv => kv.Value);
        Assert.Equal(model.ParameterCount(), GptPretrained.FromHuggingFace(bare, heads: 4).ParameterCount());
    }

    [Fact]
    public void MismatchesAreListed()
    {
        var state = SafeTensors.Load(Fixture("tiny_gpt2.safetensors"));
        state.Remove("transformer.h.1.mlp.c_fc.bias");
        state["transformer.h.0.attn.c_proj.weight"] = Tensor.Zeros(32, 33);
        state["transformer.extra.weight"] = Tensor.Zeros(2);
        var e = Assert.Throws<InvalidDataException>(() => GptPretrained.FromHuggingFace(state, heads: 4));
        Assert.Contains("missing: transformer.h.1.mlp.c_fc.bias", e.Message);
        Assert.Contains("unexpected: transformer.extra.weight", e.Message);
        Assert.Contains("shape: transformer.h.0.attn.c_proj.weight is [32,33]", e.Message);
    }
}
