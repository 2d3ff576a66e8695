namespace Polymath.Scale.Tests.Compression;

public sealed class Int8DirectConvTests
{
    [VnniTheory]
    [InlineData(1, 6, 5, 5, 32, 32)]   // LeNet-5's first convolution on its padded 32×32 input
    [InlineData(6, 16, 5, 5, 14, 14)]  // its second
    [InlineData(1, 1, 1, 1, 1, 1)]
    [InlineData(2, 9, 3, 8, 7, 19)]    // 8 taps wide: two full groups of 4; 9 channels: a second block of 8
    [InlineData(3, 17, 2, 3, 5, 12)]   // W_out 10: one full vector and a partial one
    [InlineData(1, 3, 4, 7, 9, 7)]     // W_out 1
    public void DirectSumsMatchThePlainLoopsExactly(int cin, int cout, int kh, int kw, int hp, int wp)
    {
        var rng = new System.Random(cin * 1000 + cout * 10 + kw);
        var x = new byte[cin * hp * wp];
        var w = new sbyte[cout * cin * kh * kw];
        for (int i = 0; i < x.Length; i++) x[i] = (byte)rng.Next(0, 256);
        for (int i = 0; i < w.Length; i++) w[i] = (sbyte)rng.Next(-127, 128);
        var expect = Int8DirectConv.Reference(x, cin, hp, wp, w, cout, kh, kw);
        Assert.Equal(expect, Int8DirectConv.Compute(x, cin, hp, wp, w, cout, kh, kw));
        // The extremes: every activation 255 against ±127 weights must not saturate.
        Array.Fill(x, (byte)255);
        for (int i = 0; i < w.Length; i++) w[i] = (sbyte)(i % 3 == 0 ? -127 : 127);
        Assert.Equal(Int8DirectConv.Reference(x, cin, hp, wp, w, cout, kh, kw), Int8DirectConv.Compute(x, cin, hp, wp, w, cout, kh, kw));
    }

    [Fact]
    public void TheReferenceLoopIsAHandComputedConvolution()
    {
        // 1 channel 2×3 image, one 2×2 kernel: output [1, 1, 2].
        byte[] x = [1, 2, 3, 4, 5, 6];
        sbyte[] w = [1, -1, 2, 0];
        Assert.Equal([1 - 2 + 8, 2 - 3 + 10], Int8DirectConv.Reference(x, 1, 2, 3, w, 1, 2, 2));
    }

    [VnniTheory]
    [InlineData(6, 5, 2, 0, true)]    // LeNet-5 conv1 with its pool
    [InlineData(6, 5, 0, 0, false)]
    [InlineData(9, 3, 1, 3, true)]    // pool 3: the scalar pooled path; 9 channels
    [InlineData(4, 8, 0, 2, false)]   // 8 wide, no padding, W_out below 8
    [InlineData(3, 1, 0, 2, true)]
    public void TheDirectPathGivesTheIm2ColOutputBitForBit(int cout, int kernel, int padding, int pool, bool relu)
    {
        var conv = new Conv2d(2, cout, kernel, padding: padding, generator: new Generator(40));
        var x = TestUtil.Randn(41, 3, 2, 23, 26);
        var p = QuantParams.FromRange(-2.5, 3);
        var direct = QuantizedConv2d.FromFloat(conv, p, relu, pool: pool);
        direct.Path = Int8ConvPath.Direct;
        var im2col = QuantizedConv2d.FromFloat(conv, p, relu, pool: pool);
        im2col.Path = Int8ConvPath.Im2Col;
        var yd = direct.Call(x);
        var yi = im2col.Call(x);
        Assert.Equal(yi.Shape.ToArray(), yd.Shape.ToArray());
        Assert.Equal(yi.ToArray(), yd.ToArray());
        // And both are the pooled float convolution of the quantized values.
        var wq = new float[direct.Packed.Weights.Length];
        for (int i = 0; i < wq.Length; i++) wq[i] = direct.Packed.Weights[i] * direct.WeightScale[i / direct.Packed.K];
        var xg = Tensor.From(x.ToArray().Select(v => Quantize.RoundTrip(v, p)).ToArray(), 3, 2, 23, 26);
        var expect = Functional.Conv2d(xg, Tensor.From(wq, cout, 2, kernel, kernel), conv.Bias, padding: padding);
        if (relu) expect = expect.Relu();
        if (pool > 0) expect = Functional.MaxPool2d(expect, pool);
        Assert.True(TestUtil.MaxAbsDiff(yd, expect) < 1e-4);
    }

    [Fact]
    public void AutoPicksDirectForLeNetsFirstConvolutionAndIm2ColForItsSecond()
    {
        // Hand counts of vpdpbusd (plus im2col's 8-byte moves). conv1 (1→6, 5×5, 28×28 out): direct 28·4·5·2·8 = 8,960;
        // GEMM 196·7·8 + 784·5 = 14,896. conv2 (6→16, 5×5, 10×10 out): direct 10·2·30·2·16 = 19,200; GEMM 25·38·8 + 100·30 = 10,600.
        Assert.True(Int8DirectConv.Prefers(1, 6, (5, 5), 28, 28));
        Assert.False(Int8DirectConv.Prefers(6, 16, (5, 5), 10, 10));
        var strided = new QuantizedConv2d(new sbyte[6 * 25], Enumerable.Repeat(1f, 6).ToArray(), 1, 6, (5, 5), (2, 2), (0, 0), (1, 1), null, null);
        Assert.False(strided.UsesDirect(12, 12));
        strided.Path = Int8ConvPath.Direct;
        var e = Assert.Throws<PlatformNotSupportedException>(() => strided.Call(Tensor.Zeros(1, 1, 28, 28)));
        Assert.Contains("stride (2, 2)", e.Message);
    }
}
