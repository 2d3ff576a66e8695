using System.Globalization;

namespace Polymath.Models;

/// <summary>
/// The basic residual block of ResNet-18/34 (torchvision's <c>BasicBlock</c>): conv3×3 → BatchNorm → ReLU → conv3×3 →
/// BatchNorm, plus the input (through a 1×1 conv + BatchNorm <c>downsample</c> when the stride or width changes), then ReLU.
/// Keys: <c>conv1</c>, <c>bn1</c>, <c>conv2</c>, <c>bn2</c>, <c>downsample.0</c>, <c>downsample.1</c>.
/// </summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    /// <summary>Creates a block mapping <paramref name="inPlanes"/> channels to <paramref name="planes"/>, striding the first conv.</summary>
    public BasicBlock(int inPlanes, int planes, int stride = 1, Generator? generator = null)
    {
        Conv1 = RegisterModule("conv1", new Conv2d(inPlanes, planes, 3, stride, 1, bias: false, generator: generator));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(planes));
        Conv2 = RegisterModule("conv2", new Conv2d(planes, planes, 3, 1, 1, bias: false, generator: generator));
        Bn2 = RegisterModule("bn2", new BatchNorm2d(planes));
        if (stride != 1 || inPlanes != planes)
            Downsample = RegisterModule("downsample", new Sequential(
                new Conv2d(inPlanes, planes, 1, stride, bias: false, generator: generator), new BatchNorm2d(planes)));
    }

    /// <summary>First 3×3 convolution (carries the stride).</summary>
    public Conv2d Conv1 { get; }

    /// <summary>Batch norm after <see cref="Conv1"/>.</summary>
    public BatchNorm2d Bn1 { get; }

    /// <summary>Second 3×3 convolution.</summary>
    public Conv2d Conv2 { get; }

    /// <summary>Batch norm after <see cref="Conv2"/>.</summary>
    public BatchNorm2d Bn2 { get; }

    /// <summary>The shortcut projection (1×1 conv + batch norm), or null for the identity.</summary>
    public Sequential? Downsample { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var y = Bn1.Call(Conv1.Call(input)).Relu();
        y = Bn2.Call(Conv2.Call(y));
        var shortcut = Downsample is null ? input : Downsample.Call(input);
        return (y + shortcut).Relu();
    }
}

/// <summary>
/// A small ResNet for 28×28 or 32×32 images (the CIFAR-style ResNet of He et al., 2016): a 3×3 stem conv with batch norm
/// and ReLU, three stages of <see cref="BasicBlock"/>s of widths w, 2w, 4w (the second and third stride 2), global
/// average pooling and a linear classifier. Keys follow torchvision: <c>conv1</c>, <c>bn1</c>, <c>layer1.0.conv1</c>, …, <c>fc</c>.
/// Input [N, C, H, W], output logits [N, classes].
/// </summary>
public sealed class ResNet : Module<Tensor, Tensor>
{
    private readonly List<Sequential> _stages = [];

    /// <summary>Creates the network.</summary>
    /// <param name="inChannels">Image channels.</param>
    /// <param name="numClasses">Outputs.</param>
    /// <param name="width">Channels of the first stage (w).</param>
    /// <param name="blocksPerStage">Blocks in each of the three stages (null: 1, 1, 1 — 8 weighted layers).</param>
    /// <param name="generator">Random source for the initialisation (the default generator when null).</param>
    /// <exception cref="ArgumentException">A non-positive width or block count.</exception>
    public ResNet(int inChannels = 1, int numClasses = 10, int width = 16, IReadOnlyList<int>? blocksPerStage = null, Generator? generator = null)
    {
        blocksPerStage ??= [1, 1, 1];
        if (width <= 0 || blocksPerStage.Count == 0 || blocksPerStage.Any(b => b <= 0))
            throw new ArgumentException($"ResNet: width and block counts must be positive, got width {width}, blocks [{string.Join(",", blocksPerStage)}].");
        Conv1 = RegisterModule("conv1", new Conv2d(inChannels, width, 3, 1, 1, bias: false, generator: generator));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(width));
        int inPlanes = width;
        for (int s = 0; s < blocksPerStage.Count; s++)
        {
            int planes = width << s;
            var stage = new Sequential();
            for (int b = 0; b < blocksPerStage[s]; b++)
            {
                stage.Append(new BasicBlock(inPlanes, planes, b == 0 && s > 0 ? 2 : 1, generator));
                inPlanes = planes;
            }
            _stages.Add(RegisterModule("layer" + (s + 1).ToString(CultureInfo.InvariantCulture), stage));
        }
        Fc = RegisterModule("fc", new Linear(inPlanes, numClasses, generator: generator));
        // He initialisation for convolutions, as torchvision does.
        using (Tensor.NoGrad())
            foreach (var m in Modules())
                if (m is Conv2d conv)
                    Init.KaimingNormal(conv.Weight, mode: "fan_out", nonlinearity: "relu", generator: generator);
    }

    /// <summary>Stem convolution.</summary>
    public Conv2d Conv1 { get; }

    /// <summary>Stem batch norm.</summary>
    public BatchNorm2d Bn1 { get; }

    /// <summary>The classifier.</summary>
    public Linear Fc { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not [N, C, H, W].</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Size(1) != Conv1.InChannels)
            throw new ArgumentException($"ResNet: expected input [N, {Conv1.InChannels}, H, W], got [{string.Join(",", input.Shape)}].");
        var x = Bn1.Call(Conv1.Call(input)).Relu();
        foreach (var stage in _stages)
            x = stage.Call(x);
        x = Functional.AdaptiveAvgPool2d(x, (1, 1)).Flatten(1);
        return Fc.Call(x);
    }
}
