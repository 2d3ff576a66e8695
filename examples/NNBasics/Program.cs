// The snippets of docs/nn.md, docs/data.md and docs/losses-optim.md as one program, so CI compiles them.
// Run from the repository root: dotnet run --project examples/NNBasics -c Release
using Polymath;
using Polymath.Data;
using Polymath.NN;
using Polymath.NN.Optim;

var net = new SmallNet();
foreach (var (name, p) in net.NamedParameters())
    Console.WriteLine($"{name} {string.Join("x", p.Shape)}");
var state = net.StateDict();
new SmallNet().LoadStateDict(state);

string mnistDir = Path.Combine("..", "shared", "data", "mnist");
if (!Directory.Exists(mnistDir))
{
    Console.WriteLine($"MNIST not found at {Path.GetFullPath(mnistDir)}; skipping the training steps.");
    return;
}
var train = new Mnist(mnistDir, train: true);
var loader = DataLoader.Create(train, batchSize: 128, shuffle: true, seed: 7, numWorkers: 2);
var lossFn = new CrossEntropyLoss();
var opt = new AdamW(net.Parameters(), lr: 1e-3);
int step = 0;
foreach (var (images, labels) in loader)
{
    opt.ZeroGrad();
    var loss = lossFn.Call(net.Call(images), labels);
    loss.Backward();
    opt.Step();
    if (step % 20 == 0)
        Console.WriteLine($"step {step} loss {loss.Item():F4}");
    if (++step == 100)
        break;
}
string file = Path.Combine(Path.GetTempPath(), "smallnet.safetensors");
SafeTensors.Save(file, net.StateDict(), new Dictionary<string, string> { ["format"] = "pt" });
Console.WriteLine($"saved {new FileInfo(file).Length} bytes to {file}");

/// <summary>The network of docs/nn.md.</summary>
public sealed class SmallNet : Module<Tensor, Tensor>
{
    private readonly Conv2d _conv;
    private readonly Linear _head;

    /// <summary>Creates the layers.</summary>
    public SmallNet()
    {
        _conv = RegisterModule("conv", new Conv2d(1, 8, 3, padding: 1));
        _head = RegisterModule("head", new Linear(8 * 14 * 14, 10));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) =>
        _head.Call(Functional.MaxPool2d(_conv.Call(x).Relu(), 2).Flatten(1));
}
