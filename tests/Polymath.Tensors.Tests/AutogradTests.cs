using Xunit;

namespace Polymath.Tests;

/// <summary>The autograd engine's contract: accumulation, graph retention, the errors it raises, and grad modes.</summary>
public sealed class AutogradTests
{
    private static Tensor Leaf(params double[] v) => Tensor.From(v).RequiresGrad_();

    [Fact]
    public void GradientsAccumulateAcrossTwoBackwards()
    {
        var x = Leaf(1, -2, 3);
        (x * x).Sum().Backward();
        (x * x).Sum().Backward();
        Assert.Equal(new[] { 4.0, -8, 12 }, x.Grad!.ToDoubleArray());
        x.ZeroGrad();
        Assert.Null(x.Grad);
        (x * 3.0).Sum().Backward();
        Assert.Equal(new[] { 3.0, 3, 3 }, x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void GradsOfDifferentLeavesAreIndependentTensors()
    {
        // x + w hands the same incoming gradient to both leaves; accumulating into one must not change the other.
        var x = Leaf(1, 2);
        var w = Leaf(3, 4);
        (x + w).Backward(Tensor.From([1.0, 1]));
        Assert.NotSame(x.Grad, w.Grad);
        (x * 5.0).Sum().Backward();
        Assert.Equal(new[] { 6.0, 6 }, x.Grad!.ToDoubleArray());
        Assert.Equal(new[] { 1.0, 1 }, w.Grad!.ToDoubleArray());
    }

    [Fact]
    public void CallerGradientIsNotAliasedOrModified()
    {
        var x = Leaf(1, 2);
        var g = Tensor.From([10.0, 20]);
        x.Backward(g);
        x.Backward(g);
        Assert.Equal(new[] { 10.0, 20 }, g.ToDoubleArray());
        Assert.Equal(new[] { 20.0, 40 }, x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void DiamondGraphSumsBothPaths()
    {
        var x = Leaf(2);
        var a = x * 3.0;
        var y = a * a + a.Sin();
        y.Sum().Backward();
        // d/dx (9x² + sin 3x) = 18x + 3 cos 3x
        Assert.Equal(36 + 3 * Math.Cos(6), x.Grad!.Item(), 12);
    }

    [Fact]
    public void RetainGraphAllowsASecondBackward()
    {
        var x = Leaf(1, 2);
        var y = (x.Exp() * x).Sum();
        y.Backward(retainGraph: true);
        var first = x.Grad!.ToDoubleArray();
        y.Backward();
        Assert.Equal(first.Select(v => 2 * v).ToArray(), x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void SecondBackwardOnFreedGraphThrowsNamingTheNode()
    {
        var x = Leaf(1, 2);
        var y = (x * x).Sum();
        y.Backward();
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("second time", e.Message);
        Assert.Contains("retainGraph", e.Message);
        Assert.Contains("Backward", e.Message);
    }

    [Fact]
    public void ModifyingASavedTensorInPlaceIsDetectedAtBackward()
    {
        var x = Leaf(1, 2, 3);
        var a = x * 2.0;
        var y = a.Sin(); // saves a
        a.AddInPlace(1.0);
        var e = Assert.Throws<InvalidOperationException>(() => y.Sum().Backward());
        Assert.Contains("SinBackward", e.Message);
        Assert.Contains("in-place", e.Message);
        Assert.Contains("[3]", e.Message);

        var z = x.Exp(); // saves its output
        z.MulInPlace(2.0);
        e = Assert.Throws<InvalidOperationException>(() => z.Sum().Backward());
        Assert.Contains("ExpBackward", e.Message);
    }

    [Fact]
    public void InPlaceOnLeafThatRequiresGradThrows_ButIsAllowedUnderNoGrad()
    {
        var x = Leaf(1, 2);
        var e = Assert.Throws<InvalidOperationException>(() => x.AddInPlace(1.0));
        Assert.Contains("leaf", e.Message);
        Assert.Throws<InvalidOperationException>(() => x.MulInPlace(Tensor.From([2.0, 2])));
        Assert.Throws<InvalidOperationException>(() => x.FillInPlace(0));
        using (Tensor.NoGrad())
            x.AddInPlace(1.0); // what an optimizer step does
        Assert.Equal(new[] { 2.0, 3 }, x.ToDoubleArray());
        Assert.True(x.IsLeaf);
        Assert.True(x.RequiresGrad);
    }

    [Fact]
    public void InPlaceOnNonLeafRecordsTheNewHistory()
    {
        var x = Leaf(1, 2);
        var y = x * 3.0;
        y.MulInPlace(y.Detach().Clone()); // y = 3x * c with the constant c = 3x
        Assert.NotNull(y.GradFn);
        y.Sum().Backward();
        Assert.Equal(new[] { 9.0, 18 }, x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void NoGradStopsRecordingAndRestoresOnDispose()
    {
        var x = Leaf(1, 2);
        Assert.True(GradMode.IsEnabled);
        using (Tensor.NoGrad())
        {
            var y = x * 2.0;
            Assert.False(y.RequiresGrad);
            Assert.Null(y.GradFn);
            Assert.False(GradMode.IsEnabled);
            using (Tensor.EnableGrad())
            {
                Assert.True((x * 2.0).RequiresGrad);
            }
            Assert.False(GradMode.IsEnabled);
        }
        Assert.True(GradMode.IsEnabled);
        Assert.True((x * 2.0).RequiresGrad);
    }

    [Fact]
    public void DetachSharesDataButCutsTheGraph()
    {
        var x = Leaf(1, 2);
        var y = x * 2.0;
        var d = y.Detach();
        Assert.False(d.RequiresGrad);
        Assert.True(d.IsLeaf);
        Assert.True(d.SharesStorageWith(y));
        var z = (y * d).Sum(); // d is a constant: dz/dx = 2 d
        z.Backward();
        Assert.Equal(new[] { 4.0, 8 }, x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void GradFnNamesTheOp()
    {
        var x = Leaf(1, 2);
        Assert.Null(x.GradFn);
        Assert.Equal("MulBackward", (x * x).GradFn!.Name);
        Assert.Equal("SumBackward", x.Sum().GradFn!.Name);
        Assert.Equal("ExpBackward", x.Exp().GradFn!.Name);
        var mm = x.Reshape(1, 2).MatMul(x.Reshape(2, 1)).GradFn!; // the GEMM node, possibly under a reshape
        Assert.Contains("MmBackward", new[] { mm.Name, mm.Next[0]?.Name });
    }

    [Fact]
    public void RequiresGradRules()
    {
        Assert.Throws<InvalidOperationException>(() => Tensor.From([1L, 2]).RequiresGrad_());
        var x = Leaf(1.0);
        var y = x * 2.0;
        Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false);
        Assert.False((Tensor.From([1.0]) * 2.0).RequiresGrad);
        // Integer results of float inputs (argmax, comparisons) carry no graph.
        Assert.False(x.Gt(0).RequiresGrad);
        Assert.False(x.ArgMax().RequiresGrad);
    }

    [Fact]
    public void BackwardArgumentErrors()
    {
        var x = Leaf(1, 2);
        var e = Assert.Throws<ArgumentException>(() => (x * 2.0).Backward());
        Assert.Contains("[2]", e.Message);
        e = Assert.Throws<ArgumentException>(() => (x * 2.0).Backward(Tensor.From([1.0, 2, 3])));
        Assert.Contains("[3]", e.Message);
        Assert.Contains("[2]", e.Message);
        Assert.Throws<InvalidOperationException>(() => Tensor.From([1.0]).Sum().Backward());
    }

    [Fact]
    public void ErrorMessagesNameOpAndShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 4).MatMul(Tensor.Zeros(5, 6)));
        Assert.Contains("matmul", e.Message);
        Assert.Contains("[3,4] @ [5,6]: inner dimensions 4 and 5 differ", e.Message);

        e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3) + Tensor.Zeros(4));
        Assert.Contains("add", e.Message);
        Assert.Contains("[2,3]", e.Message);
        Assert.Contains("[4]", e.Message);

        e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Reshape(4, 2));
        Assert.Contains("reshape", e.Message);
        Assert.Contains("[4,2]", e.Message);

        e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).T.View(6));
        Assert.Contains("view", e.Message);

        var r = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(2, 3).Sum(2));
        Assert.Contains("sum", r.Message);
        Assert.Contains("rank 2", r.Message);

        e = Assert.Throws<ArgumentException>(() => Tensor.Cat([Tensor.Zeros(2, 3), Tensor.Zeros(2, 4)], 0));
        Assert.Contains("cat", e.Message);
        Assert.Contains("[2,4]", e.Message);

        var i = Assert.Throws<IndexOutOfRangeException>(() => Tensor.Zeros(2, 3).IndexSelect(1, Tensor.From([0L, 3])));
        Assert.Contains("index_select", i.Message);
        Assert.Contains("3", i.Message);

        e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Bmm(Tensor.Zeros(2, 4, 5)));
        Assert.Contains("bmm", e.Message);
    }

    [Fact]
    public void GradientOfFloat32ChainIsFloat32()
    {
        var x = Tensor.From([1f, 2f]).RequiresGrad_();
        (x * 0.5).Sum().Backward();
        Assert.Equal(DType.Float32, x.Grad!.DType);
        Assert.Equal(new[] { 0.5f, 0.5f }, x.Grad.ToArray());
    }

    [Fact]
    public void BroadcastLeafGetsGradientOfItsOwnShape()
    {
        var b = Tensor.From([1.0, 2, 3], 1, 3).RequiresGrad_();
        var x = Tensor.Ones([4, 3], DType.Float64);
        (x * b).Sum().Backward();
        Assert.Equal(new[] { 1, 3 }, b.Grad!.Shape);
        Assert.Equal(new[] { 4.0, 4, 4 }, b.Grad.ToDoubleArray());
    }

    [Fact]
    public void UnusedBranchLeavesGradNull()
    {
        var x = Leaf(1, 2);
        var w = Leaf(3, 4);
        _ = w * 2.0;
        (x * 2.0).Sum().Backward();
        Assert.Null(w.Grad);
    }
}
