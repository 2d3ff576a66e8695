using Xunit;

namespace Polymath.Tests;

/// <summary>Views share storage and follow PyTorch's shape, stride and copy rules.</summary>
public sealed class ViewTests
{
    private static Tensor Seq(params int[] shape) => Tensor.Arange(0, shape.Aggregate(1, (a, b) => a * b), 1, DType.Float64).Reshape(shape);

    [Fact]
    public void ReshapeOfContiguousIsAView_OfTransposedIsACopy()
    {
        var x = Seq(3, 4);
        var v = x.Reshape(2, 6);
        Assert.True(v.SharesStorageWith(x));
        Assert.Equal(new[] { 6, 1 }, v.Strides);
        var t = x.T.Reshape(12);
        Assert.False(t.SharesStorageWith(x));
        Assert.Equal(new double[] { 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, t.ToDoubleArray());
        Assert.Throws<ArgumentException>(() => x.T.View(12));
        Assert.Equal(new[] { 4, 3 }, x.Reshape(-1, 3).Shape);
        Assert.Throws<ArgumentException>(() => x.Reshape(-1, -1));
        Assert.Throws<ArgumentException>(() => x.Reshape(5, -1));
    }

    [Fact]
    public void ViewOfNonContiguousSplitsADimWhenStridesAllow()
    {
        var x = Seq(4, 6).Slice(1, 0, 3); // [4,3] strides [6,1]: rows are not adjacent
        var v = x.View(2, 2, 3);
        Assert.True(v.SharesStorageWith(x));
        Assert.Equal(new[] { 12, 6, 1 }, v.Strides);
        // Stepped columns whose row stride is 3 × the column stride form one uniform run: viewable as 1-D.
        var u = Seq(4, 6).Slice(1, 0, null, 2).View(12);
        Assert.Equal(new[] { 2 }, u.Strides);
        Assert.Equal(x.ToDoubleArray(), v.ToDoubleArray());
        Assert.Throws<ArgumentException>(() => x.View(12));
    }

    [Fact]
    public void PermuteTransposeAndT()
    {
        var x = Seq(2, 3, 4);
        var p = x.Permute(2, 0, 1);
        Assert.Equal(new[] { 4, 2, 3 }, p.Shape);
        Assert.Equal(new[] { 1, 12, 4 }, p.Strides);
        Assert.Equal(x[1, 2, 3].Item(), p[3, 1, 2].Item());
        Assert.Equal(new[] { 4, 3, 2 }, x.Transpose(0, -1).Shape);
        Assert.Throws<InvalidOperationException>(() => x.T);
        Assert.Equal(new[] { 3 }, Seq(3).T.Shape);
        Assert.Throws<ArgumentException>(() => x.Permute(0, 0, 1));
        Assert.Throws<ArgumentException>(() => x.Permute(0, 1));
        var s = Tensor.Scalar(2);
        Assert.Equal(2, s.Transpose(0, -1).Item());
        Assert.Equal(2, s.T.Item());
    }

    [Fact]
    public void ExpandUsesZeroStrides()
    {
        var x = Tensor.From([1.0, 2, 3], 3, 1);
        var e = x.Expand(2, 3, 4);
        Assert.Equal(new[] { 0, 1, 0 }, e.Strides);
        Assert.True(e.SharesStorageWith(x));
        Assert.Equal(2.0, e[1, 1, 3].Item());
        Assert.Equal(new[] { 3, 5 }, x.Expand(-1, 5).Shape);
        Assert.Throws<ArgumentException>(() => x.Expand(2, 4));
        Assert.Throws<ArgumentException>(() => x.Expand(3));
    }

    [Fact]
    public void SqueezeUnsqueezeFlatten()
    {
        var x = Seq(2, 1, 3, 1);
        Assert.Equal(new[] { 2, 3 }, x.Squeeze().Shape);
        Assert.Equal(new[] { 2, 3, 1 }, x.Squeeze(1).Shape);
        Assert.Equal(new[] { 2, 1, 3, 1 }, x.Squeeze(0).Shape);
        Assert.Equal(new[] { 2, 1, 3, 1, 1 }, x.Unsqueeze(-1).Shape);
        Assert.Equal(new[] { 1, 2, 1, 3, 1 }, x.Unsqueeze(0).Shape);
        Assert.Equal(new[] { 2, 3, 1 }, x.Flatten(1, 2).Shape);
        Assert.Equal(new[] { 6 }, x.Flatten().Shape);
        Assert.Equal(new[] { 1 }, Tensor.Scalar(1).Flatten().Shape);
    }

    [Fact]
    public void SliceNarrowSelect()
    {
        var x = Seq(10);
        Assert.Equal(new double[] { 2, 5, 8 }, x.Slice(0, 2, null, 3).ToDoubleArray());
        Assert.Equal(new double[] { 7, 8 }, x.Slice(0, -3, -1).ToDoubleArray());
        Assert.Empty(x.Slice(0, 8, 3).ToDoubleArray());
        Assert.Equal(new double[] { 0, 1 }, x.Slice(0, -100, 2).ToDoubleArray());
        Assert.Throws<ArgumentException>(() => x.Slice(0, 0, 5, 0));
        Assert.Equal(new double[] { 3, 4 }, x.Narrow(0, 3, 2).ToDoubleArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Narrow(0, 9, 2));
        var m = Seq(3, 4);
        Assert.Equal(new double[] { 8, 9, 10, 11 }, m.Select(0, -1).ToDoubleArray());
        Assert.Equal(new double[] { 1, 5, 9 }, m.Select(1, 1).ToDoubleArray());
        Assert.Throws<IndexOutOfRangeException>(() => m.Select(0, 3));
    }

    [Fact]
    public void IndexerCombinesIntegersRangesStepsNewAxisEllipsis()
    {
        var x = Seq(4, 5, 6);
        var y = x[1, 1..4, TensorIndex.Slice(0, null, 2)];
        Assert.Equal(new[] { 3, 3 }, y.Shape);
        Assert.Equal(x[1, 2, 4].Item(), y[1, 2].Item());
        var z = x[TensorIndex.Ellipsis, TensorIndex.NewAxis, -1];
        Assert.Equal(new[] { 4, 5, 1 }, z.Shape);
        Assert.Equal(x[3, 4, 5].Item(), z[3, 4, 0].Item());
        var w = x[TensorIndex.NewAxis, .., 2];
        Assert.Equal(new[] { 1, 4, 6 }, w.Shape);
        Assert.Equal(x[3, 2, 1].Item(), w[0, 3, 1].Item());
        Assert.Equal(new[] { 2, 5, 6 }, x[Tensor.From([3L, 0])].Shape);
        Assert.Throws<IndexOutOfRangeException>(() => x[0, 0, 0, 0]);
        Assert.Throws<ArgumentException>(() => x[TensorIndex.Ellipsis, 0, TensorIndex.Ellipsis]);
    }

    [Fact]
    public void WritesThroughViewsReachTheBase()
    {
        var x = Tensor.Zeros([3, 4], DType.Float64);
        x[1, 1..3] = Tensor.From([5.0, 6]);
        x[.., 0] = Tensor.Scalar(7, DType.Float64);
        x.T[3].FillInPlace(-1);
        Assert.Equal(new double[] { 7, 0, 0, -1, 7, 5, 6, -1, 7, 0, 0, -1 }, x.ToDoubleArray());
    }

    [Fact]
    public void SplitChunkCatStack()
    {
        var x = Seq(7, 2);
        Assert.Equal(new[] { 3, 3, 1 }, x.Split(3).Select(t => t.Size(0)).ToArray());
        Assert.Equal(new[] { 3, 3, 1 }, x.Chunk(3).Select(t => t.Size(0)).ToArray());
        Assert.Equal(new[] { 2, 5 }, x.Split([2, 5]).Select(t => t.Size(0)).ToArray());
        Assert.Throws<ArgumentException>(() => x.Split([2, 4]));
        Assert.All(x.Split(3), p => Assert.True(p.SharesStorageWith(x)));
        var c = Tensor.Cat(x.Split(3), 0);
        Assert.Equal(x.ToDoubleArray(), c.ToDoubleArray());
        var c1 = Tensor.Cat([x, x.Slice(1, 0, 1)], 1);
        Assert.Equal(new[] { 7, 3 }, c1.Shape);
        Assert.Equal(x[4, 0].Item(), c1[4, 2].Item());
        var s = Tensor.Stack([x, x * 2.0], -1);
        Assert.Equal(new[] { 7, 2, 2 }, s.Shape);
        Assert.Equal(x[6, 1].Item() * 2, s[6, 1, 1].Item());
        Assert.Throws<ArgumentException>(() => Tensor.Stack([x, x.T]));
        var mixed = Tensor.Cat([Tensor.From([1L, 2]), Tensor.From([0.5])]);
        Assert.Equal(DType.Float64, mixed.DType); // int64 with float64 promotes to float64
        Assert.Equal(new[] { 1.0, 2, 0.5 }, mixed.ToDoubleArray());
    }

    [Fact]
    public void ContiguousCloneAndTo()
    {
        var x = Seq(2, 3);
        Assert.Same(x, x.Contiguous());
        var t = x.T.Contiguous();
        Assert.True(t.IsContiguous);
        Assert.False(t.SharesStorageWith(x));
        var c = x.Clone();
        Assert.False(c.SharesStorageWith(x));
        Assert.Same(x, x.To(DType.Float64));
        var i = Tensor.From([1.7, -1.7, 2.5]).To(DType.Int64);
        Assert.Equal(new long[] { 1, -1, 2 }, i.ToArray<long>()); // truncation toward zero, as PyTorch
        Assert.Equal(new[] { true, false }, Tensor.From([2.0, 0]).To(DType.Bool).ToArray<bool>());
    }

    [Fact]
    public void EmptyAndZeroDimTensors()
    {
        var e = Tensor.Zeros(0, 3);
        Assert.Equal(0, e.Numel);
        Assert.Equal(new[] { 3, 0 }, e.T.Shape);
        Assert.Equal(new[] { 0 }, e.Reshape(-1).Shape);
        Assert.Throws<ArgumentException>(() => e.Reshape(-1, 0));
        var s = Tensor.Scalar(3);
        Assert.Equal(0, s.Rank);
        Assert.Equal(1, s.Numel);
        Assert.Equal(new[] { 1, 1 }, s.Reshape(1, 1).Shape);
        Assert.Equal(new[] { 1 }, s.Unsqueeze(0).Shape);
        Assert.Equal(3, s.Unsqueeze(0).Squeeze().Item());
    }
}
