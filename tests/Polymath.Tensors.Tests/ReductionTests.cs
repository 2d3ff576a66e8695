using Xunit;
using Xunit.Abstractions;
using static Polymath.Tests.TestData;

namespace Polymath.Tests;

/// <summary>Reductions against plain loops over every subset of dims, layouts and dtypes; edge cases; stability.</summary>
public sealed class ReductionTests(ITestOutputHelper output)
{
    /// <summary>float64 sums of ≤ 100 O(1) terms in a different order than the loop: ~1e-15 relative; 1e-12 leaves room.</summary>
    private const double Float64Tol = 1e-12;

    /// <summary>float32 reductions of ≤ 100 O(1) terms: accumulated rounding ~1e-6 relative to the sum of magnitudes.</summary>
    private const double Float32Tol = 2e-5;

    private static double Loop(string kind, IEnumerable<double> v) => kind switch
    {
        "sum" => v.Sum(),
        "prod" => v.Aggregate(1.0, (a, b) => a * b),
        "amax" => v.Max(),
        "amin" => v.Min(),
        _ => v.Average(),
    };

    private static Tensor Apply(string kind, Tensor x, int[] dims, bool keep) => kind switch
    {
        "sum" => x.Sum(dims, keep),
        "prod" => x.Prod(dims, keep),
        "amax" => x.Amax(dims, keep),
        "amin" => x.Amin(dims, keep),
        _ => x.Mean(dims, keep),
    };

    [Theory]
    [InlineData("sum")]
    [InlineData("prod")]
    [InlineData("amax")]
    [InlineData("amin")]
    [InlineData("mean")]
    public void EverySubsetOfDims_MatchesLoop(string kind)
    {
        int seed = 9000 + kind.Length * 31 + kind[1];
        output.WriteLine($"{kind} seed={seed}");
        var rng = new System.Random(seed);
        int[] shape = [3, 4, 5];
        foreach (var layout in Enum.GetValues<Layout>())
            foreach (var dtype in new[] { DType.Float64, DType.Float32 })
            {
                var x64 = Make(Uniform(rng, 60, 0.5, 1.5), shape, layout); // prod of 60 values near 1 stays O(1)
                var x = dtype == DType.Float64 ? x64 : x64.To(dtype);
                var v = x.ToDoubleArray();
                for (int mask = 1; mask < 8; mask++)
                {
                    var dims = Enumerable.Range(0, 3).Where(d => (mask >> d & 1) != 0).ToArray();
                    foreach (bool keep in new[] { false, true })
                    {
                        var r = Apply(kind, x, dims, keep);
                        var keptShape = shape.Select((s, d) => dims.Contains(d) ? 1 : s).ToArray();
                        var outShape = keep ? keptShape : shape.Where((s, d) => !dims.Contains(d)).ToArray();
                        Assert.Equal(outShape, r.Shape);
                        var got = r.ToDoubleArray();
                        for (int o = 0; o < got.Length; o++)
                        {
                            // kept coordinates of output o, then loop over the reduced ones
                            int rem = o;
                            var coord = new int[3];
                            for (int d = 2; d >= 0; d--)
                            {
                                coord[d] = rem % keptShape[d];
                                rem /= keptShape[d];
                            }
                            var group = new List<double>();
                            for (int i = 0; i < 60; i++)
                            {
                                int a = i / 20, b = i / 5 % 4, c = i % 5;
                                if ((dims.Contains(0) || a == coord[0]) && (dims.Contains(1) || b == coord[1]) && (dims.Contains(2) || c == coord[2]))
                                    group.Add(v[i]);
                            }
                            double expected = Loop(kind, group);
                            double tol = dtype == DType.Float64 ? Float64Tol : Float32Tol;
                            Assert.True(Math.Abs(got[o] - expected) <= tol * (1 + Math.Abs(expected)),
                                $"{kind} dims {GradCheck.Fmt(dims)} keep={keep} {layout} {dtype.Name()} output {o}: {got[o]} vs {expected}");
                        }
                    }
                }
            }
    }

    [Fact]
    public void WholeTensorSumDoesNotDependOnWhereTheDataSitsInMemory()
    {
        // The same 10 007 values summed from every offset 0..15 of a larger array (so at every alignment): the
        // rounding must depend on the values only, or runs with the same seed drift in the last bit.
        var rng = new System.Random(17);
        var values = Enumerable.Range(0, 10_007).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float reference = Tensor.From(values, values.Length).Sum().Item<float>();
        for (int offset = 0; offset < 16; offset++)
        {
            var big = new float[values.Length + 16];
            values.CopyTo(big, offset);
            float s = Tensor.From(big, big.Length).Narrow(0, offset, values.Length).Sum().Item<float>();
            Assert.Equal(BitConverter.SingleToInt32Bits(reference), BitConverter.SingleToInt32Bits(s));
        }
    }

