using Polymath.Data.Transforms;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Data.Tests;

public class TransformTests(ITestOutputHelper output)
{
    private static Tensor Image(int c, int h, int w) => Tensor.Arange(c * h * w, DType.Float32).Reshape(c, h, w);

    [Fact]
    public void NormalizeIsPerChannel()
    {
        var x = Image(2, 2, 2);
        var y = new Normalize([1, 10], [2, 4]).Apply(x);
        Assert.Equal([-0.5f, 0, 0.5f, 1, -1.5f, -1.25f, -1, -0.75f], y.ToArray());
        Assert.Equal(x.ToArray(), Image(2, 2, 2).ToArray()); // input untouched
        Assert.Equal([3, 2, 2, 2], new Normalize([1, 10], [2, 4]).Apply(Tensor.Stack([x, x, x])).Shape);
        Assert.Throws<ArgumentException>(() => new Normalize([1], [2]).Apply(x));
        Assert.Throws<ArgumentException>(() => new Normalize([1], [0]));
    }

    [Fact]
    public void RandomCropIsSeededAndPadsWithZeros()
    {
        const ulong seed = 5;
        output.WriteLine($"seed {seed}");
        var x = Image(1, 4, 4).Add(1); // values 1..16, so zeros can only come from padding
        var a = new RandomCrop(4, padding: 2, generator: new Generator(seed));
        var b = new RandomCrop(4, padding: 2, generator: new Generator(seed));
        var crops = Enumerable.Range(0, 20).Select(_ => a.Apply(x).ToArray()).ToList();
        Assert.Equal(crops, Enumerable.Range(0, 20).Select(_ => b.Apply(x).ToArray()));
        Assert.True(crops.Distinct(new ArrayComparer()).Count() > 3);
        Assert.Contains(crops, c => c.Contains(0f));
        Assert.All(crops, c => Assert.Equal(16, c.Length));
        // Every crop is a window of the padded image: its non-zero values are consecutive pieces of the original rows.
        Assert.All(crops, c => Assert.All(c.Where(v => v != 0), v => Assert.InRange(v, 1, 16)));
        Assert.Equal(x.ToArray(), new RandomCrop(4).Apply(x).ToArray());
        Assert.Equal([1, 3, 2], new RandomCrop(3, 2, 0, new Generator(seed)).Apply(x).Shape);
        Assert.Throws<ArgumentException>(() => new RandomCrop(5).Apply(x));
    }

    [Fact]
    public void HorizontalFlipMirrorsTheLastDim()
    {
        const ulong seed = 8;
        output.WriteLine($"seed {seed}");
        var x = Image(1, 2, 3);
        Assert.Equal([2f, 1, 0, 5, 4, 3], new RandomHorizontalFlip(1.0).Apply(x).ToArray());
        Assert.Equal(x.ToArray(), new RandomHorizontalFlip(0.0).Apply(x).ToArray());
        var flip = new RandomHorizontalFlip(0.5, new Generator(seed));
        int flipped = Enumerable.Range(0, 1000).Count(_ => flip.Apply(x).ToArray()[0] == 2f);
        Assert.InRange(flipped, 430, 570); // binomial(1000, 0.5): ± 4.4 sigma
        var again = new RandomHorizontalFlip(0.5, new Generator(seed));
        Assert.Equal(flipped, Enumerable.Range(0, 1000).Count(_ => again.Apply(x).ToArray()[0] == 2f));
    }

    [Fact]
    public void ToTensorAndCompose()
    {
        byte[] hwc = [0, 255, 51, 102, 0, 0]; // 1×2 pixels, 3 channels
        var t = ToTensor.FromBytes(hwc, 1, 2, 3);
        Assert.Equal([3, 1, 2], t.Shape);
        Assert.Equal([0f, 0.4f, 1f, 0, 0.2f, 0], t.ToArray());
        var fromTensor = new ToTensor().Apply(Tensor.From(hwc.Select(b => (float)b).ToArray(), 1, 2, 3));
        Assert.Equal(t.ToArray(), fromTensor.ToArray());
        var pipeline = new Compose(new ToTensor(), new Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]));
        var y = pipeline.Apply(Tensor.From(hwc.Select(b => (float)b).ToArray(), 1, 2, 3));
        Assert.Equal([-1f, -0.2f, 1f, -1f, -0.6f, -1f], y.ToArray().Select(v => MathF.Round(v, 5)));
        Func<Tensor, Tensor> f = pipeline; // usable wherever a data set takes a delegate
        Assert.Equal([3, 1, 2], f(Tensor.Zeros(1, 2, 3)).Shape);
    }

    private sealed class ArrayComparer : IEqualityComparer<float[]>
    {
        public bool Equals(float[]? a, float[]? b) => a!.SequenceEqual(b!);
        public int GetHashCode(float[] a) => a.Aggregate(17, (h, v) => h * 31 + v.GetHashCode());
    }
}
