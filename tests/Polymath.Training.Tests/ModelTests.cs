using Polymath.Models;

namespace Polymath.Training.Tests;

public class ModelTests
{
    [Fact]
    public void StateDictKeysAreThoseOfThePyTorchModules()
    {
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"], new Mlp().StateDict().Keys);
        Assert.Equal(["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"],
            new LeNet5().StateDict().Keys);
        Assert.Equal(["emb.weight", "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0", "fc.weight", "fc.bias"],
            new LstmClassifier().StateDict().Keys);
        var resnet = new ResNet(1, 10, 8).StateDict().Keys.ToList();
        Assert.Contains("layer1.0.conv1.weight", resnet);
        Assert.Contains("layer2.0.downsample.0.weight", resnet);
        Assert.Contains("layer2.0.downsample.1.running_var", resnet);
        Assert.Contains("bn1.num_batches_tracked", resnet);
        Assert.Equal(61706, new LeNet5().Parameters().Sum(p => p.Numel)); // torch: sum(p.numel() for p in LeNet5().parameters())
        Assert.Equal(535818, new Mlp().Parameters().Sum(p => p.Numel));
    }

    [Fact]
    public void EveryZooModelMapsImagesToTenLogitsAndBacksPropagates()
    {
        var x = Tensor.Randn([3, 1, 28, 28], generator: new Generator(1));
        foreach (var name in ModelZoo.Names)
        {
            var m = ModelZoo.Create(name);
            var y = m.Call(x);
            Assert.Equal([3, 10], y.Shape);
            y.Sum().Backward();
            Assert.All(m.Parameters(), p => Assert.NotNull(p.Grad));
        }
        var e = Assert.Throws<ArgumentException>(() => ModelZoo.Create("vgg"));
        Assert.Contains("mlp, lenet5, resnet, lstm", e.Message);
    }

    [Fact]
    public void LstmClassifierReadsTokensAsTheTorchWorkload()
    {
        var m = new LstmClassifier();
        var tokens = Tensor.From(Enumerable.Range(0, 2 * 64).Select(i => (long)(i % 64)).ToArray(), 2, 64);
        Assert.Equal([2, 10], m.Call(tokens).Shape);
        Assert.Throws<ArgumentException>(() => m.Call(Tensor.Zeros(2, 64)));
    }
}
