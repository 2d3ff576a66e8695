using System.Numerics;
using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Quantum.Tests;

/// <summary>Every gate: matrix vs decomposition, inverse, controlled form, and simulator vs dense reference.</summary>
public class GateTests(ITestOutputHelper output)
{
    // Matrices are products of at most a few hundred float64 complex terms: round-off stays below 1e-12.
    private const double MatrixTolerance = 1e-10;

    private static readonly double A = 0.7321, B = -1.234, C = 2.468, D = 0.3917;

    public static IEnumerable<object[]> AllGates()
    {
        Gate[] gates =
        [
            new IGate(), new XGate(), new YGate(), new ZGate(), new HGate(), new SGate(), new SdgGate(), new TGate(), new TdgGate(),
            new SXGate(), new SXdgGate(), new RXGate(A), new RYGate(B), new RZGate(C), new PhaseGate(D), new UGate(A, B, C), new U2Gate(B, D),
            new CXGate(), new CYGate(), new CZGate(), new CHGate(), new CPhaseGate(A), new CRXGate(B), new CRYGate(C), new CRZGate(D),
            new CUGate(A, B, C, D), new SwapGate(), new ISwapGate(), new RXXGate(A), new RYYGate(B), new RZZGate(C),
            new CCXGate(), new CSwapGate(), new MCXGate(3), new MCXGate(4),
            new UGate(A, B, C).Control(2), new HGate().Control(3), new RZGate(B).Control(2), new ISwapGate().Control(1), new SwapGate().Control(2),
            new UnitaryGate(new UGate(B, C, D).Matrix), new UnitaryGate(new UGate(A, C, D).Matrix).Control(1),
            new ISwapGate().Inverse(), new RXXGate(B).Control(1),
            new UnitaryGate(RandomMatrices.Unitary(2, new Random(1))), new UnitaryGate(RandomMatrices.Unitary(3, new Random(2))),
            new UnitaryGate(RandomMatrices.Unitary(2, new Random(3))).Control(1),
        ];
        return gates.Select(g => new object[] { g });
    }

    [Theory]
    [MemberData(nameof(AllGates))]
    public void MatrixEqualsItsDecomposition(Gate gate)
    {
        var def = gate.Decompose();
        Assert.Equal(gate.NumQubits, def.NumQubits);
        var product = def.ToMatrix();
        double exact = Dense.MaxDiff(gate.Matrix, product);
        double upToPhase = Dense.MaxDiffUpToPhase(gate.Matrix, product);
        output.WriteLine($"{gate}: exact {exact:G3}, up to phase {upToPhase:G3}");
        Assert.True(upToPhase < MatrixTolerance, $"{gate}: decomposition differs by {upToPhase:G3}");
        // Our definitions also carry their global phase, so the match is exact.
        Assert.True(exact < MatrixTolerance, $"{gate}: decomposition's global phase is off ({exact:G3})");
    }

    [Theory]
    [MemberData(nameof(AllGates))]
    public void FullDecompositionReachesTheBasis(Gate gate)
    {
        var c = new Circuit(gate.NumQubits).Append(gate, Enumerable.Range(0, gate.NumQubits).ToArray());
        for (int level = 0; level < 30 && c.Instructions.Any(i => !i.Gate!.IsBasis); level++) c = c.Decompose();
        Assert.All(c.Instructions, i => Assert.Contains(i.Name, new[] { "u", "cx" }));
        Assert.True(Dense.MaxDiff(gate.Matrix, c.ToMatrix()) < MatrixTolerance);
    }

    [Theory]
    [MemberData(nameof(AllGates))]
    public void InverseTimesMatrixIsIdentity(Gate gate)
    {
        var p = Dense.Mul(gate.Inverse().Matrix, gate.Matrix);
        Assert.True(Dense.MaxDiff(p, Dense.Eye(p.GetLength(0))) < MatrixTolerance, $"{gate}: U†U ≠ I");
        Assert.Equal(gate.NumQubits, gate.Inverse().NumQubits);
    }

