using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Tests;

/// <summary>
/// Forward values and gradients of each op against PyTorch's, in float64, from Fixtures/torch_golden.json
/// (made by Fixtures/make_golden.py with Debian's python3-torch; inputs, output weights and results are stored).
/// </summary>
public sealed class TorchGoldenTests(ITestOutputHelper output)
{
    /// <summary>
    /// Both engines compute in float64 with different but stable formulas (e.g. erf series vs Cephes, GEMM summation
    /// order): agreement to 1e-9 relative is far above rounding noise (1e-16) and far below any real bug.
    /// </summary>
    private const double RelTol = 1e-9;

    /// <summary>Values here are O(1); errors are measured relative to max(|expected|, 1) so outputs that cancel to ~0 are not held to 1e-9 of themselves.</summary>
    private const double Floor = 1.0;

    private static readonly Tensor Mask = Tensor.From(
        [true, false, true, false, false, false, true, true, true, true, false, false], 3, 4);

    private static readonly Dictionary<string, Func<Tensor[], Tensor>> Ops = new()
    {
        ["add"] = x => x[0] + x[1],
        ["sub"] = x => x[0] - x[1],
        ["mul"] = x => x[0] * x[1],
        ["div"] = x => x[0] / x[1],
        ["pow"] = x => x[0].Pow(x[1]),
        ["pow_scalar"] = x => x[0].Pow(2.5),
        ["maximum"] = x => x[0].Maximum(x[1]),
        ["minimum"] = x => x[0].Minimum(x[1]),
        ["neg"] = x => x[0].Neg(),
        ["abs"] = x => x[0].Abs(),
        ["exp"] = x => x[0].Exp(),
        ["log"] = x => x[0].Log(),
        ["sqrt"] = x => x[0].Sqrt(),
        ["rsqrt"] = x => x[0].Rsqrt(),
        ["reciprocal"] = x => x[0].Reciprocal(),
        ["square"] = x => x[0].Square(),
        ["sin"] = x => x[0].Sin(),
        ["cos"] = x => x[0].Cos(),
        ["tanh"] = x => x[0].Tanh(),
        ["sigmoid"] = x => x[0].Sigmoid(),
        ["relu"] = x => x[0].Relu(),
        ["leaky_relu"] = x => x[0].LeakyRelu(0.1),
        ["gelu"] = x => x[0].Gelu(),
        ["gelu_tanh"] = x => x[0].Gelu("tanh"),
        ["silu"] = x => x[0].Silu(),
        ["softplus"] = x => x[0].Softplus(2.0, 20.0),
        ["erf"] = x => x[0].Erf(),
        ["clamp"] = x => x[0].Clamp(-0.5, 0.7),
        ["where"] = x => Tensor.Where(Mask, x[0], x[1]),
        ["masked_fill"] = x => x[0].MaskedFill(Mask, -1.5),
        ["sum_dims"] = x => x[0].Sum([0, 2]),
        ["mean_dim"] = x => x[0].Mean(1, keepDim: true),
        ["prod_dim"] = x => x[0].Prod([1]),
        ["amax"] = x => x[0].Amax([0]),
        ["amin"] = x => x[0].Amin([1]),
        ["max_dim"] = x => x[0].Max(1).Values,
        ["var"] = x => x[0].Var(1),
        ["std_biased"] = x => x[0].Std(0, unbiased: false),
        ["logsumexp"] = x => x[0].LogSumExp(1),
        ["norm"] = x => x[0].Norm(),
        ["norm_p3"] = x => x[0].Norm(3, [1]),
        ["softmax"] = x => x[0].Softmax(-1),
        ["softmax_dim0"] = x => x[0].Softmax(0),
        ["log_softmax"] = x => x[0].LogSoftmax(1),
        ["matmul"] = x => x[0].MatMul(x[1]),
        ["matmul_vec"] = x => x[0].MatMul(x[1]),
        ["index_select"] = x => x[0].IndexSelect(0, Tensor.From([2L, 0, 2, 3])),
        ["gather"] = x => x[0].Gather(1, Tensor.From([0L, 3, 3, 1, 2, 0], 3, 2)),
        ["scatter_add"] = x => x[0].ScatterAdd(0, Tensor.From([0L, 2, 2, 1, 0, 0, 2, 1], 2, 4), x[1]),
        ["topk"] = x => x[0].TopK(2, -1).Values,
        ["sort"] = x => x[0].Sort(0, descending: true).Values,
        ["cat"] = x => Tensor.Cat([x[0], x[1]], 0),
        ["stack"] = x => Tensor.Stack([x[0], x[1]], 1),
        ["transpose_slice"] = x => x[0].Transpose(0, 2)[.., TensorIndex.Slice(1, null, 2), 1..3],
        ["layer_norm"] = x =>
        {
            var mu = x[0].Mean(-1, keepDim: true);
            var v = x[0].Var(-1, unbiased: false, keepDim: true);
            return (x[0] - mu) * (v + 1e-5).Rsqrt() * x[1] + x[2];
        },
    };

