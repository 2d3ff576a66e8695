using System.Numerics;

namespace Polymath.Quantum;

// The parameterised one-qubit gates; angles are radians and may be symbolic ParameterExpressions.

/// <summary>RX(θ) = exp(−iθX/2) = [[cos θ/2, −i sin θ/2], [−i sin θ/2, cos θ/2]] = U(θ, −π/2, π/2).</summary>
public sealed class RXGate(ParameterExpression theta) : Gate("rx", 1, theta)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix()
    {
        double c = Math.Cos(P(0) / 2), s = Math.Sin(P(0) / 2);
        return new Complex[,] { { c, new(0, -s) }, { new(0, -s), c } };
    }
    /// <inheritdoc/>
    public override Gate Inverse() => new RXGate(-Params[0]);
    /// <inheritdoc/>
    public override Gate Control(int numControls = 1) => numControls == 1 ? new CRXGate(Params[0]) : base.Control(numControls);
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().Append(new UGate(Params[0], -Math.PI / 2, Math.PI / 2), 0);
    /// <inheritdoc/>
    protected override Gate BindCore(IReadOnlyDictionary<string, double> v) => new RXGate(Params[0].Bind(v));
}

/// <summary>RY(θ) = exp(−iθY/2) = [[cos θ/2, −sin θ/2], [sin θ/2, cos θ/2]] = U(θ, 0, 0).</summary>
public sealed class RYGate(ParameterExpression theta) : Gate("ry", 1, theta)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix()
    {
        double c = Math.Cos(P(0) / 2), s = Math.Sin(P(0) / 2);
        return new Complex[,] { { c, -s }, { s, c } };
    }
    /// <inheritdoc/>
    public override Gate Inverse() => new RYGate(-Params[0]);
    /// <inheritdoc/>
    public override Gate Control(int numControls = 1) => numControls == 1 ? new CRYGate(Params[0]) : base.Control(numControls);
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().Append(new UGate(Params[0], 0, 0), 0);
    /// <inheritdoc/>
    protected override Gate BindCore(IReadOnlyDictionary<string, double> v) => new RYGate(Params[0].Bind(v));
}

/// <summary>RZ(θ) = exp(−iθZ/2) = diag(e^{−iθ/2}, e^{iθ/2}) = e^{−iθ/2}·P(θ).</summary>
public sealed class RZGate(ParameterExpression theta) : Gate("rz", 1, theta)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix() =>
        new Complex[,] { { Complex.FromPolarCoordinates(1, -P(0) / 2), 0 }, { 0, Complex.FromPolarCoordinates(1, P(0) / 2) } };
    /// <inheritdoc/>
    public override Gate Inverse() => new RZGate(-Params[0]);
    /// <inheritdoc/>
    public override Gate Control(int numControls = 1) => numControls == 1 ? new CRZGate(Params[0]) : base.Control(numControls);
    /// <inheritdoc/>
    public override Circuit Decompose()
    {
        var c = NewDefinition().Append(new PhaseGate(Params[0]), 0);
        c.GlobalPhase = -Params[0] / 2;
        return c;
    }
    /// <inheritdoc/>
    protected override Gate BindCore(IReadOnlyDictionary<string, double> v) => new RZGate(Params[0].Bind(v));
}

/// <summary>Phase P(λ) = diag(1, e^{iλ}) = U(0, 0, λ).</summary>
public sealed class PhaseGate(ParameterExpression lambda) : Gate("p", 1, lambda)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix() => new Complex[,] { { 1, 0 }, { 0, Complex.FromPolarCoordinates(1, P(0)) } };
    /// <inheritdoc/>
    public override Gate Inverse() => new PhaseGate(-Params[0]);
    /// <inheritdoc/>
    public override Gate Control(int numControls = 1) => numControls == 1 ? new CPhaseGate(Params[0]) : base.Control(numControls);
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().Append(new UGate(0, 0, Params[0]), 0);
    /// <inheritdoc/>
    protected override Gate BindCore(IReadOnlyDictionary<string, double> v) => new PhaseGate(Params[0].Bind(v));
}

/// <summary>
/// The general one-qubit gate U(θ, φ, λ) (OpenQASM's U, Qiskit's U3) =
/// [[cos θ/2, −e^{iλ} sin θ/2], [e^{iφ} sin θ/2, e^{i(φ+λ)} cos θ/2]]. A basis gate.
/// </summary>
public sealed class UGate(ParameterExpression theta, ParameterExpression phi, ParameterExpression lambda) : Gate("u", 1, theta, phi, lambda)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix()
    {
        double c = Math.Cos(P(0) / 2), s = Math.Sin(P(0) / 2);
        return new Complex[,]
        {
            { c, -Complex.FromPolarCoordinates(s, P(2)) },
            { Complex.FromPolarCoordinates(s, P(1)), Complex.FromPolarCoordinates(c, P(1) + P(2)) },
        };
    }
    /// <summary>U(θ, φ, λ)† = U(−θ, −λ, −φ).</summary>
    public override Gate Inverse() => new UGate(-Params[0], -Params[2], -Params[1]);
    /// <inheritdoc/>
    public override Gate Control(int numControls = 1) =>
        numControls == 1 ? new CUGate(Params[0], Params[1], Params[2], 0) : base.Control(numControls);
    /// <inheritdoc/>
    public override bool IsBasis => true;
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().Append(this, 0);
    /// <inheritdoc/>
    protected override Gate BindCore(IReadOnlyDictionary<string, double> v) => new UGate(Params[0].Bind(v), Params[1].Bind(v), Params[2].Bind(v));
}

/// <summary>U2(φ, λ) = U(π/2, φ, λ).</summary>
public sealed class U2Gate(ParameterExpression phi, ParameterExpression lambda) : Gate("u2", 1, phi, lambda)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix() => new UGate(Math.PI / 2, P(0), P(1)).Matrix;
    /// <inheritdoc/>
    public override Gate Inverse() => new UGate(-Math.PI / 2, -Params[1], -Params[0]);
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().Append(new UGate(Math.PI / 2, Params[0], Params[1]), 0);
    /// <inheritdoc/>
    protected override Gate BindCore(IReadOnlyDictionary<string, double> v) => new U2Gate(Params[0].Bind(v), Params[1].Bind(v));
}