    [Theory]
    [MemberData(nameof(AllGates))]
    public void ControlOneIsTheControlledBlockMatrix(Gate gate)
    {
        var u = gate.Matrix;
        int d = u.GetLength(0);
        var p0 = new Complex[,] { { 1, 0 }, { 0, 0 } };
        var p1 = new Complex[,] { { 0, 0 }, { 0, 1 } };
        // The control is qubit 0, the rightmost Kronecker factor: I ⊗ |0⟩⟨0| + U ⊗ |1⟩⟨1|.
        var expected = Dense.Kron(Dense.Eye(d), p0);
        var block = Dense.Kron(u, p1);
        for (int i = 0; i < 2 * d; i++) for (int j = 0; j < 2 * d; j++) expected[i, j] += block[i, j];
        var cg = gate.Control(1);
        Assert.Equal(gate.NumQubits + 1, cg.NumQubits);
        Assert.True(Dense.MaxDiff(expected, cg.Matrix) < MatrixTolerance, $"{gate}.Control(1)");
    }

    [Theory]
    [MemberData(nameof(AllGates))]
    public void SimulatorMatchesDenseProduct(Gate gate)
    {
        const int n = 5;
        int seed = 1000 + gate.NumQubits * 7 + gate.Name.Length;
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        for (int trial = 0; trial < 4; trial++)
        {
            int[] qubits = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).Take(gate.NumQubits).ToArray();
            var v = Dense.RandomState(n, rng);
            var s = StateVector.FromAmplitudes(v);
            s.Apply(gate, qubits);
            var expected = Dense.MulVec(Dense.Embed(gate.Matrix, qubits, n), v);
            Assert.True(Dense.MaxDiff(expected, s.ToArray()) < MatrixTolerance, $"{gate} on [{string.Join(",", qubits)}]");
        }
    }

    [Fact]
    public void EmbedAgreesWithKroneckerOnContiguousQubits()
    {
        var g = new CUGate(A, B, C, D).Matrix;
        Assert.True(Dense.MaxDiff(Dense.OnContiguous(g, 1, 4), Dense.Embed(g, [1, 2], 4)) < MatrixTolerance);
        var h = new HGate().Matrix;
        Assert.True(Dense.MaxDiff(Dense.OnContiguous(h, 2, 3), Dense.Embed(h, [2], 3)) < MatrixTolerance);
    }

    [Fact]
    public void QubitOrderIsLittleEndian()
    {
        // |01⟩ means q0 = 1, q1 = 0: basis index 1.
        var s = StateVector.Basis(2, 0b01);
        s.Apply(new CXGate(), 0, 1);                 // control q0 = 1 → flips q1 → |11⟩
        Assert.Equal(1.0, s[0b11].Real, 12);
        var t = StateVector.Basis(2, 0b01);
        t.Apply(new CXGate(), 1, 0);                 // control q1 = 0 → unchanged
        Assert.Equal(1.0, t[0b01].Real, 12);
        // Same thing through dense Kronecker products: CX(control 0) = X ⊗ |1⟩⟨1| + I ⊗ |0⟩⟨0|.
        var x = new XGate().Matrix;
        var cx0 = Dense.Kron(x, new Complex[,] { { 0, 0 }, { 0, 1 } });
        var id = Dense.Kron(Dense.Eye(2), new Complex[,] { { 1, 0 }, { 0, 0 } });
        for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) cx0[i, j] += id[i, j];
        Assert.True(Dense.MaxDiff(cx0, new CXGate().Matrix) < MatrixTolerance);
        Assert.Equal("11", StateVector.ToBitString(3, 2));
        Assert.Equal("01", StateVector.ToBitString(1, 2));
    }

    [Fact]
    public void SymbolicParametersBindAndInvert()
    {
        var theta = new Parameter("theta");
        var g = new CRZGate(theta);
        Assert.True(g.IsParameterized);
        Assert.Throws<InvalidOperationException>(() => g.Matrix);
        var bound = g.Bind(new Dictionary<string, double> { ["theta"] = 0.8 });
        Assert.Equal("crz", bound.Name);
        Assert.True(Dense.MaxDiff(bound.Matrix, new CRZGate(0.8).Matrix) < MatrixTolerance);
        var inv = g.Inverse().Bind(new Dictionary<string, double> { ["theta"] = 0.8 });
        Assert.True(Dense.MaxDiff(inv.Matrix, new CRZGate(-0.8).Matrix) < MatrixTolerance);
        var dec = g.Decompose().Bind(new Dictionary<string, double> { ["theta"] = 0.8 });
        Assert.True(Dense.MaxDiff(dec.ToMatrix(), new CRZGate(0.8).Matrix) < MatrixTolerance);
    }
}