    [Fact]
    public void IntegerAndBoolSums()
    {
        Assert.Equal(6L, Tensor.From([1L, 2, 3]).Sum().Item<long>());
        var b = Tensor.From([true, false, true]).Sum();
        Assert.Equal(DType.Int64, b.DType);
        Assert.Equal(2L, b.Item<long>());
        Assert.Equal(DType.Float32, Tensor.From([1L, 2]).Mean().DType);
        Assert.Equal(1.5, Tensor.From([1L, 2]).Mean().Item());
    }

    [Fact]
    public void EmptyReductions()
    {
        var e = Tensor.Zeros([0, 3], DType.Float64);
        Assert.Equal(new double[] { 0, 0, 0 }, e.Sum(0).ToDoubleArray());
        Assert.Equal(new double[] { 1, 1, 1 }, e.Prod([0]).ToDoubleArray());
        Assert.Equal(0, e.Sum().Item());
        Assert.True(double.IsNaN(e.Mean().Item()));
        Assert.Equal(new[] { 0 }, e.Sum(1).Shape);
        Assert.Throws<ArgumentException>(() => e.Amax([0]));
        Assert.Throws<ArgumentException>(() => e.ArgMax(0));
    }

    [Fact]
    public void ZeroDimReductions()
    {
        var s = Tensor.Scalar(2.5, DType.Float64);
        Assert.Equal(2.5, s.Sum().Item());
        Assert.Equal(2.5, s.Sum(0).Item());
        Assert.Equal(2.5, s.Amax([-1]).Item());
        Assert.Equal(0L, s.ArgMax().Item<long>());
        Assert.Equal(1.0, s.Softmax(0).Item());
        var g = s.Clone().Detach().RequiresGrad_();
        g.Sum(0).Backward();
        Assert.Equal(1.0, g.Grad!.Item());
    }

    [Fact]
    public void ArgMaxArgMinTakeTheFirstOnTies_AndMaxDimReturnsIndices()
    {
        var x = Tensor.From([1.0, 3, 3, 0, 0, 2], 2, 3);
        Assert.Equal(new long[] { 1, 2 }, x.ArgMax(1).ToArray<long>());
        Assert.Equal(new long[] { 0, 0 }, x.ArgMin(1).ToArray<long>());
        Assert.Equal(new long[] { 0, 0, 0 }, x.ArgMax(0).ToArray<long>());
        Assert.Equal(1L, x.ArgMax().Item<long>());
        Assert.Equal(3L, x.ArgMin().Item<long>());
        var (v, i) = x.Max(1, keepDim: true);
        Assert.Equal(new[] { 2, 1 }, v.Shape);
        Assert.Equal(new double[] { 3, 2 }, v.ToDoubleArray());
        Assert.Equal(new long[] { 1, 2 }, i.ToArray<long>());
        var (mv, mi) = x.T.Min(0);
        Assert.Equal(new double[] { 1, 0 }, mv.ToDoubleArray());
        Assert.Equal(new long[] { 0, 0 }, mi.ToArray<long>());
    }

