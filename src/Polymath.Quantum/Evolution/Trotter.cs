namespace Polymath.Quantum;

/// <summary>
/// Trotter–Suzuki product formulas for e^{−iHt}, H = Σₖ cₖPₖ, as circuits of <see cref="PauliEvolution"/> blocks
/// (the time may be a symbolic <see cref="ParameterExpression"/>, bound later with <see cref="Circuit.Bind"/>).
/// First order: (Πₖ e^{−icₖPₖt/r})^r, error O(t²/r). Second order (symmetric Strang splitting):
/// (Πₖ e^{−icₖPₖt/2r} · Π_{k reversed} e^{−icₖPₖt/2r})^r with the two middle half-steps merged, error O(t³/r²).
/// Terms are used in the order of <see cref="PauliSum.Simplify"/> (equal strings combined); identity terms become a global phase.
/// </summary>
public static class Trotter
{
    /// <summary>The first-order (Lie) product formula with <paramref name="steps"/> steps.</summary>
    public static Circuit FirstOrder(PauliSum hamiltonian, ParameterExpression time, int steps, bool useTwoQubitRotations = true)
    {
        var terms = RealTerms(hamiltonian, steps);
        var c = new Circuit(hamiltonian.NumQubits);
        var dt = time / steps;
        for (int s = 0; s < steps; s++)
            foreach (var (coef, p) in terms) PauliEvolution.Append(c, p, dt * coef, useTwoQubitRotations);
        return c;
    }

    /// <summary>The second-order symmetric (Strang) product formula with <paramref name="steps"/> steps.</summary>
    public static Circuit SecondOrder(PauliSum hamiltonian, ParameterExpression time, int steps, bool useTwoQubitRotations = true)
    {
        var terms = RealTerms(hamiltonian, steps);
        var c = new Circuit(hamiltonian.NumQubits);
        var half = time / (2.0 * steps);
        int last = terms.Count - 1;
        for (int s = 0; s < steps; s++)
        {
            for (int k = 0; k < last; k++) PauliEvolution.Append(c, terms[k].P, half * terms[k].C, useTwoQubitRotations);
            if (last >= 0) PauliEvolution.Append(c, terms[last].P, 2 * half * terms[last].C, useTwoQubitRotations);
            for (int k = last - 1; k >= 0; k--) PauliEvolution.Append(c, terms[k].P, half * terms[k].C, useTwoQubitRotations);
        }
        return c;
    }

    /// <summary><see cref="FirstOrder"/> for <paramref name="order"/> 1, <see cref="SecondOrder"/> for 2.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Another order.</exception>
    public static Circuit Circuit(PauliSum hamiltonian, ParameterExpression time, int steps, int order) => order switch
    {
        1 => FirstOrder(hamiltonian, time, steps),
        2 => SecondOrder(hamiltonian, time, steps),
        _ => throw new ArgumentOutOfRangeException(nameof(order), $"Trotter order {order} is not implemented; use 1 or 2"),
    };

    private static List<(double C, PauliString P)> RealTerms(PauliSum h, int steps)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var terms = new List<(double, PauliString)>();
        foreach (var t in h.Simplify(0).Terms)
        {
            if (Math.Abs(t.Coefficient.Imaginary) > 1e-12 * Math.Max(1, t.Coefficient.Magnitude))
                throw new ArgumentException($"Trotter needs a Hermitian Hamiltonian, but term '{t}' has a complex coefficient");
            terms.Add((t.Coefficient.Real, t.Pauli));
        }
        return terms;
    }
}
