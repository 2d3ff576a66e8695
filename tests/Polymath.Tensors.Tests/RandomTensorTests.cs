using Xunit;
using Xunit.Abstractions;

namespace Polymath.Tests;

/// <summary>
/// The tensor-level random wrappers (Tensor.Rand / Randn / RandInt / Randperm / Bernoulli / Multinomial,
/// UniformInPlace / NormalInPlace): shapes, dtypes, ranges, determinism under <see cref="Random.Seed"/> and explicit
/// generators, identical values for <see cref="Threads.Count"/> 1 and 2, and error messages. The generator itself is
/// tested in RandomTests. These tests reseed the global generator and change the thread count, so they run serially.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public sealed class RandomTensorTests(ITestOutputHelper output)
{
    /// <summary>Statistical checks allow 5 standard errors: a false alarm about once in 3.5 million runs per check.</summary>
    private const double Sigmas = 5;

    /// <summary>Above the generator's threading threshold (8192 blocks = 32768 floats), so Threads.Count 2 really splits the work.</summary>
    private const int Big = 100_003;

    private ulong Seed(ulong seed)
    {
        output.WriteLine($"seed {seed}");
        return seed;
    }

    private static T WithThreads<T>(int threads, Func<T> f)
    {
        int saved = Threads.Count;
        Threads.Count = threads;
        try { return f(); }
        finally { Threads.Count = saved; }
    }

    // ------------------------------------------------------------------ shapes and dtypes

    [Fact]
    public void ShapesAndDTypes()
    {
        Random.Seed(Seed(1));
        AssertTensor(Tensor.Rand(2, 3), [2, 3], DType.Float32);
        AssertTensor(Tensor.Rand([4, 1, 2], DType.Float64), [4, 1, 2], DType.Float64);
        AssertTensor(Tensor.Randn(5), [5], DType.Float32);
        AssertTensor(Tensor.Randn([2, 2], DType.Float64), [2, 2], DType.Float64);
        AssertTensor(Tensor.RandInt(-3, 4, [3, 5]), [3, 5], DType.Int64);
        AssertTensor(Tensor.Randperm(6), [6], DType.Int64);
        AssertTensor(Tensor.Bernoulli([2, 7], 0.5), [2, 7], DType.Float32);
        AssertTensor(Tensor.Bernoulli([3], 0.5, DType.Float64), [3], DType.Float64);
        AssertTensor(Tensor.Full([2, 3], 0.5, DType.Float64).Bernoulli(), [2, 3], DType.Float64);
        AssertTensor(Tensor.Full([2, 3], 0.5).Bernoulli(), [2, 3], DType.Float32);
        AssertTensor(Tensor.From([1.0, 2.0, 3.0]).Multinomial(2), [2], DType.Int64);
        AssertTensor(Tensor.Ones(4, 5).Multinomial(3, replacement: true), [4, 3], DType.Int64);
        // empty and 0-d shapes
        AssertTensor(Tensor.Rand(0, 3), [0, 3], DType.Float32);
        AssertTensor(Tensor.Randn([], DType.Float64), [], DType.Float64);
        AssertTensor(Tensor.RandInt(0, 2, [0]), [0], DType.Int64);
        AssertTensor(Tensor.Randperm(0), [0], DType.Int64);
        AssertTensor(Tensor.Bernoulli([0, 2], 0.5), [0, 2], DType.Float32);
        // the shape array is not aliased
        int[] shape = [2, 2];
        var t = Tensor.Rand(shape, DType.Float32);
        shape[0] = 9;
        Assert.Equal([2, 2], t.Shape);
    }

    private static void AssertTensor(Tensor t, int[] shape, DType dtype)
    {
        Assert.Equal(shape, t.Shape);
        Assert.Equal(dtype, t.DType);
        Assert.False(t.RequiresGrad);
    }

    [Fact]
    public void ValuesLieInTheirRanges()
    {
        var g = new Generator(Seed(2));
        Assert.All(Tensor.Rand([Big], DType.Float32, g).ToDoubleArray(), v => Assert.InRange(v, 0, Math.BitDecrement(1.0)));
        Assert.All(Tensor.Rand([Big], DType.Float64, g).ToDoubleArray(), v => Assert.InRange(v, 0, Math.BitDecrement(1.0)));
        var ri = Tensor.RandInt(-5, 3, [Big], g).ToArray<long>();
        Assert.All(ri, v => Assert.InRange(v, -5, 2));
        Assert.Equal(8, ri.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), Tensor.Randperm(1000, g).ToArray<long>().Order());
        Assert.All(Tensor.Bernoulli([1000], 0.5, DType.Float64, g).ToDoubleArray(), v => Assert.True(v is 0 or 1));
        var u = Tensor.Zeros([Big], DType.Float64).UniformInPlace(-3, -1, g).ToDoubleArray();
        Assert.All(u, v => Assert.InRange(v, -3, -1));
        Assert.All(Tensor.From([0.0, 1.0, 0.0, 1.0]).Bernoulli(g).ToDoubleArray().Zip([0.0, 1.0, 0.0, 1.0]), p => Assert.Equal(p.Second, p.First));
        var m = Tensor.From([0.0, 2.0, 0.0, 1.0, 3.0], 1, 5).Multinomial(3, generator: g).ToArray<long>();
        Assert.Equal([1L, 3, 4], m.Order()); // without replacement: every non-zero category once
    }

    [Fact]
    public void Moments()
    {
        var g = new Generator(Seed(3));
        // Uniform [a, b): mean (a+b)/2, variance (b-a)²/12
        CheckMean(Tensor.Zeros([Big], DType.Float32).UniformInPlace(2, 6, g), 4, 16.0 / 12, "uniform_(2,6)");
        CheckMean(Tensor.Rand([Big], DType.Float64, g), 0.5, 1.0 / 12, "rand f64");
        CheckMean(Tensor.Randn([Big], DType.Float32, g), 0, 1, "randn f32");
        var nrm = Tensor.Zeros([Big], DType.Float64).NormalInPlace(-1.5, 0.25, g);
        CheckMean(nrm, -1.5, 0.0625, "normal_(-1.5, 0.25)");
        // variance of N(μ, σ²): sample variance has standard error σ²·sqrt(2/n)
        double var = nrm.Var().Item();
        Assert.True(Math.Abs(var - 0.0625) <= Sigmas * 0.0625 * Math.Sqrt(2.0 / Big), $"normal_ variance {var}");
        CheckMean(Tensor.Bernoulli([Big], 0.3, DType.Float32, g), 0.3, 0.21, "bernoulli(0.3)");
        CheckMean(Tensor.Full([Big], 0.8, DType.Float64).Bernoulli(g), 0.8, 0.16, "bernoulli_(0.8)");
        CheckMean(Tensor.RandInt(0, 10, [Big], g).To(DType.Float64), 4.5, 99.0 / 12, "randint(0,10)");
        var counts = new int[3];
        foreach (long k in Tensor.From([1.0, 2.0, 7.0]).Multinomial(Big, replacement: true, g).ToArray<long>())
            counts[k]++;
        for (int k = 0; k < 3; k++)
        {
            double p = new[] { 0.1, 0.2, 0.7 }[k];
            Assert.True(Math.Abs(counts[k] - Big * p) <= Sigmas * Math.Sqrt(Big * p * (1 - p)), $"multinomial category {k}: {counts[k]} of {Big}");
        }
    }

    private static void CheckMean(Tensor t, double mean, double variance, string what)
    {
        double m = t.To(DType.Float64).Mean().Item();
        double se = Math.Sqrt(variance / t.Numel);
        Assert.True(Math.Abs(m - mean) <= Sigmas * se, $"{what}: mean {m}, expected {mean} ± {Sigmas * se}");
    }

    // ------------------------------------------------------------------ determinism

    private static readonly Func<Generator?, Tensor>[] Draws =
    [
        g => Tensor.Rand([Big], DType.Float32, g),
        g => Tensor.Rand([Big], DType.Float64, g),
        g => Tensor.Randn([Big], DType.Float32, g),
        g => Tensor.Randn([Big], DType.Float64, g),
        g => Tensor.RandInt(-1000, 1000, [Big], g),
        g => Tensor.Randperm(Big, g),
        g => Tensor.Bernoulli([Big], 0.3, DType.Float32, g),
        g => Tensor.Bernoulli([Big], 0.3, DType.Float64, g),
        g => Tensor.Full([Big], 0.4, DType.Float64).Bernoulli(g),
        g => Tensor.Ones(2, 50).Multinomial(40, replacement: false, g),
        g => Tensor.Ones(2, 50).Multinomial(Big, replacement: true, g),
        g => Tensor.Zeros([Big], DType.Float32).UniformInPlace(-2, 3, g),
        g => Tensor.Zeros([Big], DType.Float64).NormalInPlace(1, 2, g),
        g => Tensor.Zeros([3, Big], DType.Float32).T.UniformInPlace(0, 1, g), // non-contiguous target
    ];

    private static double[][] DrawAll(Func<Generator?> gen) => Draws.Select(d => d(gen()).ToDoubleArray()).ToArray();

    [Fact]
    public void GlobalSeed_FixesEveryWrapper_AndTheSequenceMovesOn()
    {
        ulong seed = Seed(20240615);
        Random.Seed(seed);
        var first = DrawAll(() => null);
        var second = DrawAll(() => null); // continues the stream
        Random.Seed(seed);
        var again = DrawAll(() => null);
        Random.Seed(seed + 1);
        var other = DrawAll(() => null);
        for (int i = 0; i < Draws.Length; i++)
        {
            Assert.Equal(first[i], again[i]);
            Assert.NotEqual(first[i], second[i]);
            Assert.NotEqual(first[i], other[i]);
        }
        // an explicit generator with the same seed gives the same stream as the reseeded global one
        var g = new Generator(seed);
        var explicitGen = DrawAll(() => g);
        for (int i = 0; i < Draws.Length; i++)
            Assert.Equal(first[i], explicitGen[i]);
    }

    [Fact]
    public void ExplicitGenerator_LeavesTheGlobalOneAlone()
    {
        Random.Seed(Seed(5));
        var offset = Random.Default.Offset;
        Tensor.Rand([1000], DType.Float32, new Generator(9));
        Tensor.RandInt(0, 5, [10], new Generator(9));
        Functional.Dropout(Tensor.Ones(100), 0.5, training: true, new Generator(9));
        Assert.Equal(offset, Random.Default.Offset);
        Functional.Dropout(Tensor.Ones(100), 0.5);
        Assert.NotEqual(offset, Random.Default.Offset); // dropout without a generator draws from the global one
    }

    [Fact]
    public void SameValuesForOneAndTwoThreads()
    {
        ulong seed = Seed(77);
        var one = WithThreads(1, () => Draw(seed));
        var two = WithThreads(2, () => Draw(seed));
        for (int i = 0; i < Draws.Length; i++)
            Assert.True(one[i].SequenceEqual(two[i]), $"draw {i} differs between 1 and 2 threads");
    }

    private static double[][] Draw(ulong seed)
    {
        Random.Seed(seed);
        var global = DrawAll(() => null);
        var g = new Generator(seed);
        var explicitGen = DrawAll(() => g);
        return [.. global, .. explicitGen];
    }

    [Fact]
    public void WrappersDrawWhatTheGeneratorDraws()
    {
        ulong seed = Seed(11);
        var f = new float[1000];
        new Generator(seed).FillUniform(f);
        Assert.Equal(f, Tensor.Rand([10, 100], DType.Float32, new Generator(seed)).ToArray<float>());
        var d = new double[1000];
        new Generator(seed).FillNormal(d);
        Assert.Equal(d, Tensor.Randn([1000], DType.Float64, new Generator(seed)).ToArray<double>());
        var l = new long[1000];
        new Generator(seed).FillRandInt(l, 3, 17);
        Assert.Equal(l, Tensor.RandInt(3, 17, [1000], new Generator(seed)).ToArray<long>());
        // float64 Bernoulli uses the float32 mask for the same seed
        Assert.Equal(Tensor.Bernoulli([1000], 0.25, DType.Float32, new Generator(seed)).ToDoubleArray(),
            Tensor.Bernoulli([1000], 0.25, DType.Float64, new Generator(seed)).ToDoubleArray());
    }

    [Fact]
    public void FillOfAView_DrawsInRowMajorOrder_AndLeavesTheRestAlone()
    {
        ulong seed = Seed(12);
        var buf = Tensor.Full([6, 8], -7.0, DType.Float64);
        var view = buf.T[1..6, TensorIndex.Slice(0, null, 2)]; // [5, 3], non-contiguous
        view.UniformInPlace(0, 1, new Generator(seed));
        Assert.Equal(Tensor.Rand([5, 3], DType.Float64, new Generator(seed)).ToDoubleArray(), view.ToDoubleArray());
        int written = buf.ToDoubleArray().Count(v => v != -7.0);
        Assert.Equal(15, written);
        view.NormalInPlace(0, 1, new Generator(seed));
        Assert.Equal(Tensor.Randn([5, 3], DType.Float64, new Generator(seed)).ToDoubleArray(), view.ToDoubleArray());
        Assert.Equal(15, buf.ToDoubleArray().Count(v => v != -7.0));
    }

    [Fact]
    public void InPlaceFills_RefuseLeavesThatRequireGrad_UnlessNoGrad()
    {
        Seed(0);
        var w = Tensor.Zeros([3, 3], DType.Float64).RequiresGrad_();
        Assert.Throws<InvalidOperationException>(() => w.UniformInPlace(-1, 1, new Generator(0)));
        Assert.Throws<InvalidOperationException>(() => w.NormalInPlace(0, 1, new Generator(0)));
        using (Tensor.NoGrad())
            w.NormalInPlace(0, 1, new Generator(0)); // parameter initialisation
        Assert.True(w.RequiresGrad);
        Assert.Equal(9, w.ToDoubleArray().Count(v => v != 0));
        var p = Tensor.Full([4], 0.5, DType.Float64).RequiresGrad_();
        Assert.False(p.Bernoulli(new Generator(0)).RequiresGrad);
    }

    // ------------------------------------------------------------------ errors

    private static void AssertMessage<TException>(Action a, params string[] parts) where TException : Exception
    {
        var e = Assert.Throws<TException>(a);
        foreach (var p in parts)
            Assert.True(e.Message.Contains(p), $"message \"{e.Message}\" does not contain \"{p}\"");
    }

    [Fact]
    public void ErrorMessages()
    {
        Seed(0);
        AssertMessage<ArgumentException>(() => Tensor.Rand([2], DType.Int64), "rand", "int64");
        AssertMessage<ArgumentException>(() => Tensor.Randn([2], DType.Bool), "randn", "bool");
        AssertMessage<ArgumentException>(() => Tensor.Bernoulli([2], 0.5, DType.Int64), "bernoulli", "int64");
        AssertMessage<ArgumentException>(() => Tensor.Bernoulli([2], 1.5), "bernoulli", "1.5");
        AssertMessage<ArgumentException>(() => Tensor.RandInt(3, 3, [2]), "randint", "low=3");
        AssertMessage<ArgumentException>(() => Tensor.Rand(2, -1), "negative", "[2,-1]");
        AssertMessage<ArgumentException>(() => Tensor.Randperm(-2), "randperm", "-2");
        AssertMessage<ArgumentException>(() => Tensor.Zeros([2], DType.Int64).UniformInPlace(), "uniform_", "int64");
        AssertMessage<ArgumentException>(() => Tensor.Zeros([2], DType.Int64).NormalInPlace(), "normal_", "int64");
        AssertMessage<ArgumentException>(() => Tensor.Zeros([2]).UniformInPlace(1, 0), "uniform", "low=1");
        AssertMessage<ArgumentException>(() => Tensor.Zeros([2]).NormalInPlace(0, -1), "normal", "std=-1");
        AssertMessage<ArgumentException>(() => Tensor.Zeros(2, 2, 2).Multinomial(1), "multinomial", "[2,2,2]");
        AssertMessage<ArgumentException>(() => Tensor.From([1.0, 0.0, 2.0]).Multinomial(3), "multinomial", "3 samples", "2 non-zero");
        AssertMessage<ArgumentException>(() => Tensor.From([1.0, -1.0]).Multinomial(1), "multinomial", "probs[1]=-1");
        AssertMessage<ArgumentException>(() => Tensor.From([1.0, 1.0]).Multinomial(-1), "multinomial", "-1");
        AssertMessage<ArgumentException>(() => Tensor.From([0.5, 1.5]).Bernoulli(), "bernoulli", "[0, 1]");
    }
}
