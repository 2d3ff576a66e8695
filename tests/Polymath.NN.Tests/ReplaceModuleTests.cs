using Polymath.NN;
using Xunit;

namespace Polymath.NN.Tests;

/// <summary><see cref="Module.ReplaceModule"/> and <see cref="Module.GetModule"/>: containers call the new module, keep its name, and refuse one they cannot call.</summary>
public sealed class ReplaceModuleTests
{
    [Fact]
    public void SequentialCallsTheReplacementUnderTheSameName()
    {
        var g = new Generator(1);
        var net = new Sequential(new Linear(3, 4, generator: g), new ReLU(), new Sequential(new Linear(4, 2, generator: g)));
        var x = Tensor.Zeros(5, 3).NormalInPlace(0, 1, g);
        var newLast = new Linear(4, 2, generator: g);
        Assert.Same(net[2], net.GetModule("2"));
        var old = net.ReplaceModule("2.0", newLast);
        Assert.IsType<Linear>(old);
        Assert.Same(newLast, net.GetModule("2.0"));
        Assert.Same(newLast.Weight, net.NamedParameters().Single(p => p.Name == "2.0.weight").Parameter);
        using var _ = Tensor.NoGrad();
        var expected = newLast.Call(((Linear)net[0]).Call(x).Relu());
        Assert.True(net.Call(x).AllClose(expected, 0, 0), "the container must call the replacement");
        net.Eval();
        net.ReplaceModule("1", new ReLU());
        Assert.False(net.GetModule("1")!.Training); // the replacement takes the parent's mode
    }

    [Fact]
    public void BadPathsAndTypesAreRefusedWithoutChange()
    {
        var list = new ModuleList<Linear>(new Linear(2, 2), new Linear(2, 2));
        var first = list[0];
        var e = Assert.Throws<ArgumentException>(() => list.ReplaceModule("0", new ReLU()));
        Assert.Contains("Linear", e.Message);
        Assert.Same(first, list[0]);
        Assert.Same(first, list.GetModule("0"));
        Assert.Throws<ArgumentException>(() => list.ReplaceModule("5", new Linear(2, 2)));
        Assert.Throws<ArgumentException>(() => list.ReplaceModule("0.weight", new Linear(2, 2)));
        Assert.Null(list.GetModule("0.nothing"));
        var replacement = new Linear(2, 2);
        list.ReplaceModule("1", replacement);
        Assert.Same(replacement, list[1]);
    }
}
