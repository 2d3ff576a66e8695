namespace Polymath.Scale.Tests.Compression;

public sealed class Int8GemmTests
{
    public static TheoryData<Int8Kernel> Kernels()
    {
        var data = new TheoryData<Int8Kernel>();
        foreach (var k in new[] { Int8Kernel.Scalar, Int8Kernel.Avx512BW, Int8Kernel.AvxVnni })
            if (Int8Gemm.IsSupported(k)) data.Add(k);
        return data;
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void EveryKernelMatchesTheReferenceLoopExactly(Int8Kernel kernel)
    {
        var rng = new System.Random(1234);
        (int M, int N, int K)[] sizes = [(1, 1, 1), (3, 5, 7), (4, 16, 4), (5, 17, 9), (13, 33, 50), (37, 10, 257), (130, 40, 31), (9, 64, 800)];
        var saved = Int8Gemm.Kernel;
        try
        {
            Int8Gemm.Kernel = kernel;
            foreach (var (m, n, k) in sizes)
            {
                var w = new sbyte[n * k];
                for (int i = 0; i < w.Length; i++) w[i] = (sbyte)rng.Next(-127, 128);
                // Extremes too: all 255 activations against ±127 weights must not saturate.
                if (n * k > 4) { w[0] = 127; w[1] = -127; }
                var packed = new Int8PackedWeights(w, n, k);
                int lda = packed.PaddedK;
                var a = new byte[m * lda];
                for (int r = 0; r < m; r++)
                    for (int t = 0; t < k; t++)
                        a[r * lda + t] = (byte)(r == 0 ? 255 : rng.Next(0, 256));
                var expect = new int[m * n];
                Int8Gemm.Reference(a, m, k, lda, w, n, expect);
                var got = new int[m * n];
                Int8Gemm.Multiply(a, m, packed, got);
                Assert.True(expect.AsSpan().SequenceEqual(got), $"{kernel} differs from the reference at M={m} N={n} K={k}");
            }
        }
        finally
        {
            Int8Gemm.Kernel = saved;
        }
    }

    [Fact]
    public void RowSumsAndPaddingAreRight()
    {
        var w = new sbyte[] { 1, -2, 3, 4, 5, -6 };
        var p = new Int8PackedWeights(w, 2, 3);
        Assert.Equal([2, 3], p.RowSums);
        Assert.Equal(4, p.PaddedK);
        Assert.Equal(16, p.PaddedN);
        Assert.Throws<ArgumentException>(() => new Int8PackedWeights(w, 4, 3));
        Assert.Throws<ArgumentException>(() => Int8Gemm.Multiply(new byte[4], 2, p, new int[4]));
    }
}
