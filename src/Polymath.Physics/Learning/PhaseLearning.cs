using Polymath.NN;
using Polymath.NN.Optim;

namespace Polymath.Physics.Learning;

/// <summary>
/// The Carrasquilla–Melko experiment (Nature Physics 13, 431 (2017)) for one system size at a time: classifiers are
/// trained on samples far on either side of the transition (parameter ≤ <see cref="PhaseLearningOptions.OrderedMax"/>
/// → ordered, ≥ <see cref="PhaseLearningOptions.DisorderedMin"/> → disordered), never on the region in between,
/// then evaluated on every sample; where their mean output crosses 1/2 estimates the transition at that size.
/// Every network is trained on the global spin flip of each configuration as well (random per sample and epoch),
/// since both magnetised states are ordered. Seeded: the same options give the same numbers on any machine
/// with the same thread count.
/// </summary>
public static class PhaseLearning
{
    /// <summary>Trains <see cref="PhaseLearningOptions.Networks"/> classifiers on <paramref name="samples"/> and finds their crossing.</summary>
    /// <exception cref="ArgumentException">Invalid options or samples, or no training samples on one side.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static PhaseSizeResult Run(PhaseSamples samples, PhaseLearningOptions options, IProgress<PhaseLearningProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(options);
        samples.Validate();
        options.Validate();
        var train = new List<int>();
        for (int i = 0; i < samples.Count; i++)
            if (samples.Parameters[i] <= options.OrderedMax || samples.Parameters[i] >= options.DisorderedMin) train.Add(i);
        int ordered = train.Count(i => samples.Parameters[i] <= options.OrderedMax);
        if (ordered == 0 || ordered == train.Count)
            throw new ArgumentException($"size {samples.Size}: no training samples {(ordered == 0 ? $"at or below {options.OrderedMax}" : $"at or above {options.DisorderedMin}")}; " +
                                        $"the data covers [{samples.Parameters.Min()}, {samples.Parameters.Max()}]");
        double[] grid = samples.Grid();
        var groups = grid.Select(g => Enumerable.Range(0, samples.Count).Where(i => samples.Parameters[i] == g).ToArray()).ToArray();

