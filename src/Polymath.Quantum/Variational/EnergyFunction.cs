using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// E(θ) = ⟨0|U(θ)† H U(θ)|0⟩ for an <see cref="Ansatz"/> and a Hermitian <see cref="PauliSum"/>, with exact gradients.
/// Each gate angle may be any linear expression c₀ + Σ cᵢθᵢ of the parameters (the same parameter in several gates,
/// scaled or negated, as after <see cref="Circuit.Inverse"/>); the chain rule then gives
/// ∂E/∂θᵢ = Σ_gates cᵢ·∂E/∂φ_gate. Gates with free parameters must be RX, RY, RZ, RXX, RYY, RZZ, P or CP (generators
/// with two eigenvalues a distance 1 apart, where the two-term shift rule is exact); others are rejected when the
/// function is built. A symbolic global phase is ignored (it does not change E).
/// </summary>
public sealed class EnergyFunction
{
    private readonly PauliSum _hamiltonian;
    private readonly Ansatz _ansatz;
    private readonly (int Instruction, (int Parameter, double Coefficient)[] Dependence)[] _parameterised;

    /// <summary>Prepares E(θ) for <paramref name="hamiltonian"/> on the state of <paramref name="ansatz"/>.</summary>
    /// <exception cref="ArgumentException">Qubit counts differ, H is not Hermitian, or the circuit measures.</exception>
    /// <exception cref="NotSupportedException">A gate with a free parameter has no two-term shift rule; the message names it and its position.</exception>
    public EnergyFunction(PauliSum hamiltonian, Ansatz ansatz)
    {
        ArgumentNullException.ThrowIfNull(hamiltonian);
        ArgumentNullException.ThrowIfNull(ansatz);
        if (hamiltonian.NumQubits != ansatz.NumQubits)
            throw new ArgumentException($"a {hamiltonian.NumQubits}-qubit Hamiltonian with a {ansatz.NumQubits}-qubit ansatz");
        if (!hamiltonian.IsHermitian(1e-10)) throw new ArgumentException("the Hamiltonian is not Hermitian");
        _hamiltonian = hamiltonian;
        _ansatz = ansatz;
        var index = ansatz.ParameterNames.Select((n, k) => (n, k)).ToDictionary(t => t.n, t => t.k, StringComparer.Ordinal);
        var list = new List<(int, (int, double)[])>();
        var ins = ansatz.Circuit.Instructions;
        for (int g = 0; g < ins.Count; g++)
        {
            if (ins[g].Kind != InstructionKind.Gate || ins[g].Condition is not null)
                throw new ArgumentException($"instruction {g} ('{ins[g]}') is not an unconditioned gate; energies need an ansatz of gates only (no measure, reset, barrier or condition)");
            var gate = ins[g].Gate!;
            if (!gate.IsParameterized) continue;
            if (!GateGenerators.IsSupported(gate))
                throw new NotSupportedException($"instruction {g} ('{gate}' on qubits {string.Join(", ", ins[g].Qubits)}) has a free parameter but no two-term shift rule; use RX, RY, RZ, RXX, RYY, RZZ, P or CP");
            var dep = gate.Params[0].Terms.Select(t => (index[t.Key], t.Value)).ToArray();
            list.Add((g, dep));
        }
        _parameterised = [.. list];
    }

    /// <summary>Number of parameters.</summary>
    public int NumParameters => _ansatz.NumParameters;

    /// <summary>Energy evaluations so far (each a full simulation; a gradient by parameter shift counts its shifted runs).</summary>
    public int Evaluations { get; private set; }

    /// <summary>Gradient evaluations so far.</summary>
    public int GradientEvaluations { get; private set; }

    /// <summary>E(θ).</summary>
    public double Energy(IReadOnlyList<double> theta)
    {
        Evaluations++;
        return _hamiltonian.Expectation(Run(BoundGates(theta), 0, new StateVector(_ansatz.NumQubits)));
    }

