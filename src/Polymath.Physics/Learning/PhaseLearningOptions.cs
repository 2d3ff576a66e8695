namespace Polymath.Physics.Learning;

/// <summary>How <see cref="PhaseLearning"/> trains and evaluates its classifiers.</summary>
public sealed record PhaseLearningOptions
{
    /// <summary>The network.</summary>
    public PhaseClassifierKind Model { get; init; } = PhaseClassifierKind.Dense;

    /// <summary>Samples with a parameter at or below this are labelled ordered (0) for training.</summary>
    public double OrderedMax { get; init; } = 1.9;

    /// <summary>Samples with a parameter at or above this are labelled disordered (1) for training.</summary>
    public double DisorderedMin { get; init; } = 2.7;

    /// <summary>Hidden units of the dense head.</summary>
    public int Hidden { get; init; } = 32;

    /// <summary>Channels of the convolution (CNN only).</summary>
    public int Channels { get; init; } = 4;

    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 8;

    /// <summary>
    /// Fewest optimizer steps per network: with few samples, epochs are added until this many steps are taken, so a
    /// small data set still trains (a few dozen Adam steps leave the output near 1/2 everywhere).
    /// </summary>
    public int MinimumSteps { get; init; } = 400;

    /// <summary>Mini-batch size.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 5e-3;

    /// <summary>Independently initialised networks per size; their spread enters the crossing's error.</summary>
    public int Networks { get; init; } = 3;

    /// <summary>Bootstrap resamples of the evaluation set for the crossing's statistical error.</summary>
    public int BootstrapSamples { get; init; } = 200;

    /// <summary>Fixes initialisation, shuffling and bootstrap.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentException">A field out of range, naming it and its value.</exception>
    public void Validate()
    {
        if (!(OrderedMax < DisorderedMin))
            throw new ArgumentException($"phase learning: the ordered window (≤ {OrderedMax}) must end below the disordered one (≥ {DisorderedMin})", nameof(OrderedMax));
        if (Hidden < 1) throw new ArgumentException($"phase learning: hidden units {Hidden} < 1", nameof(Hidden));
        if (Channels < 1) throw new ArgumentException($"phase learning: channels {Channels} < 1", nameof(Channels));
        if (Epochs < 1) throw new ArgumentException($"phase learning: epochs {Epochs} < 1", nameof(Epochs));
        if (MinimumSteps < 0) throw new ArgumentException($"phase learning: minimum steps {MinimumSteps} < 0", nameof(MinimumSteps));
        if (BatchSize < 1) throw new ArgumentException($"phase learning: batch size {BatchSize} < 1", nameof(BatchSize));
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentException($"phase learning: learning rate {LearningRate} must be positive", nameof(LearningRate));
        if (Networks < 1) throw new ArgumentException($"phase learning: networks {Networks} < 1", nameof(Networks));
        if (BootstrapSamples < 10) throw new ArgumentException($"phase learning: bootstrap samples {BootstrapSamples} < 10", nameof(BootstrapSamples));
    }
}
