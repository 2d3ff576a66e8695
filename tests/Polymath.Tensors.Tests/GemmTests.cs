using Polymath.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Tensors.Tests;

/// <summary>
/// Checks every GEMM path (managed kernel with each micro-kernel, OpenBLAS when present, and the
/// dispatching entry point) against a float64 triple loop on random inputs.
/// </summary>
// Tests change Threads.Count and ManagedGemm.Isa: they run alone, not beside tests that assume a fixed thread count.
[Collection(Polymath.Tests.ThreadCountCollection.Name)]
public class GemmTests
{
    // Inputs are uniform in [-1, 1), so each product term has magnitude < 1 and the rounding error of
    // a k-term dot product grows like sqrt(k)·eps for random signs (worst case k·eps). The error is
    // measured relative to the sum of |terms| (plus |beta·C|), which is the scale BLAS error bounds use.
    // float32: eps = 6e-8; 4·sqrt(k)·eps with k = 1023 is 8e-6, far below what a wrong index gives (~1).
    private const double FloatTolerancePerSqrtK = 4 * 6e-8;
    // float64: eps = 1.1e-16, same reasoning.
    private const double DoubleTolerancePerSqrtK = 4 * 1.1e-16;

    private readonly ITestOutputHelper _out;

    public GemmTests(ITestOutputHelper output) => _out = output;

    public enum Path { Managed512, Managed256, ManagedScalar, OpenBlas, Dispatch }

    private static readonly (int M, int N, int K)[] s_shapes =
    {
        (0, 5, 3), (4, 0, 3), (3, 4, 0), (1, 1, 1), (1, 7, 1), (7, 1, 63), (7, 7, 7),
        (63, 65, 127), (65, 63, 129), (129, 127, 65), (13, 33, 300), (1023, 65, 129),
    };

    public static IEnumerable<object[]> Cases()
    {
        foreach (Path p in Enum.GetValues<Path>())
            foreach (int threads in new[] { 1, 2 })
            {
                if (p == Path.ManagedScalar && threads == 2)
                    continue; // the scalar kernel is slow; one thread count is enough to check it
                yield return new object[] { p, threads };
            }
    }

    private bool Setup(Path path)
    {
        switch (path)
        {
            case Path.OpenBlas:
                if (!OpenBlas.IsAvailable)
                {
                    _out.WriteLine("OpenBLAS not available; skipped.");
                    return false;
                }
                break;
            case Path.Managed512:
                if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
                {
                    _out.WriteLine("Vector512 not accelerated; skipped.");
                    return false;
                }
                ManagedGemm.Isa = GemmIsa.Vector512;
                break;
            case Path.Managed256:
                ManagedGemm.Isa = GemmIsa.Vector256;
                break;
            case Path.ManagedScalar:
                ManagedGemm.Isa = GemmIsa.Scalar;
                break;
        }
        return true;
    }

    private static GemmIsa DefaultIsa =>
        System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? GemmIsa.Vector512 :
        System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? GemmIsa.Vector256 : GemmIsa.Scalar;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float32MatchesReference(Path path, int threads) => RunAll(path, threads, isDouble: false);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float64MatchesReference(Path path, int threads) => RunAll(path, threads, isDouble: true);

    private void RunAll(Path path, int threads, bool isDouble)
    {
        int savedThreads = Threads.Count;
        try
        {
            if (!Setup(path))
                return;
            Threads.Count = threads;
            int seed = Environment.TickCount;
            _out.WriteLine($"seed {seed}");
            var rng = new System.Random(seed);
            int caseNo = 0;
            foreach (var (m, n, k) in s_shapes)
                foreach (bool ta in new[] { false, true })
                    foreach (bool tb in new[] { false, true })
                    {
                        // Cycle through alpha/beta and padding so every combination of flags meets each.
                        var (alpha, beta) = (caseNo % 4) switch
                        {
                            0 => (1.0, 0.0),
                            1 => (-0.5, 1.0),
                            2 => (2.0, -1.5),
                            _ => (1.0, 0.0),
                        };
                        int pad = caseNo % 3 == 1 ? 3 : 0; // lda > columns: a submatrix view
                        bool nanC = caseNo % 4 is 0 or 3; // beta == 0 must overwrite NaN
                        caseNo++;
                        string what = $"{path} t={threads} {(isDouble ? "f64" : "f32")} m={m} n={n} k={k} tA={ta} tB={tb} alpha={alpha} beta={beta} pad={pad} seed={seed}";
                        RunOne(path, isDouble, rng, m, n, k, ta, tb, alpha, beta, pad, nanC, what);
                    }
        }
        finally
        {
            Threads.Count = savedThreads;
            ManagedGemm.Isa = DefaultIsa;
        }
    }