    /// <summary>∇E(θ) by the chosen method, with E(θ).</summary>
    public (double Energy, double[] Gradient) EnergyAndGradient(IReadOnlyList<double> theta, GradientMethod method = GradientMethod.Adjoint) =>
        method == GradientMethod.Adjoint ? AdjointGradient(theta) : (Energy(theta), ParameterShiftGradient(theta));

    /// <summary>
    /// ∇E(θ) by the parameter-shift rule: for each parameterised gate, E with its angle shifted by ±π/2 (the rest of the
    /// circuit unchanged), (E₊ − E₋)/2, combined by the chain rule. The state before the gate is reused for both shifts.
    /// </summary>
    public double[] ParameterShiftGradient(IReadOnlyList<double> theta)
    {
        GradientEvaluations++;
        var gates = BoundGates(theta);
        var grad = new double[NumParameters];
        var prefix = new StateVector(_ansatz.NumQubits);
        int done = 0;
        foreach (var (g, dep) in _parameterised)
        {
            Run(gates, done, prefix, g);
            done = g;
            double angle = gates[g].Gate.Params[0].Value;
            double diff = 0;
            foreach (double sign in (ReadOnlySpan<double>)[1, -1])
            {
                var s = prefix.Clone();
                s.Apply(GateGenerators.WithAngle(gates[g].Gate, angle + sign * Math.PI / 2), gates[g].Qubits);
                Run(gates, g + 1, s);
                diff += sign * _hamiltonian.Expectation(s);
                Evaluations++;
            }
            foreach (var (p, c) in dep) grad[p] += c * diff / 2;
        }
        return grad;
    }

    /// <summary>
    /// E(θ) and ∇E(θ) by adjoint differentiation (Jones &amp; Gacon, arXiv:2009.02823): ψ = U|0⟩, λ = Hψ; sweeping the gates
    /// backwards, ∂E/∂φ_g = 2·Im⟨λ|G_g|ψ_g⟩ for U_g = e^{−iφG_g}, then ψ and λ are both moved back through U_g†.
    /// Cost: about three simulations, whatever the number of parameters.
    /// </summary>
    public (double Energy, double[] Gradient) AdjointGradient(IReadOnlyList<double> theta)
    {
        GradientEvaluations++;
        Evaluations++;
        var gates = BoundGates(theta);
        var psi = Run(gates, 0, new StateVector(_ansatz.NumQubits));
        var lambda = _hamiltonian.Apply(psi);
        double energy = psi.InnerProduct(lambda).Real;
        var grad = new double[NumParameters];
        var dependence = _parameterised.ToDictionary(p => p.Instruction, p => p.Dependence);
        for (int g = gates.Length - 1; g >= 0; g--)
        {
            var (gate, qubits) = gates[g];
            if (dependence.TryGetValue(g, out var dep))
            {
                var mu = psi.Clone();
                GateGenerators.ApplyGenerator(gate, qubits, mu);
                double dphi = 2 * lambda.InnerProduct(mu).Imaginary;
                foreach (var (p, c) in dep) grad[p] += c * dphi;
            }
            if (g == 0) break;
            var inverse = gate.Inverse();
            psi.Apply(inverse, qubits);
            lambda.Apply(inverse, qubits);
        }
        return (energy, grad);
    }

    private (Gate Gate, int[] Qubits)[] BoundGates(IReadOnlyList<double> theta)
    {
        var values = _ansatz.Values(theta);
        return _ansatz.Circuit.Instructions.Select(i => (i.Gate!.Bind(values), i.Qubits.ToArray())).ToArray();
    }

    private static StateVector Run((Gate Gate, int[] Qubits)[] gates, int from, StateVector state, int to = -1)
    {
        if (to < 0) to = gates.Length;
        for (int g = from; g < to; g++) state.Apply(gates[g].Gate, gates[g].Qubits);
        return state;
    }
}
