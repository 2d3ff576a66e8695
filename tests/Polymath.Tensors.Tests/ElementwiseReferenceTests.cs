using Xunit;
using Xunit.Abstractions;
using static Polymath.Tests.TestData;

namespace Polymath.Tests;

/// <summary>Tests that change the global <see cref="Threads.Count"/>; xunit runs this collection alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadCountCollection
{
    public const string Name = "Polymath.Tensors thread count (serial)";
}

/// <summary>
/// Every fast elementwise kernel (unary forward and backward, binary with each broadcast form) against a plain scalar
/// loop in double, for every length 0..70 (vector bodies and tails) and one large length that takes the threaded
/// paths, contiguous and strided, with <see cref="Threads.Count"/> 1 and 2.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public sealed class ElementwiseReferenceTests(ITestOutputHelper output)
{
    /// <summary>float64 kernels go through System.Numerics.Tensors' vectorised exp/log/sin/...: a few ulp from Math.*, 1e-13 relative leaves margin.</summary>
    private const double Float64RelTol = 1e-13;

    /// <summary>Absolute floor for results that cancel to near zero (sin near π, x−y for close x, y): 1e-14 is ~100 ulp of 1.</summary>
    private const double Float64AbsTol = 1e-14;

    /// <summary>float32 kernels round inputs, intermediates and output to 24 bits: a few ulp (ε = 1.2e-7) relative.</summary>
    private const double Float32RelTol = 4e-6;

    /// <summary>Absolute floor for float32 results near zero (cancellation in sin, gelu, x−y).</summary>
    private const double Float32AbsTol = 2e-6;

    /// <summary>Large enough (> 2 × the 32768-element grain) that kernels split the work across threads.</summary>
    private const int LargeLength = 66_003;

    private static IEnumerable<int> Lengths() => Enumerable.Range(0, 71).Append(LargeLength);

    private sealed record UnaryCase(string Name, Func<Tensor, Tensor> Op, Func<double, double> F, Func<double, double> DF, double Lo, double Hi);

    private const double S2Pi = 0.7978845608028654;

    private static readonly UnaryCase[] Unaries =
    [
        new("neg", x => x.Neg(), v => -v, v => -1, -3, 3),
        new("abs", x => x.Abs(), Math.Abs, v => Math.Sign(v), -3, 3),
        new("sign", x => x.Sign(), v => Math.Sign(v), v => 0, -3, 3),
        new("exp", x => x.Exp(), Math.Exp, Math.Exp, -5, 5),
        new("log", x => x.Log(), Math.Log, v => 1 / v, 0.01, 5),
        new("sqrt", x => x.Sqrt(), Math.Sqrt, v => 0.5 / Math.Sqrt(v), 0.01, 5),
        new("reciprocal", x => x.Reciprocal(), v => 1 / v, v => -1 / (v * v), 0.1, 3),
        new("sin", x => x.Sin(), Math.Sin, Math.Cos, -6, 6),
        new("cos", x => x.Cos(), Math.Cos, v => -Math.Sin(v), -6, 6),
        new("tanh", x => x.Tanh(), Math.Tanh, v => 1 - Math.Tanh(v) * Math.Tanh(v), -4, 4),
        new("sigmoid", x => x.Sigmoid(), v => 1 / (1 + Math.Exp(-v)), v => Math.Exp(-v) / ((1 + Math.Exp(-v)) * (1 + Math.Exp(-v))), -8, 8),
        new("relu", x => x.Relu(), v => Math.Max(v, 0), v => v > 0 ? 1 : 0, -3, 3),
        new("leaky_relu", x => x.LeakyRelu(0.1), v => v > 0 ? v : 0.1 * v, v => v > 0 ? 1 : 0.1, -3, 3),
        new("gelu", x => x.Gelu(), v => 0.5 * v * (1 + Polymath.Kernels.SpecialFunctions.Erf(v / Math.Sqrt(2))),
            v => 0.5 * (1 + Polymath.Kernels.SpecialFunctions.Erf(v / Math.Sqrt(2))) + v * Math.Exp(-v * v / 2) / Math.Sqrt(2 * Math.PI), -4, 4),
        new("gelu_tanh", x => x.Gelu("tanh"), v => 0.5 * v * (1 + Math.Tanh(S2Pi * (v + 0.044715 * v * v * v))),
            v =>
            {
                double t = Math.Tanh(S2Pi * (v + 0.044715 * v * v * v));
                return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * S2Pi * (1 + 3 * 0.044715 * v * v);
            }, -4, 4),
        new("silu", x => x.Silu(), v => v / (1 + Math.Exp(-v)), v => { double s = 1 / (1 + Math.Exp(-v)); return s * (1 + v * (1 - s)); }, -6, 6),
        new("softplus", x => x.Softplus(2, 5), v => 2 * v > 5 ? v : Math.Log(1 + Math.Exp(2 * v)) / 2, v => 2 * v > 5 ? 1 : 1 / (1 + Math.Exp(-2 * v)), -4, 4),
        new("erf", x => x.Erf(), Polymath.Kernels.SpecialFunctions.Erf, v => 2 / Math.Sqrt(Math.PI) * Math.Exp(-v * v), -4, 4),
        new("clamp", x => x.Clamp(-0.5, 1.0), v => Math.Min(Math.Max(v, -0.5), 1.0), v => v >= -0.5 && v <= 1.0 ? 1 : 0, -3, 3),
        new("pow_2.5", x => x.Pow(2.5), v => Math.Pow(v, 2.5), v => 2.5 * Math.Pow(v, 1.5), 0.01, 3),
        new("pow_2", x => x.Pow(2), v => v * v, v => 2 * v, -3, 3),
        new("pow_0.5", x => x.Pow(0.5), Math.Sqrt, v => 0.5 / Math.Sqrt(v), 0.01, 3),
    ];

    public static TheoryData<string> UnaryNames()
    {
        var d = new TheoryData<string>();
        foreach (var u in Unaries) d.Add(u.Name);
        return d;
    }

    private static void WithThreads(int n, Action a)
    {
        int saved = Threads.Count;
        Threads.Count = n;
        try { a(); }
        finally { Threads.Count = saved; }
    }

    private static string? Compare(double[] actual, double[] expected, double rel, double abs)
    {
        if (actual.Length != expected.Length)
            return $"length {actual.Length} vs {expected.Length}";
        for (int i = 0; i < actual.Length; i++)
        {
            double a = actual[i], e = expected[i];
            if (double.IsNaN(e) ? !double.IsNaN(a) : !(Math.Abs(a - e) <= abs + rel * Math.Abs(e)))
                return $"element {i}: got {a:R}, expected {e:R}";
        }
        return null;
    }

    [Theory]
    [MemberData(nameof(UnaryNames))]
    public void Unary_MatchesScalarLoop(string name)
    {
        var u = Unaries.Single(c => c.Name == name);
        int seed = 7000 + Array.IndexOf(Unaries, u);
        output.WriteLine($"unary {name} seed={seed}");
        var rng = new System.Random(seed);
        foreach (int threads in new[] { 1, 2 })
            WithThreads(threads, () =>
            {
                foreach (int n in Lengths())
                {
                    var values = Uniform(rng, n, u.Lo, u.Hi);
                    var gradOut = Uniform(rng, n, -1, 1);
                    var expected = values.Select(u.F).ToArray();
                    var expectedGrad = values.Select((v, i) => gradOut[i] * u.DF(v)).ToArray();
                    foreach (var layout in n == LargeLength ? [Layout.Contiguous] : new[] { Layout.Contiguous, Layout.Strided })
                    {
                        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
                        {
                            var x = Make(values, [n], layout);
                            if (dtype == DType.Float32)
                                x = x.To(DType.Float32).Detach();
                            x.RequiresGrad = true;
                            var y = u.Op(x);
                            double[] xin = x.ToDoubleArray(); // float32-rounded inputs for the float32 reference
                            var exp = dtype == DType.Float64 ? expected : xin.Select(u.F).ToArray();
                            var expG = dtype == DType.Float64 ? expectedGrad : xin.Select((v, i) => (double)(float)gradOut[i] * u.DF(v)).ToArray();
                            double rel = dtype == DType.Float64 ? Float64RelTol : Float32RelTol, abs = dtype == DType.Float64 ? Float64AbsTol : Float32AbsTol;
                            string? err = Compare(y.ToDoubleArray(), exp, rel, abs);
                            Assert.True(err is null, $"{name} forward {dtype.Name()} n={n} {layout} threads={threads}: {err}");
                            y.Backward(Tensor.From(gradOut, n).To(dtype));
                            err = Compare(x.Grad!.ToDoubleArray(), expG, rel, abs);
                            Assert.True(err is null, $"{name} backward {dtype.Name()} n={n} {layout} threads={threads}: {err}");
                        }
                    }
                }
            });
    }

    private sealed record BinaryCase(string Name, Func<Tensor, Tensor, Tensor> Op, Func<double, double, double> F, double Lo, double Hi);

    private static readonly BinaryCase[] Binaries =
    [
        new("add", (a, b) => a + b, (a, b) => a + b, -3, 3),
        new("sub", (a, b) => a - b, (a, b) => a - b, -3, 3),
        new("mul", (a, b) => a * b, (a, b) => a * b, -3, 3),
        new("div", (a, b) => a / b, (a, b) => a / b, 0.1, 3),
        new("pow", (a, b) => a.Pow(b), Math.Pow, 0.1, 3),
        new("maximum", (a, b) => a.Maximum(b), Math.Max, -3, 3),
        new("minimum", (a, b) => a.Minimum(b), Math.Min, -3, 3),
    ];

    public static TheoryData<string> BinaryNames()
    {
        var d = new TheoryData<string>();
        foreach (var b in Binaries) d.Add(b.Name);
        return d;
    }

    /// <summary>How the two operands of a binary kernel are shaped: each drives a different inner loop of the kernel.</summary>
    private enum BinaryForm { SameShape, ScalarRight, ScalarLeft, Strided, RowBroadcast }

    [Theory]
    [MemberData(nameof(BinaryNames))]
    public void Binary_MatchesScalarLoop(string name)
    {
        var op = Binaries.Single(c => c.Name == name);
        int seed = 8000 + Array.IndexOf(Binaries, op);
        output.WriteLine($"binary {name} seed={seed}");
        var rng = new System.Random(seed);
        foreach (int threads in new[] { 1, 2 })
            WithThreads(threads, () =>
            {
                foreach (int n in Lengths())
                {
                    foreach (BinaryForm form in n == LargeLength ? [BinaryForm.SameShape, BinaryForm.ScalarRight, BinaryForm.RowBroadcast] : Enum.GetValues<BinaryForm>())
                    {
                        // RowBroadcast: a [3, n] + b [n]: rows of a, b read again for each row.
                        int rows = form == BinaryForm.RowBroadcast ? 3 : 1;
                        var av = Uniform(rng, (long)rows * n, op.Lo, op.Hi);
                        var bv = Uniform(rng, form is BinaryForm.ScalarLeft or BinaryForm.ScalarRight ? 1 : n, op.Lo, op.Hi);
                        Tensor a = form == BinaryForm.RowBroadcast ? Make(av, [rows, n], Layout.Contiguous) : Make(av, [n], form == BinaryForm.Strided ? Layout.Strided : Layout.Contiguous);
                        Tensor b = form is BinaryForm.ScalarLeft or BinaryForm.ScalarRight ? Make(bv, [1], Layout.Contiguous) : Make(bv, [n], form == BinaryForm.Strided ? Layout.Strided : Layout.Contiguous);
                        bool swap = form == BinaryForm.ScalarLeft;
                        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
                        {
                            Tensor ta = dtype == DType.Float64 ? a : a.To(dtype), tb = dtype == DType.Float64 ? b : b.To(dtype);
                            var result = swap ? op.Op(tb, ta) : op.Op(ta, tb);
                            double[] x = ta.ToDoubleArray(), y = tb.ToDoubleArray();
                            var expected = new double[(long)rows * n];
                            for (int i = 0; i < expected.Length; i++)
                            {
                                double p = x[i], q = y[y.Length == 1 ? 0 : i % n];
                                expected[i] = swap ? op.F(q, p) : op.F(p, q);
                                if (dtype == DType.Float32)
                                    expected[i] = (float)expected[i];
                            }
                            double rel = dtype == DType.Float64 ? Float64RelTol : Float32RelTol, abs = dtype == DType.Float64 ? Float64AbsTol : Float32AbsTol;
                            string? err = Compare(result.ToDoubleArray(), expected, rel, abs);
                            Assert.True(err is null, $"{name} {dtype.Name()} n={n} {form} threads={threads}: {err}");
                        }
                    }
                }
            });
    }

    [Fact]
    public void InPlaceBinary_MatchesOutOfPlace_IncludingSelfAliasing()
    {
        const int seed = 8100;
        output.WriteLine($"seed={seed}");
        var rng = new System.Random(seed);
        foreach (int n in Lengths())
        {
            var x = Make(Uniform(rng, n, -2, 2), [n], Layout.Contiguous);
            var y = Make(Uniform(rng, n, -2, 2), [n], Layout.Strided);
            var expected = (x + y * 0.5).ToDoubleArray();
            x.AddInPlace(y, 0.5);
            Assert.Equal(expected, x.ToDoubleArray());
            // Overlapping shifted views of one buffer: dst[i] += src[i] where src[i] is dst[i-1]; the old values must be read.
            var buf = Make(Uniform(rng, n + 1, -2, 2), [n + 1], Layout.Contiguous);
            var old = buf.ToDoubleArray();
            buf[1..].AddInPlace(buf[..n]);
            var now = buf.ToDoubleArray();
            for (int i = 0; i < n; i++)
                Assert.Equal(old[i + 1] + old[i], now[i + 1]);
        }
    }

    [Fact]
    public void Comparisons_MatchScalarLoop()
    {
        const int seed = 8200;
        output.WriteLine($"seed={seed}");
        var rng = new System.Random(seed);
        foreach (int n in Lengths())
        {
            // Few distinct values so equality is exercised.
            var av = Uniform(rng, n, 0, 4).Select(Math.Floor).ToArray();
            var bv = Uniform(rng, n, 0, 4).Select(Math.Floor).ToArray();
            var a = Make(av, [n], Layout.Strided);
            var b = Make(bv, [n], Layout.Contiguous);
            (Func<Tensor, Tensor, Tensor> op, Func<double, double, bool> f)[] ops =
            [
                ((p, q) => p.Eq(q), (p, q) => p == q), ((p, q) => p.Ne(q), (p, q) => p != q),
                ((p, q) => p.Lt(q), (p, q) => p < q), ((p, q) => p.Le(q), (p, q) => p <= q),
                ((p, q) => p.Gt(q), (p, q) => p > q), ((p, q) => p.Ge(q), (p, q) => p >= q),
            ];
            foreach (var (op, f) in ops)
                Assert.Equal(av.Select((v, i) => f(v, bv[i])).ToArray(), op(a, b).ToArray<bool>());
            var where = Tensor.Where(a.Gt(b), a, b.To(DType.Float32));
            Assert.Equal(av.Select((v, i) => v > bv[i] ? v : bv[i]).ToArray(), where.ToDoubleArray());
        }
    }
}
