using Polymath.Models.Peft;

namespace Polymath.Models.Tests.Peft;

/// <summary>The LoRA adapter file: PEFT names, a round trip that reproduces the model, and a shape mismatch that lists the keys.</summary>
public sealed class LoraAdapterFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("polymath-lora-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly LoraConfig Config = new() { Rank = 2, Alpha = 4, Dropout = 0.1, TargetModules = "c_attn|mlp\\.c_fc" };

    [Fact]
    public void RoundTripReproducesTheTunedModel()
    {
        var a = PeftFixtures.Classifier(PeftFixtures.Tiny());
        Lora.Apply(a, Config, ["score"], new Generator(1));
        PeftFixtures.RandomizeB(a);
        using (Tensor.NoGrad())
            a.Score.Weight.NormalInPlace(0, 1, new Generator(4));
        string path = Path.Combine(_dir, "adapter_model.safetensors");
        LoraAdapterFile.Save(path, a, ["score"], new Dictionary<string, string> { ["labels"] = "[\"x\"]" });

        var keys = SafeTensors.Load(path).Keys.Order().ToList();
        Assert.Contains("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight", keys);
        Assert.Contains("base_model.model.transformer.h.1.mlp.c_fc.lora_B.weight", keys);
        Assert.Contains("base_model.model.score.weight", keys);
        Assert.Equal(4 * 2 + 2, keys.Count); // no base weights in the file
        var meta = SafeTensors.LoadMetadata(path);
        Assert.Equal("LORA", meta["peft_type"]);
        Assert.Equal("2", meta["r"]);
        Assert.Equal("[\"x\"]", meta["labels"]);

        // A fresh classifier over the same pretrained body (same seed), no LoRA yet: loading applies it.
        var b = PeftFixtures.Classifier(PeftFixtures.Tiny());
        var loaded = LoraAdapterFile.Load(path, b);
        Assert.Equal(Config, loaded);
        Assert.Equal(4, Lora.Layers(b).Count());
        a.Eval();
        b.Eval();
        using var _ = Tensor.NoGrad();
        Assert.True(b.Forward(PeftFixtures.Ids, [5, 2]).AllClose(a.Forward(PeftFixtures.Ids, [5, 2]), 0, 0));
        Assert.False(b.Score.Weight.RequiresGrad is false, "the saved head stays trainable");
        Assert.False(b.Transformer.Wte.Weight.RequiresGrad, "the body is frozen");
    }

    [Fact]
    public void AModelOfAnotherShapeGetsEveryMismatchListed()
    {
        var a = PeftFixtures.Classifier(PeftFixtures.Tiny());
        Lora.Apply(a, Config, ["score"]);
        string path = Path.Combine(_dir, "a.safetensors");
        LoraAdapterFile.Save(path, a, ["score"]);

        var wider = PeftFixtures.Classifier(PeftFixtures.Tiny(embd: 24));
        var e = Assert.Throws<ArgumentException>(() => LoraAdapterFile.Load(path, wider));
        Assert.Contains("size mismatch", e.Message);
        Assert.Contains("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight: adapter [2,16] vs model [2,24]", e.Message);
        Assert.Contains("base_model.model.transformer.h.1.mlp.c_fc.lora_B.weight: adapter [64,2] vs model [96,2]", e.Message);
        Assert.Contains("base_model.model.score.weight: adapter [3,16] vs model [3,24]", e.Message);
        Assert.Empty(Lora.Layers(wider)); // nothing changed

        var deeper = PeftFixtures.Classifier(new GptModel(PeftFixtures.Config() with { Layers = 3 }));
        var e2 = Assert.Throws<ArgumentException>(() => LoraAdapterFile.Load(path, deeper));
        Assert.Contains("missing keys: ", e2.Message);
        Assert.Contains("base_model.model.transformer.h.2.attn.c_attn.lora_A.weight", e2.Message);
    }

    [Fact]
    public void AFileWithoutLoraMetadataIsRejected()
    {
        string path = Path.Combine(_dir, "plain.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.Zeros(2) });
        var e = Assert.Throws<InvalidDataException>(() => LoraAdapterFile.Load(path, PeftFixtures.Tiny()));
        Assert.Contains("not a LoRA adapter", e.Message);
    }
}
