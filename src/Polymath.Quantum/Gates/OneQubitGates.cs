using System.Numerics;

namespace Polymath.Quantum;

// The fixed one-qubit gates. They share this file because each is a matrix literal, its inverse and a one-line
// definition; the parameterised ones are in RotationGates.cs.

/// <summary>Identity. Decomposes into nothing.</summary>
public sealed class IGate() : Gate("id", 1)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix() => MatrixUtil.Identity(2);
    /// <inheritdoc/>
    public override Gate Inverse() => this;
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition();
}

/// <summary>Pauli X (NOT), [[0,1],[1,0]] = U(π, 0, π).</summary>
public sealed class XGate() : Gate("x", 1)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix() => new Complex[,] { { 0, 1 }, { 1, 0 } };
    /// <inheritdoc/>
    public override Gate Inverse() => this;
    /// <summary>CX for one control, CCX for two, MCX beyond.</summary>
    public override Gate Control(int numControls = 1) => numControls switch
    {
        1 => new CXGate(),
        2 => new CCXGate(),
        _ => new MCXGate(numControls),
    };
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().Append(new UGate(Math.PI, 0, Math.PI), 0);
}

/// <summary>Pauli Y, [[0,−i],[i,0]] = U(π, π/2, π/2).</summary>
public sealed class YGate() : Gate("y", 1)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix() => new Complex[,] { { 0, -Complex.ImaginaryOne }, { Complex.ImaginaryOne, 0 } };
    /// <inheritdoc/>
    public override Gate Inverse() => this;
    /// <inheritdoc/>
    public override Gate Control(int numControls = 1) => numControls == 1 ? new CYGate() : base.Control(numControls);
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().Append(new UGate(Math.PI, Math.PI / 2, Math.PI / 2), 0);
}

/// <summary>Pauli Z, diag(1, −1) = P(π).</summary>
public sealed class ZGate() : Gate("z", 1)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix() => new Complex[,] { { 1, 0 }, { 0, -1 } };
    /// <inheritdoc/>
    public override Gate Inverse() => this;
    /// <inheritdoc/>
    public override Gate Control(int numControls = 1) => numControls == 1 ? new CZGate() : base.Control(numControls);
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().Append(new PhaseGate(Math.PI), 0);
}

/// <summary>Hadamard, [[1,1],[1,−1]]/√2 = U(π/2, 0, π).</summary>
public sealed class HGate() : Gate("h", 1)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix()
    {
        double r = 1 / Math.Sqrt(2);
        return new Complex[,] { { r, r }, { r, -r } };
    }
    /// <inheritdoc/>
    public override Gate Inverse() => this;
    /// <inheritdoc/>
    public override Gate Control(int numControls = 1) => numControls == 1 ? new CHGate() : base.Control(numControls);
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().Append(new UGate(Math.PI / 2, 0, Math.PI), 0);
}

/// <summary>S = √Z = diag(1, i) = P(π/2).</summary>
public sealed class SGate() : Gate("s", 1)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix() => new Complex[,] { { 1, 0 }, { 0, Complex.ImaginaryOne } };
    /// <inheritdoc/>
    public override Gate Inverse() => new SdgGate();
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().Append(new PhaseGate(Math.PI / 2), 0);
}

/// <summary>S† = diag(1, −i) = P(−π/2).</summary>
public sealed class SdgGate() : Gate("sdg", 1)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix() => new Complex[,] { { 1, 0 }, { 0, -Complex.ImaginaryOne } };
    /// <inheritdoc/>
    public override Gate Inverse() => new SGate();
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().Append(new PhaseGate(-Math.PI / 2), 0);
}

/// <summary>T = diag(1, e^{iπ/4}) = P(π/4).</summary>
public sealed class TGate() : Gate("t", 1)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix() => new Complex[,] { { 1, 0 }, { 0, Complex.FromPolarCoordinates(1, Math.PI / 4) } };
    /// <inheritdoc/>
    public override Gate Inverse() => new TdgGate();
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().Append(new PhaseGate(Math.PI / 4), 0);
}

/// <summary>T† = diag(1, e^{−iπ/4}) = P(−π/4).</summary>
public sealed class TdgGate() : Gate("tdg", 1)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix() => new Complex[,] { { 1, 0 }, { 0, Complex.FromPolarCoordinates(1, -Math.PI / 4) } };
    /// <inheritdoc/>
    public override Gate Inverse() => new TGate();
    /// <inheritdoc/>
    public override Circuit Decompose() => NewDefinition().Append(new PhaseGate(-Math.PI / 4), 0);
}

/// <summary>√X = [[1+i, 1−i],[1−i, 1+i]]/2 = e^{iπ/4}·RX(π/2).</summary>
public sealed class SXGate() : Gate("sx", 1)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix()
    {
        Complex a = new(0.5, 0.5), b = new(0.5, -0.5);
        return new Complex[,] { { a, b }, { b, a } };
    }
    /// <inheritdoc/>
    public override Gate Inverse() => new SXdgGate();
    /// <inheritdoc/>
    public override Circuit Decompose()
    {
        var c = NewDefinition().Append(new RXGate(Math.PI / 2), 0);
        c.GlobalPhase = Math.PI / 4;
        return c;
    }
}

/// <summary>√X† = [[1−i, 1+i],[1+i, 1−i]]/2 = e^{−iπ/4}·RX(−π/2).</summary>
public sealed class SXdgGate() : Gate("sxdg", 1)
{
    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix()
    {
        Complex a = new(0.5, -0.5), b = new(0.5, 0.5);
        return new Complex[,] { { a, b }, { b, a } };
    }
    /// <inheritdoc/>
    public override Gate Inverse() => new SXGate();
    /// <inheritdoc/>
    public override Circuit Decompose()
    {
        var c = NewDefinition().Append(new RXGate(-Math.PI / 2), 0);
        c.GlobalPhase = -Math.PI / 4;
        return c;
    }
}
