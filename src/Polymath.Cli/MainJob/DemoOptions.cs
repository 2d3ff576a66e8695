using System.Globalization;
using Polymath.Physics;
using Polymath.Physics.Learning;

namespace Polymath.Cli;

/// <summary>
/// Everything <c>polymath demo</c> does, with the embedded defaults: the simulation grid, the classifier and where the
/// run writes. <see cref="Validate"/> checks all of it before any work starts.
/// </summary>
internal sealed record DemoOptions
{
    /// <summary>Lattice sizes L.</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [8, 12, 16, 24, 32];

    /// <summary>Lowest simulated temperature (J/k_B).</summary>
    public double MinTemperature { get; init; } = 1.5;

    /// <summary>Highest simulated temperature.</summary>
    public double MaxTemperature { get; init; } = 3.5;

    /// <summary>Evenly spaced temperatures from min to max.</summary>
    public int TemperatureCount { get; init; } = 41;

    /// <summary>Configurations stored per (L, T).</summary>
    public int SamplesPerTemperature { get; init; } = 400;

    /// <summary>
    /// The classifier. The CNN is the default because its crossings move little with L (measured: T* within ±0.5% of
    /// T_c for L = 8..32), where the dense network's learned |m| threshold drifts with L and biases the extrapolation
    /// by several percent (docs/main-job.md).
    /// </summary>
    public PhaseClassifierKind Model { get; init; } = PhaseClassifierKind.Conv;

    /// <summary>Training windows: T ≤ this is ordered.</summary>
    public double OrderedMax { get; init; } = 1.9;

    /// <summary>Training windows: T ≥ this is disordered.</summary>
    public double DisorderedMin { get; init; } = 2.7;

    /// <summary>Epochs per network.</summary>
    public int Epochs { get; init; } = 12;

    /// <summary>Networks per size (their spread is part of the error).</summary>
    public int Networks { get; init; } = 4;

    /// <summary>
    /// Chain lengths n of the transverse-field Ising step (Z-basis snapshots of the ground state, dense classifiers);
    /// empty skips the quantum step. The defaults are beyond exact diagonalisation: the classifier's crossing drifts
    /// towards h_c only slowly with n (at n ≤ 16 it sits 3–7% low), so the step samples long chains by cluster QMC.
    /// </summary>
    public IReadOnlyList<int> ChainSizes { get; init; } = [16, 32, 64];

    /// <summary>How the chain's snapshots are made: cluster QMC (default; up to 4096 sites) or exact ground states (up to 24).</summary>
    public TfimSamplingMethod ChainMethod { get; init; } = TfimSamplingMethod.ClusterQmc;

    /// <summary>The longest chain the demo samples by QMC, a bound on run time: a sweep costs ∝ n·β = 2n² (≈ 0.3 s at 1024 sites).</summary>
    public const int MaxQmcChain = 1024;

    /// <summary>Z-basis snapshots per field of the quantum step.</summary>
    public int Shots { get; init; } = 500;

    /// <summary>Networks per chain length in the quantum step.</summary>
    public int ChainNetworks { get; init; } = 4;

    /// <summary>Seeds the simulation, the networks and the bootstrap.</summary>
    public ulong Seed { get; init; } = 2017;

    /// <summary>Run folder: simulated data, the embedded hub, the pulled copy, weights and report.</summary>
    public string OutputDir { get; init; } = Path.Combine("runs", "ising-demo");

    /// <summary>The temperature grid.</summary>
    public double[] Temperatures() => TemperatureCount == 1
        ? [MinTemperature]
        : TemperatureGrid.Linear(MinTemperature, MaxTemperature, TemperatureCount).Select(t => Math.Round(t, 10)).ToArray();

    /// <summary>The simulation's options.</summary>
    public IsingDatasetOptions Simulation() => new()
    {
        Sizes = Sizes, Temperatures = Temperatures(), SamplesPerTemperature = SamplesPerTemperature, Seed = Seed,
    };

    /// <summary>
    /// The quantum step's fields: 19 evenly spaced in [0.2, 2.0] and 9 in [0.8, 1.2] around h_c = 1 (a finer grid where the
    /// crossings lie; the grid does not depend on the result).
    /// </summary>
    public static double[] ChainFields() =>
        TemperatureGrid.Linear(0.2, 2.0, 19).Concat(TemperatureGrid.Linear(0.8, 1.2, 9)).Select(h => Math.Round(h, 6)).Distinct().Order().ToArray();

    /// <summary>The quantum step's classifier: dense, trained on h ≤ 0.5 (ordered) and h ≥ 1.6 (disordered).</summary>
    public PhaseLearningOptions ChainLearning() => new()
    {
        Model = PhaseClassifierKind.Dense, OrderedMax = 0.5, DisorderedMin = 1.6, Epochs = 10, Networks = ChainNetworks, Seed = Seed,
    };

