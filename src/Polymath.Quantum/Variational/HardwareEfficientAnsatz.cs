namespace Polymath.Quantum;

/// <summary>
/// Hardware-efficient ansatz (Kandala et al., Nature 549, 242 (2017); Qiskit's EfficientSU2): <c>layers</c> repetitions of
/// [rotation layer, entangling layer] and a final rotation layer. A rotation layer is RY(θ) then RZ(θ) on every qubit
/// (RY only with <c>rotations: "ry"</c>, which keeps amplitudes real). Parameters are named "{prefix}[k]" with k
/// zero-padded, so sorting the names gives vector order.
/// </summary>
public static class HardwareEfficientAnsatz
{
    /// <summary>Builds the ansatz.</summary>
    /// <param name="numQubits">Number of qubits (≥ 1).</param>
    /// <param name="layers">Number of entangling layers (≥ 0); there are layers + 1 rotation layers.</param>
    /// <param name="entanglement">Which pairs each entangling layer couples.</param>
    /// <param name="gate">The entangling gate.</param>
    /// <param name="rotations">"ryrz" (default) or "ry".</param>
    /// <param name="prefix">Parameter-name prefix.</param>
    /// <exception cref="ArgumentException">Unknown rotation set.</exception>
    public static Ansatz Build(int numQubits, int layers, EntanglementPattern entanglement = EntanglementPattern.Linear,
        EntanglingGate gate = EntanglingGate.CZ, string rotations = "ryrz", string prefix = "θ")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numQubits, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(layers);
        bool rz = rotations.ToLowerInvariant() switch
        {
            "ryrz" => true,
            "ry" => false,
            _ => throw new ArgumentException($"unknown rotation set '{rotations}'; use \"ryrz\" or \"ry\"", nameof(rotations)),
        };
        int perLayer = numQubits * (rz ? 2 : 1);
        int count = perLayer * (layers + 1);
        int width = (count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        var names = new List<string>(count);
        Parameter Next()
        {
            var p = new Parameter($"{prefix}[{names.Count.ToString("D" + width, System.Globalization.CultureInfo.InvariantCulture)}]");
            names.Add(p.Name);
            return p;
        }

        var c = new Circuit(numQubits);
        for (int layer = 0; layer <= layers; layer++)
        {
            for (int q = 0; q < numQubits; q++)
            {
                c.RY(Next(), q);
                if (rz) c.RZ(Next(), q);
            }
            if (layer == layers) break;
            foreach (var (a, b) in Pairs(numQubits, entanglement))
                if (gate == EntanglingGate.CZ) c.CZ(a, b); else c.CX(a, b);
        }
        return new Ansatz(c, names);
    }

    private static IEnumerable<(int, int)> Pairs(int n, EntanglementPattern pattern)
    {
        if (pattern == EntanglementPattern.Full)
        {
            for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) yield return (i, j);
            yield break;
        }
        for (int i = 0; i + 1 < n; i++) yield return (i, i + 1);
        if (pattern == EntanglementPattern.Circular && n >= 3) yield return (n - 1, 0);
    }
}
