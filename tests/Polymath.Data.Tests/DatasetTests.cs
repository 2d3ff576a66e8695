using Xunit;
using Xunit.Abstractions;

namespace Polymath.Data.Tests;

public class DatasetTests(ITestOutputHelper output)
{
    private static Dataset<int> Range(int n) => new ListDataset<int>(Enumerable.Range(0, n).ToArray());

    [Fact]
    public void TensorDatasetSlicesRows()
    {
        var x = Tensor.From(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), 4, 3);
        var y = Tensor.From([10L, 11, 12, 13], 4);
        var ds = new TensorDataset(x, y);
        Assert.Equal(4, ds.Count);
        var item = ds[2];
        Assert.Equal([6f, 7f, 8f], item[0].ToArray());
        Assert.Equal(12L, item[1].Item<long>());
        Assert.Throws<ArgumentOutOfRangeException>(() => ds[4]);
        var e = Assert.Throws<ArgumentException>(() => new TensorDataset(x, Tensor.Zeros(5)));
        Assert.Contains("size mismatch", e.Message);
    }

    [Fact]
    public void SubsetAndConcat()
    {
        var a = Range(3);
        var b = new ListDataset<int>([10, 11]);
        var empty = new ListDataset<int>([]);
        var c = new ConcatDataset<int>(a, empty, b);
        Assert.Equal(5, c.Count);
        Assert.Equal([0, 1, 2, 10, 11], Enumerable.Range(0, 5).Select(i => c[i]));
        Assert.Equal([0, 1, 2, 10, 11], Enumerable.Range(0, 5).Select(i => (a + b)[i]));
        var s = new Subset<int>(c, [4, 0]);
        Assert.Equal([11, 0], new[] { s[0], s[1] });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Subset<int>(a, [3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => c[5]);
    }

    [Fact]
    public void RandomSplitSizesAreExactAndDisjoint()
    {
        const ulong seed = 1234;
        output.WriteLine($"seed {seed}");
        var ds = Range(103);
        var parts = Datasets.RandomSplit(ds, [0.8, 0.1, 0.1], new Generator(seed));
        // floor gives 82, 10, 10 = 102; the one left over goes to the first part, as in PyTorch.
        Assert.Equal([83, 10, 10], parts.Select(p => p.Count));
        var all = parts.SelectMany(p => Enumerable.Range(0, p.Count).Select(i => p[i])).ToList();
        Assert.Equal(Enumerable.Range(0, 103), all.Order());
        var again = Datasets.RandomSplit(ds, [83, 10, 10], new Generator(seed));
        Assert.Equal(parts[1].Indices, again[1].Indices);
        var other = Datasets.RandomSplit(ds, [83, 10, 10], new Generator(seed + 1));
        Assert.NotEqual(parts[0].Indices, other[0].Indices);
        Assert.Contains("sum to 102", Assert.Throws<ArgumentException>(() => Datasets.RandomSplit(ds, [100, 2])).Message);
        Assert.Throws<ArgumentException>(() => Datasets.RandomSplit(ds, [0.5, 0.4]));
    }

    [Fact]
    public void MapAppliesOnAccess()
    {
        var ds = Range(4).Map(i => i * i);
        Assert.Equal(9, ds[3]);
        Assert.Equal(4, ds.Count);
    }
}
