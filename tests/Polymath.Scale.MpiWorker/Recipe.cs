using Polymath.Data;
using Polymath.Models;
using Polymath.NN;
using Polymath.NN.Optim;
using Polymath.Scale.Distributed;

namespace Polymath.Scale.MpiWorker;

/// <summary>
/// The small training run the data-parallel tests compare: an MLP on a synthetic 3-class problem, SGD with momentum,
/// trained serially with a global batch, or data-parallel with the global batch split between the ranks.
/// </summary>
public static class Recipe
{
    public const int Items = 96, Features = 12, Classes = 3;
    public const ulong LoaderSeed = 1234;

    /// <summary>96 points in 12 dimensions, labelled by the largest of three fixed linear scores (seeded).</summary>
    public static TensorDataset Data()
    {
        var g = new Generator(7);
        var x = Tensor.Randn([Items, Features], DType.Float32, g);
        var w = Tensor.Randn([Features, Classes], DType.Float32, g);
        var y = x.MatMul(w).ArgMax(1);
        return new TensorDataset(x, y);
    }

    /// <summary>The model; a different <paramref name="initSeed"/> gives different initial weights.</summary>
    public static Mlp Model(ulong initSeed, int hidden = 16) => new(Features, [hidden], Classes, new Generator(initSeed));

    private static Optimizer Optimizer(Module m) => new SGD(m.Parameters(), lr: 0.1, momentum: 0.9);

    /// <summary>One process, batch <paramref name="globalBatch"/>, the DataLoader's own shuffle.</summary>
    public static float[] TrainSerial(int globalBatch, int epochs)
    {
        var model = Model(1);
        var opt = Optimizer(model);
        var loader = DataLoader.Create(Data(), globalBatch, shuffle: true, seed: LoaderSeed);
        var loss = new CrossEntropyLoss();
        for (int e = 0; e < epochs; e++)
            foreach (var b in loader)
                Step(model, opt, loss, b[0], b[1]);
        return Weights(model);
    }

    /// <summary>
    /// This rank's part of the data-parallel run with <paramref name="perRankBatch"/> items per rank. Each rank starts
    /// from different weights (seed 1 + rank): the broadcast from rank 0 must make them equal.
    /// <paramref name="onStep"/> runs before each step with (epoch, step) (tests use it to make a rank fail).
    /// </summary>
    public static float[] TrainDistributed(ICommunicator comm, int perRankBatch, int epochs, DdpOptions? options = null, int hidden = 16,
        Action<int, int>? onStep = null, Action<Module, Optimizer, int>? afterStep = null)
    {
        var model = Model(1 + (ulong)comm.Rank, comm.Rank == 1 ? hidden : 16);
        using var ddp = new DistributedDataParallel(model, comm, options);
        var opt = Optimizer(model);
        var data = Data();
        var sampler = DistributedSampler.For(comm, data.Count, shuffle: true, seed: LoaderSeed);
        var loader = DataLoader.Create(sampler.Shard(data), perRankBatch, shuffle: false, seed: 0);
        var loss = new CrossEntropyLoss();
        int step = 0;
        for (int e = 0; e < epochs; e++)
        {
            sampler.Epoch = e;
            foreach (var b in loader)
            {
                onStep?.Invoke(e, step);
                Step(ddp, opt, loss, b[0], b[1]);
                step++;
                afterStep?.Invoke(model, opt, step);
            }
        }
        return Weights(model);
    }

    private static void Step(Module<Tensor, Tensor> model, Optimizer opt, CrossEntropyLoss loss, Tensor x, Tensor y)
    {
        opt.ZeroGrad();
        loss.Call(model.Call(x), y).Backward();
        opt.Step();
    }

    /// <summary>Every state-dict tensor, flattened in key order.</summary>
    public static float[] Weights(Module m) => m.StateDict().Values.SelectMany(t => t.ToArray<float>()).ToArray();
}
