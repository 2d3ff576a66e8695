namespace Polymath.Quantum;

/// <summary>Text drawing of circuits.</summary>
public static class CircuitDrawer
{
    /// <summary>Draws <paramref name="circuit"/>.</summary>
    public static string Draw(Circuit circuit) => circuit.ToString();
}
