using Polymath.Models;

namespace Polymath.Scale.Tests.Compression;

public sealed class CompressedSafetensorsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "polymath-compress-" + Guid.NewGuid().ToString("N"));

    public CompressedSafetensorsTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void StaticAndDynamicInt8ModelsRoundTripWithTheirQuantizationParameters()
    {
        var net = new LeNet5(generator: new Generator(1));
        var q = Quantization.QuantizeStatic(net, [TestUtil.Randn(2, 4, 1, 28, 28)]);
        q.Append(QuantizedConv2d.FromFloat(new Conv2d(10, 2, 1), new QuantParams(0.1f, 3), true, pool: 1)); // a fused-pool layer round-trips too
        string path = Path.Combine(_dir, "lenet-int8.safetensors");
        CompressedSafetensors.Save(path, q, new Dictionary<string, string> { ["model"] = "lenet5" });
        var back = CompressedSafetensors.Load(path, out var extra);
        Assert.Equal("lenet5", extra["model"]);
        Assert.Equal(q.ToString(), back.ToString());
        Assert.Equal(((QuantizedLinear)q[5]).InputParams, ((QuantizedLinear)back[5]).InputParams);
        Assert.Equal(2, ((QuantizedConv2d)back[0]).Pool);
        Assert.Equal(1, ((QuantizedConv2d)back[6]).Pool);
        var x = TestUtil.Randn(3, 2, 1, 28, 28);
        var h = x;
        for (int i = 0; i < 6; i++) h = q[i].Call(h);
        var hb = x;
        for (int i = 0; i < 6; i++) hb = back[i].Call(hb);
        Assert.Equal(h.ToArray(), hb.ToArray());

        var mlp = new Mlp(20, [10], 3, new Generator(2));
        var d = Quantization.QuantizeDynamic(mlp);
        var bytes = CompressedSafetensors.Serialize(d);
        var d2 = CompressedSafetensors.Deserialize(bytes, "memory", out _);
        Assert.Null(((QuantizedLinear)d2[1]).InputParams);
        var xm = TestUtil.Randn(4, 5, 20);
        Assert.Equal(d.Call(xm).ToArray(), d2.Call(xm).ToArray());
        // int8 weights: about a quarter of the float32 bytes for the weights.
        long floatBytes = SafeTensors.Serialize(mlp.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value)).Length;
        Assert.True(bytes.Length < floatBytes);
    }

    [Fact]
    public void FloatPrunedModelsRoundTripToo()
    {
        var small = StructuredPruning.Prune(new LeNet5(generator: new Generator(3)), 0.5);
        var bytes = CompressedSafetensors.Serialize(small);
        var back = CompressedSafetensors.Deserialize(bytes, "memory", out _);
        var x = TestUtil.Randn(5, 2, 1, 28, 28);
        using (Tensor.NoGrad())
            Assert.Equal(small.Call(x).ToArray(), back.Call(x).ToArray());
    }

    [Fact]
    public void BadFilesGiveErrorsNamingTheProblemAndAFailedSaveKeepsTheOldFile()
    {
        var q = Quantization.QuantizeDynamic(new Mlp(6, [4], 2, new Generator(4)));
        string path = Path.Combine(_dir, "m.safetensors");
        CompressedSafetensors.Save(path, q);
        var good = File.ReadAllBytes(path);

        File.WriteAllBytes(path, good[..(good.Length - 10)]);
        var e = Assert.Throws<InvalidDataException>(() => CompressedSafetensors.Load(path, out _));
        Assert.Contains(path, e.Message);

        var text = System.Text.Encoding.Latin1.GetString(good).Replace("1.weight_scale", "1.weight_scalX");
        File.WriteAllBytes(path, System.Text.Encoding.Latin1.GetBytes(text));
        e = Assert.Throws<InvalidDataException>(() => CompressedSafetensors.Load(path, out _));
        Assert.Contains("1.weight_scale' is missing", e.Message);

        File.WriteAllBytes(path, good);
        var bad = new Sequential(new Linear(3, 3), new BatchNorm1d(3));
        Assert.Throws<NotQuantizableException>(() => CompressedSafetensors.Save(path, bad));
        Assert.Equal(good, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_dir));
    }
}