    private sealed record Golden(string Name, Tensor[] Inputs, Tensor Output, Tensor GradOutput, Tensor?[] Grads);

    private static readonly Lazy<Golden[]> Cases = new(Load);

    private static Tensor ReadTensor(JsonElement e)
    {
        int[] shape = e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        double[] data = e.GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        return Tensor.From(data).Reshape(shape);
    }

    private static Golden[] Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch_golden.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new Golden(
            c.GetProperty("name").GetString()!,
            c.GetProperty("inputs").EnumerateArray().Select(ReadTensor).ToArray(),
            ReadTensor(c.GetProperty("output")),
            ReadTensor(c.GetProperty("grad_output")),
            c.GetProperty("grads").EnumerateArray().Select(g => g.ValueKind == JsonValueKind.Null ? null : ReadTensor(g)).ToArray())).ToArray();
    }

    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (var c in Cases.Value)
            d.Add(c.Name);
        return d;
    }

    [Fact]
    public void EveryFixtureCaseHasAnOp() =>
        Assert.Equal("", string.Join(",", Cases.Value.Select(c => c.Name).Where(n => !Ops.ContainsKey(n))));

    [Theory]
    [MemberData(nameof(Names))]
    public void MatchesPyTorch(string name)
    {
        var g = Cases.Value.Single(c => c.Name == name);
        output.WriteLine($"{name}: fixed PyTorch inputs (make_golden.py, seed 20240601), shapes {string.Join(" ", g.Inputs.Select(t => GradCheck.Fmt(t.Shape)))}");
        var inputs = g.Inputs.Select(t => t.Clone().Detach().RequiresGrad_()).ToArray();
        var y = Ops[name](inputs);
        Assert.Equal(g.Output.Shape, y.Shape);
        AssertClose($"{name} forward", g.Output, y);
        y.Backward(g.GradOutput);
        for (int i = 0; i < inputs.Length; i++)
        {
            var expected = g.Grads[i] ?? Tensor.Zeros(g.Inputs[i].Shape, DType.Float64);
            var actual = inputs[i].Grad ?? Tensor.Zeros(inputs[i].Shape, DType.Float64);
            Assert.Equal(expected.Shape, actual.Shape);
            AssertClose($"{name} grad of input {i}", expected, actual);
        }
    }

    private static void AssertClose(string what, Tensor expected, Tensor actual)
    {
        double[] e = expected.ToDoubleArray(), a = actual.ToDoubleArray();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(a[i] - e[i]) <= RelTol * Math.Max(Math.Abs(e[i]), Floor),
                $"{what}: element {i} is {a[i]:R}, PyTorch gives {e[i]:R} (diff {Math.Abs(a[i] - e[i]):E2})");
    }
}
