using Polymath.Models;
using Polymath.Scale.Compression;

namespace Polymath.Bench;

/// <summary>
/// Int8 rows (issue 8): the int8 GEMM against float32 GEMM (managed and OpenBLAS), and int8 LeNet-5 / MLP inference
/// against the same float32 models, all measured in this run. The float32 figures are extras of the int8 row
/// (<c>float32_s</c>, <c>ratio_vs_float32</c> = float32 time / int8 time, above 1 means int8 is faster).
/// </summary>
internal static class CompressionBench
{
    public static IEnumerable<BenchCase> Cases(bool quick, MeasureSettings heavy)
    {
        foreach (int n in quick ? new[] { 512 } : [512, 1024])
        {
            BenchCase? self = null;
            self = new BenchCase { Name = $"int8_gemm_{n}", Group = "int8", Peer = PeerKind.None, Ours = () => Int8Gemm(self!, n, heavy) };
            yield return self;
        }
        foreach (var model in new[] { "lenet5", "mlp" })
        {
            BenchCase? self = null;
            self = new BenchCase { Name = $"int8_{model}_infer_b1000", Group = "int8", Peer = PeerKind.None, Ours = () => Inference(self!, model, heavy) };
            yield return self;
        }
        BenchCase? conv = null;
        conv = new BenchCase { Name = "int8_lenet5_conv1_b1000", Group = "int8", Peer = PeerKind.None, Ours = () => FirstConv(conv!, heavy) };
        yield return conv;
    }

    // LeNet-5's first convolution with its ReLU and 2×2 max-pool on a batch of 1000: the int8 layer as conversion
    // builds it (the direct kernel where the CPU has AVX-VNNI), against the im2col path and the float32 layers.
    private static Measurement FirstConv(BenchCase holder, MeasureSettings s)
    {
        var target = holder;
        var layer = new NN.Conv2d(1, 6, 5, padding: 2, generator: new Generator(1234));
        var x = Suite.Randn([1000, 1, 28, 28], 5);
        var p = QuantParams.FromRange(-3, 3);
        var auto = QuantizedConv2d.FromFloat(layer, p, fuseRelu: true, pool: 2);
        var im2col = QuantizedConv2d.FromFloat(layer, p, fuseRelu: true, pool: 2);
        im2col.Path = Int8ConvPath.Im2Col;
        Measurement ours, viaIm2Col, fp;
        using (Tensor.NoGrad())
        {
            ours = Harness.Measure(() => auto.Call(x), s);
            viaIm2Col = Harness.Measure(() => im2col.Call(x), s);
            fp = Harness.Measure(() => Functional.MaxPool2d(layer.Call(x).Relu(), 2), s);
        }
        target.Info.Add(new("path", auto.UsesDirect(28, 28) ? "direct" : "im2col"));
        target.Info.Add(new("im2col_s", viaIm2Col.MedianS));
        target.Info.Add(new("ratio_vs_im2col", viaIm2Col.MedianS / ours.MedianS));
        target.Info.Add(new("float32_s", fp.MedianS));
        target.Info.Add(new("ratio_vs_float32", fp.MedianS / ours.MedianS));
        return ours;
    }

    private static Measurement Int8Gemm(BenchCase holder, int n, MeasureSettings s)
    {
        var target = holder;
        var rng = new System.Random(1234);
        var a = new byte[n * n];
        rng.NextBytes(a);
        var w = new sbyte[n * n];
        for (int i = 0; i < w.Length; i++) w[i] = (sbyte)rng.Next(-127, 128);
        var packed = new Int8PackedWeights(w, n, n);
        var c = new int[n * n];
        var ours = Harness.Measure(() => Scale.Compression.Int8Gemm.Multiply(a, n, packed, c), s);
        var fa = Suite.Randn([n, n], 1);
        var fb = Suite.Randn([n, n], 2);
        bool saved = Blas.UseOpenBlas;
        try
        {
            using (Tensor.NoGrad())
            {
                Blas.UseOpenBlas = false;
                var managed = Harness.Measure(() => fa.MatMul(fb), s);
                target.Info.Add(new("float32_managed_s", managed.MedianS));
                target.Info.Add(new("ratio_vs_float32_managed", managed.MedianS / ours.MedianS));
                if (Blas.OpenBlasAvailable)
                {
                    Blas.UseOpenBlas = true;
                    var ob = Harness.Measure(() => fa.MatMul(fb), s);
                    target.Info.Add(new("float32_openblas_s", ob.MedianS));
                    target.Info.Add(new("ratio_vs_float32_openblas", ob.MedianS / ours.MedianS));
                }
            }
        }
        finally
        {
            if (!saved || Blas.OpenBlasAvailable) Blas.UseOpenBlas = saved;
        }
        target.Info.Add(new("gops", 2.0 * n * n * n / ours.MedianS / 1e9));
        target.Info.Add(new("int8_kernel", Scale.Compression.Int8Gemm.ActiveKernel.ToString()));
        return ours;
    }

    private static Measurement Inference(BenchCase holder, string model, MeasureSettings s)
    {
        var target = holder;
        var net = ModelZoo.Create(model, generator: new Generator(1234));
        net.Eval();
        var x = Suite.Randn([1000, 1, 28, 28], 3);
        var q = Quantization.QuantizeStatic(net, [x.Narrow(0, 0, 256)]);
        Measurement fp, ours;
        using (Tensor.NoGrad())
        {
            fp = Harness.Measure(() => net.Call(x), s);
            ours = Harness.Measure(() => q.Call(x), s);
        }
        target.Info.Add(new("float32_s", fp.MedianS));
        target.Info.Add(new("ratio_vs_float32", fp.MedianS / ours.MedianS));
        target.Info.Add(new("int8_kernel", Scale.Compression.Int8Gemm.ActiveKernel.ToString()));
        return ours;
    }
}
