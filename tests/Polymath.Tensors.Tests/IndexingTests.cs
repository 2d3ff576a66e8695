using Xunit;
using Xunit.Abstractions;
using static Polymath.Tests.TestData;

namespace Polymath.Tests;

/// <summary>IndexSelect, Gather, ScatterAdd, TopK and Sort against plain loops, plus their errors.</summary>
public sealed class IndexingTests(ITestOutputHelper output)
{
    private static Tensor Seq(params int[] shape) => Tensor.Arange(0, shape.Aggregate(1, (a, b) => a * b), 1, DType.Float64).Reshape(shape);

    [Fact]
    public void IndexSelectMatchesLoop_OnEveryDimAndLayout()
    {
        const int seed = 9300;
        output.WriteLine($"seed={seed}");
        var rng = new System.Random(seed);
        int[] shape = [4, 5, 3];
        foreach (var layout in Enum.GetValues<Layout>())
        {
            var x = Rand(rng, shape, layout);
            var v = x.ToDoubleArray();
            for (int d = 0; d < 3; d++)
            {
                var idx = Enumerable.Range(0, 6).Select(_ => (long)rng.Next(-shape[d], shape[d])).ToArray();
                var r = x.IndexSelect(d, Tensor.From(idx));
                var rs = shape.ToArray();
                rs[d] = idx.Length;
                Assert.Equal(rs, r.Shape);
                var got = r.ToDoubleArray();
                for (int i = 0; i < got.Length; i++)
                {
                    int[] c = [i / (rs[1] * rs[2]), i / rs[2] % rs[1], i % rs[2]];
                    long k = idx[c[d]];
                    c[d] = (int)(k < 0 ? k + shape[d] : k);
                    Assert.Equal(v[(c[0] * 5 + c[1]) * 3 + c[2]], got[i]);
                }
            }
        }
    }

    [Fact]
    public void IndexSelectOtherDtypesAndEmptyIndex()
    {
        Assert.Equal(new long[] { 30, 10 }, Tensor.From([10L, 20, 30]).IndexSelect(0, Tensor.From([2L, 0])).ToArray<long>());
        Assert.Equal(new[] { true, true }, Tensor.From([true, false]).IndexSelect(0, Tensor.From([0L, 0])).ToArray<bool>());
        Assert.Equal(new[] { 0, 3 }, Seq(2, 3).IndexSelect(0, Tensor.Zeros([0], DType.Int64)).Shape);
        Assert.Throws<ArgumentException>(() => Seq(2, 3).IndexSelect(0, Tensor.From([0.0])));
        Assert.Throws<IndexOutOfRangeException>(() => Seq(2, 3).IndexSelect(0, Tensor.From([-3L])));
    }

    [Fact]
    public void GatherAndScatterAddMatchLoops()
    {
        var x = Seq(3, 4).T.Contiguous().T; // non-contiguous [3,4]
        var index = Tensor.From([0L, 3, -1, 1, 2, 2], 3, 2);
        var g = x.Gather(1, index).ToDoubleArray();
        long[] iv = [0, 3, 3, 1, 2, 2];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++)
                Assert.Equal(i * 4 + iv[i * 2 + j], g[i * 2 + j]);

