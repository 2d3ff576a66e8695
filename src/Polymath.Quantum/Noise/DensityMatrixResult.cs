namespace Polymath.Quantum;

/// <summary>The exact outcome of a noisy circuit: the final density matrix and the distribution of classical bit strings.</summary>
public sealed class DensityMatrixResult
{
    private readonly string[] _keys;
    private readonly double[] _probs;

    internal DensityMatrixResult(DensityMatrix state, IReadOnlyDictionary<string, double> probabilities)
    {
        State = state;
        Probabilities = probabilities;
        _keys = probabilities.Keys.Order(StringComparer.Ordinal).ToArray();
        _probs = _keys.Select(k => probabilities[k]).ToArray();
    }

    /// <summary>
    /// The final state averaged over all measurement outcomes: measured qubits are left dephased (ρ ↦ Σₘ PₘρPₘ), as after a
    /// measurement whose result is not looked at. Run the circuit without its measurements for the state before them.
    /// </summary>
    public DensityMatrix State { get; }

    /// <summary>Exact probability of each classical bit string (classical bit 0 rightmost; "" when the circuit has no bits), read-out errors included.</summary>
    public IReadOnlyDictionary<string, double> Probabilities { get; }

    /// <summary>Counts of <paramref name="shots"/> seeded draws from <see cref="Probabilities"/>.</summary>
    public Dictionary<string, int> SampleCounts(int shots, int seed)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (long i in NoiseSampling.SampleIndices(_probs, shots, seed))
            counts[_keys[i]] = counts.GetValueOrDefault(_keys[i]) + 1;
        return counts;
    }
}
