using Polymath.Amp;
using Xunit;

namespace Polymath.Tensors.Tests;

/// <summary>
/// bfloat16 and float16: the conversion kernels against scalar references (an independent nearest-even rounding in
/// float64 for bfloat16, System.Half for float16) on random floats with NaN, ±Inf, denormals and exact ties mixed in;
/// casts under autograd; 16-bit matmul, linear and conv against float64 references with 16-bit tolerances.
/// </summary>
public class LowPrecisionTests
{
    // bfloat16 keeps 8 significant bits (unit roundoff 2^-8), float16 11 (2^-11).
    private const double Bf16Eps = 1.0 / 256, F16Eps = 1.0 / 2048;

    // The nearest bfloat16 to f computed without bit tricks: the two neighbours by truncation, compared in float64,
    // ties to the even mantissa. Independent of LowPrecision.FloatToBFloat16Bits.
    private static ushort ReferenceBf16(float f)
    {
        if (float.IsNaN(f))
            return 0x7FC0;
        uint bits = BitConverter.SingleToUInt32Bits(f);
        ushort down = (ushort)(bits >> 16);
        if ((bits & 0xFFFF) == 0)
            return down;
        ushort up = (ushort)(down + 1); // one bf16 step away from zero (the sign bit is in 'down')
        double v = f, dv = Bf16(down), uv = Bf16(up);
        double dd = Math.Abs(v - dv), du = Math.Abs(uv - v);
        if (double.IsInfinity(uv))
            du = Math.Abs(Math.Abs(dv) + Math.Pow(2, 127 - 7) - Math.Abs(v)); // the step to 2^128, where rounding overflows
        if (dd < du) return down;
        if (du < dd) return up;
        return (down & 1) == 0 ? down : up;
    }

