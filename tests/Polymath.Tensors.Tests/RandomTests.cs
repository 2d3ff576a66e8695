using Xunit;
using Xunit.Abstractions;

namespace Polymath.Tests;

/// <summary>
/// These tests change the global <see cref="Threads.Count"/> and reseed <see cref="Random.Default"/>,
/// so they run in their own collection with parallelization disabled (xunit runs it alone).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RandomSerialCollection
{
    public const string Name = "Polymath.Random (serial)";
}

[Collection(RandomSerialCollection.Name)]
public sealed class RandomTests(ITestOutputHelper output)
{
    private const int Big = 1 << 20;

    private Generator Make(ulong seed)
    {
        output.WriteLine($"seed={seed}");
        return new Generator(seed);
    }

    private static T WithThreads<T>(int threads, Func<T> f)
    {
        int saved = Threads.Count;
        Threads.Count = threads;
        try { return f(); }
        finally { Threads.Count = saved; }
    }

    // ------------------------------------------------------------------ Philox core

    [Fact]
    public void Philox_MatchesRandom123KnownAnswers()
    {
        // Known-answer vectors from Random123's kat_vectors for philox4x32_10.
        Philox.Block(0, 0, 0, 0, 0, 0, out uint a0, out uint a1, out uint a2, out uint a3);
        Assert.Equal(new uint[] { 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8 }, new[] { a0, a1, a2, a3 });
        Philox.Block(~0u, ~0u, ~0u, ~0u, ~0u, ~0u, out a0, out a1, out a2, out a3);
        Assert.Equal(new uint[] { 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd }, new[] { a0, a1, a2, a3 });
        Philox.Block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out a0, out a1, out a2, out a3);
        Assert.Equal(new uint[] { 0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1 }, new[] { a0, a1, a2, a3 });
    }

    [Fact]
    public void Philox_VectorFillMatchesScalar_IncludingLowWordWrap()
    {
        ulong key = 0x0123456789abcdefUL;
        foreach (ulong first in new ulong[] { 0, 5, 0xFFFF_FFFAUL, ulong.MaxValue - 40 })
        {
            var buf = new uint[4 * 37];
            Philox.Fill(key, first, buf);
            for (int b = 0; b < 37; b++)
            {
                Philox.Block(key, unchecked(first + (ulong)b), 0, out uint r0, out uint r1, out uint r2, out uint r3);
                Assert.Equal(new[] { r0, r1, r2, r3 }, buf.AsSpan(4 * b, 4).ToArray());
            }
        }
    }

    [Fact]
    public void Generator_SeedIsPhiloxKey_OffsetIsBlockCounter()
    {
        var g = new Generator(0);
        Assert.Equal(((ulong)0xe169c58d << 32) | 0x6627e8d5, g.NextUInt64());
        Assert.Equal(1UL, g.Offset);
        var f = new float[1001];
        g.FillUniform(f);
        Assert.Equal(1UL + 251, g.Offset); // 4 floats per block, rounded up
        var l = new long[7];
        g.FillRandInt(l, 0, 10);
        Assert.Equal(1UL + 251 + 4, g.Offset); // 2 longs per block
    }

    // ------------------------------------------------------------------ determinism

    private static readonly Action<Generator, object>[] s_fills =
    {
        (g, a) => g.FillUniform((float[])a, -1f, 2f),
        (g, a) => g.FillUniform((double[])a, -1, 2),
        (g, a) => g.FillNormal((float[])a, 0.5f, 3f),
        (g, a) => g.FillNormal((double[])a, 0.5, 3),
        (g, a) => g.FillBernoulli((float[])a, 0.3),
        (g, a) => g.FillBernoulli((bool[])a, 0.7),
        (g, a) => g.FillRandInt((long[])a, -1000, 1000),
        (g, a) => g.FillRandInt((long[])a, 0, 3L << 61), // range 3*2^61: exercises the rejection retries
        (g, a) => g.Randperm((long[])a),
    };

    private static object NewArray(int kind, int n) => kind switch
    {
        0 or 2 or 4 => new float[n],
        1 or 3 => new double[n],
        5 => new bool[n],
        _ => new long[n],
    };

    [Fact]
    public void SameSeed_SameOutput_ForAnyThreadCount()
    {
        const ulong seed = 20240611;
        output.WriteLine($"seed={seed}");
        int n = Big + 3; // odd length: partial last block
        for (int kind = 0; kind < s_fills.Length; kind++)
        {
            object Run(int threads) => WithThreads(threads, () =>
            {
                var g = new Generator(seed);
                var first = NewArray(kind, 1000);
                s_fills[kind](g, first); // a preceding draw, so the fill starts at a non-zero offset
                var a = NewArray(kind, n);
                s_fills[kind](g, a);
                return a;
            });
            var one = (System.Collections.IStructuralEquatable)Run(1);
            var two = Run(2);
            var three = Run(3);
            Assert.True(one.Equals(two, EqualityComparer<object>.Default), $"fill kind {kind}: 1 vs 2 threads differ");
            Assert.True(one.Equals(three, EqualityComparer<object>.Default), $"fill kind {kind}: 1 vs 3 threads differ");
        }
    }

    [Fact]
    public void ConsecutiveFills_ContinueTheStream()
    {
        // With lengths that are multiples of 4, two fills equal one fill of the sum.
        var g1 = Make(7);
        var a = new float[4000];
        g1.FillNormal(a.AsSpan(0, 1000));
        g1.FillNormal(a.AsSpan(1000));
        var b = new float[4000];
        new Generator(7).FillNormal(b);
        Assert.Equal(b, a);
    }

    [Fact]
    public void DifferentSeeds_Differ()
    {
        var a = new float[1000];
        var b = new float[1000];
        Make(1).FillUniform(a);
        Make(2).FillUniform(b);
        int equal = a.Zip(b).Count(p => p.First == p.Second);
        Assert.True(equal < 5, $"{equal} equal values out of 1000");
    }

    [Fact]
    public void StateSaveRestore_ReproducesContinuation()
    {
        var g = Make(99);
        g.FillNormal(new float[12345]);
        g.NextLong(0, 10);
        GeneratorState state = g.GetState();
        byte[] bytes = state.ToBytes();

        var expectF = new float[5000];
        var expectL = new long[33];
        g.FillUniform(expectF);
        g.FillRandInt(expectL, -5, 5);
        double expectD = g.NextDouble();

        foreach (Generator r in new[] { RestoreInPlace(g, state), new Generator(GeneratorState.FromBytes(bytes)) })
        {
            var f = new float[5000];
            var l = new long[33];
            r.FillUniform(f);
            r.FillRandInt(l, -5, 5);
            Assert.Equal(expectF, f);
            Assert.Equal(expectL, l);
            Assert.Equal(expectD, r.NextDouble());
        }

        static Generator RestoreInPlace(Generator g, GeneratorState s) { g.SetState(s); return g; }
    }

    [Fact]
    public void ManualSeed_Rewinds()
    {
        var g = Make(5);
        var a = new double[100];
        g.FillNormal(a);
        g.ManualSeed(5);
        Assert.Equal(0UL, g.Offset);
        var b = new double[100];
        g.FillNormal(b);
        Assert.Equal(a, b);
    }

    [Fact]
    public void GlobalSeed_ReseedsDefault_AndForkIsReproducible()
    {
        output.WriteLine("seed=1234");
        Random.Seed(1234);
        var a = new float[1000];
        Random.Default.FillUniform(a);
        ulong forkSeed = Random.Fork().Seed;
        Random.Seed(1234);
        var b = new float[1000];
        Random.Default.FillUniform(b);
        Assert.Equal(a, b);
        Assert.Equal(forkSeed, Random.Fork().Seed);
        var c = new float[1000];
        new Generator(1234).FillUniform(c);
        Assert.Equal(a, c);
    }

    // ------------------------------------------------------------------ statistics

    private static (double Mean, double Var, double M4) Moments(IEnumerable<double> xs)
    {
        var arr = xs.ToArray();
        double mean = arr.Average();
        double v = 0, m4 = 0;
        foreach (double x in arr)
        {
            double d = (x - mean) * (x - mean);
            v += d;
            m4 += d * d;
        }
        return (mean, v / arr.Length, m4 / arr.Length);
    }

    /// <summary>
    /// Asserts sample mean and variance lie within 5 standard errors of the truth. SE(mean) = σ/√n;
    /// SE(variance) ≈ √((μ4 − σ⁴)/n). A correct generator fails with probability ~6e-7 per check.
    /// </summary>
    private static void AssertMoments(IEnumerable<double> xs, int n, double mean, double variance, string what)
    {
        var (m, v, m4) = Moments(xs);
        double seMean = Math.Sqrt(variance / n);
        double seVar = Math.Sqrt((m4 - v * v) / n);
        Assert.True(Math.Abs(m - mean) < 5 * seMean, $"{what}: mean {m} vs {mean} (SE {seMean})");
        Assert.True(Math.Abs(v - variance) < 5 * seVar, $"{what}: variance {v} vs {variance} (SE {seVar})");
    }

    [Fact]
    public void Uniform_RangeAndMoments()
    {
        var g = Make(11);
        var f = new float[Big];
        g.FillUniform(f, -2f, 3f);
        Assert.All(f, x => Assert.True(x >= -2f && x < 3f));
        AssertMoments(f.Select(x => (double)x), Big, 0.5, 25.0 / 12, "uniform float");

        var d = new double[Big];
        g.FillUniform(d, 10, 11);
        Assert.All(d, x => Assert.True(x >= 10 && x < 11));
        AssertMoments(d, Big, 10.5, 1.0 / 12, "uniform double");

        // Degenerate range.
        g.FillUniform(f.AsSpan(0, 10), 4f, 4f);
        Assert.All(f.Take(10), x => Assert.Equal(4f, x));
    }

    [Fact]
    public void Normal_MomentsAndTails()
    {
        var g = Make(12);
        var f = new float[Big];
        g.FillNormal(f, 1.5f, 2f);
        Assert.All(f, x => Assert.True(float.IsFinite(x)));
        AssertMoments(f.Select(x => (double)x), Big, 1.5, 4.0, "normal float");
        // P(|Z| > 2) = 0.0455003; binomial SE.
        double tail = f.Count(x => Math.Abs((x - 1.5) / 2) > 2) / (double)Big;
        double se = Math.Sqrt(0.0455003 * (1 - 0.0455003) / Big);
        Assert.True(Math.Abs(tail - 0.0455003) < 5 * se, $"normal float tail {tail}");

        var d = new double[Big];
        g.FillNormal(d, -3, 0.5);
        Assert.All(d, x => Assert.True(double.IsFinite(x)));
        AssertMoments(d, Big, -3, 0.25, "normal double");
    }

    [Fact]
    public void Bernoulli_Frequency_AndEdgeProbabilities()
    {
        var g = Make(13);
        var f = new float[Big];
        g.FillBernoulli(f, 0.3);
        Assert.All(f, x => Assert.True(x == 0f || x == 1f));
        double freq = f.Average(x => (double)x);
        double se = Math.Sqrt(0.3 * 0.7 / Big);
        Assert.True(Math.Abs(freq - 0.3) < 5 * se, $"bernoulli freq {freq}");

        var b = new bool[Big];
        g.FillBernoulli(b, 0.001);
        double fb = b.Count(x => x) / (double)Big;
        Assert.True(Math.Abs(fb - 0.001) < 5 * Math.Sqrt(0.001 * 0.999 / Big), $"bernoulli bool freq {fb}");

        g.FillBernoulli(b, 0.0);
        Assert.DoesNotContain(true, b);
        g.FillBernoulli(b, 1.0);
        Assert.DoesNotContain(false, b);
    }

    [Fact]
    public void RandInt_CoversRangeUniformly_ChiSquare()
    {
        var g = Make(14);
        const int k = 12, n = 1_200_000;
        var v = new long[n];
        g.FillRandInt(v, -5, 7);
        var counts = new long[k];
        foreach (long x in v)
        {
            Assert.InRange(x, -5, 6);
            counts[x + 5]++;
        }
        double expected = (double)n / k;
        double chi2 = counts.Sum(c => (c - expected) * (c - expected) / expected);
        // df = 11: mean 11, sd √22 ≈ 4.7; 45 is > 7 sd out (p ≈ 1e-5).
        Assert.True(chi2 < 45, $"chi2 = {chi2}");

        // Huge ranges: full long range and one where ~1/4 of draws are rejected and retried.
        g.FillRandInt(v.AsSpan(0, 1000), long.MinValue, long.MaxValue);
        Assert.True(v.Take(1000).Distinct().Count() > 990);
        long range = 3L << 61;
        g.FillRandInt(v, 0, range);
        var thirds = new long[3];
        foreach (long x in v)
        {
            Assert.InRange(x, 0, range - 1);
            thirds[x / (1L << 61)]++;
        }
        double e3 = n / 3.0;
        double chi3 = thirds.Sum(c => (c - e3) * (c - e3) / e3);
        Assert.True(chi3 < 25, $"chi2 (thirds) = {chi3}"); // df = 2: p(>25) ≈ 4e-6

        for (int i = 0; i < 1000; i++)
            Assert.InRange(g.NextLong(-3, 4), -3, 3);
    }

    [Fact]
    public void Randperm_IsPermutation_AndUniformOnSmallN()
    {
        var g = Make(15);
        var p = new long[100_003];
        g.Randperm(p);
        var seen = new bool[p.Length];
        foreach (long x in p)
        {
            Assert.False(seen[x], $"duplicate {x}");
            seen[x] = true;
        }
        Assert.NotEqual(Enumerable.Range(0, p.Length).Select(i => (long)i), p);

        // All 6 permutations of 3 equally likely: chi-square, df = 5 (p(>30) ≈ 1.5e-5).
        const int trials = 60_000;
        var counts = new Dictionary<string, int>();
        var q = new long[3];
        for (int t = 0; t < trials; t++)
        {
            g.Randperm(q);
            string key = string.Join(",", q);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        Assert.Equal(6, counts.Count);
        double e = trials / 6.0;
        double chi2 = counts.Values.Sum(c => (c - e) * (c - e) / e);
        Assert.True(chi2 < 30, $"chi2 = {chi2}");
    }

    [Fact]
    public void Multinomial_WithReplacement_Frequencies()
    {
        var g = Make(16);
        double[] probs = { 1, 0, 2, 3, 4 }; // unnormalized, total 10
        const int n = 200_000;
        var s = new long[n];
        g.Multinomial(probs, n, replacement: true, s);
        var counts = new int[probs.Length];
        foreach (long x in s) counts[x]++;
        Assert.Equal(0, counts[1]);
        for (int i = 0; i < probs.Length; i++)
        {
            double p = probs[i] / 10;
            double se = Math.Sqrt(p * (1 - p) / n);
            Assert.True(Math.Abs(counts[i] / (double)n - p) <= 5 * se, $"category {i}: {counts[i] / (double)n} vs {p}");
        }
    }

    [Fact]
    public void Multinomial_WithoutReplacement_DistinctAndFirstDrawFollowsProbs()
    {
        var g = Make(17);
        var probs = new double[20];
        for (int i = 0; i < probs.Length; i++) probs[i] = i % 4 == 0 ? 0 : i;
        int nonZero = probs.Count(p => p > 0);
        var s = new long[nonZero];
        g.Multinomial(probs, nonZero, replacement: false, s);
        Assert.Equal(nonZero, s.Distinct().Count());
        Assert.All(s, x => Assert.True(probs[x] > 0));

        // The first of k draws without replacement is distributed as probs; the second never repeats it.
        double[] small = { 1, 2, 3, 4 };
        const int trials = 40_000;
        var first = new int[4];
        var pair = new long[2];
        for (int t = 0; t < trials; t++)
        {
            g.Multinomial(small, 2, replacement: false, pair);
            Assert.NotEqual(pair[0], pair[1]);
            first[pair[0]]++;
        }
        for (int i = 0; i < 4; i++)
        {
            double p = small[i] / 10;
            double se = Math.Sqrt(p * (1 - p) / trials);
            Assert.True(Math.Abs(first[i] / (double)trials - p) <= 5 * se, $"first draw {i}: {first[i] / (double)trials} vs {p}");
        }
    }

    [Fact]
    public void Scalars_InRange()
    {
        var g = Make(18);
        for (int i = 0; i < 10_000; i++)
        {
            double d = g.NextDouble();
            float f = g.NextFloat();
            Assert.True(d >= 0 && d < 1);
            Assert.True(f >= 0 && f < 1);
        }
        Assert.Equal(7, g.NextLong(7, 8));
    }

    // ------------------------------------------------------------------ argument validation

    [Fact]
    public void BadArguments_Throw()
    {
        var g = new Generator(0);
        var f = new float[4];
        var d = new double[4];
        var l = new long[4];

        var e = Assert.Throws<ArgumentException>(() => g.FillBernoulli(f, 1.5));
        Assert.Contains("bernoulli: p must be in [0,1], got 1.5", e.Message);
        Assert.Throws<ArgumentException>(() => g.FillBernoulli(new bool[2], -0.1));
        Assert.Throws<ArgumentException>(() => g.FillBernoulli(f, double.NaN));

        Assert.Throws<ArgumentException>(() => g.FillUniform(f, 2f, 1f));
        Assert.Throws<ArgumentException>(() => g.FillUniform(f, 0f, float.PositiveInfinity));
        Assert.Throws<ArgumentException>(() => g.FillUniform(f, -3e38f, 3e38f)); // high - low overflows
        Assert.Throws<ArgumentException>(() => g.FillUniform(d, double.NaN, 1));
        Assert.Throws<ArgumentException>(() => g.FillNormal(f, 0f, -1f));
        Assert.Throws<ArgumentException>(() => g.FillNormal(d, double.NaN, 1));

        Assert.Contains("randint", Assert.Throws<ArgumentException>(() => g.FillRandInt(l, 5, 5)).Message);
        Assert.Throws<ArgumentException>(() => g.NextLong(3, 2));

        double[] probs = { 0.5, 0, 0.5 };
        Assert.Contains("without replacement",
            Assert.Throws<ArgumentException>(() => g.Multinomial(probs, 3, false, new long[3])).Message);
        Assert.Throws<ArgumentException>(() => g.Multinomial(new double[] { 1, -1 }, 1, true, new long[1]));
        Assert.Throws<ArgumentException>(() => g.Multinomial(new double[] { 1, double.NaN }, 1, true, new long[1]));
        Assert.Throws<ArgumentException>(() => g.Multinomial(new double[] { 0, 0 }, 1, true, new long[1]));
        Assert.Throws<ArgumentException>(() => g.Multinomial(Array.Empty<double>(), 1, true, new long[1]));
        Assert.Throws<ArgumentException>(() => g.Multinomial(probs, 2, true, new long[3]));
        Assert.Throws<ArgumentException>(() => g.Multinomial(probs, -1, true, Span<long>.Empty));

        Assert.Throws<ArgumentException>(() => GeneratorState.FromBytes(new byte[5]));
        Assert.Throws<ArgumentException>(() => g.SetState(new byte[GeneratorState.SerializedSize]));

        // Failed validation must not consume randomness.
        Assert.Equal(0UL, g.Offset);
    }
}