        var target = Tensor.Zeros([3, 4], DType.Float64);
        var src = Seq(2, 4) + 1.0;
        var sidx = Tensor.From([0L, 2, 2, 1, 0, 0, 2, 1], 2, 4);
        var r = target.ScatterAdd(0, sidx, src).ToDoubleArray();
        var expected = new double[12];
        long[] sv = sidx.ToArray<long>();
        var srcv = src.ToDoubleArray();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 4; j++)
                expected[sv[i * 4 + j] * 4 + j] += srcv[i * 4 + j];
        Assert.Equal(expected, r);
        Assert.Equal(new double[12], target.ToDoubleArray()); // out of place

        target.ScatterAddInPlace(0, sidx, src);
        Assert.Equal(expected, target.ToDoubleArray());
    }

    [Fact]
    public void GatherAndScatterErrorsNameTheOp()
    {
        var x = Seq(3, 4);
        var e = Assert.Throws<IndexOutOfRangeException>(() => x.Gather(1, Tensor.From([4L], 1, 1)));
        Assert.Contains("gather", e.Message);
        Assert.Contains("4", e.Message);
        var a = Assert.Throws<ArgumentException>(() => x.Gather(1, Tensor.From([0L])));
        Assert.Contains("rank", a.Message);
        a = Assert.Throws<ArgumentException>(() => x.Gather(1, Tensor.From([0L, 0, 0, 0, 0], 5, 1)));
        Assert.Contains("[5,1]", a.Message);
        Assert.Throws<ArgumentException>(() => x.ScatterAdd(0, Tensor.From([0L, 0], 1, 2), Tensor.Zeros([1, 1], DType.Float64)));
    }

    [Fact]
    public void SortIsStable_NaNLast_AndMatchesLinq()
    {
        const int seed = 9400;
        output.WriteLine($"seed={seed}");
        var rng = new System.Random(seed);
        // Few distinct values so ties are common.
        var v = Enumerable.Range(0, 40).Select(_ => (double)rng.Next(5)).ToArray();
        var x = Tensor.From(v, 4, 10);
        var (vals, idx) = x.Sort(1);
        var iv = idx.ToArray<long>();
        for (int r = 0; r < 4; r++)
        {
            var expected = Enumerable.Range(0, 10).OrderBy(i => v[r * 10 + i]).ToArray(); // OrderBy is stable
            Assert.Equal(expected.Select(i => (long)i), iv.Skip(r * 10).Take(10));
        }
        var (dv, di) = x.Sort(1, descending: true);
        var div = di.ToArray<long>();
        for (int r = 0; r < 4; r++)
        {
            var expected = Enumerable.Range(0, 10).OrderByDescending(i => v[r * 10 + i]).ToArray();
            Assert.Equal(expected.Select(i => (long)i), div.Skip(r * 10).Take(10));
        }
        var (s0, i0) = x.Sort(0);
        Assert.Equal(new[] { 4, 10 }, s0.Shape);
        for (int c = 0; c < 10; c++)
        {
            var col = Enumerable.Range(0, 4).Select(r => v[r * 10 + c]).OrderBy(t => t).ToArray();
            Assert.Equal(col, Enumerable.Range(0, 4).Select(r => s0[r, c].Item()).ToArray());
        }
        var nan = Tensor.From([2.0, double.NaN, 1.0]).Sort();
        Assert.Equal(new long[] { 2, 0, 1 }, nan.Indices.ToArray<long>());
    }

    [Fact]
    public void TopKLargestAndSmallest()
    {
        var x = Tensor.From([5.0, 1, 4, 4, 9, 0], 2, 3);
        var (v, i) = x.TopK(2);
        Assert.Equal(new double[] { 5, 4, 9, 4 }, v.ToDoubleArray());
        Assert.Equal(new long[] { 0, 2, 1, 0 }, i.ToArray<long>());
        var (sv, si) = x.TopK(1, 0, largest: false);
        Assert.Equal(new double[] { 4, 1, 0 }, sv.ToDoubleArray());
        Assert.Equal(new long[] { 1, 0, 1 }, si.ToArray<long>());
        Assert.Equal(new[] { 2, 0 }, x.TopK(0).Values.Shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.TopK(4));
    }

    [Fact]
    public void WhereAndMaskedFill()
    {
        var x = Seq(2, 3);
        var m = x.Gt(2.5);
        Assert.Equal(new double[] { 0, 1, 2, -1, -1, -1 }, x.MaskedFill(m, -1).ToDoubleArray());
        Assert.Equal(new double[] { 9, 9, 9, 3, 4, 5 }, Tensor.Where(m, x, 9.0).ToDoubleArray());
        var row = Tensor.From([true, false, true]);
        Assert.Equal(new double[] { 0, 7, 2, 3, 7, 5 }, Tensor.Where(row, x, Tensor.Scalar(7, DType.Float64)).ToDoubleArray());
        Assert.Throws<ArgumentException>(() => x.MaskedFill(Tensor.From([1.0]), 0));
        var big = Assert.Throws<ArgumentException>(() => x.MaskedFill(Tensor.From([true, false, true, false, true, false], 3, 1, 2), 0));
        Assert.Contains("masked_fill", big.Message);
    }

    [Fact]
    public void TensorIndexSelectsAlongTheDim()
    {
        var x = Seq(3, 4);
        var r = x[.., Tensor.From([3L, 0])];
        Assert.Equal(new[] { 3, 2 }, r.Shape);
        Assert.Equal(new double[] { 3, 0, 7, 4, 11, 8 }, r.ToDoubleArray());
    }
}
