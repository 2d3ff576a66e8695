namespace Polymath.Quantum;

/// <summary>Which qubit pairs a layer of entangling gates couples.</summary>
public enum EntanglementPattern
{
    /// <summary>(0,1), (1,2), …, (n−2, n−1).</summary>
    Linear,

    /// <summary>Linear plus (n−1, 0) (for n ≥ 3).</summary>
    Circular,

    /// <summary>Every pair (i, j), i &lt; j.</summary>
    Full,
}
