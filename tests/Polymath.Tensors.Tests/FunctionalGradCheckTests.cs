using Xunit;
using Xunit.Abstractions;
using static Polymath.Tests.TestData;
using F = Polymath.Functional;

namespace Polymath.Tests;

/// <summary>
/// Every <see cref="Functional"/> op checked against central differences in float64 (<see cref="GradCheck"/>), w.r.t.
/// every differentiable input (input, weight and bias), over a spread of strides, paddings, dilations, groups, ceil
/// modes and unbatched inputs, with contiguous, transposed and strided (non-contiguous) leaves.
/// </summary>
public sealed class FunctionalGradCheckTests(ITestOutputHelper output)
{
    /// <summary>One gradcheck configuration: a name, the op, and the input shapes (all float64 leaves).</summary>
    private sealed record Case(string Name, Func<Tensor[], Tensor> Op, int[][] Shapes, Layout Layout = Layout.Contiguous, bool Distinct = false);

    private static readonly Case[] All =
    [
        // conv2d: int overload
        new("conv2d plain, bias", x => F.Conv2d(x[0], x[1], x[2]), [[2, 3, 5, 6], [4, 3, 3, 3], [4]]),
        new("conv2d stride 2 pad 1, transposed", x => F.Conv2d(x[0], x[1], x[2], stride: 2, padding: 1), [[2, 2, 6, 5], [3, 2, 3, 3], [3]], Layout.Transposed),
        new("conv2d dilation 2 pad 2, strided", x => F.Conv2d(x[0], x[1], null, padding: 2, dilation: 2), [[1, 2, 6, 6], [2, 2, 3, 3]], Layout.Strided),
        new("conv2d groups 2, bias", x => F.Conv2d(x[0], x[1], x[2], groups: 2), [[2, 4, 5, 5], [4, 2, 2, 3], [4]]),
        new("conv2d depthwise pad 1, strided", x => F.Conv2d(x[0], x[1], x[2], padding: 1, groups: 3), [[1, 3, 5, 5], [3, 1, 3, 3], [3]], Layout.Strided),
        new("conv2d depthwise multiplier 2, stride 2", x => F.Conv2d(x[0], x[1], x[2], stride: 2, padding: 1, groups: 2), [[2, 2, 6, 6], [4, 1, 3, 3], [4]]),
        new("conv2d 1x1, transposed", x => F.Conv2d(x[0], x[1], x[2]), [[2, 5, 3, 4], [3, 5, 1, 1], [3]], Layout.Transposed),
        new("conv2d kernel = input", x => F.Conv2d(x[0], x[1], x[2]), [[2, 2, 3, 4], [3, 2, 3, 4], [3]]),
        new("conv2d batch 0", x => F.Conv2d(x[0], x[1], x[2]), [[0, 2, 4, 4], [3, 2, 3, 3], [3]]),
        // conv2d: tuple overload and unbatched
        new("conv2d tuple stride (2,1) pad (1,0) dil (1,2)", x => F.Conv2d(x[0], x[1], x[2], (2, 1), (1, 0), (1, 2)), [[1, 3, 7, 8], [2, 3, 3, 2], [2]]),
        new("conv2d tuple stride (1,3) pad (0,2) groups 2, strided", x => F.Conv2d(x[0], x[1], null, (1, 3), (0, 2), (1, 1), 2), [[2, 4, 4, 7], [2, 2, 2, 3]], Layout.Strided),
        new("conv2d unbatched, bias", x => F.Conv2d(x[0], x[1], x[2], stride: 1, padding: 1), [[3, 4, 5], [2, 3, 3, 2], [2]]),
        new("conv2d unbatched, transposed", x => F.Conv2d(x[0], x[1], x[2], (2, 2), (1, 1), (1, 1)), [[2, 5, 5], [3, 2, 3, 3], [3]], Layout.Transposed),
        // conv1d
        new("conv1d plain, bias", x => F.Conv1d(x[0], x[1], x[2]), [[2, 3, 9], [4, 3, 3], [4]]),
        new("conv1d stride 2 pad 1 dil 2, strided", x => F.Conv1d(x[0], x[1], x[2], stride: 2, padding: 1, dilation: 2), [[2, 2, 11], [3, 2, 3], [3]], Layout.Strided),
        new("conv1d groups 2, transposed", x => F.Conv1d(x[0], x[1], null, groups: 2), [[1, 4, 8], [6, 2, 2]], Layout.Transposed),
        new("conv1d unbatched", x => F.Conv1d(x[0], x[1], x[2], padding: 2), [[3, 6], [2, 3, 4], [2]]),
        // conv_transpose2d
        new("conv_transpose2d plain, bias", x => F.ConvTranspose2d(x[0], x[1], x[2]), [[2, 3, 3, 4], [3, 2, 3, 3], [2]]),
        new("conv_transpose2d stride 2 pad 1 outpad 1, strided", x => F.ConvTranspose2d(x[0], x[1], x[2], stride: 2, padding: 1, outputPadding: 1), [[1, 2, 3, 3], [2, 3, 3, 3], [3]], Layout.Strided),
        new("conv_transpose2d groups 2, transposed", x => F.ConvTranspose2d(x[0], x[1], x[2], stride: 2, groups: 2), [[2, 4, 3, 2], [4, 2, 2, 2], [4]], Layout.Transposed),
        new("conv_transpose2d dilation 2 stride 3 outpad 2", x => F.ConvTranspose2d(x[0], x[1], null, stride: 3, outputPadding: 2, dilation: 2), [[1, 2, 3, 3], [2, 2, 2, 3]]),
        new("conv_transpose2d unbatched", x => F.ConvTranspose2d(x[0], x[1], x[2], padding: 1), [[2, 4, 4], [2, 3, 3, 3], [3]]),
        // max pooling: distinct values (no ties, gaps far above the finite-difference step)
        new("max_pool2d k2", x => F.MaxPool2d(x[0], 2), [[2, 3, 6, 6]], Distinct: true),
        new("max_pool2d k3 s2 p1, transposed", x => F.MaxPool2d(x[0], 3, stride: 2, padding: 1), [[1, 2, 7, 6]], Layout.Transposed, Distinct: true),
        new("max_pool2d k2 s1 (overlapping), strided", x => F.MaxPool2d(x[0], 2, stride: 1), [[1, 2, 5, 5]], Layout.Strided, Distinct: true),
        new("max_pool2d k2 dil 2 ceil", x => F.MaxPool2d(x[0], 2, stride: 2, dilation: 2, ceilMode: true), [[1, 2, 9, 8]], Distinct: true),
        new("max_pool2d k3 s2 p1 ceil", x => F.MaxPool2d(x[0], 3, stride: 2, padding: 1, ceilMode: true), [[2, 1, 8, 8]], Distinct: true),
        new("max_pool2d unbatched", x => F.MaxPool2d(x[0], 3, stride: 2), [[2, 7, 5]], Distinct: true),
        new("max_pool2d_with_indices output", x => F.MaxPool2dWithIndices(x[0], 2, stride: 2, padding: 1).Output, [[1, 2, 5, 4]], Layout.Strided, Distinct: true),
        // average pooling
        new("avg_pool2d k2", x => F.AvgPool2d(x[0], 2), [[2, 3, 6, 6]]),
        new("avg_pool2d k3 s2 p1 include pad, transposed", x => F.AvgPool2d(x[0], 3, stride: 2, padding: 1), [[1, 2, 7, 7]], Layout.Transposed),
        new("avg_pool2d k3 s2 p1 exclude pad, strided", x => F.AvgPool2d(x[0], 3, stride: 2, padding: 1, countIncludePad: false), [[1, 2, 7, 6]], Layout.Strided),
        new("avg_pool2d ceil include pad", x => F.AvgPool2d(x[0], 3, stride: 2, padding: 1, ceilMode: true), [[1, 2, 8, 8]]),
        new("avg_pool2d ceil exclude pad", x => F.AvgPool2d(x[0], 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false), [[1, 2, 8, 7]]),
        new("avg_pool2d divisor override 3", x => F.AvgPool2d(x[0], 2, stride: 1, divisorOverride: 3), [[1, 2, 5, 5]]),
        new("avg_pool2d unbatched", x => F.AvgPool2d(x[0], 2, stride: 2, padding: 1), [[2, 6, 5]]),
        // adaptive average pooling
        new("adaptive_avg_pool2d down (3,4)", x => F.AdaptiveAvgPool2d(x[0], (3, 4)), [[2, 3, 7, 9]]),
        new("adaptive_avg_pool2d up (5,3), transposed", x => F.AdaptiveAvgPool2d(x[0], (5, 3)), [[1, 2, 3, 5]], Layout.Transposed),
        new("adaptive_avg_pool2d (1,1), strided", x => F.AdaptiveAvgPool2d(x[0], (1, 1)), [[2, 3, 4, 5]], Layout.Strided),
        new("adaptive_avg_pool2d unbatched", x => F.AdaptiveAvgPool2d(x[0], (2, 2)), [[3, 5, 4]]),
        // linear
        new("linear bias", x => F.Linear(x[0], x[1], x[2]), [[3, 5], [4, 5], [4]]),
        new("linear 3-D input, transposed", x => F.Linear(x[0], x[1], x[2]), [[2, 3, 5], [4, 5], [4]], Layout.Transposed),
        new("linear no bias, strided", x => F.Linear(x[0], x[1]), [[4, 3], [2, 3]], Layout.Strided),
        new("linear 1-D input", x => F.Linear(x[0], x[1], x[2]), [[5], [3, 5], [3]]),
        // embedding (gradient w.r.t. the weight; indices are fixed)
        new("embedding", x => F.Embedding(Tensor.From([1L, 3, 3, 0, 4, 1], 2, 3), x[0]), [[5, 4]]),
        // padding_idx rows get no gradient by definition (not a derivative): here the padding row is not looked up,
        // so finite differences apply; EmbeddingPaddingRowGetsNoGradient covers the looked-up case.
        new("embedding padding_idx 2 unused, transposed", x => F.Embedding(Tensor.From([1L, 3, 3, 0, 4, 1], 2, 3), x[0], paddingIdx: 2), [[5, 4]], Layout.Transposed),
        new("embedding padding_idx -1 unused, strided", x => F.Embedding(Tensor.From([3L, 2, 3, 0]), x[0], paddingIdx: -1), [[5, 3]], Layout.Strided),
        // dropout: a fresh generator with a fixed seed per call, so every evaluation draws the same mask
        new("dropout p 0.3", x => F.Dropout(x[0], 0.3, training: true, new Generator(7)), [[4, 5]]),
        new("dropout p 0.5, strided", x => F.Dropout(x[0], 0.5, training: true, new Generator(8)), [[3, 6]], Layout.Strided),
        new("dropout eval", x => F.Dropout(x[0], 0.5, training: false), [[3, 4]]),
        new("dropout p 1", x => F.Dropout(x[0], 1.0), [[3, 4]]),
    ];

