namespace Polymath.Quantum;

/// <summary>
/// One-dimensional spin-chain Hamiltonians as <see cref="PauliSum"/>s (Pauli operators, not spin-½ operators S = σ/2).
/// Open chains have bonds (i, i+1) for i = 0..n−2; periodic ones add the bond (n−1, 0) (so a periodic chain of two
/// sites has the bond (0, 1) twice, consistent with the momentum-space formulas).
/// </summary>
public static class SpinChains
{
    /// <summary>
    /// The transverse-field Ising chain H = −J Σ Zᵢ Zᵢ₊₁ − h Σ Xᵢ on <paramref name="numQubits"/> sites
    /// (the bond terms first, then the field terms).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 sites (or more than 64).</exception>
    public static PauliSum TransverseFieldIsing(int numQubits, double j, double h, bool periodic = false)
    {
        CheckSites(numQubits);
        var terms = new List<PauliTerm>();
        foreach (var (a, b) in Bonds(numQubits, periodic))
            terms.Add(new PauliTerm(-j, PauliString.FromSparse(numQubits, ('Z', a), ('Z', b))));
        for (int i = 0; i < numQubits; i++)
            terms.Add(new PauliTerm(-h, PauliString.FromSparse(numQubits, ('X', i))));
        return new PauliSum(numQubits, terms);
    }

    /// <summary>
    /// The exact ground energy of the periodic transverse-field Ising chain −J Σ ZᵢZᵢ₊₁ − h Σ Xᵢ (J, h ≥ 0), from its
    /// free-fermion solution (Pfeuty, Ann. Phys. 57 (1970) 79; Lieb, Schultz &amp; Mattis 1961): after a Jordan–Wigner
    /// transformation the ground state lies in the even-fermion-parity sector, where the fermions are antiperiodic, so the
    /// momenta are k = (2m − 1)π/n, m = 1..n, and E₀ = −Σₖ √(J² + h² − 2Jh·cos k).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 sites, or J or h negative.</exception>
    public static double TransverseFieldIsingPeriodicGroundEnergy(int numQubits, double j, double h)
    {
        if (numQubits < 2) throw new ArgumentOutOfRangeException(nameof(numQubits), $"the chain needs at least 2 sites, not {numQubits}");
        if (j < 0 || h < 0) throw new ArgumentOutOfRangeException(nameof(j), $"the formula is stated for J, h ≥ 0 (got J = {j}, h = {h})");
        double e = 0;
        for (int m = 1; m <= numQubits; m++)
        {
            double k = (2 * m - 1) * Math.PI / numQubits;
            e -= Math.Sqrt(Math.Max(0, j * j + h * h - 2 * j * h * Math.Cos(k)));
        }
        return e;
    }

    /// <summary>
    /// The XYZ (anisotropic Heisenberg) chain H = Σ_bonds (Jx XᵢXᵢ₊₁ + Jy YᵢYᵢ₊₁ + Jz ZᵢZᵢ₊₁) − h Σ Zᵢ;
    /// XXZ is Jx = Jy, the isotropic Heisenberg model Jx = Jy = Jz (antiferromagnetic for J &gt; 0).
    /// </summary>
    public static PauliSum Heisenberg(int numQubits, double jx, double jy, double jz, double field = 0, bool periodic = false)
    {
        CheckSites(numQubits);
        var terms = new List<PauliTerm>();
        foreach (var (a, b) in Bonds(numQubits, periodic))
        {
            if (jx != 0) terms.Add(new PauliTerm(jx, PauliString.FromSparse(numQubits, ('X', a), ('X', b))));
            if (jy != 0) terms.Add(new PauliTerm(jy, PauliString.FromSparse(numQubits, ('Y', a), ('Y', b))));
            if (jz != 0) terms.Add(new PauliTerm(jz, PauliString.FromSparse(numQubits, ('Z', a), ('Z', b))));
        }
        if (field != 0)
            for (int i = 0; i < numQubits; i++) terms.Add(new PauliTerm(-field, PauliString.FromSparse(numQubits, ('Z', i))));
        return new PauliSum(numQubits, terms);
    }

    /// <summary>The XXZ chain: Jx = Jy = <paramref name="j"/>, Jz = <paramref name="delta"/>·J, field h along Z.</summary>
    public static PauliSum Xxz(int numQubits, double j, double delta, double field = 0, bool periodic = false) =>
        Heisenberg(numQubits, j, j, delta * j, field, periodic);

    private static IEnumerable<(int, int)> Bonds(int n, bool periodic)
    {
        for (int i = 0; i + 1 < n; i++) yield return (i, i + 1);
        if (periodic) yield return (n - 1, 0);
    }

    private static void CheckSites(int n)
    {
        if (n < 2 || n > PauliString.MaxQubits)
            throw new ArgumentOutOfRangeException(nameof(n), $"a spin chain needs 2 to {PauliString.MaxQubits} sites, not {n}");
    }
}
