using Polymath.Amp;
using Polymath.Models;
using Polymath.Models.Gpt;
using Xunit;

namespace Polymath.Scale.Tests.Amp;

/// <summary>
/// The autocast policy on real models: which ops run in 16 bits and which in float32, and that a bf16/fp16 forward
/// and backward of the MLP, LeNet-5 and a small GPT give the float32 loss within 16-bit tolerance and float32
/// gradients for the float32 master weights that point the same way as the float32 ones.
/// </summary>
public class AutocastTests
{
    [Fact]
    public void PolicyTableSendsMatmulsLowAndSensitiveOpsToFloat32()
    {
        foreach (var op in new[] { "matmul", "linear", "conv2d", "conv1d", "conv_transpose2d" })
            Assert.Equal(CastPolicy.LowPrecision, Autocast.PolicyFor(op));
        foreach (var op in new[] { "softmax", "log_softmax", "layer_norm", "sum", "mean", "cross_entropy", "mse_loss" })
            Assert.Equal(CastPolicy.Float32, Autocast.PolicyFor(op));
        Assert.Equal(CastPolicy.Promote, Autocast.PolicyFor("relu"));

        var x = Tensor.Randn([4, 6], generator: new Generator(1));
        var w = Tensor.Randn([6, 6], generator: new Generator(2));
        using (Autocast.Enable(DType.BFloat16))
        {
            var h = x.MatMul(w);
            Assert.Equal(DType.BFloat16, h.DType);
            Assert.Equal(DType.BFloat16, h.Relu().DType);                                       // follows its input
            Assert.Equal(DType.Float32, (h + x).DType);                                          // promotes with float32
            Assert.Equal(DType.Float32, h.LogSoftmax(1).DType);
            Assert.Equal(DType.Float32, Functional.LayerNorm(h, [6]).DType);
            Assert.Equal(DType.Float32, h.Sum().DType);
            Assert.Equal(DType.Float32, Losses.CrossEntropy(h, Tensor.From(new long[] { 0, 1, 2, 3 })).DType);
            Assert.Equal(DType.Int64, Autocast.Cast(Tensor.From(new long[] { 1 }), "matmul").DType); // never casts integers
        }
        Assert.Equal(DType.Float32, x.MatMul(w).DType); // off again after the scope
    }

    public static TheoryData<string, DType> Cases => new()
    {
        { "mlp", DType.BFloat16 }, { "mlp", DType.Float16 },
        { "lenet5", DType.BFloat16 }, { "lenet5", DType.Float16 },
        { "gpt", DType.BFloat16 }, { "gpt", DType.Float16 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ModelForwardAndBackwardMatchFloat32(string model, DType dtype)
    {
        var gen = new Generator(3);
        Module m;
        Func<Tensor> loss;
        switch (model)
        {
            case "mlp":
            {
                var mlp = new Mlp(784, [128, 64], 10, gen);
                var x = Tensor.Rand([32, 784], generator: gen);
                var y = Tensor.RandInt(0, 10, [32], gen);
                (m, loss) = (mlp, () => Losses.CrossEntropy(mlp.Call(x), y));
                break;
            }
            case "lenet5":
            {
                var net = new LeNet5(generator: gen);
                var x = Tensor.Rand([8, 1, 28, 28], generator: gen);
                var y = Tensor.RandInt(0, 10, [8], gen);
                (m, loss) = (net, () => Losses.CrossEntropy(net.Call(x), y));
                break;
            }
            default:
            {
                var gpt = new GptModel(AmpFixtures.TinyGpt, gen);
                var ids = Tensor.RandInt(0, 48, [4, 16], gen);
                var targets = Tensor.RandInt(0, 48, [4, 16], gen);
                (m, loss) = (gpt, () => gpt.Loss(ids, targets));
                break;
            }
        }
        var parameters = m.Parameters().ToList();
        var l32 = loss();
        l32.Backward();
        var g32 = parameters.Select(p => p.Grad!.Clone()).ToList();
        foreach (var p in parameters)
            p.ZeroGrad();

        Tensor l16;
        using (Autocast.Enable(dtype))
            l16 = loss();
        Assert.Equal(DType.Float32, l16.DType);
        l16.Backward();
        double rel = Math.Abs(l16.Item() - l32.Item()) / Math.Abs(l32.Item());
        Assert.True(rel < 0.01, $"{model} {dtype.Name()}: loss {l16.Item()} vs float32 {l32.Item()}");
        foreach (var p in parameters)
        {
            Assert.Equal(DType.Float32, p.DType);
            Assert.Equal(DType.Float32, p.Grad!.DType);
            Assert.True(double.IsFinite(p.Grad.Abs().Sum().Item()));
        }
        double cos = AmpFixtures.Cosine(parameters.Select(p => p.Grad!).ToList(), g32);
        Assert.True(cos > 0.99, $"{model} {dtype.Name()}: gradient cosine {cos} against float32");
    }
}
