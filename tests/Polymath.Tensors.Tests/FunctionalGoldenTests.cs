using System.Text.Json;
using Xunit;
using Xunit.Abstractions;
using F = Polymath.Functional;

namespace Polymath.Tests;

/// <summary>
/// Convolution, pooling, embedding, linear and einsum against torch.nn.functional in float64: forward values,
/// gradients w.r.t. every floating input (weights and biases included) and max-pool indices, from
/// Fixtures/torch_golden_functional.json (made once by Fixtures/make_golden_functional.py with Debian's torch 1.13).
/// </summary>
public sealed class FunctionalGoldenTests(ITestOutputHelper output)
{
    /// <summary>
    /// Both engines compute in float64 but sum in different orders (im2col + GEMM vs direct loops): the rounding
    /// difference is ~1e-15 relative for these short (≤ 60-term) sums, so 1e-9 is far above noise and far below any bug.
    /// </summary>
    private const double RelTol = 1e-9;

    /// <summary>Values are O(1); errors are measured relative to max(|expected|, 1) so sums that cancel to ~0 are not held to 1e-9 of themselves.</summary>
    private const double Floor = 1.0;

    private static readonly Dictionary<string, Func<Tensor[], Tensor>> Ops = new()
    {
        ["conv2d_basic"] = x => F.Conv2d(x[0], x[1], x[2]),
        ["conv2d_stride_pad"] = x => F.Conv2d(x[0], x[1], x[2], stride: 2, padding: 1),
        ["conv2d_dilation"] = x => F.Conv2d(x[0], x[1], null, padding: 2, dilation: 2),
        ["conv2d_groups"] = x => F.Conv2d(x[0], x[1], x[2], groups: 2),
        ["conv2d_depthwise"] = x => F.Conv2d(x[0], x[1], x[2], padding: 1, groups: 4),
        ["conv2d_tuple"] = x => F.Conv2d(x[0], x[1], x[2], (2, 1), (1, 0), (1, 2)),
        ["conv2d_unbatched"] = x => F.Conv2d(x[0], x[1], x[2]),
        ["conv2d_1x1"] = x => F.Conv2d(x[0], x[1]),
        ["conv1d_stride_pad"] = x => F.Conv1d(x[0], x[1], x[2], stride: 2, padding: 1),
        ["conv1d_groups_dilation"] = x => F.Conv1d(x[0], x[1], null, dilation: 2, groups: 2),
        ["conv1d_unbatched"] = x => F.Conv1d(x[0], x[1], x[2]),
        ["conv_transpose2d_basic"] = x => F.ConvTranspose2d(x[0], x[1], x[2]),
        ["conv_transpose2d_stride_pad_outpad"] = x => F.ConvTranspose2d(x[0], x[1], x[2], stride: 2, padding: 1, outputPadding: 1),
        ["conv_transpose2d_groups_dilation"] = x => F.ConvTranspose2d(x[0], x[1], x[2], groups: 2, dilation: 2),
        ["conv_transpose2d_unbatched"] = x => F.ConvTranspose2d(x[0], x[1], null, stride: 2),
        ["max_pool2d_basic"] = x => F.MaxPool2d(x[0], 2),
        ["max_pool2d_stride_pad"] = x => F.MaxPool2d(x[0], 3, stride: 2, padding: 1),
        ["max_pool2d_dilation_ceil"] = x => F.MaxPool2d(x[0], 2, stride: 2, dilation: 2, ceilMode: true),
        ["max_pool2d_ceil_pad"] = x => F.MaxPool2d(x[0], 3, stride: 2, padding: 1, ceilMode: true),
        ["max_pool2d_unbatched"] = x => F.MaxPool2d(x[0], 2, stride: 1),
        ["avg_pool2d_basic"] = x => F.AvgPool2d(x[0], 2),
        ["avg_pool2d_pad_exclude"] = x => F.AvgPool2d(x[0], 3, stride: 2, padding: 1, countIncludePad: false),
        ["avg_pool2d_pad_include_ceil"] = x => F.AvgPool2d(x[0], 3, stride: 2, padding: 1, ceilMode: true),
        ["avg_pool2d_ceil_exclude"] = x => F.AvgPool2d(x[0], 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false),
        ["avg_pool2d_divisor"] = x => F.AvgPool2d(x[0], 2, stride: 1, divisorOverride: 3),
        ["avg_pool2d_unbatched"] = x => F.AvgPool2d(x[0], 2, stride: 2, padding: 1),
        ["adaptive_avg_pool2d_down"] = x => F.AdaptiveAvgPool2d(x[0], (3, 4)),
        ["adaptive_avg_pool2d_up"] = x => F.AdaptiveAvgPool2d(x[0], (5, 3)),
        ["embedding"] = x => F.Embedding(x[0], x[1]),
        ["embedding_padding_idx"] = x => F.Embedding(x[0], x[1], paddingIdx: 3),
        ["linear"] = x => F.Linear(x[0], x[1], x[2]),
        ["linear_no_bias"] = x => F.Linear(x[0], x[1]),
        ["einsum_matmul"] = x => Tensor.Einsum("ij,jk->ik", x),
        ["einsum_attention"] = x => Tensor.Einsum("bhqd,bhkd->bhqk", x),
        ["einsum_outer"] = x => Tensor.Einsum("i,j->ij", x),
        ["einsum_implicit"] = x => Tensor.Einsum("ij,jk", x),
        ["einsum_permute_sum"] = x => Tensor.Einsum("ijk->ki", x),
        ["einsum_batch_reduce"] = x => Tensor.Einsum("bij,bjk->bk", x),
        ["einsum_hadamard_dot"] = x => Tensor.Einsum("ij,ij->i", x),
    };