    public static TheoryData<string> Cases()
    {
        var d = new TheoryData<string>();
        foreach (var c in All)
            d.Add(c.Name);
        return d;
    }

    [Fact]
    public void CaseNamesAreUnique() => Assert.Equal(All.Length, All.Select(c => c.Name).Distinct().Count());

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientsMatchFiniteDifferences(string name)
    {
        var c = All.Single(c => c.Name == name);
        int seed = StableSeed(name);
        output.WriteLine($"{c.Name}: seed {seed}, layout {c.Layout}, shapes {string.Join(" ", c.Shapes.Select(GradCheck.Fmt))}");
        var rng = new System.Random(seed);
        var inputs = c.Shapes.Select((s, i) => i == 0 && c.Distinct ? Make(DistinctValues(rng, Numel(s)), s, c.Layout) : Rand(rng, s, c.Layout)).ToArray();
        string? failure = GradCheck.Check(c.Op, inputs, seed);
        Assert.True(failure is null, failure);
    }

    [Theory]
    [InlineData(3, 3)]
    [InlineData(-2, 3)]
    [InlineData(0, 0)]
    public void EmbeddingPaddingRowGetsNoGradient(int paddingIdx, int row)
    {
        const int seed = 4242;
        output.WriteLine($"seed {seed}");
        var rng = new System.Random(seed);
        var indices = Tensor.From([1L, 3, 3, 0, 4, 1, 3], 7);
        var w = Rand(rng, [5, 4]).RequiresGrad_();
        var gy = Rand(rng, [7, 4]);
        var y = F.Embedding(indices, w, paddingIdx);
        Assert.Equal(w.IndexSelect(0, indices).Detach().ToDoubleArray(), y.Detach().ToDoubleArray()); // the row is still looked up
        y.Backward(gy);

        var w2 = w.Detach().Clone().RequiresGrad_();
        F.Embedding(indices, w2).Backward(gy);
        var expected = w2.Grad!.Clone();
        using (Tensor.NoGrad())
            expected[row].FillInPlace(0);
        Assert.Equal(expected.ToDoubleArray(), w.Grad!.ToDoubleArray());
        Assert.NotEqual(0, w2.Grad![row].Abs().Sum().Item()); // the row was really used
    }

    /// <summary>A fixed seed per case (FNV-1a of its name; string.GetHashCode is randomized per process).</summary>
    internal static int StableSeed(string name)
    {
        uint h = 2166136261;
        foreach (char ch in name)
            h = (h ^ ch) * 16777619;
        return (int)(h % 1_000_000) + 1;
    }

    /// <summary>A shuffled grid with spacing 0.05: every max-pool window has one clear maximum, far beyond the 1e-6 step.</summary>
    private static double[] DistinctValues(System.Random rng, long n)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++)
            v[i] = (i - n / 2.0) * 0.05;
        rng.Shuffle(v);
        return v;
    }
}
