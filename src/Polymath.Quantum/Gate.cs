using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// A quantum gate as a complete object (Qiskit's model): name, arity, parameters, matrix, inverse,
/// controlled form and decomposition. The matrix is row-major and little-endian in the gate's own qubits:
/// bit j of a row or column index is the gate's qubit j, so for <see cref="CXGate"/> (control = qubit 0)
/// it is [[1,0,0,0],[0,0,0,1],[0,0,1,0],[0,1,0,0]].
/// </summary>
public abstract class Gate
{
    private readonly ParameterExpression[] _params;

    /// <summary>Sets the name, arity and parameters.</summary>
    protected Gate(string name, int numQubits, params ParameterExpression[] parameters)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numQubits, 1);
        Name = name;
        NumQubits = numQubits;
        _params = parameters;
    }

    /// <summary>Lower-case name as in Qiskit and OpenQASM ("h", "cx", "rz", ...).</summary>
    public string Name { get; }

    /// <summary>Number of qubits the gate acts on.</summary>
    public int NumQubits { get; }

    /// <summary>The gate's parameters (angles in radians), possibly symbolic.</summary>
    public IReadOnlyList<ParameterExpression> Params => _params;

    /// <summary>True when some parameter is still symbolic, so <see cref="Matrix"/> cannot be formed.</summary>
    public bool IsParameterized => _params.Any(p => !p.IsBound);

    /// <summary>The 2ᵏ×2ᵏ unitary (a fresh copy), row-major, little-endian in the gate's qubits.</summary>
    /// <exception cref="InvalidOperationException">A parameter is unbound.</exception>
    public Complex[,] Matrix
    {
        get
        {
            foreach (var p in _params) _ = p.Value;
            return BuildMatrix();
        }
    }

    /// <summary>Builds the matrix; parameters are bound when called.</summary>
    protected abstract Complex[,] BuildMatrix();

    /// <summary>The value of parameter <paramref name="i"/> (bound).</summary>
    protected double P(int i) => _params[i].Value;

    /// <summary>The inverse gate U†.</summary>
    public virtual Gate Inverse() => new InverseGate(this);

    /// <summary>
    /// This gate controlled on <paramref name="numControls"/> extra qubits, which come first: the result's qubits are
    /// [controls..., this gate's qubits...], and it applies this gate where all controls are 1.
    /// </summary>
    public virtual Gate Control(int numControls = 1) => new ControlledGate(this, numControls);

    /// <summary>
    /// One level of decomposition into simpler gates (Qiskit's definition), ending in the basis {U, CX};
    /// a basis gate returns a circuit holding only itself. Exact, including the circuit's global phase.
    /// </summary>
    public abstract Circuit Decompose();

    /// <summary>True for the basis gates U and CX, whose decomposition is themselves.</summary>
    public virtual bool IsBasis => false;

    /// <summary>The gate with the given parameter values substituted (this gate if none are free).</summary>
    public Gate Bind(IReadOnlyDictionary<string, double> values) =>
        IsParameterized ? BindCore(values) : this;

    /// <summary>Rebuilds the gate with bound parameters; parameterised gates override it.</summary>
    protected virtual Gate BindCore(IReadOnlyDictionary<string, double> values) =>
        throw new NotSupportedException($"gate '{Name}' does not support binding parameters");

    /// <summary>Binds each parameter expression.</summary>
    protected ParameterExpression[] BoundParams(IReadOnlyDictionary<string, double> values) =>
        _params.Select(p => p.Bind(values)).ToArray();

    /// <summary>A circuit of <see cref="NumQubits"/> qubits, for writing decompositions.</summary>
    protected Circuit NewDefinition() => new(NumQubits);

    /// <inheritdoc/>
    public override string ToString() => _params.Length == 0 ? Name : $"{Name}({string.Join(", ", _params)})";
}