    /// <summary>The max-pool cases, for the index check (same window parameters as in <see cref="Ops"/>).</summary>
    private static readonly Dictionary<string, Func<Tensor, Tensor>> MaxPoolIndices = new()
    {
        ["max_pool2d_basic"] = x => F.MaxPool2dWithIndices(x, 2).Indices,
        ["max_pool2d_stride_pad"] = x => F.MaxPool2dWithIndices(x, 3, stride: 2, padding: 1).Indices,
        ["max_pool2d_dilation_ceil"] = x => F.MaxPool2dWithIndices(x, 2, stride: 2, dilation: 2, ceilMode: true).Indices,
        ["max_pool2d_ceil_pad"] = x => F.MaxPool2dWithIndices(x, 3, stride: 2, padding: 1, ceilMode: true).Indices,
        ["max_pool2d_unbatched"] = x => F.MaxPool2dWithIndices(x, 2, stride: 1).Indices,
    };

    private sealed record Golden(string Name, Tensor[] Inputs, Tensor Output, Tensor GradOutput, Tensor?[] Grads, Tensor? Indices);

    private static readonly Lazy<Golden[]> Cases = new(Load);

    private static Tensor ReadTensor(JsonElement e)
    {
        int[] shape = e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var data = e.GetProperty("data");
        if (e.TryGetProperty("dtype", out var dt) && dt.GetString() == "int64")
            return Tensor.From(data.EnumerateArray().Select(v => v.GetInt64()).ToArray()).Reshape(shape);
        return Tensor.From(data.EnumerateArray().Select(v => v.GetDouble()).ToArray()).Reshape(shape);
    }

    private static Golden[] Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch_golden_functional.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new Golden(
            c.GetProperty("name").GetString()!,
            c.GetProperty("inputs").EnumerateArray().Select(ReadTensor).ToArray(),
            ReadTensor(c.GetProperty("output")),
            ReadTensor(c.GetProperty("grad_output")),
            c.GetProperty("grads").EnumerateArray().Select(g => g.ValueKind == JsonValueKind.Null ? null : ReadTensor(g)).ToArray(),
            c.TryGetProperty("indices", out var idx) ? ReadTensor(idx) : null)).ToArray();
    }

    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (var c in Cases.Value)
            d.Add(c.Name);
        return d;
    }

    [Fact]
    public void EveryFixtureCaseHasAnOp()
    {
        Assert.Equal("", string.Join(",", Cases.Value.Select(c => c.Name).Where(n => !Ops.ContainsKey(n))));
        Assert.Equal("", string.Join(",", Cases.Value.Where(c => c.Indices is not null).Select(c => c.Name).Where(n => !MaxPoolIndices.ContainsKey(n))));
        Assert.True(Cases.Value.Length >= 25, $"only {Cases.Value.Length} cases in the fixture");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void MatchesPyTorch(string name)
    {
        var g = Cases.Value.Single(c => c.Name == name);
        output.WriteLine($"{name}: fixed PyTorch inputs (make_golden_functional.py, seed 20240615), shapes {string.Join(" ", g.Inputs.Select(t => GradCheck.Fmt(t.Shape)))}");
        var inputs = g.Inputs.Select(t => t.DType == DType.Float64 ? t.Clone().Detach().RequiresGrad_() : t).ToArray();
        var y = Ops[name](inputs);
        Assert.Equal(g.Output.Shape, y.Shape);
        AssertClose($"{name} forward", g.Output, y);
        y.Backward(g.GradOutput);
        for (int i = 0; i < inputs.Length; i++)
        {
            if (g.Grads[i] is not { } expected)
                continue;
            var actual = inputs[i].Grad ?? Tensor.Zeros(inputs[i].Shape, DType.Float64);
            Assert.Equal(expected.Shape, actual.Shape);
            AssertClose($"{name} grad of input {i}", expected, actual);
        }
        if (g.Indices is not null)
        {
            var idx = MaxPoolIndices[name](g.Inputs[0]);
            Assert.Equal(DType.Int64, idx.DType);
            Assert.Equal(g.Indices.Shape, idx.Shape);
            Assert.Equal(g.Indices.ToArray<long>(), idx.ToArray<long>());
        }
    }

    private static void AssertClose(string what, Tensor expected, Tensor actual)
    {
        double[] e = expected.ToDoubleArray(), a = actual.ToDoubleArray();
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(a[i] - e[i]) <= RelTol * Math.Max(Math.Abs(e[i]), Floor),
                $"{what}: element {i} is {a[i]:R}, PyTorch gives {e[i]:R} (diff {Math.Abs(a[i] - e[i]):E2})");
    }
}
