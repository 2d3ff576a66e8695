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
    public void DynamicInt8LstmClassifiersRoundTripBitForBit()
    {
        // Float input (rows of an image as steps) and token input, each saved with its weight scales and loaded back.
        var features = new LstmClassifier(embedDim: 16, hiddenSize: 24, numClasses: 5, inputFeatures: 12, generator: new Generator(6));
        var tokens = new LstmClassifier(vocabSize: 30, embedDim: 8, hiddenSize: 12, numClasses: 3, generator: new Generator(7));
        var inputs = new[] { TestUtil.Randn(8, 3, 1, 7, 12), Tensor.RandInt(0, 30, [4, 9], new Generator(9)) };
        var models = new[] { features, tokens };
        for (int m = 0; m < 2; m++)
        {
            var q = new QuantizedLstmClassifier(models[m]);
            string path = Path.Combine(_dir, $"lstm{m}.safetensors");
            CompressedSafetensors.Save(path, new Sequential(q), new Dictionary<string, string> { ["model"] = "lstm" });
            var back = CompressedSafetensors.Load(path, out var extra);
            Assert.Equal("lstm", extra["model"]);
            var loaded = Assert.IsType<QuantizedLstmClassifier>(Assert.Single(back.Children()));
            Assert.Equal(q.Lstm.Recurrent.WeightScale, loaded.Lstm.Recurrent.WeightScale);
            Assert.Equal(q.Lstm.Input.Packed.Weights, loaded.Lstm.Input.Packed.Weights);
            Assert.Null(loaded.Lstm.Input.InputParams); // dynamic: quantized per call
            Assert.Equal(q.Call(inputs[m]).ToArray(), back.Call(inputs[m]).ToArray());
        }
        // A bare int8 LSTM in a chain round-trips too.
        var chain = new Sequential(new QuantizedLstm(new LSTM(12, 10, batchFirst: true, generator: new Generator(10))), new QuantizedLinear(new sbyte[20], [1f, 2f], 2, 10, null, null));
        var again = CompressedSafetensors.Deserialize(CompressedSafetensors.Serialize(chain), "memory", out _);
        var xs = TestUtil.Randn(11, 2, 5, 12);
        Assert.Equal(chain.Call(xs).ToArray(), again.Call(xs).ToArray());
    }

    [Fact]
    public void AnInt8LstmFileWithAMissingRenamedOrMisshapenTensorIsRefusedByName()
    {
        var q = new Sequential(new QuantizedLstmClassifier(new LstmClassifier(embedDim: 8, hiddenSize: 6, numClasses: 3, inputFeatures: 5, generator: new Generator(12))));
        var good = CompressedSafetensors.Serialize(q);
        string text = System.Text.Encoding.Latin1.GetString(good);
        InvalidDataException Load(string t) =>
            Assert.Throws<InvalidDataException>(() => CompressedSafetensors.Deserialize(System.Text.Encoding.Latin1.GetBytes(t), "lstm.safetensors", out _));

        // A key renamed: the expected one is missing (the file, the layer and the tensor are named).
        var e = Load(text.Replace("0.lstm.hh.weight_scale", "0.lstm.hh.weight_scalX"));
        Assert.Contains("lstm.safetensors: layer 0 (quantized_lstm_classifier): tensor '0.lstm.hh.weight_scale' is missing", e.Message);
        // The architecture says 7 hidden features but the tensors hold 6.
        // (The architecture JSON sits inside a JSON string, where the writer escapes quotes as \u0022.)
        e = Load(text.Replace(@"\u0022hidden_size\u0022:6", @"\u0022hidden_size\u0022:7"));
        Assert.Contains("tensor '0.lstm.ih.weight' has shape [24,8], expected [28,8]", e.Message);
        // A tensor no layer uses: the file and its metadata disagree.
        var extra = CompressedSafetensors.Serialize(new Sequential(q[0], new QuantizedLinear(new sbyte[9], [1f, 1f, 1f], 3, 3, null, null)));
        string t2 = System.Text.Encoding.Latin1.GetString(extra);
        int at = t2.IndexOf(@",{\u0022type\u0022:\u0022quantized_linear\u0022", StringComparison.Ordinal);
        Assert.True(at > 0, t2[..Math.Min(600, t2.Length)]);
        int end = t2.IndexOf('}', at);
        e = Load(t2[..at] + new string(' ', end + 1 - at) + t2[(end + 1)..]);
        Assert.Contains("'1.weight'", e.Message);
        Assert.Contains("belong to no layer", e.Message);
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