/// <summary>
/// <see cref="BaseGate"/> applied where <see cref="NumControls"/> control qubits are all 1. Its qubits are
/// [controls..., base qubits...]; the matrix is block-diagonal: identity except on indices whose low
/// <see cref="NumControls"/> bits are all 1, where it is the base matrix.
/// </summary>
public class ControlledGate : Gate
{
    /// <summary>A controlled gate named "c{n}{base}" unless a name is given.</summary>
    public ControlledGate(Gate baseGate, int numControls, string? name = null)
        : base(name ?? (numControls == 1 ? "c" : $"c{numControls}") + baseGate.Name, baseGate.NumQubits + numControls, [.. baseGate.Params])
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numControls, 1);
        BaseGate = baseGate;
        NumControls = numControls;
    }

    /// <summary>The gate applied when all controls are 1.</summary>
    public Gate BaseGate { get; }

    /// <summary>Number of control qubits (the first ones).</summary>
    public int NumControls { get; }

    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix() => MatrixUtil.Controlled(BaseGate.Matrix, NumControls);

    /// <inheritdoc/>
    public override Gate Inverse() => BaseGate.Inverse().Control(NumControls);

    /// <inheritdoc/>
    public override Gate Control(int numControls = 1) => BaseGate.Control(NumControls + numControls);

    /// <inheritdoc/>
    protected override Gate BindCore(IReadOnlyDictionary<string, double> values) => BaseGate.Bind(values).Control(NumControls);

    /// <summary>
    /// One control on a 1-qubit gate: the CU circuit from its U3 angles; several controls on a 1-qubit gate:
    /// Barenco et al. (1995) Lemma 7.5 with V² = U; a multi-qubit base: each gate of its decomposition
    /// controlled, plus the base's global phase as a (multi-)controlled phase on the controls.
    /// </summary>
    public override Circuit Decompose()
    {
        int n = NumControls;
        if (BaseGate.NumQubits == 1)
        {
            if (n == 1)
            {
                var (theta, phi, lambda, gamma) = MatrixUtil.U3Angles(BaseGate.Matrix);
                return CUGate.Definition(theta, phi, lambda, gamma);
            }
            return Barenco(new UnitaryGate(MatrixUtil.Sqrt2x2(BaseGate.Matrix)), n);
        }
        var inner = BaseGate.Decompose();
        var c = NewDefinition();
        int[] controls = Enumerable.Range(0, n).ToArray();
        foreach (var ins in inner.Instructions)
            c.Append(ins.Gate!.Control(n), [.. controls, .. ins.Qubits.Select(q => q + n)]);
        var phase = inner.GlobalPhase;
        if (!(phase.IsBound && phase.Value == 0))
        {
            if (n == 1) c.Append(new PhaseGate(phase), 0);
            else c.Append(new PhaseGate(phase).Control(n - 1), controls);
        }
        return c;
    }

    /// <summary>Cⁿ(U) = C(V) on (cₙ, t) · Cⁿ⁻¹X onto cₙ · C(V†) on (cₙ, t) · Cⁿ⁻¹X onto cₙ · Cⁿ⁻¹(V) on (c₁..cₙ₋₁, t).</summary>
    internal static Circuit Barenco(Gate v, int n)
    {
        var c = new Circuit(n + 1);
        int last = n - 1, t = n;
        int[] rest = Enumerable.Range(0, n - 1).ToArray();
        c.Append(v.Control(1), last, t);
        c.Append(new XGate().Control(n - 1), [.. rest, last]);
        c.Append(v.Inverse().Control(1), last, t);
        c.Append(new XGate().Control(n - 1), [.. rest, last]);
        c.Append(v.Control(n - 1), [.. rest, t]);
        return c;
    }
}

/// <summary>The inverse U† of a gate without a named inverse; named "{base}_dg".</summary>
public sealed class InverseGate : Gate
{
    /// <summary>The inverse of <paramref name="baseGate"/>.</summary>
    public InverseGate(Gate baseGate) : base(baseGate.Name + "_dg", baseGate.NumQubits, [.. baseGate.Params]) => BaseGate = baseGate;

    /// <summary>The gate being inverted.</summary>
    public Gate BaseGate { get; }

    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix() => MatrixUtil.Dagger(BaseGate.Matrix);

    /// <inheritdoc/>
    public override Gate Inverse() => BaseGate;

    /// <inheritdoc/>
    public override Circuit Decompose() => BaseGate.Decompose().Inverse();

    /// <inheritdoc/>
    protected override Gate BindCore(IReadOnlyDictionary<string, double> values) => new InverseGate(BaseGate.Bind(values));
}

/// <summary>An arbitrary k-qubit unitary given as a matrix (row-major, little-endian in its qubits), checked for unitarity.</summary>
public sealed class UnitaryGate : Gate
{
    private readonly Complex[,] _matrix;

    /// <summary>Wraps a copy of <paramref name="matrix"/>.</summary>
    /// <exception cref="ArgumentException">Not 2ᵏ×2ᵏ, or not unitary: the message gives max |(U†U − I)ij|.</exception>
    public UnitaryGate(Complex[,] matrix, string name = "unitary")
        : base(name, CheckShape(matrix))
    {
        MatrixUtil.EnsureUnitary(matrix, $"UnitaryGate '{name}'");
        _matrix = (Complex[,])matrix.Clone();
    }

    private static int CheckShape(Complex[,] m)
    {
        ArgumentNullException.ThrowIfNull(m);
        int d = m.GetLength(0);
        if (d < 2 || d != m.GetLength(1) || (d & (d - 1)) != 0)
            throw new ArgumentException($"UnitaryGate needs a 2^k×2^k matrix, got {m.GetLength(0)}×{m.GetLength(1)}", nameof(m));
        return BitOperations.Log2((uint)d);
    }

    /// <inheritdoc/>
    protected override Complex[,] BuildMatrix() => (Complex[,])_matrix.Clone();

    /// <inheritdoc/>
    public override Gate Inverse() => new UnitaryGate(MatrixUtil.Dagger(_matrix), Name.EndsWith("_dg", StringComparison.Ordinal) ? Name[..^3] : Name + "_dg");

    /// <summary>
    /// One qubit: U(θ, φ, λ) with the global phase. Several qubits: two-level (Givens) decomposition into
    /// multi-controlled single-qubit gates joined by Gray-code controlled flips; exact, global phase included,
    /// O(4ᵏ) gates (fine for the few-qubit unitaries circuits are given; not an optimal synthesis).
    /// </summary>
    public override Circuit Decompose()
    {
        if (NumQubits > 1) return TwoLevelDecomposition.Decompose(_matrix);
        var (theta, phi, lambda, gamma) = MatrixUtil.U3Angles(_matrix);
        var c = NewDefinition();
        c.GlobalPhase = gamma;
        return c.Append(new UGate(theta, phi, lambda), 0);
    }
}
