using FsCheck;
using FsCheck.Fluent;
using Xunit;
using Xunit.Abstractions;
using static Polymath.Tests.TestData;

namespace Polymath.Tests;

/// <summary>
/// FsCheck properties over random shapes, layouts and views. Each property draws an int seed and builds its case
/// from System.Random(seed), so FsCheck's counterexample (printed with its replay seed on failure) is the full case;
/// the failure message also spells out the shapes.
/// </summary>
public sealed class BroadcastPropertyTests(ITestOutputHelper output)
{
    private const int MaxTest = 150;

    private void Run(string name, Action<int> property)
    {
        var config = Config.QuickThrowOnFailure.WithMaxTest(MaxTest);
        output.WriteLine($"{name}: FsCheck {MaxTest} cases; on failure FsCheck prints the int seed (the whole case) and its replay StdGen");
        Check.One(config, Prop.ForAll(ArbMap.Default.ArbFor<int>(), (int seed) => { property(seed); return true; }));
    }

    private static int[] RandomShape(System.Random r, int maxRank = 4, int maxDim = 4)
    {
        int rank = r.Next(maxRank + 1);
        var s = new int[rank];
        for (int i = 0; i < rank; i++)
            s[i] = r.Next(8) == 0 ? 0 : 1 + r.Next(maxDim);
        return s;
    }

