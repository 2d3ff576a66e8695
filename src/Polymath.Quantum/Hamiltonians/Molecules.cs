namespace Polymath.Quantum;

/// <summary>
/// Published qubit Hamiltonians of small molecules (energies in hartree). Both H₂ operators below come from the same
/// calculation: STO-3G basis, bond length 0.735 Å, integrals from PySCF via Qiskit Nature. They are the operators used
/// in the Qiskit textbook chapter "Simulating Molecules using VQE" and in Qiskit's own VQE and fermion-mapping tests.
/// Their coefficients are the electronic part; add <see cref="H2NuclearRepulsion"/> for the total energy.
/// </summary>
public static class Molecules
{
    /// <summary>Nuclear repulsion of H₂ at 0.735 Å: 1/R in hartree with R = 0.735 Å = 1.38894… bohr.</summary>
    public const double H2NuclearRepulsion = 0.7199689944489797;

    /// <summary>
    /// Exact (full configuration interaction in STO-3G) electronic ground energy of H₂ at 0.735 Å, the lowest eigenvalue of
    /// both <see cref="H2Parity"/> and the two-electron sector of <see cref="H2JordanWigner"/>: −1.857275030202 Ha
    /// (total with nuclear repulsion −1.137306035753 Ha), as reported by Qiskit's NumPyMinimumEigensolver for these operators.
    /// </summary>
    public const double H2ElectronicGroundEnergy = -1.857275030202;

    /// <summary>
    /// The standard two-qubit H₂ Hamiltonian (parity mapping with two-qubit reduction, 0.735 Å, STO-3G):
    /// −1.052373245772859·II + 0.39793742484318045·IZ − 0.39793742484318045·ZI − 0.01128010425623538·ZZ
    /// + 0.18093119978423156·XX (qubit 0 rightmost). Ground energy <see cref="H2ElectronicGroundEnergy"/>.
    /// </summary>
    public static PauliSum H2Parity() => PauliSum.Parse(
        "-1.052373245772859*II + 0.39793742484318045*IZ - 0.39793742484318045*ZI - 0.01128010425623538*ZZ + 0.18093119978423156*XX");

    /// <summary>
    /// The four-qubit Jordan–Wigner H₂ Hamiltonian (STO-3G, 0.735 Å; qubits 0, 1 = spin-up σg, σu orbitals, 2, 3 = spin-down;
    /// Qiskit Nature's block ordering), coefficients as in Qiskit's <c>fermion_jordan_wigner</c> test. Its lowest eigenvalue
    /// is in the two-electron sector and equals <see cref="H2ElectronicGroundEnergy"/>; the Hartree–Fock state is |0101⟩.
    /// </summary>
    public static PauliSum H2JordanWigner() => PauliSum.Parse(
        "-0.8105479805373266 + 0.1721839326191555*Z0 - 0.22575349222402474*Z1 + 0.17218393261915543*Z2 - 0.22575349222402474*Z3"
        + " + 0.12091263261776633*Z0 Z1 + 0.16892753870087912*Z0 Z2 + 0.16614543256382416*Z0 Z3"
        + " + 0.04523279994605783*Y0 Y1 Y2 Y3 + 0.04523279994605783*Y0 Y1 X2 X3 + 0.04523279994605783*X0 X1 Y2 Y3 + 0.04523279994605783*X0 X1 X2 X3"
        + " + 0.16614543256382416*Z1 Z2 + 0.17464343068300459*Z1 Z3 + 0.12091263261776633*Z2 Z3", numQubits: 4);
}
