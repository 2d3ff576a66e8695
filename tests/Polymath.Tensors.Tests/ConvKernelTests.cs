using Polymath.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Tensors.Tests;

/// <summary>
/// Conv / pooling kernels against plain nested-loop references in double, plus adjoint identities.
/// The seed is printed; set CONV_TEST_SEED to reproduce a run with another seed.
/// </summary>
public class ConvKernelTests
{
    private readonly ITestOutputHelper _out;
    private readonly int _seed;

    public ConvKernelTests(ITestOutputHelper output)
    {
        _out = output;
        string? env = Environment.GetEnvironmentVariable("CONV_TEST_SEED");
        _seed = env is not null && int.TryParse(env, out int s) ? s : 20240611;
        _out.WriteLine($"seed = {_seed} (set CONV_TEST_SEED to override)");
    }

    // ------------------------------------------------------------------ helpers

    private static double[] Rand(System.Random r, int n)
    {
        var a = new double[n];
        for (int i = 0; i < n; i++)
            a[i] = r.NextDouble() * 2 - 1;
        return a;
    }

    private static float[] ToF(double[] a) => Array.ConvertAll(a, v => (float)v);

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
            s += a[i] * b[i];
        return s;
    }

    private static void Close(double[] expected, double[] actual, double relTol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 1;
        foreach (double v in expected)
            scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < expected.Length; i++)
        {
            if (!(Math.Abs(expected[i] - actual[i]) <= relTol * scale))
                Assert.Fail($"{what}: element {i} expected {expected[i]:R} got {actual[i]:R} (tol {relTol * scale:E2})");
        }
    }

    private static void Close(double[] expected, float[] actual, double relTol, string what)
        => Close(expected, Array.ConvertAll(actual, v => (double)v), relTol, what);

    private static void CloseScalar(double a, double b, double relTol, string what)
    {
        double scale = Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));
        Assert.True(Math.Abs(a - b) <= relTol * scale, $"{what}: {a:R} vs {b:R}");
    }

    // ------------------------------------------------------------------ conv references

    private static double[] RefConv(ConvGeometry g, double[] x, double[] w, double[]? b)
    {
        var y = new double[g.OutputLength];
        int cg = g.InChannels / g.Groups, og = g.OutChannels / g.Groups;
        for (int n = 0; n < g.Batch; n++)
            for (int co = 0; co < g.OutChannels; co++)
            {
                int grp = co / og;
                for (int oh = 0; oh < g.OutH; oh++)
                    for (int ow = 0; ow < g.OutW; ow++)
                    {
                        double s = b?[co] ?? 0;
                        for (int ci = 0; ci < cg; ci++)
                            for (int kh = 0; kh < g.KernelH; kh++)
                                for (int kw = 0; kw < g.KernelW; kw++)
                                {
                                    int ih = oh * g.StrideH - g.PadH + kh * g.DilationH;
                                    int iw = ow * g.StrideW - g.PadW + kw * g.DilationW;
                                    if (ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW)
                                        continue;
                                    s += x[((n * g.InChannels + grp * cg + ci) * g.InH + ih) * g.InW + iw]
                                       * w[((co * cg + ci) * g.KernelH + kh) * g.KernelW + kw];
                                }
                        y[((n * g.OutChannels + co) * g.OutH + oh) * g.OutW + ow] = s;
                    }
            }
        return y;
    }

    // Both backward references by scattering through the same loop nest.
    private static (double[] Gx, double[] Gw) RefConvBackward(ConvGeometry g, double[] x, double[] w, double[] gy)
    {
        var gx = new double[g.InputLength];
        var gw = new double[g.WeightLength];
        int cg = g.InChannels / g.Groups, og = g.OutChannels / g.Groups;
        for (int n = 0; n < g.Batch; n++)
            for (int co = 0; co < g.OutChannels; co++)
            {
                int grp = co / og;
                for (int oh = 0; oh < g.OutH; oh++)
                    for (int ow = 0; ow < g.OutW; ow++)
                    {
                        double go = gy[((n * g.OutChannels + co) * g.OutH + oh) * g.OutW + ow];
                        for (int ci = 0; ci < cg; ci++)
                            for (int kh = 0; kh < g.KernelH; kh++)
                                for (int kw = 0; kw < g.KernelW; kw++)
                                {
                                    int ih = oh * g.StrideH - g.PadH + kh * g.DilationH;
                                    int iw = ow * g.StrideW - g.PadW + kw * g.DilationW;
                                    if (ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW)
                                        continue;
                                    int xi = ((n * g.InChannels + grp * cg + ci) * g.InH + ih) * g.InW + iw;
                                    int wi = ((co * cg + ci) * g.KernelH + kh) * g.KernelW + kw;
                                    gx[xi] += go * w[wi];
                                    gw[wi] += go * x[xi];
                                }
                    }
            }
        return (gx, gw);
    }

    private static double[] RefBiasGrad(int batch, int channels, int spatial, double[] gy)
    {
        var gb = new double[channels];
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
                for (int s = 0; s < spatial; s++)
                    gb[c] += gy[(n * channels + c) * spatial + s];
        return gb;
    }

    // Direct definition of conv_transpose2d: every input pixel scatters weight·x into the output.
    private static double[] RefConvTranspose(ConvTranspose2dGeometry g, double[] x, double[] w, double[]? b)
    {
        var y = new double[g.OutputLength];
        int cg = g.InChannels / g.Groups, og = g.OutChannels / g.Groups;
        int plane = g.OutH * g.OutW;
        for (int n = 0; n < g.Batch; n++)
        {
            if (b is not null)
                for (int co = 0; co < g.OutChannels; co++)
                    for (int s = 0; s < plane; s++)
                        y[(n * g.OutChannels + co) * plane + s] = b[co];
            for (int ci = 0; ci < g.InChannels; ci++)
            {
                int grp = ci / cg;
                for (int ih = 0; ih < g.InH; ih++)
                    for (int iw = 0; iw < g.InW; iw++)
                    {
                        double xv = x[((n * g.InChannels + ci) * g.InH + ih) * g.InW + iw];
                        for (int co = 0; co < og; co++)
                            for (int kh = 0; kh < g.KernelH; kh++)
                                for (int kw = 0; kw < g.KernelW; kw++)
                                {
                                    int oh = ih * g.StrideH - g.PadH + kh * g.DilationH;
                                    int ow = iw * g.StrideW - g.PadW + kw * g.DilationW;
                                    if (oh < 0 || oh >= g.OutH || ow < 0 || ow >= g.OutW)
                                        continue;
                                    y[((n * g.OutChannels + grp * og + co) * g.OutH + oh) * g.OutW + ow] +=
                                        xv * w[((ci * og + co) * g.KernelH + kh) * g.KernelW + kw];
                                }
                    }
            }
        }
        return y;
    }

    private static (double[] Gx, double[] Gw) RefConvTransposeBackward(ConvTranspose2dGeometry g, double[] x, double[] w, double[] gy)
    {
        var gx = new double[g.InputLength];
        var gw = new double[g.WeightLength];
        int cg = g.InChannels / g.Groups, og = g.OutChannels / g.Groups;
        for (int n = 0; n < g.Batch; n++)
            for (int ci = 0; ci < g.InChannels; ci++)
            {
                int grp = ci / cg;
                for (int ih = 0; ih < g.InH; ih++)
                    for (int iw = 0; iw < g.InW; iw++)
                    {
                        int xi = ((n * g.InChannels + ci) * g.InH + ih) * g.InW + iw;
                        for (int co = 0; co < og; co++)
                            for (int kh = 0; kh < g.KernelH; kh++)
                                for (int kw = 0; kw < g.KernelW; kw++)
                                {
                                    int oh = ih * g.StrideH - g.PadH + kh * g.DilationH;
                                    int ow = iw * g.StrideW - g.PadW + kw * g.DilationW;
                                    if (oh < 0 || oh >= g.OutH || ow < 0 || ow >= g.OutW)
                                        continue;
                                    double go = gy[((n * g.OutChannels + grp * og + co) * g.OutH + oh) * g.OutW + ow];
                                    int wi = ((ci * og + co) * g.KernelH + kh) * g.KernelW + kw;
                                    gx[xi] += go * w[wi];
                                    gw[wi] += go * x[xi];
                                }
                    }
            }
        return (gx, gw);
    }

    // ------------------------------------------------------------------ conv configs

    private List<ConvGeometry> ConvConfigs(System.Random r)
    {
        var list = new List<ConvGeometry>();
        int i = 0;
        for (int stride = 1; stride <= 3; stride++)
            for (int pad = 0; pad <= 2; pad++)
                for (int dil = 1; dil <= 2; dil++)
                    foreach (int groupKind in new[] { 1, 2, 3, 0 }) // 0 = depthwise
                    {
                        i++;
                        int batch = i % 2 == 0 ? 3 : 1;
                        int groups = groupKind == 0 ? 2 + r.Next(3) : groupKind;
                        int cin = groupKind == 0 ? groups : groups * (1 + r.Next(2));
                        int cout = groupKind == 0 ? groups * (1 + r.Next(2)) : groups * (1 + r.Next(3));
                        int kh = 1 + r.Next(3), kw = 1 + r.Next(3);
                        int h = 5 + 2 * r.Next(4), w = 5 + 2 * r.Next(4) - (i % 3 == 0 ? 1 : 0);
                        // Vary the second axis a little so H/W parameters are not always equal.
                        int strideW = i % 4 == 0 ? 1 + (stride % 3) : stride;
                        int padW = i % 5 == 0 ? (pad + 1) % 3 : pad;
                        int dilW = i % 6 == 0 ? 3 - dil : dil;
                        try
                        {
                            list.Add(ConvGeometry.Conv2d(batch, cin, h, w, cout, cin / groups, kh, kw,
                                stride, strideW, pad, padW, dil, dilW, groups));
                        }
                        catch (ArgumentException)
                        {
                            // kernel larger than padded input: skip
                        }
                    }
        // Pointwise (1x1, stride 1, no padding) fast path, grouped and not.
        list.Add(ConvGeometry.Conv2d(3, 4, 5, 7, 6, 4, 1, 1));
        list.Add(ConvGeometry.Conv2d(1, 6, 3, 3, 4, 3, 1, 1, groups: 2));
        // 1x1 with stride/padding (not the fast path).
        list.Add(ConvGeometry.Conv2d(3, 4, 5, 7, 6, 4, 1, 1, 2, 2, 1, 1));
        _out.WriteLine($"{list.Count} conv configurations");
        return list;
    }

    [Fact]
    public void Conv2d_ForwardAndBackward_MatchReference()
    {
        var r = new System.Random(_seed);
        foreach (ConvGeometry g in ConvConfigs(r))
        {
            string what = g.ToString();
            double[] x = Rand(r, g.InputLength), w = Rand(r, g.WeightLength), b = Rand(r, g.OutChannels), gy = Rand(r, g.OutputLength);
            double[] yRef = RefConv(g, x, w, b);
            var (gxRef, gwRef) = RefConvBackward(g, x, w, gy);
            double[] gbRef = RefBiasGrad(g.Batch, g.OutChannels, g.OutH * g.OutW, gy);

            // double
            var y = new double[g.OutputLength];
            Conv2dKernel.Forward<double>(g, x, w, b, y);
            Close(yRef, y, 1e-12, "fwd(double) " + what);
            var gx = new double[g.InputLength];
            Array.Fill(gx, double.NaN); // must be overwritten
            Conv2dKernel.BackwardInput<double>(g, gy, w, gx);
            Close(gxRef, gx, 1e-12, "bwd-input(double) " + what);
            var gw = new double[g.WeightLength];
            Array.Fill(gw, double.NaN);
            Conv2dKernel.BackwardWeight<double>(g, gy, x, gw);
            Close(gwRef, gw, 1e-12, "bwd-weight(double) " + what);
            var gb = new double[g.OutChannels];
            Conv2dKernel.BackwardBias<double>(g, gy, gb);
            Close(gbRef, gb, 1e-12, "bwd-bias(double) " + what);

            // float
            var yf = new float[g.OutputLength];
            Conv2dKernel.Forward<float>(g, ToF(x), ToF(w), ToF(b), yf);
            Close(yRef, yf, 1e-5, "fwd(float) " + what);
            var gxf = new float[g.InputLength];
            Conv2dKernel.BackwardInput<float>(g, ToF(gy), ToF(w), gxf);
            Close(gxRef, gxf, 1e-5, "bwd-input(float) " + what);
            var gwf = new float[g.WeightLength];
            Conv2dKernel.BackwardWeight<float>(g, ToF(gy), ToF(x), gwf);
            Close(gwRef, gwf, 1e-5, "bwd-weight(float) " + what);
        }
    }

    /// <summary>
    /// The same reference checks with the blocking forced: several samples per GEMM with a remainder block
    /// (small batch-block budget), and the per-sample path with multi-row im2col tiles (no batch blocks,
    /// tiny tile budget). Other tests running meanwhile only see a different (equally correct) blocking.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Conv2d_BatchBlocksAndRowTiles_MatchReference(bool batchBlocks)
    {
        var r = new System.Random(_seed + 7);
        var configs = new[]
        {
            ConvGeometry.Conv2d(7, 3, 9, 8, 4, 3, 3, 3),                              // LeNet-like, no padding
            ConvGeometry.Conv2d(5, 1, 12, 12, 3, 1, 5, 5, 1, 1, 2, 2),                // Cin = 1, pad 2
            ConvGeometry.Conv2d(6, 4, 9, 11, 6, 2, 3, 2, 2, 1, 1, 0, 1, 2, 2),         // grouped, strided, dilated
            ConvGeometry.Conv2d(5, 2, 20, 21, 3, 2, 3, 3, 1, 1, 1, 1),                // rows wider than a vector
            ConvGeometry.Conv2d(3, 1, 4, 130, 2, 1, 2, 9, 1, 1, 0, 4),                // wide rows, wide kernel: col2im lane masks in a rented buffer
        };
        int oldBlock = ConvHelpers.BatchBlockBytes, oldTile = ConvHelpers.ColTileBytes;
        try
        {
            foreach (ConvGeometry g in configs)
            {
                // Batch blocks: about 2.5 double samples per block (5 float), so chunks split with a remainder.
                // Row tiles: no batch blocks, and tiles of a single output row.
                long perSample = ((long)g.ColRows + g.OutChannelsPerGroup) * g.ColCols * sizeof(double);
                ConvHelpers.BatchBlockBytes = batchBlocks ? (int)(perSample * 5 / 2) : 0;
                ConvHelpers.ColTileBytes = batchBlocks ? ConvHelpers.DefaultColTileBytes : 1;
                string what = $"{g} block={ConvHelpers.BatchBlock<double>(g)} tileRows={ConvHelpers.TileRows<double>(g)}";
                double[] x = Rand(r, g.InputLength), w = Rand(r, g.WeightLength), b = Rand(r, g.OutChannels), gy = Rand(r, g.OutputLength);
                double[] yRef = RefConv(g, x, w, b);
                var (gxRef, gwRef) = RefConvBackward(g, x, w, gy);
                var y = new double[g.OutputLength];
                Array.Fill(y, double.NaN);
                Conv2dKernel.Forward<double>(g, x, w, b, y);
                Close(yRef, y, 1e-12, "fwd " + what);
                var gx = new double[g.InputLength];
                Array.Fill(gx, double.NaN);
                Conv2dKernel.BackwardInput<double>(g, gy, w, gx);
                Close(gxRef, gx, 1e-12, "bwd-input " + what);
                var gw = new double[g.WeightLength];
                Array.Fill(gw, double.NaN);
                Conv2dKernel.BackwardWeight<double>(g, gy, x, gw);
                Close(gwRef, gw, 1e-12, "bwd-weight " + what);
                var gw0 = Rand(r, g.WeightLength);
                var gwAcc = (double[])gw0.Clone();
                Conv2dKernel.BackwardWeight<double>(g, gy, x, gwAcc, accumulate: true);
                Close(gwRef.Select((v, i) => v + gw0[i]).ToArray(), gwAcc, 1e-12, "bwd-weight accumulate " + what);

                var yf = new float[g.OutputLength];
                Conv2dKernel.Forward<float>(g, ToF(x), ToF(w), ToF(b), yf);
                Close(yRef, yf, 1e-5, "fwd(float) " + what);
                var gxf = new float[g.InputLength];
                Conv2dKernel.BackwardInput<float>(g, ToF(gy), ToF(w), gxf);
                Close(gxRef, gxf, 1e-5, "bwd-input(float) " + what);
                var gwf = new float[g.WeightLength];
                Conv2dKernel.BackwardWeight<float>(g, ToF(gy), ToF(x), gwf);
                Close(gwRef, gwf, 1e-5, "bwd-weight(float) " + what);
            }
        }
        finally
        {
            ConvHelpers.BatchBlockBytes = oldBlock;
            ConvHelpers.ColTileBytes = oldTile;
        }
    }

    [Fact]
    public void Conv2d_AdjointIdentities_HoldInDouble()
    {
        var r = new System.Random(_seed + 1);
        foreach (ConvGeometry g in ConvConfigs(r))
        {
            double[] x = Rand(r, g.InputLength), w = Rand(r, g.WeightLength), gy = Rand(r, g.OutputLength);
            var y = new double[g.OutputLength];
            Conv2dKernel.Forward<double>(g, x, w, default, y);
            double lhs = Dot(y, gy);
            var gx = new double[g.InputLength];
            Conv2dKernel.BackwardInput<double>(g, gy, w, gx);
            CloseScalar(lhs, Dot(x, gx), 1e-12, "<conv(x,w),g> vs <x,bwdInput(g,w)> " + g);
            var gw = new double[g.WeightLength];
            Conv2dKernel.BackwardWeight<double>(g, gy, x, gw);
            CloseScalar(lhs, Dot(w, gw), 1e-12, "<conv(x,w),g> vs <w,bwdWeight(g,x)> " + g);
        }
    }

    [Fact]
    public void Conv2d_AccumulateFlags_AddToExisting()
    {
        var r = new System.Random(_seed + 2);
        foreach (ConvGeometry g in new[]
        {
            ConvGeometry.Conv2d(3, 4, 7, 6, 6, 2, 3, 3, 2, 1, 1, 1, 1, 1, 2),
            ConvGeometry.Conv2d(3, 4, 5, 5, 6, 4, 1, 1),
        })
        {
            double[] x = Rand(r, g.InputLength), w = Rand(r, g.WeightLength), gy = Rand(r, g.OutputLength);
            var (gxRef, gwRef) = RefConvBackward(g, x, w, gy);
            double[] gbRef = RefBiasGrad(g.Batch, g.OutChannels, g.OutH * g.OutW, gy);
            double[] gx0 = Rand(r, g.InputLength), gw0 = Rand(r, g.WeightLength), gb0 = Rand(r, g.OutChannels);
            double[] gx = (double[])gx0.Clone(), gw = (double[])gw0.Clone(), gb = (double[])gb0.Clone();
            Conv2dKernel.BackwardInput<double>(g, gy, w, gx, accumulate: true);
            Conv2dKernel.BackwardWeight<double>(g, gy, x, gw, accumulate: true);
            Conv2dKernel.BackwardBias<double>(g, gy, gb, accumulate: true);
            Close(gxRef.Select((v, i) => v + gx0[i]).ToArray(), gx, 1e-12, "accumulate gx " + g);
            Close(gwRef.Select((v, i) => v + gw0[i]).ToArray(), gw, 1e-12, "accumulate gw " + g);
            Close(gbRef.Select((v, i) => v + gb0[i]).ToArray(), gb, 1e-12, "accumulate gb " + g);
        }
    }

    [Fact]
    public void Conv2d_WeightGradient_IsDeterministic()
    {
        var r = new System.Random(_seed + 3);
        var g = ConvGeometry.Conv2d(7, 3, 9, 9, 5, 3, 3, 3, 1, 1, 1, 1);
        float[] x = ToF(Rand(r, g.InputLength)), gy = ToF(Rand(r, g.OutputLength));
        var first = new float[g.WeightLength];
        Conv2dKernel.BackwardWeight<float>(g, gy, x, first);
        for (int rep = 0; rep < 5; rep++)
        {
            var again = new float[g.WeightLength];
            Conv2dKernel.BackwardWeight<float>(g, gy, x, again);
            Assert.Equal(first, again);
        }
    }

    [Fact]
    public void Conv2d_BadShapes_Throw()
    {
        void Bad(Action a, string fragment)
        {
            var e = Assert.Throws<ArgumentException>(a);
            Assert.Contains("conv2d", e.Message);
            Assert.Contains(fragment, e.Message);
            _out.WriteLine(e.Message);
        }
        Bad(() => ConvGeometry.Conv2d(1, 3, 4, 4, 2, 3, 5, 5), "larger than the padded input");
        Bad(() => ConvGeometry.Conv2d(1, 3, 4, 4, 2, 3, 3, 3, dilationH: 2), "larger than the padded input");
        Bad(() => ConvGeometry.Conv2d(1, 3, 4, 4, 2, 1, 1, 1, groups: 2), "not divisible by groups");
        Bad(() => ConvGeometry.Conv2d(1, 4, 4, 4, 3, 2, 1, 1, groups: 2), "not divisible by groups");
        Bad(() => ConvGeometry.Conv2d(1, 4, 4, 4, 2, 3, 1, 1), "weight expects");
        Bad(() => ConvGeometry.Conv2d(1, 3, 4, 4, 2, 3, 1, 1, strideH: 0), "stride");
        Bad(() => ConvGeometry.Conv2d(1, 3, 4, 4, 2, 3, 1, 1, dilationW: 0), "dilation");
        Bad(() => ConvGeometry.Conv2d(1, 3, 4, 4, 2, 3, 1, 1, padW: -1), "padding");
        Bad(() => ConvGeometry.Conv2d(1, 3, 4, 4, 2, 3, 1, 1, groups: 0), "groups");
        Bad(() => ConvGeometry.Conv2d(1, 3, 0, 4, 2, 3, 1, 1), "input");
        // Kernel exactly the padded input size is fine.
        Assert.Equal(1, ConvGeometry.Conv2d(1, 3, 4, 4, 2, 3, 6, 6, padH: 1, padW: 1).OutH);
        var t = Assert.Throws<ArgumentException>(() => ConvTranspose2dGeometry.Create(1, 2, 3, 3, 2, 1, 3, 3, strideH: 2, strideW: 2, outputPadH: 2));
        Assert.Contains("conv_transpose2d", t.Message);
    }

    // ------------------------------------------------------------------ conv_transpose2d

    private List<ConvTranspose2dGeometry> TransposeConfigs(System.Random r)
    {
        var list = new List<ConvTranspose2dGeometry>();
        int i = 0;
        for (int stride = 1; stride <= 3; stride++)
            for (int pad = 0; pad <= 2; pad++)
                for (int dil = 1; dil <= 2; dil++)
                    foreach (int groupKind in new[] { 1, 2, 3, 0 })
                    {
                        i++;
                        int batch = i % 2 == 0 ? 3 : 1;
                        int groups = groupKind == 0 ? 2 + r.Next(3) : groupKind;
                        int cin = groupKind == 0 ? groups : groups * (1 + r.Next(2));
                        int coutPerGroup = 1 + r.Next(2);
                        int kh = 1 + r.Next(3), kw = 1 + r.Next(3);
                        int h = 3 + 2 * r.Next(3), w = 3 + 2 * r.Next(3) + (i % 3 == 0 ? 1 : 0);
                        int maxOp = Math.Max(stride, dil) - 1;
                        int oph = r.Next(maxOp + 1), opw = r.Next(maxOp + 1);
                        try
                        {
                            list.Add(ConvTranspose2dGeometry.Create(batch, cin, h, w, cin, coutPerGroup, kh, kw,
                                stride, stride, pad, pad, oph, opw, dil, dil, groups));
                        }
                        catch (ArgumentException)
                        {
                            // non-positive output: skip
                        }
                    }
        _out.WriteLine($"{list.Count} conv_transpose2d configurations");
        return list;
    }

    [Fact]
    public void ConvTranspose2d_ForwardAndBackward_MatchReference()
    {
        var r = new System.Random(_seed + 4);
        foreach (ConvTranspose2dGeometry g in TransposeConfigs(r))
        {
            string what = g.ToString();
            double[] x = Rand(r, g.InputLength), w = Rand(r, g.WeightLength), b = Rand(r, g.OutChannels), gy = Rand(r, g.OutputLength);
            double[] yRef = RefConvTranspose(g, x, w, b);
            var (gxRef, gwRef) = RefConvTransposeBackward(g, x, w, gy);

            var y = new double[g.OutputLength];
            Array.Fill(y, double.NaN);
            ConvTranspose2dKernel.Forward<double>(g, x, w, b, y);
            Close(yRef, y, 1e-12, "T fwd(double) " + what);
            var gx = new double[g.InputLength];
            ConvTranspose2dKernel.BackwardInput<double>(g, gy, w, gx);
            Close(gxRef, gx, 1e-12, "T bwd-input(double) " + what);
            var gw = new double[g.WeightLength];
            ConvTranspose2dKernel.BackwardWeight<double>(g, gy, x, gw);
            Close(gwRef, gw, 1e-12, "T bwd-weight(double) " + what);
            var gb = new double[g.OutChannels];
            ConvTranspose2dKernel.BackwardBias<double>(g, gy, gb);
            Close(RefBiasGrad(g.Batch, g.OutChannels, g.OutH * g.OutW, gy), gb, 1e-12, "T bwd-bias " + what);

            // Adjoint identities.
            var y0 = new double[g.OutputLength];
            ConvTranspose2dKernel.Forward<double>(g, x, w, default, y0);
            double lhs = Dot(y0, gy);
            CloseScalar(lhs, Dot(x, gx), 1e-12, "T adjoint input " + what);
            CloseScalar(lhs, Dot(w, gw), 1e-12, "T adjoint weight " + what);

            var yf = new float[g.OutputLength];
            ConvTranspose2dKernel.Forward<float>(g, ToF(x), ToF(w), ToF(b), yf);
            Close(yRef, yf, 1e-5, "T fwd(float) " + what);
            var gxf = new float[g.InputLength];
            ConvTranspose2dKernel.BackwardInput<float>(g, ToF(gy), ToF(w), gxf);
            Close(gxRef, gxf, 1e-5, "T bwd-input(float) " + what);
            var gwf = new float[g.WeightLength];
            ConvTranspose2dKernel.BackwardWeight<float>(g, ToF(gy), ToF(x), gwf);
            Close(gwRef, gwf, 1e-5, "T bwd-weight(float) " + what);
        }
    }

    [Fact]
    public void ConvTranspose2d_OutputSize_MatchesPyTorch()
    {
        // nn.ConvTranspose2d(…, kernel_size=3, stride=2, padding=1, output_padding=1) doubles 7x7 → 14x14.
        var g = ConvTranspose2dGeometry.Create(2, 4, 7, 7, 4, 3, 3, 3, 2, 2, 1, 1, 1, 1);
        Assert.Equal((14, 14, 3), (g.OutH, g.OutW, g.OutChannels));
        // kernel 4, stride 2, padding 1 (DCGAN) 16 → 32; dilation 2, kernel 3: (5-1)*1 + 2*2 + 1 = 9.
        Assert.Equal(32, ConvTranspose2dGeometry.Create(1, 1, 16, 16, 1, 1, 4, 4, 2, 2, 1, 1).OutH);
        Assert.Equal(9, ConvTranspose2dGeometry.Create(1, 1, 5, 5, 1, 1, 3, 3, dilationH: 2, dilationW: 2).OutH);
    }

    // ------------------------------------------------------------------ pooling references

    private static (double[] Y, long[] Idx) RefMaxPool(Pool2dGeometry g, double[] x)
    {
        var y = new double[g.OutputLength];
        var idx = new long[g.OutputLength];
        for (int p = 0; p < g.Planes; p++)
            for (int oh = 0; oh < g.OutH; oh++)
                for (int ow = 0; ow < g.OutW; ow++)
                {
                    double m = double.NegativeInfinity;
                    long mi = -1;
                    for (int kh = 0; kh < g.KernelH; kh++)
                        for (int kw = 0; kw < g.KernelW; kw++)
                        {
                            int ih = oh * g.StrideH - g.PadH + kh * g.DilationH;
                            int iw = ow * g.StrideW - g.PadW + kw * g.DilationW;
                            if (ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW)
                                continue;
                            double v = x[(p * g.InH + ih) * g.InW + iw];
                            if (mi < 0 || v > m)
                            {
                                m = v;
                                mi = ih * g.InW + iw;
                            }
                        }
                    y[(p * g.OutH + oh) * g.OutW + ow] = m;
                    idx[(p * g.OutH + oh) * g.OutW + ow] = mi;
                }
        return (y, idx);
    }

    private static double[] RefAvgPool(Pool2dGeometry g, double[] x, bool countIncludePad, int divisorOverride, double[]? gyForBackward)
    {
        bool bwd = gyForBackward is not null;
        var result = new double[bwd ? g.InputLength : g.OutputLength];
        for (int p = 0; p < g.Planes; p++)
            for (int oh = 0; oh < g.OutH; oh++)
                for (int ow = 0; ow < g.OutW; ow++)
                {
                    // Window within the padded input [−pad, In + pad), then the real elements within it.
                    int padded = 0, real = 0;
                    double s = 0;
                    for (int kh = 0; kh < g.KernelH; kh++)
                        for (int kw = 0; kw < g.KernelW; kw++)
                        {
                            int ih = oh * g.StrideH - g.PadH + kh, iw = ow * g.StrideW - g.PadW + kw;
                            if (ih >= g.InH + g.PadH || iw >= g.InW + g.PadW)
                                continue;
                            padded++;
                            if (ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW)
                                continue;
                            real++;
                            s += x[(p * g.InH + ih) * g.InW + iw];
                        }
                    int div = divisorOverride != 0 ? divisorOverride : countIncludePad ? padded : real;
                    int o = (p * g.OutH + oh) * g.OutW + ow;
                    if (!bwd)
                    {
                        result[o] = real == 0 ? 0 : s / div;
                        continue;
                    }
                    for (int kh = 0; kh < g.KernelH; kh++)
                        for (int kw = 0; kw < g.KernelW; kw++)
                        {
                            int ih = oh * g.StrideH - g.PadH + kh, iw = ow * g.StrideW - g.PadW + kw;
                            if (ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW)
                                continue;
                            result[(p * g.InH + ih) * g.InW + iw] += gyForBackward![o] / div;
                        }
                }
        return result;
    }

    private static int RefPoolOut(int input, int k, int s, int p, int d, bool ceil)
    {
        double v = (input + 2.0 * p - d * (k - 1) - 1) / s;
        int o = (int)(ceil ? Math.Ceiling(v) : Math.Floor(v)) + 1;
        if (ceil && (o - 1) * s >= input + p)
            o--;
        return o;
    }

    private List<Pool2dGeometry> PoolConfigs(System.Random r, bool max)
    {
        var list = new List<Pool2dGeometry>();
        int i = 0;
        for (int k = 1; k <= 4; k++)
            for (int s = 1; s <= 3; s++)
                for (int p = 0; p <= k / 2; p++)
                    foreach (bool ceil in new[] { false, true })
                    {
                        i++;
                        int d = max ? 1 + i % 2 : 1;
                        int kw = Math.Max(1, k - i % 2);
                        int pw = Math.Min(p, kw / 2);
                        int batch = i % 2 == 0 ? 3 : 1, c = 1 + r.Next(3);
                        int h = 4 + r.Next(6), w = 4 + r.Next(6);
                        try
                        {
                            list.Add(max
                                ? Pool2dGeometry.MaxPool2d(batch, c, h, w, k, kw, s, s == 3 ? 2 : s, p, pw, d, 3 - d, ceil)
                                : Pool2dGeometry.AvgPool2d(batch, c, h, w, k, kw, s, s == 3 ? 2 : s, p, pw, ceil));
                        }
                        catch (ArgumentException)
                        {
                        }
                    }
        _out.WriteLine($"{list.Count} {(max ? "max" : "avg")} pool configurations");
        return list;
    }

    [Fact]
    public void Pool2dGeometry_OutputSize_MatchesPyTorchRule()
    {
        var r = new System.Random(_seed + 5);
        foreach (Pool2dGeometry g in PoolConfigs(r, max: true))
        {
            Assert.Equal(RefPoolOut(g.InH, g.KernelH, g.StrideH, g.PadH, g.DilationH, g.CeilMode), g.OutH);
            Assert.Equal(RefPoolOut(g.InW, g.KernelW, g.StrideW, g.PadW, g.DilationW, g.CeilMode), g.OutW);
        }
        // Known PyTorch values.
        Assert.Equal(4, Pool2dGeometry.MaxPool2d(1, 1, 7, 7, 2, 2, 2, 2, ceilMode: true).OutH);
        Assert.Equal(3, Pool2dGeometry.MaxPool2d(1, 1, 7, 7, 2, 2, 2, 2).OutH);
        Assert.Equal(3, Pool2dGeometry.MaxPool2d(1, 1, 5, 5, 2, 2, 2, 2, 1, 1, ceilMode: true).OutH); // last window dropped
        Assert.Equal(56, Pool2dGeometry.MaxPool2d(1, 1, 112, 112, 3, 3, 2, 2, 1, 1).OutH); // ResNet stem
        Assert.Throws<ArgumentException>(() => Pool2dGeometry.MaxPool2d(1, 1, 5, 5, 2, 2, 2, 2, 2, 2));
        var e = Assert.Throws<ArgumentException>(() => Pool2dGeometry.AvgPool2d(1, 1, 2, 2, 3, 3, 1, 1));
        Assert.Contains("avg_pool2d", e.Message);
    }

    [Fact]
    public void MaxPool2d_ForwardAndBackward_MatchReference()
    {
        var r = new System.Random(_seed + 6);
        foreach (Pool2dGeometry g in PoolConfigs(r, max: true))
        {
            string what = g.ToString();
            double[] x = Rand(r, g.InputLength), gy = Rand(r, g.OutputLength);
            var (yRef, iRef) = RefMaxPool(g, x);
            var gxRef = new double[g.InputLength];
            for (int o = 0; o < g.OutputLength; o++)
                gxRef[o / (g.OutH * g.OutW) * g.InH * g.InW + iRef[o]] += gy[o];

            var y = new double[g.OutputLength];
            var idx = new long[g.OutputLength];
            MaxPool2dKernel.Forward<double>(g, x, y, idx);
            Assert.Equal(yRef, y);
            Assert.Equal(iRef, idx);
            var gx = new double[g.InputLength];
            Array.Fill(gx, 5.0);
            MaxPool2dKernel.Backward<double>(g, gy, idx, gx);
            Close(gxRef, gx, 1e-14, "max bwd " + what);
            MaxPool2dKernel.Backward<double>(g, gy, idx, gx, accumulate: true);
            Close(gxRef.Select(v => 2 * v).ToArray(), gx, 1e-14, "max bwd accumulate " + what);

            var yf = new float[g.OutputLength];
            var idxf = new long[g.OutputLength];
            MaxPool2dKernel.Forward<float>(g, ToF(x), yf, idxf);
            Assert.Equal(ToF(yRef), yf);
            Assert.Equal(iRef, idxf);
        }
    }

    [Fact]
    public void MaxPool2d_PropagatesNaN()
    {
        var g = Pool2dGeometry.MaxPool2d(1, 1, 2, 2, 2, 2, 2, 2);
        var y = new float[1];
        var idx = new long[1];
        MaxPool2dKernel.Forward<float>(g, new[] { 1f, float.NaN, 3f, 2f }, y, idx);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(1, idx[0]);
    }

    [Fact]
    public void AvgPool2d_ForwardAndBackward_MatchReference()
    {
        var r = new System.Random(_seed + 7);
        foreach (Pool2dGeometry g in PoolConfigs(r, max: false))
            foreach (bool cip in new[] { true, false })
                foreach (int div in new[] { 0, 3 })
                {
                    string what = $"{g} countIncludePad={cip} divisor={div}";
                    double[] x = Rand(r, g.InputLength), gy = Rand(r, g.OutputLength);
                    double[] yRef = RefAvgPool(g, x, cip, div, null);
                    double[] gxRef = RefAvgPool(g, x, cip, div, gy);
                    var y = new double[g.OutputLength];
                    AvgPool2dKernel.Forward<double>(g, x, y, cip, div);
                    Close(yRef, y, 1e-13, "avg fwd " + what);
                    var gx = new double[g.InputLength];
                    Array.Fill(gx, double.NaN);
                    AvgPool2dKernel.Backward<double>(g, gy, gx, cip, div);
                    Close(gxRef, gx, 1e-13, "avg bwd " + what);
                    CloseScalar(Dot(y, gy), Dot(x, gx), 1e-12, "avg adjoint " + what);
                    var yf = new float[g.OutputLength];
                    AvgPool2dKernel.Forward<float>(g, ToF(x), yf, cip, div);
                    Close(yRef, yf, 1e-5, "avg fwd(float) " + what);
                }
    }

    [Fact]
    public void AdaptiveAvgPool2d_ForwardAndBackward_MatchReference()
    {
        var r = new System.Random(_seed + 8);
        foreach (var (h, w, oh, ow) in new[] { (7, 7, 1, 1), (7, 5, 3, 2), (5, 9, 5, 9), (4, 6, 7, 5), (13, 11, 4, 3), (6, 6, 4, 4) })
            foreach (int batch in new[] { 1, 3 })
            {
                int c = 2;
                int planes = batch * c;
                double[] x = Rand(r, planes * h * w), gy = Rand(r, planes * oh * ow);
                var yRef = new double[planes * oh * ow];
                var gxRef = new double[planes * h * w];
                for (int p = 0; p < planes; p++)
                    for (int i = 0; i < oh; i++)
                        for (int j = 0; j < ow; j++)
                        {
                            int h0 = (int)Math.Floor((double)i * h / oh), h1 = (int)Math.Ceiling((double)(i + 1) * h / oh);
                            int w0 = (int)Math.Floor((double)j * w / ow), w1 = (int)Math.Ceiling((double)(j + 1) * w / ow);
                            int cnt = (h1 - h0) * (w1 - w0);
                            double s = 0;
                            for (int a = h0; a < h1; a++)
                                for (int b = w0; b < w1; b++)
                                {
                                    s += x[(p * h + a) * w + b];
                                    gxRef[(p * h + a) * w + b] += gy[(p * oh + i) * ow + j] / cnt;
                                }
                            yRef[(p * oh + i) * ow + j] = s / cnt;
                        }
                string what = $"adaptive [{batch},{c},{h},{w}] -> ({oh},{ow})";
                var y = new double[yRef.Length];
                AdaptiveAvgPool2dKernel.Forward<double>(x, batch, c, h, w, oh, ow, y);
                Close(yRef, y, 1e-13, what);
                var gx = new double[gxRef.Length];
                Array.Fill(gx, double.NaN);
                AdaptiveAvgPool2dKernel.Backward<double>(gy, batch, c, h, w, oh, ow, gx);
                Close(gxRef, gx, 1e-13, "bwd " + what);
                CloseScalar(Dot(y, gy), Dot(x, gx), 1e-12, "adjoint " + what);
                var yf = new float[yRef.Length];
                AdaptiveAvgPool2dKernel.Forward<float>(ToF(x), batch, c, h, w, oh, ow, yf);
                Close(yRef, yf, 1e-5, "float " + what);
            }
        Assert.Throws<ArgumentException>(() => AdaptiveAvgPool2dKernel.Forward<float>(new float[4], 1, 1, 2, 2, 0, 1, new float[1]));
    }
}
