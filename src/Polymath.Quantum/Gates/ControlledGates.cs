using System.Numerics;

namespace Polymath.Quantum;

// Named controlled gates (control = qubit 0, as in Qiskit). Each is a ControlledGate, so the simulator runs it
// with the controlled kernels; each carries its own definition.

/// <summary>Controlled-X (CNOT); control qubit 0, target qubit 1. A basis gate.</summary>
public sealed class CXGate() : ControlledGate(new XGate(), 1, "cx")
{
    /// <inheritdoc/>
    public override bool IsBasis => true;
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().Append(this, 0, 1);
}

/// <summary>Controlled-Y = (I⊗S)·CX·(I⊗S†).</summary>
public sealed class CYGate() : ControlledGate(new YGate(), 1, "cy")
{
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().Sdg(1).CX(0, 1).S(1);
}

/// <summary>Controlled-Z = H on the target around CX.</summary>
public sealed class CZGate() : ControlledGate(new ZGate(), 1, "cz")
{
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().H(1).CX(0, 1).H(1);
}

/// <summary>Controlled-Hadamard, via the CU circuit of H = U(π/2, 0, π).</summary>
public sealed class CHGate() : ControlledGate(new HGate(), 1, "ch")
{
    /// <inheritdoc/>
    public override Circuit Decompose() => CUGate.Definition(Math.PI / 2, 0, Math.PI, 0);
}

/// <summary>Controlled phase CP(λ) = diag(1, 1, 1, e^{iλ}); symmetric in its qubits.</summary>
public sealed class CPhaseGate(ParameterExpression lambda) : ControlledGate(new PhaseGate(lambda), 1, "cp")
{
    /// <summary>P(λ/2) on the control, CX, P(−λ/2) on the target, CX, P(λ/2) on the target.</summary>
    public override Circuit Decompose()
    {
        var l = Params[0];
        return NewDefinition().P(l / 2, 0).CX(0, 1).P(-l / 2, 1).CX(0, 1).P(l / 2, 1);
    }
}

/// <summary>Controlled RX(θ) = CU(θ, −π/2, π/2, 0).</summary>
public sealed class CRXGate(ParameterExpression theta) : ControlledGate(new RXGate(theta), 1, "crx")
{
    /// <inheritdoc/>
    public override Circuit Decompose() => CUGate.Definition(Params[0], -Math.PI / 2, Math.PI / 2, 0);
}

/// <summary>Controlled RY(θ): RY(θ/2), CX, RY(−θ/2), CX on the target.</summary>
public sealed class CRYGate(ParameterExpression theta) : ControlledGate(new RYGate(theta), 1, "cry")
{
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().RY(Params[0] / 2, 1).CX(0, 1).RY(-Params[0] / 2, 1).CX(0, 1);
}

/// <summary>Controlled RZ(θ): RZ(θ/2), CX, RZ(−θ/2), CX on the target.</summary>
public sealed class CRZGate(ParameterExpression theta) : ControlledGate(new RZGate(theta), 1, "crz")
{
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().RZ(Params[0] / 2, 1).CX(0, 1).RZ(-Params[0] / 2, 1).CX(0, 1);
}

/// <summary>Controlled e^{iγ}·U(θ, φ, λ) (Qiskit's CU, four parameters).</summary>
public sealed class CUGate : ControlledGate
{
    /// <summary>CU(θ, φ, λ, γ).</summary>
    public CUGate(ParameterExpression theta, ParameterExpression phi, ParameterExpression lambda, ParameterExpression gamma)
        : base(new GlobalPhasedU(theta, phi, lambda, gamma), 1, "cu") { }

    /// <inheritdoc/>
    public override Circuit Decompose() => Definition(Params[0], Params[1], Params[2], Params[3]);

    /// <inheritdoc/>
    public override Gate Inverse() => new CUGate(-Params[0], -Params[2], -Params[1], -Params[3]);

    /// <summary>
    /// P(γ) and P((λ+φ)/2) on the control; P((λ−φ)/2) on the target; CX; U(−θ/2, 0, −(φ+λ)/2); CX; U(θ/2, φ, 0).
    /// </summary>
    internal static Circuit Definition(ParameterExpression theta, ParameterExpression phi, ParameterExpression lambda, ParameterExpression gamma) =>
        new Circuit(2)
            .P(gamma, 0)
            .P((lambda + phi) / 2, 0)
            .P((lambda - phi) / 2, 1)
            .CX(0, 1)
            .U(-theta / 2, 0, -(phi + lambda) / 2, 1)
            .CX(0, 1)
            .U(theta / 2, phi, 0, 1);

    /// <summary>e^{iγ}·U(θ, φ, λ) as a one-qubit gate: the target block of CU.</summary>
    private sealed class GlobalPhasedU(ParameterExpression theta, ParameterExpression phi, ParameterExpression lambda, ParameterExpression gamma)
        : Gate("u_phase", 1, theta, phi, lambda, gamma)
    {
        protected override Complex[,] BuildMatrix()
        {
            var m = new UGate(P(0), P(1), P(2)).Matrix;
            var g = Complex.FromPolarCoordinates(1, P(3));
            for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) m[i, j] *= g;
            return m;
        }

        public override Gate Control(int numControls = 1) =>
            numControls == 1 ? new CUGate(Params[0], Params[1], Params[2], Params[3]) : base.Control(numControls);

        public override Gate Inverse() => new GlobalPhasedU(-Params[0], -Params[2], -Params[1], -Params[3]);

        public override Circuit Decompose()
        {
            var c = NewDefinition().U(Params[0], Params[1], Params[2], 0);
            c.GlobalPhase = Params[3];
            return c;
        }

        protected override Gate BindCore(IReadOnlyDictionary<string, double> v)
        {
            var p = BoundParams(v);
            return new GlobalPhasedU(p[0], p[1], p[2], p[3]);
        }
    }
}

/// <summary>Toffoli: X on qubit 2 where qubits 0 and 1 are 1. Standard 6-CX, 7-T definition.</summary>
public sealed class CCXGate() : ControlledGate(new XGate(), 2, "ccx")
{
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition()
        .H(2).CX(1, 2).Tdg(2).CX(0, 2).T(2).CX(1, 2).Tdg(2).CX(0, 2)
        .T(1).T(2).H(2).CX(0, 1).T(0).Tdg(1).CX(0, 1);
}

/// <summary>Fredkin: swaps qubits 1 and 2 where qubit 0 is 1 (CX(2,1), CCX(0,1,2), CX(2,1)).</summary>
public sealed class CSwapGate() : ControlledGate(new SwapGate(), 1, "cswap")
{
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().CX(2, 1).CCX(0, 1, 2).CX(2, 1);
}

/// <summary>Multi-controlled X with <see cref="ControlledGate.NumControls"/> controls (qubits 0..n−1), target qubit n.</summary>
public sealed class MCXGate(int numControls) : ControlledGate(new XGate(), numControls, "mcx")
{
    /// <summary>One control: CX; two: CCX; more: Barenco Lemma 7.5 with V = √X (SX), no ancillas.</summary>
    public override Circuit Decompose() => NumControls switch
    {
        1 => NewDefinition().CX(0, 1),
        2 => NewDefinition().CCX(0, 1, 2),
        _ => Barenco(new SXGate(), NumControls),
    };
}
