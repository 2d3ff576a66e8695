using Polymath.Models;

namespace Polymath.Scale.Tests.Compression;

public sealed class QuantizationTests
{
    [Fact]
    public void QuantParamsCoverTheRangeRepresentZeroAndRoundWithinHalfAStep()
    {
        var p = QuantParams.FromRange(-1.5, 3.2);
        Assert.Equal(4.7 / 255, p.Scale, 1e-6);
        Assert.Equal(0f, Quantize.RoundTrip(0f, p));
        var rng = new System.Random(7);
        for (int i = 0; i < 1000; i++)
        {
            float x = (float)(rng.NextDouble() * 4.7 - 1.5);
            Assert.True(Math.Abs(Quantize.RoundTrip(x, p) - x) <= p.Scale / 2 + 1e-6, $"x={x}");
        }
        // Only-positive ranges widen to include 0; a zero-width range does not divide by zero.
        Assert.Equal(0, QuantParams.FromRange(0.5, 2).ZeroPoint);
        Assert.Equal(new QuantParams(1f, 0), QuantParams.FromRange(0, 0));
        Assert.Throws<ArgumentException>(() => QuantParams.FromRange(double.NaN, 1));
    }

    [Fact]
    public void VectorisedActivationQuantizationGivesTheScalarBytes()
    {
        var x = TestUtil.Randn(3, 5, 70).Mul(2).ToArray();
        var p = QuantParams.FromRange(x.Min(), x.Max());
        var q = new byte[5 * 72];
        Array.Fill(q, (byte)9);
        Quantize.Activations(x, 5, 70, p, q, 72);
        for (int r = 0; r < 5; r++)
        {
            for (int c = 0; c < 70; c++)
                Assert.Equal(p.Quantize(x[r * 70 + c]), q[r * 72 + c]);
            Assert.Equal(0, q[r * 72 + 70]);
            Assert.Equal(0, q[r * 72 + 71]);
        }
    }