    [Fact]
    public void TiedMaximaShareTheGradient()
    {
        var x = Tensor.From([1.0, 3, 3]).RequiresGrad_();
        x.Amax().Backward();
        Assert.Equal(new[] { 0, 0.5, 0.5 }, x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void NaNPropagatesThroughMaxAndSum()
    {
        var x = Tensor.From([1.0, double.NaN, 3]);
        Assert.True(double.IsNaN(x.Amax().Item()));
        Assert.True(double.IsNaN(x.Amin().Item()));
        Assert.True(double.IsNaN(x.Sum().Item()));
        Assert.Equal(1L, x.ArgMax().Item<long>());
    }

    [Fact]
    public void VarianceAndStd()
    {
        var x = Tensor.From([1.0, 2, 3, 4]);
        Assert.Equal(5.0 / 3, x.Var().Item(), 14);
        Assert.Equal(1.25, x.Var(unbiased: false).Item(), 14);
        Assert.Equal(Math.Sqrt(1.25), x.Std(unbiased: false).Item(), 14);
        Assert.True(double.IsNaN(Tensor.From([2.0]).Var().Item())); // N−1 = 0, as PyTorch
        var m = Tensor.From([1.0, 2, 3, 5, 7, 9], 2, 3);
        Assert.Equal(new[] { 1.0, 4 }, m.Var(1).ToDoubleArray());
    }

    [Fact]
    public void LogSumExpAndSoftmaxAreStableForLargeInputs()
    {
        var x = Tensor.From([1000.0, 1000, 999]);
        Assert.Equal(1000 + Math.Log(2 + Math.Exp(-1)), x.LogSumExp(0).Item(), 10);
        var s = x.Softmax(0).ToDoubleArray();
        Assert.Equal(1.0, s.Sum(), 14);
        Assert.Equal(1 / (2 + Math.Exp(-1)), s[0], 14);
        var ls = Tensor.From([-1000.0, 0]).LogSoftmax(0).ToDoubleArray();
        Assert.Equal(-1000.0, ls[0], 10);
        Assert.Equal(0.0, ls[1], 14);
        var withNegInf = Tensor.From([double.NegativeInfinity, 0.0]).Softmax(0).ToDoubleArray();
        Assert.Equal(new[] { 0.0, 1.0 }, withNegInf);
        var f32 = Tensor.From([100f, 100f]).Softmax(0).ToArray();
        Assert.Equal(new[] { 0.5f, 0.5f }, f32);
        Assert.Equal(double.NegativeInfinity, Tensor.From([double.NegativeInfinity, double.NegativeInfinity]).LogSumExp(0).Item());
    }

    [Fact]
    public void SoftmaxRowsSumToOneAlongEveryDim()
    {
        const int seed = 9100;
        output.WriteLine($"seed={seed}");
        var x = Rand(new System.Random(seed), [3, 4, 5], Layout.Transposed, -5, 5);
        for (int d = 0; d < 3; d++)
        {
            var s = x.Softmax(d).Sum(d).ToDoubleArray();
            Assert.All(s, v => Assert.Equal(1.0, v, 14));
            var ls = x.LogSoftmax(d).Exp().Sum(d).ToDoubleArray();
            Assert.All(ls, v => Assert.Equal(1.0, v, 14));
        }
    }

    [Fact]
    public void Norms()
    {
        var x = Tensor.From([3.0, -4, 0, 12], 2, 2);
        Assert.Equal(13.0, x.Norm().Item(), 14);
        Assert.Equal(19.0, x.Norm(1).Item(), 14);
        Assert.Equal(12.0, x.Norm(double.PositiveInfinity).Item());
        Assert.Equal(new[] { 5.0, 12 }, x.Norm(2, [1]).ToDoubleArray());
        Assert.Equal(Math.Pow(27 + 64 + 1728, 1.0 / 3), x.Norm(3).Item(), 12);
        Assert.Throws<ArgumentException>(() => x.Norm(0));
    }

    [Fact]
    public void DuplicateOrOutOfRangeDimsAreErrors()
    {
        var x = Tensor.Zeros(2, 3);
        Assert.Throws<ArgumentException>(() => x.Sum([0, -2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Sum([3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Softmax(2));
    }
}

/// <summary>Reductions on the threaded paths give the loop's answer with 1 and 2 threads.</summary>
[Collection(ThreadCountCollection.Name)]
public sealed class ThreadedReductionTests(ITestOutputHelper output)
{
    /// <summary>float64 sum of 200k values in [−1, 1] in chunked order vs a sequential loop: error ~ √n·ε·|x| ≈ 1e-13.</summary>
    private const double SumTol = 1e-9;

    [Fact]
    public void LargeReductionsMatchLoop_WithOneAndTwoThreads()
    {
        const int seed = 9200;
        output.WriteLine($"seed={seed}");
        var rng = new System.Random(seed);
        const int n = 200_003; // one long row: > 2 × 32768, so chunks are reduced in parallel
        var v = Uniform(rng, n, -1, 1);
        var x = Tensor.From(v);
        var m = Tensor.From(v.Take(3 * 66_001).ToArray(), 3, 66_001);
        int saved = Threads.Count;
        try
        {
            var results = new List<double[]>();
            foreach (int t in new[] { 1, 2 })
            {
                Threads.Count = t;
                Assert.Equal(v.Sum(), x.Sum().Item(), SumTol);
                Assert.Equal(v.Max(), x.Amax().Item());
                Assert.Equal(v.Min(), x.Amin().Item());
                Assert.Equal((long)Array.IndexOf(v, v.Max()), x.ArgMax().Item<long>());
                var colSums = m.Sum(0).ToDoubleArray(); // inner > 1, outer < threads: split over columns
                for (int j = 0; j < 66_001; j += 997)
                    Assert.Equal(v[j] + v[66_001 + j] + v[2 * 66_001 + j], colSums[j], 1e-14);
                var rowSums = m.Sum(1).ToDoubleArray();
                for (int i = 0; i < 3; i++)
                    Assert.Equal(v.Skip(i * 66_001).Take(66_001).Sum(), rowSums[i], SumTol);
                results.Add([x.Sum().Item(), .. rowSums]);
            }
            // Same thread count, same numbers: run again with 2 threads and compare bit for bit.
            Threads.Count = 2;
            Assert.Equal(results[1], new[] { x.Sum().Item() }.Concat(m.Sum(1).ToDoubleArray()).ToArray());
        }
        finally
        {
            Threads.Count = saved;
        }
    }
}