    /// <summary>The classifier's options.</summary>
    public PhaseLearningOptions Learning() => new()
    {
        Model = Model, OrderedMax = OrderedMax, DisorderedMin = DisorderedMin, Epochs = Epochs, Networks = Networks, Seed = Seed,
    };

    /// <summary>Checks every option and the memory the largest lattice will need, before any work starts.</summary>
    /// <exception cref="UsageException">An option out of range, naming it and its value.</exception>
    /// <exception cref="InsufficientMemoryException">The configurations of one size would not fit in memory as float32.</exception>
    public void Validate()
    {
        var inv = CultureInfo.InvariantCulture;
        if (Sizes.Count == 0) throw new UsageException("--sizes: give at least one lattice size.", "demo");
        foreach (int l in Sizes)
            if (l < 4 || l > 46340) throw new UsageException($"--sizes: L = {l} is outside [4, 46340].", "demo");
        if (Sizes.Distinct().Count() != Sizes.Count) throw new UsageException($"--sizes: {string.Join(",", Sizes)} repeats a size.", "demo");
        if (!double.IsFinite(MinTemperature) || MinTemperature <= 0)
            throw new UsageException($"--temperatures: the lowest temperature {MinTemperature.ToString(inv)} must be positive (units of J/k_B).", "demo");
        if (!double.IsFinite(MaxTemperature) || MaxTemperature <= 0)
            throw new UsageException($"--temperatures: the highest temperature {MaxTemperature.ToString(inv)} must be positive (units of J/k_B).", "demo");
        if (TemperatureCount < 1)
            throw new UsageException($"--temperatures: the range {MinTemperature.ToString(inv)}:{MaxTemperature.ToString(inv)}:{TemperatureCount} is empty (count < 1).", "demo");
        if (MaxTemperature < MinTemperature || (TemperatureCount > 1 && MaxTemperature == MinTemperature))
            throw new UsageException($"--temperatures: the range {MinTemperature.ToString(inv)}:{MaxTemperature.ToString(inv)} is empty (the end must lie above the start).", "demo");
        if (SamplesPerTemperature < 8) throw new UsageException($"--samples: {SamplesPerTemperature} is below 8 per temperature.", "demo");
        if (!(OrderedMax < DisorderedMin)) throw new UsageException($"--train-windows: ordered ≤ {OrderedMax.ToString(inv)} must end below disordered ≥ {DisorderedMin.ToString(inv)}.", "demo");
        var temps = Temperatures();
        if (!temps.Any(t => t <= OrderedMax) || !temps.Any(t => t >= DisorderedMin))
            throw new UsageException($"--train-windows: the grid {MinTemperature.ToString(inv)}..{MaxTemperature.ToString(inv)} has no temperature " +
                                     $"{(temps.Any(t => t <= OrderedMax) ? $"at or above {DisorderedMin.ToString(inv)}" : $"at or below {OrderedMax.ToString(inv)}")} to train on.", "demo");
        if (Model == PhaseClassifierKind.Conv && Sizes.Any(l => l < 4)) throw new UsageException("--model cnn needs L ≥ 4.", "demo");
        int maxChain = ChainMethod == TfimSamplingMethod.ClusterQmc ? MaxQmcChain : TransverseFieldIsing.MaxExactSites;
        foreach (int n in ChainSizes)
            if (n < 4 || n > maxChain)
                throw new UsageException($"--chain-sizes: n = {n} is outside [4, {maxChain}] ({(ChainMethod == TfimSamplingMethod.ClusterQmc ? "cluster QMC" : "exact ground states; --chain-method qmc reaches longer chains")}).", "demo");
        if (ChainSizes.Distinct().Count() != ChainSizes.Count) throw new UsageException($"--chain-sizes: {string.Join(",", ChainSizes)} repeats a size.", "demo");
        if (Shots < 8) throw new UsageException($"--shots: {Shots} is below 8 per field.", "demo");
        if (ChainNetworks < 1) throw new UsageException($"--chain-networks {ChainNetworks} must be at least 1.", "demo");
        if (Epochs < 1 || Networks < 1) throw new UsageException($"--epochs {Epochs} and --networks {Networks} must be at least 1.", "demo");
        // One size at a time is held as float32 for training (plus the file's bytes and a copy while loading).
        int largest = Sizes.Max();
        long bytes = 10L * largest * largest * SamplesPerTemperature * temps.Length;
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes > available * 0.8)
            throw new InsufficientMemoryException(string.Create(inv,
                $"demo: L = {largest} with {temps.Length} temperatures × {SamplesPerTemperature} samples needs about {bytes / 1e9:F1} GB to train on, " +
                $"but only {available / 1e9:F1} GB is available; use smaller --sizes or fewer --samples."));
    }
}