    private static double Bf16(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    // Random floats over the whole range plus the awkward cases, in an order that puts them in vector lanes and tails.
    private static float[] AwkwardFloats(int n, int seed)
    {
        var rng = new System.Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (i % 7) switch
            {
                0 => BitConverter.Int32BitsToSingle(rng.Next()) * (rng.Next(2) == 0 ? 1 : -1),          // any bit pattern
                1 => (float)(rng.NextDouble() * 8 - 4),
                2 => BitConverter.Int32BitsToSingle((rng.Next(1 << 16) << 16) | 0x8000),                  // exact bf16 ties
                3 => BitConverter.Int32BitsToSingle(rng.Next(1, 1 << 23)),                                // denormals
                4 => new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, float.MaxValue, float.Epsilon, BitConverter.Int32BitsToSingle(0x7F800001), 65504f, 65520f, 6.1e-5f, 5.96e-8f, 2.98e-8f }[rng.Next(12)],
                5 => (float)Math.ScaleB(rng.NextDouble() + 1, rng.Next(-30, 20)),
                _ => BitConverter.Int32BitsToSingle(rng.Next() | 0x7F800000),                             // NaN payloads / Inf
            };
        }
        return x;
    }

    [Fact]
    public void Bf16ScalarRoundingMatchesHandComputedBits()
    {
        Assert.Equal(0x3F80, LowPrecision.FloatToBFloat16Bits(1f));
        Assert.Equal(0x3F80, LowPrecision.FloatToBFloat16Bits(BitConverter.Int32BitsToSingle(0x3F808000))); // tie, even stays
        Assert.Equal(0x3F82, LowPrecision.FloatToBFloat16Bits(BitConverter.Int32BitsToSingle(0x3F818000))); // tie, odd rounds up
        Assert.Equal(0x3F81, LowPrecision.FloatToBFloat16Bits(BitConverter.Int32BitsToSingle(0x3F808001))); // above the tie
        Assert.Equal(0x7F80, LowPrecision.FloatToBFloat16Bits(float.MaxValue));                             // overflows to +Inf
        Assert.Equal(0x8000, LowPrecision.FloatToBFloat16Bits(-0f));
        Assert.Equal(0x0002, LowPrecision.FloatToBFloat16Bits(BitConverter.Int32BitsToSingle(0x00018000))); // denormal tie
        ushort nan = LowPrecision.FloatToBFloat16Bits(BitConverter.Int32BitsToSingle(0x7F800001));           // would carry into Inf
        Assert.True(BFloat16.IsNaN(BFloat16.FromBits(nan)));
        Assert.True(BFloat16.IsNaN(BFloat16.FromBits(LowPrecision.FloatToBFloat16Bits(-float.NaN))));
    }

    [Fact]
    public void Bf16KernelMatchesIndependentReference()
    {
        var x = AwkwardFloats(4099, 1);
        var got = new BFloat16[x.Length];
        LowPrecision.ToBFloat16(x, got);
        for (int i = 0; i < x.Length; i++)
        {
            ushort want = ReferenceBf16(x[i]);
            if (float.IsNaN(x[i]))
                Assert.True(BFloat16.IsNaN(got[i]) && (got[i].Bits >> 15) == (BitConverter.SingleToUInt32Bits(x[i]) >> 31), $"element {i}: NaN lost or sign changed");
            else
                Assert.True(want == got[i].Bits, $"element {i}: {x[i]:R} (0x{BitConverter.SingleToUInt32Bits(x[i]):X8}) gave 0x{got[i].Bits:X4}, want 0x{want:X4}");
            Assert.Equal(LowPrecision.FloatToBFloat16Bits(x[i]), got[i].Bits); // vector lanes == scalar path
        }
    }

    [Fact]
    public void EveryBf16AndHalfValueRoundTripsThroughFloat()
    {
        var b = new BFloat16[65536];
        var h = new Half[65536];
        for (int i = 0; i < 65536; i++)
        {
            b[i] = BFloat16.FromBits((ushort)i);
            h[i] = BitConverter.UInt16BitsToHalf((ushort)i);
        }
        var fb = new float[65536];
        var fh = new float[65536];
        LowPrecision.FromBFloat16(b, fb);
        LowPrecision.FromHalf(h, fh);
        var b2 = new BFloat16[65536];
        var h2 = new Half[65536];
        LowPrecision.ToBFloat16(fb, b2);
        LowPrecision.ToHalf(fh, h2);
        for (int i = 0; i < 65536; i++)
        {
            Assert.Equal(BitConverter.Int32BitsToSingle(i << 16), fb[i]);
            Assert.Equal((float)h[i], fh[i]);
            if (BFloat16.IsNaN(b[i])) Assert.True(BFloat16.IsNaN(b2[i])); else Assert.Equal(i, b2[i].Bits);
            if (Half.IsNaN(h[i])) Assert.True(Half.IsNaN(h2[i])); else Assert.Equal(i, BitConverter.HalfToUInt16Bits(h2[i]));
        }
    }

    [Fact]
    public void HalfKernelMatchesSystemHalf()
    {
        var x = AwkwardFloats(4099, 2);
        var got = new Half[x.Length];
        LowPrecision.ToHalf(x, got);
        for (int i = 0; i < x.Length; i++)
        {
            var want = (Half)x[i];
            if (Half.IsNaN(want)) Assert.True(Half.IsNaN(got[i]), $"element {i}");
            else Assert.True(BitConverter.HalfToUInt16Bits(want) == BitConverter.HalfToUInt16Bits(got[i]), $"element {i}: {x[i]:R} gave {got[i]}, want {want}");
        }
    }

    [Theory]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Float16)]
    public void ToConvertsStridedViewsAndOtherDtypes(DType dtype)
    {
        var x = Tensor.Randn([6, 10], generator: new Generator(3)).Mul(3);
        var view = x.T.Slice(0, 1, 9);                       // non-contiguous [8, 6]
        var low = view.To(dtype);
        Assert.Equal(dtype, low.DType);
        Assert.Equal(new[] { 8, 6 }, low.Shape);
        var want = view.ToDoubleArray();
        var got = low.ToDoubleArray();
        for (int i = 0; i < want.Length; i++)
            Assert.Equal(dtype == DType.BFloat16 ? Bf16(ReferenceBf16((float)want[i])) : (double)(Half)(float)want[i], got[i]);
        // float64 → 16 bit rounds through float32; 16 bit → the other 16-bit type and back to float64 are exact where representable.
        Assert.Equal(got, view.To(DType.Float64).To(dtype).ToDoubleArray());
        Assert.Equal(got, low.To(DType.Float64).ToDoubleArray());
        Assert.Equal(got, low.T.Contiguous().T.ToDoubleArray());
        var other = dtype == DType.BFloat16 ? DType.Float16 : DType.BFloat16;
        var cross = low.To(other).ToDoubleArray();
        for (int i = 0; i < got.Length; i++)
            Assert.Equal(other == DType.BFloat16 ? Bf16(ReferenceBf16((float)got[i])) : (double)(Half)(float)got[i], cross[i]);
        Assert.Contains($"dtype={dtype.Name()}", low.ToString());
        Assert.Equal(2, dtype.ElementSize());
    }

    [Fact]
    public void PromotionFollowsPyTorch()
    {
        Assert.Equal(DType.Float32, DTypes.Promote(DType.BFloat16, DType.Float16));
        Assert.Equal(DType.Float32, DTypes.Promote(DType.BFloat16, DType.Float32));
        Assert.Equal(DType.BFloat16, DTypes.Promote(DType.Int64, DType.BFloat16));
        Assert.Equal(DType.Float64, DTypes.Promote(DType.Float16, DType.Float64));
        var b = Tensor.Ones([3], DType.BFloat16);
        Assert.Equal(DType.BFloat16, (b * 0.5).DType);                      // a Python-scalar operand does not widen
        Assert.Equal(DType.Float32, (b + Tensor.Ones(3)).DType);
    }

    [Theory]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Float16)]
    public void CastGradientIsACastBack(DType dtype)
    {
        var x = Tensor.Randn([4, 5], generator: new Generator(4)).RequiresGrad_();
        var y = x.To(dtype);
        Assert.True(y.RequiresGrad);
        var g = Tensor.Randn([4, 5], generator: new Generator(5)).To(dtype);
        y.Backward(g);
        Assert.Equal(DType.Float32, x.Grad!.DType);
        Assert.Equal(g.ToDoubleArray(), x.Grad.ToDoubleArray()); // every 16-bit value is exact in float32
    }

    [Theory]
    [InlineData(DType.BFloat16, "relu")]
    [InlineData(DType.BFloat16, "gelu")]
    [InlineData(DType.Float16, "tanh")]
    [InlineData(DType.Float16, "mulAdd")]
    public void ElementwiseOpsRoundTheFloat32Result(DType dtype, string op)
    {
        var gen = new Generator(6);
        var a32 = Tensor.Randn([7, 9], generator: gen).To(dtype).To(DType.Float32).RequiresGrad_();
        var b32 = Tensor.Randn([9], generator: gen).To(dtype).To(DType.Float32).RequiresGrad_();
        var a = a32.Detach().To(dtype).RequiresGrad_();
        var b = b32.Detach().To(dtype).RequiresGrad_();
        Func<Tensor, Tensor, Tensor> f = op switch
        {
            "relu" => (p, _) => p.Relu(),
            "gelu" => (p, _) => p.Gelu(),
            "tanh" => (p, _) => p.Tanh(),
            _ => (p, q) => p * q + q,
        };
        var y = f(a, b);
        var y32 = f(a32, b32);
        Assert.Equal(dtype, y.DType);
        double eps = dtype == DType.BFloat16 ? Bf16Eps : F16Eps;
        if (op == "mulAdd")
            AssertClose(y32, y, 2 * eps); // two roundings (p·q, then + q): bounded on the operands' scale
        else
            Assert.Equal(y32.Detach().To(dtype).ToDoubleArray(), y.ToDoubleArray()); // one op: exactly the rounded float32 result
        y.Sum().Backward();
        y32.Sum().Backward();
        var ga = a.Grad!.ToDoubleArray();
        var ga32 = a32.Grad!.ToDoubleArray();
        Assert.Equal(dtype, a.Grad.DType);
        for (int i = 0; i < ga.Length; i++)
            Assert.True(Math.Abs(ga[i] - ga32[i]) <= 4 * eps * (Math.Abs(ga32[i]) + 1), $"{op} grad {i}: {ga[i]} vs {ga32[i]}");
    }

    // A K-term dot product of 16-bit operands accumulated in float32 and rounded once: the error against the float64
    // product of the same (already rounded) operands is one 16-bit rounding (unit roundoff u·|s|), plus float32
    // accumulation (sqrt(K)·6e-8 of the sum of |terms|). A product rounded per term, or a wrong index, is far outside.
    [Theory]
    [InlineData(DType.BFloat16, false, false)]
    [InlineData(DType.BFloat16, true, true)]
    [InlineData(DType.Float16, false, true)]
    [InlineData(DType.Float16, true, false)]
    public void MatMulAccumulatesInFloat32(DType dtype, bool transA, bool transB)
    {
        int batch = 3, m = 37, k = 301, n = 29;
        var gen = new Generator(7);
        var a = (transA ? Tensor.Randn([batch, k, m], generator: gen).Transpose(1, 2) : Tensor.Randn([batch, m, k], generator: gen)).To(dtype);
        var b = (transB ? Tensor.Randn([batch, n, k], generator: gen).Transpose(1, 2) : Tensor.Randn([batch, k, n], generator: gen)).To(dtype);
        var c = a.MatMul(b);
        Assert.Equal(dtype, c.DType);
        double[] ad = a.ToDoubleArray(), bd = b.ToDoubleArray(), cd = c.ToDoubleArray();
        double eps = dtype == DType.BFloat16 ? Bf16Eps : F16Eps;
        for (int p = 0; p < batch; p++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0, abs = 0;
                    for (int q = 0; q < k; q++)
                    {
                        double t = ad[(p * m + i) * k + q] * bd[(p * k + q) * n + j];
                        s += t;
                        abs += Math.Abs(t);
                    }
                    double got = cd[(p * m + i) * n + j];
                    Assert.True(Math.Abs(got - s) <= eps * Math.Abs(s) + 4 * Math.Sqrt(k) * 6e-8 * abs, $"[{p},{i},{j}]: {got} vs {s}");
                }
    }

    [Fact]
    public void MatMulGradientsMatchFloat64WithinBf16Tolerance()
    {
        var gen = new Generator(8);
        var a64 = Tensor.Randn([16, 24], DType.Float64, gen).To(DType.BFloat16).To(DType.Float64).RequiresGrad_();
        var b64 = Tensor.Randn([24, 8], DType.Float64, gen).To(DType.BFloat16).To(DType.Float64).RequiresGrad_();
        var a = a64.Detach().To(DType.BFloat16).RequiresGrad_();
        var b = b64.Detach().To(DType.BFloat16).RequiresGrad_();
        var w = Tensor.Randn([16, 8], DType.Float64, gen);
        a.MatMul(b).Mul(w.To(DType.BFloat16)).Sum().Backward();
        a64.MatMul(b64).Mul(w.To(DType.BFloat16).To(DType.Float64)).Sum().Backward();
        foreach (var (got, want) in new[] { (a.Grad!, a64.Grad!), (b.Grad!, b64.Grad!) })
        {
            Assert.Equal(DType.BFloat16, got.DType);
            double scale = want.Abs().Max().Item();
            var gd = got.ToDoubleArray();
            var wd = want.ToDoubleArray();
            for (int i = 0; i < gd.Length; i++)
                Assert.True(Math.Abs(gd[i] - wd[i]) <= 3 * Bf16Eps * scale, $"grad {i}: {gd[i]} vs {wd[i]}");
        }
    }

    [Theory]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Float16)]
    public void Conv2dMatchesFloat64OfTheRoundedOperands(DType dtype)
    {
        var gen = new Generator(9);
        var x = Tensor.Randn([2, 3, 9, 8], generator: gen).To(dtype).RequiresGrad_();
        var w = Tensor.Randn([4, 3, 3, 3], generator: gen).To(dtype).RequiresGrad_();
        var bias = Tensor.Randn([4], generator: gen).To(dtype).RequiresGrad_();
        var x64 = x.Detach().To(DType.Float64).RequiresGrad_();
        var w64 = w.Detach().To(DType.Float64).RequiresGrad_();
        var b64 = bias.Detach().To(DType.Float64).RequiresGrad_();
        var y = Functional.Conv2d(x, w, bias, stride: 1, padding: 1);
        var y64 = Functional.Conv2d(x64, w64, b64, stride: 1, padding: 1);
        Assert.Equal(dtype, y.DType);
        double eps = dtype == DType.BFloat16 ? Bf16Eps : F16Eps;
        AssertClose(y64, y, eps);
        y.Sum().Backward();
        y64.Sum().Backward();
        AssertClose(x64.Grad!, x.Grad!, 2 * eps);
        AssertClose(w64.Grad!, w.Grad!, 2 * eps);
        AssertClose(b64.Grad!, bias.Grad!, 2 * eps);
    }

    [Fact]
    public void AutocastLinearRunsInBf16AndGivesFloat32MasterGradients()
    {
        var gen = new Generator(10);
        var x = Tensor.Randn([32, 20], generator: gen);
        var w = Tensor.Randn([10, 20], generator: gen).Mul(0.2).RequiresGrad_();
        var b = Tensor.Randn([10], generator: gen).RequiresGrad_();
        Tensor y;
        using (Autocast.Enable(DType.BFloat16))
        {
            Assert.True(Autocast.IsEnabled);
            y = Functional.Linear(x, w, b);
            Assert.Equal(DType.BFloat16, y.DType);
            Assert.Equal(DType.Float32, y.Softmax(1).DType);     // softmax always computes in float32
            Assert.Equal(DType.BFloat16, x.MatMul(w.T).DType);  // matmul is on the low-precision list
        }
        Assert.False(Autocast.IsEnabled);
        y.Square().Sum().Backward();
        Assert.Equal(DType.Float32, w.Grad!.DType);
        Assert.Equal(DType.Float32, b.Grad!.DType);
        var w2 = w.Detach().RequiresGrad_();
        var b2 = b.Detach().RequiresGrad_();
        Functional.Linear(x, w2, b2).Square().Sum().Backward();
        AssertClose(w2.Grad!, w.Grad, 8 * Bf16Eps);
        AssertClose(b2.Grad!, b.Grad, 8 * Bf16Eps);
    }

    [Fact]
    public void AutocastScopesNestAndRejectNonLowPrecisionTypes()
    {
        using (Autocast.Enable(DType.Float16))
        {
            using (Autocast.Enable(DType.BFloat16))
                Assert.Equal(DType.BFloat16, Autocast.DType);
            Assert.Equal(DType.Float16, Autocast.DType);
            using (Autocast.Disable())
                Assert.Equal(DType.Float32, Tensor.Ones(2, 2).MatMul(Tensor.Ones(2, 2)).DType);
        }
        Assert.False(Autocast.IsEnabled);
        var e = Assert.Throws<ArgumentException>(() => Autocast.Enable(DType.Float32));
        Assert.Contains("bfloat16 or float16", e.Message);
    }

    [Theory]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Float16)]
    public void IndexingAndArgMaxKeepFractionalValues(DType dtype)
    {
        // Small logits: an argmax that went through int64 would see all zeros and answer 0 everywhere.
        var x32 = Tensor.From(new[] { 0.1f, 0.4f, 0.25f, -0.3f, -0.1f, -0.2f }, 2, 3);
        var x = x32.To(dtype).RequiresGrad_();
        Assert.Equal(new long[] { 1, 1 }, x.ArgMax(1).ToArray<long>());
        Assert.Equal(new long[] { 1, 1, 1 }, x.ArgMin(0).ToArray<long>());
        var rows = x.IndexSelect(0, Tensor.From(new long[] { 1, 1, 0 }));
        var picked = x.Gather(1, Tensor.From(new long[] { 2, 0 }, 2, 1));
        Assert.Equal(dtype, rows.DType);
        Assert.Equal(x32.IndexSelect(0, Tensor.From(new long[] { 1, 1, 0 })).To(dtype).ToDoubleArray(), rows.ToDoubleArray());
        Assert.Equal(new[] { (double)x.ToDoubleArray()[2], x.ToDoubleArray()[3] }, picked.ToDoubleArray());
        (rows.Sum() + picked.Sum() * 0.5).Backward();
        Assert.Equal(dtype, x.Grad!.DType);
        Assert.Equal(new[] { 1.0, 1, 1.5, 2.5, 2, 2 }, x.Grad.ToDoubleArray());
    }

    [Fact]
    public void Bf16GraphSavesHalfTheActivationBytes()
    {
        var gen = new Generator(11);
        var x = Tensor.Randn([64, 100], generator: gen);
        var w1 = Tensor.Randn([200, 100], generator: gen).RequiresGrad_();
        var w2 = Tensor.Randn([10, 200], generator: gen).RequiresGrad_();
        Tensor Loss() => Functional.Linear(Functional.Linear(x, w1).Relu(), w2).Square().Sum();
        long f32 = Polymath.Autograd.GraphMemory.SavedBytes(Loss(), [w1, w2]);
        long b16, copies;
        using (Autocast.Enable(DType.BFloat16))
            b16 = Polymath.Autograd.GraphMemory.SavedBytes(Loss(), [w1, w2], out copies);
        // float32: x [64,100] (first linear), the pre-activation [64,200] (ReLU), the ReLU output [64,200] (second
        // linear), the output [64,10] (Square): (6400 + 2·12800 + 640)·4 bytes. bf16: the same tensors at 2 bytes,
        // plus the 16-bit weight copies (20000 + 2000)·2 that the graph keeps beside the float32 master weights
        // (which are excluded as parameters).
        Assert.Equal((6400 + 2 * 12800 + 640) * 4, f32);
        Assert.Equal((6400 + 2 * 12800 + 640 + 20000 + 2000) * 2, b16);
        Assert.Equal((20000 + 2000) * 2, copies);
    }

    // |got − want| within rel·max|want| (16-bit results are compared on the tensor's scale, not element by element).
    private static void AssertClose(Tensor want, Tensor got, double rel)
    {
        var w = want.ToDoubleArray();
        var g = got.ToDoubleArray();
        double scale = w.Max(Math.Abs) + 1e-30;
        for (int i = 0; i < w.Length; i++)
            Assert.True(Math.Abs(w[i] - g[i]) <= rel * scale, $"element {i}: {g[i]} vs {w[i]} (scale {scale})");
    }
}
