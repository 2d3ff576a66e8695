namespace Polymath.Quantum;

public static partial class Algorithms
{
    /// <summary>
    /// Quantum teleportation of the state <paramref name="statePreparation"/>|0⟩ from qubit 0 to qubit 2, with
    /// mid-circuit measurements and classically conditioned corrections: qubits 1 and 2 share a Bell pair, Alice
    /// measures qubits 0 and 1 into the one-bit registers "m0" and "m1", and Bob applies <c>if(m1==1) x</c> and
    /// <c>if(m0==1) z</c> on qubit 2. Every outcome leaves qubit 2 in the prepared state.
    /// </summary>
    public static Circuit Teleportation(Gate statePreparation) => TeleportationCore(statePreparation, deferred: false);

    /// <summary>
    /// The deferred-measurement form of <see cref="Teleportation"/>: the classically conditioned X and Z become CX from
    /// qubit 1 and CZ from qubit 0 and nothing is measured, so the circuit is unitary and qubit 2 ends in the prepared
    /// state (qubits 0 and 1 end in |+⟩ each).
    /// </summary>
    public static Circuit TeleportationDeferred(Gate statePreparation) => TeleportationCore(statePreparation, deferred: true);

    private static Circuit TeleportationCore(Gate statePreparation, bool deferred)
    {
        ArgumentNullException.ThrowIfNull(statePreparation);
        if (statePreparation.NumQubits != 1) throw new ArgumentException($"teleportation sends one qubit; gate '{statePreparation.Name}' acts on {statePreparation.NumQubits}", nameof(statePreparation));
        var c = new Circuit(3);
        c.Append(statePreparation, 0);
        c.Barrier();
        c.H(1).CX(1, 2);                 // Bell pair between Alice (1) and Bob (2)
        c.Barrier();
        c.CX(0, 1).H(0);                 // Alice's Bell-basis rotation
        if (deferred) return c.CX(1, 2).CZ(0, 2);
        var m0 = c.AddClassicalRegister("m0", 1);
        var m1 = c.AddClassicalRegister("m1", 1);
        c.Measure(0, m0[0]).Measure(1, m1[0]);
        c.If(m1, 1, b => b.X(2));
        c.If(m0, 1, b => b.Z(2));
        return c;
    }
}
