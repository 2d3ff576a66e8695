using Xunit;
using Xunit.Abstractions;

namespace Polymath.Tests;

/// <summary>The vectorised 2×2/stride-2 max pool against a plain loop, including ties, NaN and partial vector blocks.</summary>
public class MaxPool2x2Tests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(28, 28)]
    [InlineData(10, 10)]
    [InlineData(11, 33)]
    [InlineData(32, 64)]
    [InlineData(6, 70)]
    public void MatchesTheScanOrderLoop(int h, int w)
    {
        int seed = 900 + h * 100 + w;
        output.WriteLine($"seed {seed}");
        var rng = new System.Random(seed);
        int n = 3, c = 2;
        var data = new float[n * c * h * w];
        for (int i = 0; i < data.Length; i++)
            data[i] = rng.Next(8) switch { 0 => float.NaN, 1 => 1f, 2 => 1f, _ => (float)rng.NextDouble() }; // NaN and ties
        var x = Tensor.From(data, n, c, h, w);
        var (y, idx) = Functional.MaxPool2dWithIndices(x, 2);
        int oh = h / 2, ow = w / 2;
        var yv = y.ToArray();
        var iv = idx.ToArray<long>();
        for (int p = 0; p < n * c; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    float max = float.NegativeInfinity;
                    int at = 2 * i * w + 2 * j;
                    foreach (int k in new[] { 2 * i * w + 2 * j, 2 * i * w + 2 * j + 1, (2 * i + 1) * w + 2 * j, (2 * i + 1) * w + 2 * j + 1 })
                    {
                        float v = data[p * h * w + k];
                        if (v > max || float.IsNaN(v)) { max = v; at = k; }
                    }
                    int o = (p * oh + i) * ow + j;
                    Assert.Equal(at, iv[o]);
                    Assert.Equal(BitConverter.SingleToInt32Bits(max), BitConverter.SingleToInt32Bits(yv[o]));
                }
    }
}