    private static void RunOne(Path path, bool isDouble, System.Random rng, int m, int n, int k, bool ta, bool tb,
        double alpha, double beta, int pad, bool nanC, string what)
    {
        int aRows = ta ? k : m, aCols = ta ? m : k;
        int bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        double[] a = RandomArray(rng, Math.Max(0, aRows * lda));
        double[] b = RandomArray(rng, Math.Max(0, bRows * ldb));
        double[] c = RandomArray(rng, Math.Max(0, m * ldc));
        if (nanC && beta == 0)
            Array.Fill(c, double.NaN);
        if (!isDouble)
        {
            // Round inputs to float first so the reference sees exactly what the kernel sees.
            RoundToFloat(a);
            RoundToFloat(b);
            RoundToFloat(c);
        }
        double[] c0 = (double[])c.Clone();

        double[] got;
        if (isDouble)
        {
            got = (double[])c.Clone();
            switch (path)
            {
                case Path.OpenBlas when m > 0 && n > 0 && k > 0:
                    OpenBlas.Dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc);
                    break;
                case Path.OpenBlas:
                case Path.Dispatch:
                    Gemm.Dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc);
                    break;
                default:
                    ManagedGemm.Dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc);
                    break;
            }
        }
        else
        {
            float[] af = ToFloat(a), bf = ToFloat(b), cf = ToFloat(c);
            switch (path)
            {
                case Path.OpenBlas when m > 0 && n > 0 && k > 0:
                    OpenBlas.Sgemm(ta, tb, m, n, k, (float)alpha, af, lda, bf, ldb, (float)beta, cf, ldc);
                    break;
                case Path.OpenBlas:
                case Path.Dispatch:
                    Gemm.Sgemm(ta, tb, m, n, k, (float)alpha, af, lda, bf, ldb, (float)beta, cf, ldc);
                    break;
                default:
                    ManagedGemm.Sgemm(ta, tb, m, n, k, (float)alpha, af, lda, bf, ldb, (float)beta, cf, ldc);
                    break;
            }
            got = Array.ConvertAll(cf, x => (double)x);
        }

        double tolPerSqrtK = isDouble ? DoubleTolerancePerSqrtK : FloatTolerancePerSqrtK;
        double tol = tolPerSqrtK * Math.Sqrt(Math.Max(1, k) + 2); // +2: the alpha and beta roundings
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0, mag = 0;
                for (int p = 0; p < k; p++)
                {
                    double t = (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                    s += t;
                    mag += Math.Abs(t);
                }
                double cOld = c0[i * ldc + j];
                double want = alpha * s + (beta == 0 ? 0 : beta * cOld);
                double scale = Math.Abs(alpha) * mag + (beta == 0 ? 0 : Math.Abs(beta * cOld)) + 1e-300;
                double g = got[i * ldc + j];
                double err = Math.Abs(g - want) / scale;
                if (!(err <= tol)) // also catches NaN
                    Assert.Fail($"{what}: C[{i},{j}] = {g}, want {want} (relative error {err:E2} > {tol:E2})");
            }
            // Padding between rows of C must be left alone.
            for (int j = n; j < ldc; j++)
                if (!got[i * ldc + j].Equals(c0[i * ldc + j]))
                    Assert.Fail($"{what}: wrote into padding C[{i},{j}]");
        }
    }

    private static double[] RandomArray(System.Random rng, int length)
    {
        var x = new double[length];
        for (int i = 0; i < length; i++)
            x[i] = rng.NextDouble() * 2 - 1;
        return x;
    }

    private static void RoundToFloat(double[] x)
    {
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)x[i];
    }

    private static float[] ToFloat(double[] x) => Array.ConvertAll(x, v => (float)v);

    [Fact]
    public void LargeSquareMultiThreadedMatchesSingleThreaded()
    {
        // 300×300 crosses ManagedGemm.ParallelThreshold, so the 2-thread grid split runs; the split
        // must not change any result bit (each element is computed by one thread in the same order).
        const int n = 300;
        int saved = Threads.Count;
        try
        {
            var rng = new System.Random(42);
            float[] a = ToFloat(RandomArray(rng, n * n)), b = ToFloat(RandomArray(rng, n * n));
            float[] c1 = new float[n * n], c2 = new float[n * n];
            Threads.Count = 1;
            ManagedGemm.Sgemm(false, false, n, n, n, 1f, a, n, b, n, 0f, c1, n);
            Threads.Count = 2;
            ManagedGemm.Sgemm(false, false, n, n, n, 1f, a, n, b, n, 0f, c2, n);
            Assert.Equal(c1, c2);
        }
        finally
        {
            Threads.Count = saved;
        }
    }

    [Fact]
    public void CallsFromInsideAParallelLoopAreCorrect()
    {
        // Each batch item runs its own GEMM on a Threads.For worker (single-threaded, managed there).
        const int batch = 4, n = 150;
        int saved = Threads.Count;
        try
        {
            Threads.Count = 2;
            var rng = new System.Random(7);
            float[] a = ToFloat(RandomArray(rng, batch * n * n)), b = ToFloat(RandomArray(rng, n * n));
            float[] got = new float[batch * n * n], want = new float[batch * n * n];
            Threads.For(batch, 1, (start, end) =>
            {
                for (long i = start; i < end; i++)
                    Gemm.Sgemm(false, false, n, n, n, 1f, a.AsSpan((int)i * n * n, n * n), n, b, n, 0f,
                        got.AsSpan((int)i * n * n, n * n), n);
            });
            Threads.Count = 1;
            for (int i = 0; i < batch; i++)
                ManagedGemm.Sgemm(false, false, n, n, n, 1f, a.AsSpan(i * n * n, n * n), n, b, n, 0f,
                    want.AsSpan(i * n * n, n * n), n);
            double tol = FloatTolerancePerSqrtK * Math.Sqrt(n) * n; // |terms| sum to at most n
            for (int i = 0; i < got.Length; i++)
                Assert.True(Math.Abs(got[i] - want[i]) <= tol, $"element {i}: {got[i]} vs {want[i]}");
        }
        finally
        {
            Threads.Count = saved;
        }
    }

    [Fact]
    public void InvalidArgumentsThrowNamingTheArgument()
    {
        var a = new float[6];
        var b = new float[6];
        var c = new float[4];
        Assert.Equal("m", Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, -1, 2, 3, 1, a, 3, b, 2, 0, c, 2)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, -3, 1, a, 3, b, 2, 0, c, 2)).ParamName);
        Assert.Equal("lda", Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1, a, 2, b, 2, 0, c, 2)).ParamName);
        var e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1, a.AsSpan(0, 5), 3, b, 2, 0, c, 2));
        Assert.Equal("a", e.ParamName);
        Assert.Contains("needs 6", e.Message);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, true, 2, 3, 3, 1, a, 3, b, 3, 0, new float[6], 3)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => Gemm.Dgemm(false, false, 2, 2, 3, 1, new double[6], 3, new double[6], 2, 0, new double[3], 2)).ParamName);
        // Empty products touch nothing, so empty spans are fine.
        Gemm.Sgemm(false, false, 0, 0, 0, 1, default, 0, default, 0, 0, default, 0);
    }

    [Fact]
    public void ProviderReportsItsState()
    {
        bool saved = Blas.UseOpenBlas;
        try
        {
            Assert.Equal(Blas.UseOpenBlas ? "openblas" : "managed", Blas.Provider);
            Blas.UseOpenBlas = false;
            Assert.Equal("managed", Blas.Provider);
            if (Blas.OpenBlasAvailable)
            {
                Blas.UseOpenBlas = true;
                Assert.Equal("openblas", Blas.Provider);
            }
            else
            {
                Assert.Throws<InvalidOperationException>(() => Blas.UseOpenBlas = true);
            }
        }
        finally
        {
            Blas.UseOpenBlas = saved;
        }
    }

    /// <summary>CI installs OpenBLAS and sets POLYMATH_REQUIRE_OPENBLAS=1, so the OpenBLAS provider is really tested there.</summary>
    [Fact]
    public void OpenBlasIsLoadedWhereRequired()
    {
        if (Environment.GetEnvironmentVariable("POLYMATH_REQUIRE_OPENBLAS") != "1")
            return;
        Assert.True(Blas.OpenBlasAvailable, "POLYMATH_REQUIRE_OPENBLAS=1 but libopenblas could not be loaded");
    }
}