    private static int[] Unravel(long flat, int[] shape)
    {
        var idx = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            idx[d] = (int)(flat % shape[d]);
            flat /= shape[d];
        }
        return idx;
    }

    private static long Ravel(int[] idx, int[] shape)
    {
        long f = 0;
        for (int d = 0; d < shape.Length; d++)
            f = f * shape[d] + idx[d];
        return f;
    }

    private static Layout RandomLayout(System.Random r) => (Layout)r.Next(3);

    /// <summary>A shape b that broadcasts with a (a suffix of a's dims, some set to 1), and a with some dims set to 1 where b's are not.</summary>
    private static (int[] A, int[] B) BroadcastPair(System.Random r)
    {
        var a = RandomShape(r);
        int rankB = r.Next(a.Length + 1);
        var b = a[(a.Length - rankB)..].ToArray();
        for (int i = 0; i < b.Length; i++)
            if (r.Next(3) == 0) b[i] = 1;
        for (int i = 0; i < b.Length; i++)
            if (b[i] != 1 && r.Next(4) == 0) a[a.Length - rankB + i] = 1;
        if (rankB == a.Length && r.Next(2) == 0)
        {
            // b may also get extra leading dims (beyond all of a's).
            var lead = RandomShape(r, 2);
            b = [.. lead, .. b];
        }
        return r.Next(2) == 0 ? (a, b) : (b, a);
    }

    [Fact]
    public void BinaryBroadcastMatchesExpandAndLoop() => Run(nameof(BinaryBroadcastMatchesExpandAndLoop), seed =>
    {
        var r = new System.Random(seed);
        var (sa, sb) = BroadcastPair(r);
        var a = Rand(r, sa, RandomLayout(r));
        var b = Rand(r, sb, RandomLayout(r));
        int rank = Math.Max(sa.Length, sb.Length);
        var outShape = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - sa.Length ? 1 : sa[i - (rank - sa.Length)];
            int db = i < rank - sb.Length ? 1 : sb[i - (rank - sb.Length)];
            outShape[i] = da == 1 ? db : da;
        }
        double[] av = a.ToDoubleArray(), bv = b.ToDoubleArray();
        (Func<Tensor, Tensor, Tensor> op, Func<double, double, double> f, string name)[] ops =
            [((x, y) => x + y, (x, y) => x + y, "add"), ((x, y) => x * y, (x, y) => x * y, "mul"),
             ((x, y) => x.Maximum(y), Math.Max, "maximum"), ((x, y) => x - y, (x, y) => x - y, "sub")];
        foreach (var (op, f, name) in ops)
        {
            var result = op(a, b);
            Assert.True(result.Shape.SequenceEqual(outShape), $"seed {seed}: {name} {GradCheck.Fmt(sa)} with {GradCheck.Fmt(sb)} gave shape {GradCheck.Fmt(result.Shape)}, expected {GradCheck.Fmt(outShape)}");
            var got = result.ToDoubleArray();
            for (long i = 0; i < got.Length; i++)
            {
                var idx = Unravel(i, outShape);
                var ia = idx[(rank - sa.Length)..].Select((v, d) => sa[d] == 1 ? 0 : v).ToArray();
                var ib = idx[(rank - sb.Length)..].Select((v, d) => sb[d] == 1 ? 0 : v).ToArray();
                double expected = f(av[Ravel(ia, sa)], bv[Ravel(ib, sb)]);
                Assert.True(expected.Equals(got[i]), $"seed {seed}: {name} {GradCheck.Fmt(sa)}/{GradCheck.Fmt(a.Strides)} with {GradCheck.Fmt(sb)}/{GradCheck.Fmt(b.Strides)} at {GradCheck.Fmt(idx)}: {got[i]} vs {expected}");
            }
            // The same through an explicit Expand of both operands.
            var viaExpand = op(a.Expand(outShape).Contiguous(), b.Expand(outShape).Contiguous()).ToDoubleArray();
            Assert.Equal(viaExpand, got);
        }
    });

    [Fact]
    public void BroadcastGradientSumsOverExpandedDims() => Run(nameof(BroadcastGradientSumsOverExpandedDims), seed =>
    {
        var r = new System.Random(seed);
        var (sa, sb) = BroadcastPair(r);
        var a = Rand(r, sa, RandomLayout(r)).RequiresGrad_();
        var b = Rand(r, sb, RandomLayout(r)).RequiresGrad_();
        var y = a * b;
        y.Backward(Tensor.OnesLike(y));
        // d/da Σ a·b = b summed over the dims a was broadcast along: compare with the explicit expand formula.
        var expectA = b.Detach().Expand(y.Shape).Contiguous() * Tensor.Ones(y.Shape, DType.Float64);
        Assert.Equal(sa, a.Grad!.Shape);
        Assert.Equal(sb, b.Grad!.Shape);
        double[] ga = a.Grad.ToDoubleArray();
        var expected = new double[ga.Length];
        var ev = expectA.ToDoubleArray();
        int rank = y.Rank;
        for (long i = 0; i < ev.Length; i++)
        {
            var idx = Unravel(i, y.Shape);
            var ia = idx[(rank - sa.Length)..].Select((v, d) => sa[d] == 1 ? 0 : v).ToArray();
            expected[Ravel(ia, sa)] += ev[i];
        }
        for (int i = 0; i < ga.Length; i++)
            Assert.True(Math.Abs(ga[i] - expected[i]) <= 1e-12 * (1 + Math.Abs(expected[i])), $"seed {seed}: grad of {GradCheck.Fmt(sa)} * {GradCheck.Fmt(sb)} at {i}: {ga[i]} vs {expected[i]}");
    });

    [Fact]
    public void PermuteIsIndexArithmetic() => Run(nameof(PermuteIsIndexArithmetic), seed =>
    {
        var r = new System.Random(seed);
        var shape = RandomShape(r);
        var x = Rand(r, shape, RandomLayout(r));
        var perm = Enumerable.Range(0, shape.Length).OrderBy(_ => r.Next()).ToArray();
        var p = x.Permute(perm);
        Assert.True(p.SharesStorageWith(x));
        double[] xv = x.ToDoubleArray(), pv = p.ToDoubleArray();
        var pshape = perm.Select(d => shape[d]).ToArray();
        Assert.Equal(pshape, p.Shape);
        for (long i = 0; i < pv.Length; i++)
        {
            var pi = Unravel(i, pshape);
            var xi = new int[shape.Length];
            for (int k = 0; k < perm.Length; k++) xi[perm[k]] = pi[k];
            Assert.True(pv[i] == xv[Ravel(xi, shape)], $"seed {seed}: permute {GradCheck.Fmt(perm)} of {GradCheck.Fmt(shape)} at {GradCheck.Fmt(pi)}");
        }
    });

    [Fact]
    public void ReshapeKeepsRowMajorOrder_AndViewsWhenItCan() => Run(nameof(ReshapeKeepsRowMajorOrder_AndViewsWhenItCan), seed =>
    {
        var r = new System.Random(seed);
        var shape = RandomShape(r);
        var x = Rand(r, shape, RandomLayout(r));
        // A random regrouping of the element count into factors.
        long n = x.Numel;
        var factors = new List<int>();
        long rest = n;
        while (rest > 1 && factors.Count < 4)
        {
            var divisors = Enumerable.Range(1, (int)rest).Where(d => rest % d == 0).ToArray();
            int f = divisors[r.Next(divisors.Length)];
            factors.Add(f);
            rest /= f;
        }
        if (rest != 1 || n == 0) factors.Add((int)rest);
        if (r.Next(3) == 0) factors.Insert(r.Next(factors.Count + 1), 1);
        var target = factors.ToArray();
        var y = x.Reshape(target);
        Assert.Equal(target, y.Shape);
        Assert.Equal(x.ToDoubleArray(), y.ToDoubleArray());
        if (x.IsContiguous)
            Assert.True(y.SharesStorageWith(x), $"seed {seed}: reshape of contiguous {GradCheck.Fmt(shape)} to {GradCheck.Fmt(target)} copied");
        // View either succeeds with the same values or refuses; when it succeeds it shares storage.
        try
        {
            var v = x.View(target);
            Assert.True(v.SharesStorageWith(x));
            Assert.Equal(x.ToDoubleArray(), v.ToDoubleArray());
        }
        catch (ArgumentException)
        {
            Assert.False(x.IsContiguous, $"seed {seed}: view of contiguous {GradCheck.Fmt(shape)} to {GradCheck.Fmt(target)} refused");
        }
    });

    [Fact]
    public void SliceMatchesPythonSlicing() => Run(nameof(SliceMatchesPythonSlicing), seed =>
    {
        var r = new System.Random(seed);
        var shape = RandomShape(r);
        if (shape.Length == 0) shape = [5];
        var x = Rand(r, shape, RandomLayout(r));
        int dim = r.Next(shape.Length);
        int size = shape[dim];
        long start = r.Next(-size - 2, size + 3);
        long? end = r.Next(4) == 0 ? null : r.Next(-size - 2, size + 3);
        long step = 1 + r.Next(3);
        // Python: indices(size) clamps start/end into [0, size] after adding size to negatives.
        long s = start < 0 ? Math.Max(0, start + size) : Math.Min(start, size);
        long e = end is long ee ? (ee < 0 ? Math.Max(0, ee + size) : Math.Min(ee, size)) : size;
        var picked = new List<int>();
        for (long i = s; i < e; i += step) picked.Add((int)i);
        var y = x.Slice(dim, start, end, step);
        Assert.True(y.SharesStorageWith(x));
        var yshape = shape.ToArray();
        yshape[dim] = picked.Count;
        Assert.True(yshape.SequenceEqual(y.Shape), $"seed {seed}: slice({dim}, {start}, {end}, {step}) of {GradCheck.Fmt(shape)} has shape {GradCheck.Fmt(y.Shape)}, expected {GradCheck.Fmt(yshape)}");
        double[] xv = x.ToDoubleArray(), yv = y.ToDoubleArray();
        for (long i = 0; i < yv.Length; i++)
        {
            var yi = Unravel(i, yshape);
            var xi = yi.ToArray();
            xi[dim] = picked[yi[dim]];
            Assert.Equal(xv[Ravel(xi, shape)], yv[i]);
        }
    });

    [Fact]
    public void ContiguousCopyOfAnyViewChainHasTheSameValues() => Run(nameof(ContiguousCopyOfAnyViewChainHasTheSameValues), seed =>
    {
        var r = new System.Random(seed);
        var shape = RandomShape(r, 3, 5);
        if (shape.Length < 2) shape = [3, 4];
        var x = Rand(r, shape, RandomLayout(r));
        // transpose, slice, unsqueeze, expand, then compare element reads with the contiguous copy.
        var t = x.Transpose(0, -1).Slice(0, 0, null, 1 + r.Next(2)).Unsqueeze(1);
        var target = t.Shape;
        target[1] = 3;
        var v = t.Expand(target);
        var c = v.Contiguous();
        Assert.True(c.IsContiguous);
        Assert.Equal(v.ToDoubleArray(), c.ToDoubleArray());
        for (long i = 0; i < c.Numel; i++)
        {
            var idx = Unravel(i, target);
            Assert.Equal(v[idx.Select(k => (TensorIndex)k).ToArray()].Item(), c.GetFlat(i));
        }
    });
}
