using System.Numerics;

namespace Polymath.Quantum;

/// <summary>SWAP: exchanges qubits 0 and 1 (three CX).</summary>
public sealed class SwapGate() : Gate("swap", 2)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix() => new Complex[,] { { 1, 0, 0, 0 }, { 0, 0, 1, 0 }, { 0, 1, 0, 0 }, { 0, 0, 0, 1 } };
    /// <inheritdoc/>
    public override Gate Inverse() => this;
    /// <inheritdoc/>
    public override Gate Control(int numControls = 1) => numControls == 1 ? new CSwapGate() : base.Control(numControls);
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().CX(0, 1).CX(1, 0).CX(0, 1);
}

/// <summary>iSWAP: swaps |01⟩ and |10⟩ with a phase i: [[1,0,0,0],[0,0,i,0],[0,i,0,0],[0,0,0,1]].</summary>
public sealed class ISwapGate() : Gate("iswap", 2)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix()
    {
        var i = Complex.ImaginaryOne;
        return new Complex[,] { { 1, 0, 0, 0 }, { 0, 0, i, 0 }, { 0, i, 0, 0 }, { 0, 0, 0, 1 } };
    }
    /// <summary>S on both, H on 0, CX(0,1), CX(1,0), H on 1.</summary>
    public override Circuit Decompose() => NewDefinition().S(0).S(1).H(0).CX(0, 1).CX(1, 0).H(1);
}

/// <summary>RXX(θ) = exp(−iθ X⊗X/2).</summary>
public sealed class RXXGate(ParameterExpression theta) : Gate("rxx", 2, theta)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix()
    {
        double c = Math.Cos(P(0) / 2), s = Math.Sin(P(0) / 2);
        Complex ms = new(0, -s);
        return new Complex[,] { { c, 0, 0, ms }, { 0, c, ms, 0 }, { 0, ms, c, 0 }, { ms, 0, 0, c } };
    }
    /// <inheritdoc/>
    public override Gate Inverse() => new RXXGate(-Params[0]);
    /// <summary>H on both, CX, RZ(θ) on 1, CX, H on both.</summary>
    public override Circuit Decompose() => NewDefinition().H(0).H(1).CX(0, 1).RZ(Params[0], 1).CX(0, 1).H(0).H(1);
    /// <inheritdoc/>
    protected override Gate BindCore(IReadOnlyDictionary<string, double> v) => new RXXGate(Params[0].Bind(v));
}

/// <summary>RYY(θ) = exp(−iθ Y⊗Y/2).</summary>
public sealed class RYYGate(ParameterExpression theta) : Gate("ryy", 2, theta)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix()
    {
        double c = Math.Cos(P(0) / 2), s = Math.Sin(P(0) / 2);
        Complex ps = new(0, s), ms = new(0, -s);
        return new Complex[,] { { c, 0, 0, ps }, { 0, c, ms, 0 }, { 0, ms, c, 0 }, { ps, 0, 0, c } };
    }
    /// <inheritdoc/>
    public override Gate Inverse() => new RYYGate(-Params[0]);
    /// <summary>RX(π/2) on both, CX, RZ(θ) on 1, CX, RX(−π/2) on both.</summary>
    public override Circuit Decompose() => NewDefinition()
        .RX(Math.PI / 2, 0).RX(Math.PI / 2, 1).CX(0, 1).RZ(Params[0], 1).CX(0, 1).RX(-Math.PI / 2, 0).RX(-Math.PI / 2, 1);
    /// <inheritdoc/>
    protected override Gate BindCore(IReadOnlyDictionary<string, double> v) => new RYYGate(Params[0].Bind(v));
}

/// <summary>RZZ(θ) = exp(−iθ Z⊗Z/2) = diag(e^{−iθ/2}, e^{iθ/2}, e^{iθ/2}, e^{−iθ/2}).</summary>
public sealed class RZZGate(ParameterExpression theta) : Gate("rzz", 2, theta)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix()
    {
        Complex a = Complex.FromPolarCoordinates(1, -P(0) / 2), b = Complex.FromPolarCoordinates(1, P(0) / 2);
        return new Complex[,] { { a, 0, 0, 0 }, { 0, b, 0, 0 }, { 0, 0, b, 0 }, { 0, 0, 0, a } };
    }
    /// <inheritdoc/>
    public override Gate Inverse() => new RZZGate(-Params[0]);
    /// <summary>CX, RZ(θ) on 1, CX.</summary>
    public override Circuit Decompose() => NewDefinition().CX(0, 1).RZ(Params[0], 1).CX(0, 1);
    /// <inheritdoc/>
    protected override Gate BindCore(IReadOnlyDictionary<string, double> v) => new RZZGate(Params[0].Bind(v));
}
