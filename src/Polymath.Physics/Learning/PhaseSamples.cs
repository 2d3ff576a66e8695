namespace Polymath.Physics.Learning;

/// <summary>
/// Labelled-by-parameter samples of one system size: N configurations of ±1 values (flattened, D = product of
/// <see cref="InputShape"/>) and the control parameter each was drawn at (temperature T, or transverse field h).
/// Small parameters are the ordered phase in both models this is used for.
/// </summary>
/// <param name="Size">Linear size L (Ising) or number of sites n (chain).</param>
/// <param name="InputShape">Shape of one sample as the network sees it: [1, L, L] for the lattice, [n] for the chain.</param>
/// <param name="Features">N·D values, sample-major.</param>
/// <param name="Parameters">N control-parameter values.</param>
public sealed record PhaseSamples(int Size, int[] InputShape, float[] Features, double[] Parameters)
{
    /// <summary>Values per sample.</summary>
    public int Dimension => InputShape.Aggregate(1, (a, b) => a * b);

    /// <summary>Number of samples.</summary>
    public int Count => Parameters.Length;

    /// <summary>The distinct control-parameter values, ascending.</summary>
    public double[] Grid() => Parameters.Distinct().Order().ToArray();

    /// <summary>Checks the shapes agree.</summary>
    /// <exception cref="ArgumentException">Features not N·D long, an empty set, or a non-finite parameter.</exception>
    public void Validate()
    {
        if (Count == 0) throw new ArgumentException($"size {Size}: no samples", nameof(Parameters));
        if (Features.Length != (long)Count * Dimension)
            throw new ArgumentException($"size {Size}: {Features.Length} feature values for {Count} samples of {Dimension}", nameof(Features));
        for (int i = 0; i < Count; i++)
            if (!double.IsFinite(Parameters[i])) throw new ArgumentException($"size {Size}: parameter #{i} is {Parameters[i]}", nameof(Parameters));
    }
}
