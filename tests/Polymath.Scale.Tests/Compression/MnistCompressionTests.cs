using Polymath.Models;

namespace Polymath.Scale.Tests.Compression;

/// <summary>End to end on a small slice of real MNIST: a quickly trained MLP keeps its accuracy through int8.</summary>
public sealed class MnistCompressionTests
{
    [MnistFact]
    public void Int8MlpKeepsTheFloatAccuracyOnMnist()
    {
        var train = new Mnist(TestUtil.Mnist, train: true);
        var test = new Mnist(TestUtil.Mnist, train: false);
        var xs = train.Images.Narrow(0, 0, 3000);
        var ys = train.Labels.Narrow(0, 0, 3000);
        var net = new Mlp(784, [64], 10, new Generator(1));
        var opt = new Adam(net.Parameters(), 2e-3);
        for (int epoch = 0; epoch < 2; epoch++)
            for (int b = 0; b < 3000; b += 100)
            {
                opt.ZeroGrad();
                Losses.CrossEntropy(net.Call(xs.Narrow(0, b, 100)), ys.Narrow(0, b, 100)).Backward();
                opt.Step();
            }
        net.Eval();
        var tx = test.Images.Narrow(0, 0, 1000);
        var ty = test.Labels.Narrow(0, 0, 1000).ToArray<long>();
        double Accuracy(Module<Tensor, Tensor> m)
        {
            using (Tensor.NoGrad())
            {
                var pred = m.Call(tx).ArgMax(1).ToArray<long>();
                return pred.Zip(ty).Count(p => p.First == p.Second) / 1000.0;
            }
        }
        double fp = Accuracy(net);
        var q = Quantization.QuantizeStatic(net, [xs.Narrow(0, 0, 500)]);
        double int8 = Accuracy(q);
        Assert.True(fp > 0.8, $"float MLP reached only {fp}");
        Assert.True(Math.Abs(fp - int8) <= 0.01, $"float {fp} vs int8 {int8}");
    }
}
