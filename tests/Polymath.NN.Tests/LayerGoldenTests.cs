using System.Text.Json;
using Polymath.NN;
using Xunit;

namespace Polymath.NN.Tests;

/// <summary>
/// Every layer against PyTorch 1.13 (Fixtures/layers_golden.json, written by Fixtures/make_layers_golden.py): the
/// torch layer's state_dict is loaded into ours with strict LoadStateDict (so the key names must match PyTorch's),
/// then the forward values and the gradients of sum(output · grad_out) with respect to inputs and parameters are compared.
/// </summary>
public class LayerGoldenTests
{
    // Both sides compute in float64; they differ only in summation order (GEMM blocking, fused vs composed
    // normalisation), worth ~1e-13 relative. 1e-9 leaves ample headroom and still catches any formula error.
    private const double Float64Tolerance = 1e-9;

    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "layers_golden.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.Clone());
    });

    /// <summary>Our layer for each fixture case, built with the same arguments as the script's torch layer.</summary>
    private static Module Create(string name) => name switch
    {
        "layernorm_last" => new LayerNorm(6, dtype: DType.Float64),
        "layernorm_2d" => new LayerNorm([3, 4], dtype: DType.Float64),
        "layernorm_noaffine" => new LayerNorm(5, eps: 1e-3, elementwiseAffine: false, dtype: DType.Float64),
        "conv1d" => new Conv1d(4, 6, 3, stride: 2, padding: 1, groups: 2, dtype: DType.Float64),
        "conv2d" => new Conv2d(4, 6, 3, stride: 2, padding: 1, dilation: 2, groups: 2, dtype: DType.Float64),
        "conv2d_rect" => new Conv2d(3, 4, (3, 2), (1, 2), (1, 0), (1, 1), bias: false, dtype: DType.Float64),
        "convtranspose2d" => new ConvTranspose2d(4, 6, 3, stride: 2, padding: 1, outputPadding: 1, groups: 2, dtype: DType.Float64),
        "maxpool2d" => new MaxPool2d(3, stride: 2, padding: 1),
        "avgpool2d" => new AvgPool2d(3, stride: 2, padding: 1, countIncludePad: false),
        "adaptiveavgpool2d" => new AdaptiveAvgPool2d((3, 2)),
        "groupnorm" => new GroupNorm(2, 6, dtype: DType.Float64),
        "embedding" => new Embedding(10, 4, paddingIdx: 2, dtype: DType.Float64),
        "flatten" => new Flatten(),
        "bilinear" => new Bilinear(3, 4, 5, dtype: DType.Float64),
        "relu" => new ReLU(),
        "gelu" => new GELU(),
        "gelu_tanh" => new GELU("tanh"),
        "silu" => new SiLU(),
        "tanh" => new Tanh(),
        "sigmoid" => new Sigmoid(),
        "softmax" => new Softmax(0),
        "logsoftmax" => new LogSoftmax(-1),
        "leakyrelu" => new LeakyReLU(0.2),
        "identity" => new Identity(),
        "batchnorm1d_3d" => new BatchNorm1d(4, dtype: DType.Float64),
        "batchnorm1d_2d_cumulative" => new BatchNorm1d(3, momentum: null, dtype: DType.Float64),
        "batchnorm2d" => new BatchNorm2d(3, eps: 1e-3, momentum: 0.3, dtype: DType.Float64),
        "batchnorm2d_noaffine" => new BatchNorm2d(2, affine: false, dtype: DType.Float64),
        _ => throw new ArgumentException($"no layer for fixture case '{name}'"),
    };

    private static Tensor Run(Module layer, Tensor[] inputs) => layer switch
    {
        Bilinear b => b.Call(inputs[0], inputs[1]),
        Module<Tensor, Tensor> m => m.Call(inputs[0]),
        _ => throw new ArgumentException($"cannot run {layer.TypeName}"),
    };

    public static TheoryData<string> CaseNames() => new(Cases.Value.Keys);

    private static Tensor ReadTensor(JsonElement e)
    {
        var shape = e.GetProperty("shape").EnumerateArray().Select(s => s.GetInt32()).ToArray();
        var data = e.GetProperty("data");
        bool isInt = e.TryGetProperty("dtype", out var dt) && dt.GetString() == "int64";
        var t = isInt
            ? Tensor.From(data.EnumerateArray().Select(v => v.GetInt64()).ToArray())
            : Tensor.From(data.EnumerateArray().Select(v => v.GetDouble()).ToArray());
        return t.Reshape(shape);
    }

    private static Dictionary<string, Tensor> ReadState(JsonElement c) =>
        c.GetProperty("state").EnumerateObject().ToDictionary(p => p.Name, p => ReadTensor(p.Value));

    private static void AssertClose(Tensor expected, Tensor? actual, string what)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Shape, actual!.Shape);
        var e = expected.ToDoubleArray();
        var a = actual.ToDoubleArray();
        for (int i = 0; i < e.Length; i++)
        {
            double tol = Float64Tolerance * (1 + Math.Abs(e[i]));
            Assert.True(Math.Abs(e[i] - a[i]) <= tol, $"{what}[{i}]: expected {e[i]:R}, got {a[i]:R} (tolerance {tol:G3})");
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ForwardAndGradientsMatchPyTorch(string name)
    {
        var c = Cases.Value[name];
        var layer = Create(name);
        layer.LoadStateDict(ReadState(c)); // strict: every PyTorch key must exist here and vice versa
        var inputs = c.GetProperty("inputs").EnumerateArray().Select(ReadTensor).ToArray();
        foreach (var x in inputs)
            if (x.DType.IsFloatingPoint())
                x.RequiresGrad = true;
        var output = Run(layer, inputs);
        AssertClose(ReadTensor(c.GetProperty("output")), output, $"{name} output");

        (output * ReadTensor(c.GetProperty("grad_out"))).Sum().Backward();
        var inputGrads = c.GetProperty("input_grads").EnumerateArray().ToArray();
        for (int i = 0; i < inputs.Length; i++)
            if (inputGrads[i].ValueKind != JsonValueKind.Null)
                AssertClose(ReadTensor(inputGrads[i]), inputs[i].Grad, $"{name} input {i} grad");
        var expectedParamGrads = c.GetProperty("param_grads").EnumerateObject().ToDictionary(p => p.Name, p => ReadTensor(p.Value));
        var parameters = layer.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        Assert.Equal(expectedParamGrads.Keys.Order(), parameters.Keys.Order());
        foreach (var (key, grad) in expectedParamGrads)
            AssertClose(grad, parameters[key].Grad, $"{name} {key} grad");
    }

    public static TheoryData<string> BatchNormCaseNames() => new(Cases.Value.Keys.Where(k => k.StartsWith("batchnorm", StringComparison.Ordinal)));

    [Theory]
    [MemberData(nameof(BatchNormCaseNames))]
    public void BatchNormRunningStatsOverThreeStepsAndEvalMatchPyTorch(string name)
    {
        var c = Cases.Value[name];
        var layer = (BatchNorm)Create(name);
        layer.LoadStateDict(ReadState(c));
        int step = 0;
        foreach (var s in c.GetProperty("steps").EnumerateArray())
        {
            step++;
            var y = layer.Call(ReadTensor(s.GetProperty("input")));
            AssertClose(ReadTensor(s.GetProperty("output")), y, $"{name} step {step} output");
            var buffers = layer.NamedBuffers().ToDictionary(b => b.Name, b => b.Buffer);
            foreach (var b in s.GetProperty("buffers").EnumerateObject())
            {
                var expected = ReadTensor(b.Value);
                if (expected.DType == DType.Int64)
                    Assert.Equal(expected.ToArray<long>(), buffers[b.Name].ToArray<long>());
                else
                    AssertClose(expected, buffers[b.Name], $"{name} step {step} {b.Name}");
            }
        }
        layer.Eval();
        var e = c.GetProperty("eval");
        using (Tensor.NoGrad())
            AssertClose(ReadTensor(e.GetProperty("output")), layer.Call(ReadTensor(e.GetProperty("input"))), $"{name} eval output");
    }

    [Fact]
    public void EmbeddingPaddingRowGetsNoGradientAndStartsAtZero()
    {
        Polymath.Random.Seed(7);
        var emb = new Embedding(6, 3, paddingIdx: -1); // normalised to 5, as PyTorch
        Assert.Equal(5, emb.PaddingIdx);
        Assert.All(emb.Weight.Select(0, 5).ToArray(), v => Assert.Equal(0f, v));
        var idx = Tensor.From([5L, 1, 5, 0, 1], 5);
        emb.Call(idx).Square().Sum().Backward();
        var grad = emb.Weight.Grad!;
        Assert.All(grad.Select(0, 5).ToArray(), v => Assert.Equal(0f, v));
        Assert.Contains(grad.Select(0, 1).ToArray(), v => v != 0f);
    }
}