    [Fact]
    public void PerChannelWeightsAreSymmetricAndWithinHalfAStep()
    {
        var w = TestUtil.Randn(4, 6, 11).ToArray();
        for (int c = 0; c < 11; c++) w[2 * 11 + c] = 0; // an all-zero row
        var (q, s) = Quantize.WeightsPerChannel(w, 6, 11);
        Assert.Equal(1f, s[2]);
        for (int r = 0; r < 6; r++)
        {
            float amax = w.AsSpan(r * 11, 11).ToArray().Max(Math.Abs);
            if (amax > 0) Assert.Equal(amax / 127, s[r], 1e-7);
            for (int c = 0; c < 11; c++)
            {
                Assert.InRange((int)q[r * 11 + c], -127, 127);
                Assert.True(Math.Abs(q[r * 11 + c] * s[r] - w[r * 11 + c]) <= s[r] / 2 + 1e-7);
            }
        }
        w[3] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => Quantize.WeightsPerChannel(w, 6, 11));
        Assert.Contains("[0, 3]", e.Message);
    }

    [Fact]
    public void QuantizedLinearMatchesTheFloatReferenceOnQuantizedValuesAndStaysWithinTheErrorBound()
    {
        var lin = new Linear(37, 19, generator: new Generator(5));
        var x = TestUtil.Randn(6, 6, 37);
        var xs = x.ToArray();
        var p = QuantParams.FromRange(xs.Min(), xs.Max());
        var q = QuantizedLinear.FromFloat(lin, p);
        var y = q.Call(x).ToArray();
        var wq = q.DequantizedWeight().ToArray();
        var w = lin.Weight.ToArray();
        var b = lin.Bias!.ToArray();
        for (int r = 0; r < 6; r++)
            for (int o = 0; o < 19; o++)
            {
                double exact = b[o], onGrid = b[o], bound = 0;
                for (int k = 0; k < 37; k++)
                {
                    double xv = xs[r * 37 + k];
                    exact += xv * w[o * 37 + k];
                    onGrid += Quantize.RoundTrip(xs[r * 37 + k], p) * (double)wq[o * 37 + k];
                    bound += Math.Abs(xv) * q.WeightScale[o] / 2 + Math.Abs(w[o * 37 + k]) * p.Scale / 2 + p.Scale * q.WeightScale[o] / 4;
                }
                float got = y[r * 19 + o];
                Assert.True(Math.Abs(got - onGrid) < 1e-4, $"[{r},{o}] int8 {got} vs float on the grid {onGrid}");
                Assert.True(Math.Abs(got - exact) <= bound + 1e-4, $"[{r},{o}] error {Math.Abs(got - exact)} above the bound {bound}");
            }
    }

    [Fact]
    public void DynamicLinearUsesEachBatchsOwnRangeAndFusedReluClips()
    {
        var lin = new Linear(8, 5, generator: new Generator(2));
        var q = QuantizedLinear.FromFloat(lin, null, fuseRelu: true);
        var x = TestUtil.Randn(9, 3, 4, 8).Mul(10); // any leading shape
        var y = q.Call(x);
        Assert.Equal([3, 4, 5], y.Shape.ToArray());
        var xs = x.ToArray();
        var p = QuantParams.FromRange(xs.Min(), xs.Max());
        var grid = Functional.Linear(Tensor.From(xs.Select(v => Quantize.RoundTrip(v, p)).ToArray(), 3, 4, 8), q.DequantizedWeight(), lin.Bias).Relu();
        Assert.True(TestUtil.MaxAbsDiff(y, grid) < 1e-4);
        Assert.True(y.ToArray().All(v => v >= 0));
    }

    [Theory]
    [InlineData(3, 2, 1, 1)]  // stride 2, padding 1: the 8-byte im2col path
    [InlineData(3, 1, 2, 2)]  // dilation 2: the tap-by-tap path
    [InlineData(9, 1, 4, 1)]  // kernel wider than 8
    [InlineData(1, 1, 0, 1)]  // 1×1: each 8-byte move spills over 7 later taps; the last ones copy exactly
    [InlineData(2, 1, 1, 1)]
    public void QuantizedConv2dMatchesTheFloatConvolutionOnQuantizedValues(int kernel, int stride, int padding, int dilation)
    {
        var conv = new Conv2d(3, 5, kernel, stride: stride, padding: padding, dilation: dilation, generator: new Generator(8));
        var x = TestUtil.Randn(11, 2, 3, 13, 12);
        var xs = x.ToArray();
        var p = QuantParams.FromRange(xs.Min(), xs.Max());
        var q = QuantizedConv2d.FromFloat(conv, p);
        var y = q.Call(x);
        var wq = new float[q.Packed.Weights.Length];
        for (int i = 0; i < wq.Length; i++) wq[i] = q.Packed.Weights[i] * q.WeightScale[i / q.Packed.K];
        var xg = Tensor.From(xs.Select(v => Quantize.RoundTrip(v, p)).ToArray(), 2, 3, 13, 12);
        var expect = Functional.Conv2d(xg, Tensor.From(wq, 5, 3, kernel, kernel), conv.Bias, stride: stride, padding: padding, dilation: dilation);
        Assert.Equal(expect.Shape.ToArray(), y.Shape.ToArray());
        Assert.True(TestUtil.MaxAbsDiff(y, expect) < 1e-4);
        // And close to the float layer: int8 is an approximation, not a different function.
        Assert.True(TestUtil.MaxAbsDiff(y, conv.Call(x)) < 0.2);
    }

    [Fact]
    public void AFusedMaxPoolEqualsPoolingTheUnfusedOutput()
    {
        var conv = new Conv2d(2, 4, 3, padding: 1, generator: new Generator(9));
        var p = QuantParams.FromRange(-3, 3);
        var x = TestUtil.Randn(12, 3, 2, 9, 10);
        foreach (bool relu in new[] { false, true })
        {
            var plain = QuantizedConv2d.FromFloat(conv, p, relu);
            var fused = QuantizedConv2d.FromFloat(conv, p, relu, pool: 2);
            var expect = Functional.MaxPool2d(plain.Call(x), 2);
            Assert.Equal(expect.Shape.ToArray(), fused.Call(x).Shape.ToArray());
            Assert.Equal(expect.ToArray(), fused.Call(x).ToArray());
        }
    }

    [Fact]
    public void StaticQuantizationOfLeNetFollowsTheLayerByLayerSimulation()
    {
        var net = new LeNet5(generator: new Generator(3));
        var calib = new[] { TestUtil.Randn(20, 8, 1, 28, 28), TestUtil.Randn(21, 8, 1, 28, 28) };
        var q = Quantization.QuantizeStatic(net, calib);
        // conv1+relu+pool, conv2+relu+pool, flatten, fc1+relu, fc2+relu, fc3
        Assert.Equal(["QuantizedConv2d", "QuantizedConv2d", "Flatten", "QuantizedLinear", "QuantizedLinear", "QuantizedLinear"],
            Enumerable.Range(0, q.Count).Select(i => q[i].GetType().Name).ToArray());
        Assert.True(((QuantizedConv2d)q[0]).FuseRelu);
        Assert.Equal(2, ((QuantizedConv2d)q[0]).Pool);
        Assert.Equal(2, ((QuantizedConv2d)q[1]).Pool);
        Assert.False(((QuantizedLinear)q[5]).FuseRelu);
        // The first layer's input range is the calibration data's range (min/max observer).
        var all = calib.SelectMany(c => c.ToArray()).ToArray();
        Assert.Equal(QuantParams.FromRange(all.Min(), all.Max()), ((QuantizedConv2d)q[0]).InputParams);
        var x = TestUtil.Randn(22, 4, 1, 28, 28);
        Tensor yf;
        using (Tensor.NoGrad()) yf = net.Call(x);
        var yq = q.Call(x);
        float scale = yf.ToArray().Max(Math.Abs);
        Assert.True(TestUtil.MaxAbsDiff(yq, yf) < 0.05 * scale, $"int8 LeNet differs by {TestUtil.MaxAbsDiff(yq, yf)} (outputs up to {scale})");
    }

    [Fact]
    public void LayersThatCannotBeQuantizedAreNamed()
    {
        var bn = new Sequential(new Linear(4, 4), new BatchNorm1d(4), new Linear(4, 2));
        var e = Assert.Throws<NotQuantizableException>(() => Quantization.QuantizeStatic(bn, [Tensor.Zeros(2, 4)]));
        Assert.Equal("1", e.Layer);
        Assert.Contains("BatchNorm1d", e.Message);

        var lstm = new LstmClassifier(inputFeatures: 28, embedDim: 8, hiddenSize: 8);
        e = Assert.Throws<NotQuantizableException>(() => Quantization.QuantizeStatic(lstm, [Tensor.Zeros(2, 1, 28, 28)]));
        Assert.Equal("lstm", e.Layer);
        Assert.Contains("dynamic", e.Message);

        var grouped = new Sequential(new Conv2d(4, 4, 3, groups: 2));
        e = Assert.Throws<NotQuantizableException>(() => Quantization.QuantizeDynamic(grouped));
        Assert.Contains("groups=2", e.Message);

        var empty = Assert.Throws<NotQuantizableException>(() => Quantization.QuantizeStatic(new Sequential(new Linear(3, 2)), []));
        Assert.Contains("calibration", empty.Message);
    }

    [Fact]
    public void ObserversChooseTheirRanges()
    {
        var values = Enumerable.Range(0, 10001).Select(i => (float)i / 10000).ToArray();
        values[5000] = 1000; // one outlier
        var mm = new MinMaxObserver();
        mm.Observe(values);
        Assert.Equal(QuantParams.FromRange(0, 1000), mm.Compute());
        var pc = new PercentileObserver(99.9);
        pc.Observe(values);
        Assert.True(pc.Compute().Scale < 1.01f / 255, "the percentile observer ignores the outlier");
        var ema = new MovingAverageObserver(0.5);
        ema.Observe([0f, 2f]);
        ema.Observe([0f, 4f]);
        Assert.Equal(3.0, ema.Max, 12);
        Assert.Throws<InvalidOperationException>(() => new MinMaxObserver().Compute());
    }
}

public sealed class QuantizedLstmTests
{
    [Fact]
    public void DynamicInt8LstmClassifierFollowsTheFloatModel()
    {
        var model = new Polymath.Models.LstmClassifier(embedDim: 16, hiddenSize: 24, numClasses: 5, inputFeatures: 12, generator: new Generator(3));
        model.Eval();
        var q = new QuantizedLstmClassifier(model);
        var x = TestUtil.Randn(4, 3, 1, 7, 12);
        Tensor expect;
        using (Tensor.NoGrad()) expect = model.Call(x);
        var got = q.Call(x);
        Assert.Equal(expect.Shape.ToArray(), got.Shape.ToArray());
        float scale = expect.ToArray().Max(Math.Abs);
        Assert.True(TestUtil.MaxAbsDiff(got, expect) < 0.03 * scale + 1e-3, $"int8 LSTM differs by {TestUtil.MaxAbsDiff(got, expect)} (outputs up to {scale})");
        var deep = new LSTM(4, 4, numLayers: 2);
        var e = Assert.Throws<NotQuantizableException>(() => new QuantizedLstm(deep));
        Assert.Contains("one layer", e.Message);
    }
}