        var networks = new List<Sequential>();
        var outputs = new double[options.Networks][];
        var seedCrossings = new double[options.Networks];
        var seedCurves = new double[options.Networks][];
        double finalLoss = 0;
        for (int r = 0; r < options.Networks; r++)
        {
            ulong seed = NetworkSeed(options.Seed, samples.Size, r);
            var (net, loss) = Train(samples, train, options, seed, r, progress, cancellationToken);
            finalLoss += loss / options.Networks;
            networks.Add(net);
            outputs[r] = Predict(net, samples);
            var (m, e) = PhaseCrossing.Curve(grid, groups, outputs[r]);
            seedCurves[r] = m;
            seedCrossings[r] = PhaseCrossing.Find(grid, m, e);
        }
        // The ensemble's output per sample; its bootstrap gives the statistical error of the evaluation data, the
        // spread of the single networks' crossings the error from training (initialisation and batch order).
        var ensemble = new double[samples.Count];
        for (int i = 0; i < samples.Count; i++)
        {
            double s = 0;
            for (int r = 0; r < options.Networks; r++) s += outputs[r][i];
            ensemble[i] = s / options.Networks;
        }
        var (means, errors) = PhaseCrossing.Curve(grid, groups, ensemble);
        var boot = PhaseCrossing.Bootstrap(grid, groups, ensemble, options.BootstrapSamples, NetworkSeed(options.Seed, samples.Size, 1000));
        var finite = seedCrossings.Where(double.IsFinite).ToArray();
        double seedError = 0;
        if (finite.Length > 1)
        {
            double mean = finite.Average();
            seedError = Math.Sqrt(finite.Sum(c => (c - mean) * (c - mean)) / (finite.Length - 1) / finite.Length);
        }
        var crossing = new Estimate(boot.Value, Math.Sqrt(boot.Error * boot.Error + seedError * seedError));
        double accuracy = train.Count(i => (ensemble[i] >= 0.5) == (samples.Parameters[i] >= options.DisorderedMin)) / (double)train.Count;
        return new PhaseSizeResult(samples.Size, grid, means, errors, crossing, boot.Error, seedError, seedCrossings, accuracy, finalLoss, networks[0], seedCurves);
    }

    /// <summary>Runs every size and extrapolates the crossings (ν = 1 fixed; ν free as well when there are four sizes or more).</summary>
    /// <exception cref="ArgumentException">Invalid options or samples, or a size whose output never crosses 1/2.</exception>
    public static PhaseStudyResult Study(IReadOnlyList<PhaseSamples> sizes, PhaseLearningOptions options, IProgress<PhaseLearningProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var results = sizes.Select(s => Run(s, options, progress, cancellationToken)).OrderBy(r => r.Size).ToList();
        foreach (var r in results)
            if (!double.IsFinite(r.Crossing.Value))
                throw new ArgumentException($"size {r.Size}: the classifier's mean output never crosses 1/2 on [{r.Grid[0]}, {r.Grid[^1]}] " +
                                            $"(outputs {string.Join(" ", r.MeanOutput.Select(m => m.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))})");
        FiniteSizeFit? fixedFit = null, freeFit = null;
        if (results.Count >= 2)
            fixedFit = FiniteSizeExtrapolation.FitFixed(results.Select(r => r.Size).ToList(), results.Select(r => r.Crossing).ToList());
        if (results.Count >= 4)
            freeFit = FiniteSizeExtrapolation.FitFree(results.Select(r => r.Size).ToList(), results.Select(r => r.Crossing).ToList());
        return new PhaseStudyResult(results, fixedFit, freeFit);
    }

    /// <summary>The classifier's probability of "disordered" for every sample (inference, in batches of 512).</summary>
    public static double[] Predict(Module<Tensor, Tensor> network, PhaseSamples samples)
    {
        network.Eval();
        int d = samples.Dimension;
        var result = new double[samples.Count];
        using (Tensor.NoGrad())
        {
            for (int start = 0; start < samples.Count; start += 512)
            {
                int b = Math.Min(512, samples.Count - start);
                var x = Tensor.From(samples.Features.AsSpan(start * d, b * d).ToArray(), [b, .. samples.InputShape]);
                var p = network.Call(x).Sigmoid().ToArray();
                for (int i = 0; i < b; i++) result[start + i] = p[i];
            }
        }
        return result;
    }

    /// <summary>The seed of network <paramref name="replica"/> at <paramref name="size"/>: a SplitMix64 mix, so sizes and replicas never share streams.</summary>
    public static ulong NetworkSeed(ulong seed, int size, int replica)
    {
        ulong z = seed ^ ((ulong)(uint)size << 32) ^ (uint)replica;
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static (Sequential Net, double Loss) Train(PhaseSamples samples, List<int> train, PhaseLearningOptions options, ulong seed, int replica,
        IProgress<PhaseLearningProgress>? progress, CancellationToken cancel)
    {
        var gen = new Generator(seed);
        var net = PhaseClassifier.Create(options.Model, samples.InputShape, options.Hidden, options.Channels, gen);
        net.Train();
        var opt = new Adam(net.Parameters(), options.LearningRate);
        int d = samples.Dimension, bs = options.BatchSize;
        var order = train.ToArray();
        var batch = new float[bs * d];
        var labels = new float[bs];
        double epochLoss = 0;
        int batchesPerEpoch = (order.Length + bs - 1) / bs;
        int epochs = Math.Max(options.Epochs, (options.MinimumSteps + batchesPerEpoch - 1) / batchesPerEpoch);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            cancel.ThrowIfCancellationRequested();
            for (int i = order.Length - 1; i > 0; i--) // Fisher–Yates with the network's own stream
            {
                int j = (int)gen.NextLong(0, i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            double sum = 0;
            int batches = 0;
            for (int start = 0; start < order.Length; start += bs)
            {
                int b = Math.Min(bs, order.Length - start);
                for (int k = 0; k < b; k++)
                {
                    int i = order[start + k];
                    float sign = (gen.NextUInt64() & 1) == 0 ? 1f : -1f;
                    var src = samples.Features.AsSpan(i * d, d);
                    var dst = batch.AsSpan(k * d, d);
                    for (int q = 0; q < d; q++) dst[q] = sign * src[q];
                    labels[k] = samples.Parameters[i] >= options.DisorderedMin ? 1f : 0f;
                }
                var x = Tensor.From(batch.AsSpan(0, b * d).ToArray(), [b, .. samples.InputShape]);
                var y = Tensor.From(labels.AsSpan(0, b).ToArray(), b, 1);
                var loss = Losses.BinaryCrossEntropyWithLogits(net.Call(x), y);
                opt.ZeroGrad();
                loss.Backward();
                opt.Step();
                sum += loss.Item();
                batches++;
            }
            epochLoss = sum / batches;
            progress?.Report(new PhaseLearningProgress(samples.Size, replica, epoch + 1, epochs, epochLoss));
        }
        return (net, epochLoss);
    }
}

/// <summary>One finished training epoch.</summary>
/// <param name="Size">System size.</param>
/// <param name="Network">Index of the network among <see cref="PhaseLearningOptions.Networks"/>.</param>
/// <param name="Epoch">Epochs done (1-based).</param>
/// <param name="Epochs">Epochs in all.</param>
/// <param name="Loss">Mean training loss of the epoch.</param>
public readonly record struct PhaseLearningProgress(int Size, int Network, int Epoch, int Epochs, double Loss);
