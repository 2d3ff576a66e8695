namespace Polymath.Quantum;

/// <summary>
/// One outcome history of a circuit with measurements or resets: the probability of that history, the classical bits
/// it wrote and the (normalised) quantum state it leaves. The branches of <see cref="Simulator.Branches"/> together are
/// the exact final ensemble ρ = Σ pᵢ |ψᵢ⟩⟨ψᵢ|.
/// </summary>
/// <param name="Probability">Probability of this history.</param>
/// <param name="Clbits">Classical bits by flat index (bits never written are false).</param>
/// <param name="State">The normalised final state of this history.</param>
public sealed record Branch(double Probability, bool[] Clbits, StateVector State)
{
    /// <summary>The classical bits as a string, bit 0 rightmost (the keys of <see cref="Simulator.Run"/>).</summary>
    public string BitString => Simulator.BitString(Clbits);
}

public static partial class Simulator
{
    /// <summary>
    /// Every outcome history of <paramref name="circuit"/>, exactly, without sampling: the simulation forks at each
    /// measurement and reset into the outcomes whose probability exceeds <paramref name="minProbability"/> (relative to
    /// the branch), and conditioned instructions follow each branch's bits. For checking dynamic circuits against
    /// theory (teleportation, semiclassical phase estimation); the number of branches grows as 2^(measurements).
    /// </summary>
    /// <exception cref="InvalidOperationException">More than <paramref name="maxBranches"/> branches would be alive at once.</exception>
    public static IReadOnlyList<Branch> Branches(Circuit circuit, double minProbability = 1e-12, int maxBranches = 1 << 12)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        var live = new List<Branch> { new(1.0, new bool[circuit.NumClbits], new StateVector(circuit.NumQubits)) };
        for (int i = 0; i < circuit.Instructions.Count; i++)
        {
            var ins = circuit.Instructions[i];
            if (ins.Kind == InstructionKind.Barrier) continue;
            var next = new List<Branch>(live.Count);
            foreach (var b in live)
            {
                if (ins.Condition is { } cond && !cond.IsSatisfied(b.Clbits)) { next.Add(b); continue; }
                if (ins.Kind == InstructionKind.Gate) { b.State.Apply(ins.Gate!, [.. ins.Qubits]); next.Add(b); continue; }
                int q = ins.Qubits[0];
                double p1 = b.State.ProbabilityOfOne(q) / b.State.NormSquared();
                for (int outcome = 0; outcome < 2; outcome++)
                {
                    double p = outcome == 1 ? p1 : 1 - p1;
                    if (p <= minProbability) continue;
                    bool last = outcome == 1 || p1 <= minProbability;
                    var s = last ? b.State : b.State.Clone();
                    s.Project(q, outcome);
                    var bits = last ? b.Clbits : (bool[])b.Clbits.Clone();
                    if (ins.Kind == InstructionKind.Measure) bits[ins.Clbits[0]] = outcome == 1;
                    else if (outcome == 1) s.ApplyX(q);
                    next.Add(new Branch(b.Probability * p, bits, s));
                }
            }
            if (next.Count > maxBranches)
                throw new InvalidOperationException($"Branches: instruction {i} ('{ins}') makes {next.Count} branches, more than maxBranches = {maxBranches}");
            live = next;
        }
        foreach (var b in live) b.State.ApplyGlobalPhase(circuit.GlobalPhase.Value);
        return live;
    }
}
