namespace Polymath.Models;

/// <summary>
/// LeNet-5 as in <c>../shared/peers/torch_workloads.py</c>: conv 1→6 5×5 padding 2, ReLU, max-pool 2; conv 6→16 5×5,
/// ReLU, max-pool 2; flatten to 400; Linear 400-120-84-10 with ReLU. Input [N, 1, 28, 28], output logits [N, 10].
/// State-dict keys match the PyTorch module: <c>conv1.*</c>, <c>conv2.*</c>, <c>fc1.*</c>, <c>fc2.*</c>, <c>fc3.*</c>.
/// </summary>
public sealed class LeNet5 : Module<Tensor, Tensor>
{
    /// <summary>Creates the network.</summary>
    /// <param name="inChannels">Image channels (1 for MNIST).</param>
    /// <param name="numClasses">Outputs.</param>
    /// <param name="generator">Random source for the initialisation (the default generator when null).</param>
    public LeNet5(int inChannels = 1, int numClasses = 10, Generator? generator = null)
    {
        Conv1 = RegisterModule("conv1", new Conv2d(inChannels, 6, 5, padding: 2, generator: generator));
        Conv2 = RegisterModule("conv2", new Conv2d(6, 16, 5, generator: generator));
        Fc1 = RegisterModule("fc1", new Linear(400, 120, generator: generator));
        Fc2 = RegisterModule("fc2", new Linear(120, 84, generator: generator));
        Fc3 = RegisterModule("fc3", new Linear(84, numClasses, generator: generator));
    }

    /// <summary>First convolution (1→6, 5×5, padding 2).</summary>
    public Conv2d Conv1 { get; }

    /// <summary>Second convolution (6→16, 5×5).</summary>
    public Conv2d Conv2 { get; }

    /// <summary>Linear 400→120.</summary>
    public Linear Fc1 { get; }

    /// <summary>Linear 120→84.</summary>
    public Linear Fc2 { get; }

    /// <summary>Linear 84→classes.</summary>
    public Linear Fc3 { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not [N, C, 28, 28].</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Size(2) != 28 || input.Size(3) != 28)
            throw new ArgumentException($"LeNet5: expected input [N, {Conv1.InChannels}, 28, 28], got [{string.Join(",", input.Shape)}].");
        var x = Functional.MaxPool2d(Conv1.Call(input).Relu(), 2);
        x = Functional.MaxPool2d(Conv2.Call(x).Relu(), 2);
        x = x.Flatten(1);
        return Fc3.Call(Fc2.Call(Fc1.Call(x).Relu()).Relu());
    }
}
