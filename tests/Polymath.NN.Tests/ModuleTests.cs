using Polymath.NN;
using Xunit;

namespace Polymath.NN.Tests;

public class ModuleTests
{
    private sealed class TwoLayer : Module<Tensor, Tensor>
    {
        public readonly Linear Fc1;
        public readonly Sequential Body;

        public TwoLayer()
        {
            Fc1 = RegisterModule("fc1", new Linear(4, 3));
            Body = RegisterModule("body", new Sequential(new Linear(3, 2), new Linear(2, 1, bias: false)));
            RegisterBuffer("steps", Tensor.Zeros([1], DType.Int64));
            RegisterBuffer("scratch", Tensor.Zeros(2), persistent: false);
        }

        public override Tensor Forward(Tensor input) => Body.Call(Fc1.Call(input).Relu());
    }

    [Fact]
    public void ParametersHaveDottedNamesInRegistrationOrder()
    {
        var m = new TwoLayer();
        Assert.Equal(["fc1.weight", "fc1.bias", "body.0.weight", "body.0.bias", "body.1.weight"], m.NamedParameters().Select(p => p.Name));
        Assert.Equal(["steps", "scratch"], m.NamedBuffers().Select(b => b.Name));
        // PyTorch's order: a module's own parameters and persistent buffers, then its children's.
        Assert.Equal(["steps", "fc1.weight", "fc1.bias", "body.0.weight", "body.0.bias", "body.1.weight"], m.StateDict().Keys);
        Assert.All(m.Parameters(), p => Assert.True(p.RequiresGrad && p.IsLeaf));
    }

    [Fact]
    public void StateDictRoundTripsAndStrictLoadingListsEveryProblem()
    {
        Polymath.Random.Seed(1);
        var a = new TwoLayer();
        var b = new TwoLayer();
        b.LoadStateDict(a.StateDict());
        var x = Tensor.Randn(5, 4);
        Assert.True(a.Call(x).AllClose(b.Call(x)));

        var broken = new Dictionary<string, Tensor>(a.StateDict());
        broken.Remove("fc1.bias");
        broken["extra.weight"] = Tensor.Zeros(1);
        broken["body.0.weight"] = Tensor.Zeros(9, 9);
        var before = b.Fc1.Weight.ToArray();
        var e = Assert.Throws<ArgumentException>(() => b.LoadStateDict(broken));
        Assert.Contains("missing keys: fc1.bias", e.Message);
        Assert.Contains("unexpected keys: extra.weight", e.Message);
        Assert.Contains("body.0.weight: checkpoint [9,9] vs model [2,3]", e.Message);
        Assert.Equal(before, b.Fc1.Weight.ToArray()); // nothing changed

        broken.Remove("body.0.weight");
        var result = b.LoadStateDict(broken.Where(kv => kv.Key != "extra.weight").ToDictionary(), strict: false);
        Assert.Equal(["fc1.bias", "body.0.weight"], result.MissingKeys);
    }

    [Fact]
    public void TrainEvalFreezingAndHooks()
    {
        var m = new TwoLayer();
        m.Eval();
        Assert.All(m.Modules(), x => Assert.False(x.Training));
        m.Train();
        Assert.All(m.Modules(), x => Assert.True(x.Training));

        m.Fc1.RequiresGrad_(false);
        var loss = m.Call(Tensor.Randn(3, 4)).Sum();
        loss.Backward();
        Assert.Null(m.Fc1.Weight.Grad);
        Assert.NotNull(((Linear)m.Body[0]).Weight.Grad);

        int calls = 0;
        using (m.Fc1.RegisterForwardHook((_, _, y) => { calls++; return y * 0; }))
            Assert.Equal(0.0, m.Fc1.Call(Tensor.Ones(1, 4)).Abs().Sum().Item());
        m.Fc1.Call(Tensor.Ones(1, 4));
        Assert.Equal(1, calls);
    }

    [Fact]
    public void LinearMatchesItsFormulaAndNamesBadInput()
    {
        var fc = new Linear(3, 2);
        var x = Tensor.Randn(4, 3);
        Assert.True(fc.Call(x).AllClose(x.MatMul(fc.Weight.T) + fc.Bias!, 1e-5, 1e-6));
        var e = Assert.Throws<ArgumentException>(() => fc.Call(Tensor.Zeros(4, 5)));
        Assert.Contains("expected input [..., 3], got [4,5]", e.Message);
        Assert.Contains("Linear(in_features=3, out_features=2, bias=True)", fc.ToString());
    }
}
