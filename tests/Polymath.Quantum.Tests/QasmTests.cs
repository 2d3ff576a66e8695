using System.Numerics;
using Polymath.Quantum;
using Xunit;

namespace Polymath.Quantum.Tests;

/// <summary>OpenQASM 2.0 import and export.</summary>
public class QasmTests
{
    // Small circuits: matrices agree to float64 round-off.
    private const double Tolerance = 1e-10;

    private const string Header = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\n";

    private static void AssertClose(Complex[,] a, Complex[,] b)
    {
        Assert.Equal(a.GetLength(0), b.GetLength(0));
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++)
                Assert.True((a[i, j] - b[i, j]).Magnitude < Tolerance, $"[{i},{j}]: {a[i, j]} vs {b[i, j]}");
    }

    private static Complex[,] Unitary(Circuit c) => c.ToMatrix();

    [Fact]
    public void BellMatchesBuilder()
    {
        var parsed = Qasm.Parse(Header + "qreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\n");
        Assert.Equal(2, parsed.NumQubits);
        Assert.Equal(2, parsed.NumClbits);
        var a = Simulator.Statevector(parsed);
        var b = Simulator.Statevector(new Circuit(2).H(0).CX(0, 1));
        for (int i = 0; i < 4; i++) Assert.True((a[i] - b[i]).Magnitude < Tolerance);
    }

    [Fact]
    public void MeasureForms()
    {
        var c = Qasm.Parse(Header + "qreg q[2]; creg c[2]; creg d[1];\nmeasure q -> c;\nmeasure q[1] -> d[0];");
        Assert.Equal(3, c.NumClbits);
        Assert.Equal(3, c.Size);
        Assert.All(c.Instructions, i => Assert.True(i.IsMeasurement));
        Assert.Equal([1], c.Instructions[2].Qubits);
        Assert.Equal([2], c.Instructions[2].Clbits);
    }

    private static Circuit AllGates()
    {
        var c = new Circuit(3, 2);
        c.I(0).X(1).Y(2).Z(0).H(1).S(2).Sdg(0).T(1).Tdg(2).SX(0).SXdg(1)
         .RX(0.3, 2).RY(-1.25, 0).RZ(Math.PI / 7, 1).P(0.1, 2).U(0.4, 0.5, 0.6, 0).U2(0.7, -0.8, 1)
         .CX(0, 1).CY(1, 2).CZ(2, 0).CH(0, 2).CP(0.9, 1, 0).CRX(1.1, 2, 1).CRY(1.2, 0, 1).CRZ(1.3, 1, 2)
         .CU(0.2, 0.3, 0.4, 0, 0, 1).CU(0.2, 0.3, 0.4, 0.5, 2, 0)
         .Swap(0, 2).RXX(0.35, 0, 1).RZZ(0.45, 1, 2).CCX(0, 1, 2).CSwap(2, 0, 1)
         .Append(new SXGate().Control(1), 1, 0);
        return c;
    }

    [Fact]
    public void RoundTripTextAndUnitary()
    {
        var c = AllGates();
        string text = Qasm.ToQasm(c);
        var back = Qasm.Parse(text);
        Assert.Equal(text, Qasm.ToQasm(back));
        Assert.Equal(c.Size, back.Size);
        AssertClose(Unitary(c), Unitary(back));
        Assert.Contains("creg c[2];", text);
    }

    [Fact]
    public void RoundTripWithMeasurementsAndMcx()
    {
        var c = new Circuit(5, 2).H(0).MCX([0, 1, 2], 3).MCX([0, 1, 2, 3], 4).Measure(0, 1).Measure(4, 0);
        string text = Qasm.ToQasm(c);
        Assert.Contains("c3x q[0],q[1],q[2],q[3];", text);
        Assert.Contains("measure q[4] -> c[0];", text);
        Assert.Equal(text, Qasm.ToQasm(Qasm.Parse(text)));
    }

    [Fact]
    public void NonQelibGatesExportAsDecomposition()
    {
        var c = new Circuit(2).ISwap(0, 1).RYY(0.7, 0, 1);
        var back = Qasm.Parse(Qasm.ToQasm(c));
        // OpenQASM 2.0 has no global phase: compare up to one.
        var a = Unitary(c); var b = Unitary(back);
        Complex phase = b[0, 0] / a[0, 0];
        Assert.True(Math.Abs(phase.Magnitude - 1) < Tolerance);
        for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) Assert.True((a[i, j] * phase - b[i, j]).Magnitude < Tolerance);
    }

    [Fact]
    public void ParametersUseRoundTripFormat()
    {
        double x = 0.1 + 0.2;
        string text = Qasm.ToQasm(new Circuit(1).RZ(x, 0).RX(1e-20, 0));
        Assert.Contains("rz(0.30000000000000004) q[0];", text);
        var back = Qasm.Parse(text);
        Assert.Equal(x, back.Instructions[0].Gate!.Params[0].Value);
        Assert.Equal(1e-20, back.Instructions[1].Gate!.Params[0].Value);
    }

    [Fact]
    public void UnboundParameterExportThrows() =>
        Assert.Throws<InvalidOperationException>(() => Qasm.ToQasm(new Circuit(1).RZ(new Parameter("t"), 0)));

    [Fact]
    public void RegisterBroadcastAndFlatIndices()
    {
        var c = Qasm.Parse(Header + "qreg a[2];\nqreg b[2];\nh a;\ncx a, b;\ncx a[0], b;\nU(0,0,0) b[1];");
        Assert.Equal(4, c.NumQubits);
        var ins = c.Instructions;
        Assert.Equal(7, ins.Count);
        Assert.Equal([0], ins[0].Qubits); Assert.Equal([1], ins[1].Qubits);
        Assert.Equal([0, 2], ins[2].Qubits); Assert.Equal([1, 3], ins[3].Qubits);
        Assert.Equal([0, 2], ins[4].Qubits); Assert.Equal([0, 3], ins[5].Qubits);
        Assert.Equal([3], ins[6].Qubits);
    }

    [Fact]
    public void UserGateWithParameters()
    {
        var c = Qasm.Parse(Header + """
            // a parameterised user gate that uses another
            gate myrot(a, b) x { rz(a/2) x; ry(-b) x; }
            gate pair(t) x, y { myrot(t, 2*t) y; cx x, y; barrier x, y; U(t^2, 0, pi) x; }
            qreg q[2];
            pair(0.5) q[1], q[0];
            """);
        var expected = new Circuit(2).RZ(0.25, 0).RY(-1.0, 0).CX(1, 0).U(0.25, 0, Math.PI, 1);
        Assert.Equal(expected.Size, c.Size);
        AssertClose(Unitary(expected), Unitary(c));
    }

    [Fact]
    public void PiExpressions()
    {
        var c = Qasm.Parse(Header + "qreg q[1];\nrz(-pi/4 + 2*(pi - 1)^2) q[0];\nrx(sin(pi/2) + cos(0) + tan(0) + exp(0) + ln(1) + sqrt(4)) q[0];\nry(-2^2) q[0];\nrz(1.5e-1) q[0]; // trailing comment\nu2(pi, -pi) q[0];");
        Assert.Equal(-Math.PI / 4 + 2 * Math.Pow(Math.PI - 1, 2), c.Instructions[0].Gate!.Params[0].Value, 12);
        Assert.Equal(5.0, c.Instructions[1].Gate!.Params[0].Value, 12);
        Assert.Equal(-4.0, c.Instructions[2].Gate!.Params[0].Value, 12);
        Assert.Equal(0.15, c.Instructions[3].Gate!.Params[0].Value, 12);
    }

    [Fact]
    public void BarrierIsKeptButIsNoOperation()
    {
        var c = Qasm.Parse(Header + "qreg q[3];\nbarrier q;\nbarrier q[0], q[2];\nx q[0];");
        Assert.Equal(1, c.Size);
        Assert.Equal(3, c.Instructions.Count);
        Assert.Equal(InstructionKind.Barrier, c.Instructions[0].Kind);
        Assert.Equal([0, 1, 2], c.Instructions[0].Qubits);
        Assert.Equal([0, 2], c.Instructions[1].Qubits);
        Assert.Contains("barrier q[0],q[1],q[2];\nbarrier q[0],q[2];\nx q[0];", Qasm.ToQasm(c));
        AssertClose(Unitary(new Circuit(3).X(0)), Unitary(c));
        Assert.Equal([1, 0, 2], Qasm.Parse(Header + "qreg q[3];\nbarrier q[1], q;").Instructions[0].Qubits);
    }

    [Fact]
    public void ResetBroadcastsOverRegisters()
    {
        var c = Qasm.Parse(Header + "qreg a[1];\nqreg b[2];\nreset a[0];\nreset b;");
        Assert.Equal(3, c.Size);
        Assert.All(c.Instructions, i => Assert.Equal(InstructionKind.Reset, i.Kind));
        Assert.Equal(new[] { 0, 1, 2 }, c.Instructions.Select(i => i.Qubits[0]));
        Assert.Equal("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg a[1];\nqreg b[2];\nreset a[0];\nreset b[0];\nreset b[1];\n", Qasm.ToQasm(c));
    }

    [Fact]
    public void IfConditionsGateMeasureResetAndUserGates()
    {
        var c = Qasm.Parse(Header + """
            gate flip2 a, b { x a; x b; }
            qreg q[2]; creg lo[1]; creg hi[2];
            if(hi==3) x q[0];
            if (lo == 1) measure q[1] -> hi[0];
            if(hi==2) reset q;
            if(lo==0) flip2 q[1], q[0];
            """);
        Assert.Equal(["lo", "hi"], c.ClassicalRegisters.Select(r => r.Name));
        var ins = c.Instructions;
        Assert.Equal(6, ins.Count);
        Assert.Equal("hi", ins[0].Condition!.Register!.Name);
        Assert.Equal(3, ins[0].Condition!.Value);
        Assert.Equal([1, 2], ins[0].Condition!.Clbits);
        Assert.Equal(InstructionKind.Measure, ins[1].Kind);
        Assert.Equal([0], ins[1].Condition!.Clbits);
        Assert.Equal([1], ins[1].Clbits);
        Assert.All(ins.Skip(2).Take(2), i => Assert.Equal((InstructionKind.Reset, 2L), (i.Kind, i.Condition!.Value)));
        Assert.All(ins.Skip(4), i => Assert.Equal(("x", "lo"), (i.Name, i.Condition!.Register!.Name)));
        string text = Qasm.ToQasm(c);
        Assert.Contains("if(hi==3) x q[0];\nif(lo==1) measure q[1] -> hi[0];\nif(hi==2) reset q[0];\nif(hi==2) reset q[1];\nif(lo==0) x q[1];\nif(lo==0) x q[0];\n", text);
        Assert.Equal(text, Qasm.ToQasm(Qasm.Parse(text)));
    }

    [Fact]
    public void DynamicCircuitRoundTripKeepsBehaviour()
    {
        // Teleport-like: the parsed-back circuit must give the same seeded counts as the original.
        var c = new Circuit(0);
        var q = c.AddQuantumRegister("q", 3);
        var m0 = c.AddClassicalRegister("m0", 1);
        var m1 = c.AddClassicalRegister("m1", 1);
        var res = c.AddClassicalRegister("out", 1);
        c.RY(0.7, 0).H(1).CX(1, 2).Barrier().CX(0, 1).H(0).Measure(q[0], m0[0]).Measure(q[1], m1[0])
         .If(m1, 1, b => b.X(2)).If(m0, 1, b => b.Z(2)).Measure(q[2], res[0]).Reset(0, 1);
        string text = Qasm.ToQasm(c);
        var back = Qasm.Parse(text);
        Assert.Equal(text, Qasm.ToQasm(back));
        Assert.Equal(Simulator.Run(c, 300, 5), Simulator.Run(back, 300, 5));
        Assert.Equal(c.Instructions.Select(i => i.ToString()), back.Instructions.Select(i => i.ToString()));
    }

    [Fact]
    public void SingleBitConditionOfALargerRegisterCannotBeExported()
    {
        var c = new Circuit(1, 2).Measure(0, 1).If(1, 1, b => b.X(0));
        var ex = Assert.Throws<NotSupportedException>(() => Qasm.ToQasm(c));
        Assert.Contains("instruction 1", ex.Message);
        Assert.Contains("whole classical register", ex.Message);
        // A bit that is a register of its own can.
        var d = new Circuit(1);
        var flag = d.AddClassicalRegister("flag", 1);
        d.Measure(0, flag[0]).If(flag[0], 1, b => b.X(0));
        Assert.Contains("if(flag==1) x q[0];", Qasm.ToQasm(d));
    }

    [Fact]
    public void ConditionedNonQelibGateExportsItsDecompositionConditioned()
    {
        var c = new Circuit(2, 1).If(0, 1, b => b.ISwap(0, 1));
        string text = Qasm.ToQasm(c);
        var lines = text.Split('\n').Skip(4).Where(l => l.Length > 0).ToList();
        Assert.True(lines.Count > 1);
        Assert.All(lines, l => Assert.StartsWith("if(c==1) ", l));
    }

    [Theory]
    [InlineData("qreg q[1];\nfoo q[0];", 4, 1, "unknown gate 'foo'")]
    [InlineData("qreg q[2];\ncx q[0];", 4, 1, "expects 2 qubit")]
    [InlineData("qreg q[1];\nrx q[0];", 4, 1, "expects 1 parameter")]
    [InlineData("qreg q[1];\nh r[0];", 4, 3, "undeclared quantum register 'r'")]
    [InlineData("qreg q[2];\nh q[2];", 4, 5, "out of range")]
    [InlineData("qreg q[2];\nh q[0;", 4, 6, "expected ']'")]
    [InlineData("qreg q[1];\nrx((pi) q[0];", 4, 9, "expected ')'")]
    [InlineData("qreg q[1];\nh q[0]\nx q[0];", 5, 1, "expected ';'")]
    [InlineData("qreg q[1];\nh q[0] @;", 4, 8, "unexpected character '@'")]
    [InlineData("qreg q[1];\ngate g a { h a;\n", 5, 1, "expected '}'")]
    [InlineData("qreg q[1];\n}", 4, 1, "expected a statement")]
    [InlineData("qreg q[2];\ncx q[0], q[0];", 4, 10, "same qubit twice")]
    [InlineData("qreg q[1];\ncreg c[1];\nreset r[0];", 5, 7, "undeclared quantum register 'r'")]
    [InlineData("qreg q[1];\ncreg c[1];\nif (c==2) x q[0];", 5, 8, "does not fit register 'c'")]
    [InlineData("qreg q[1];\ncreg c[1];\nif (q==1) x q[0];", 5, 5, "is a quantum register")]
    [InlineData("qreg q[1];\ncreg c[1];\nif (d==1) x q[0];", 5, 5, "undeclared classical register 'd'")]
    [InlineData("qreg q[1];\ncreg c[2];\nif (c[0]==1) x q[0];", 5, 6, "whole classical register")]
    [InlineData("qreg q[1];\ncreg c[1];\nif (c=1) x q[0];", 5, 6, "unexpected character '='")]
    [InlineData("qreg q[1];\ncreg c[1];\nif (c) x q[0];", 5, 6, "expected '=='")]
    [InlineData("qreg q[1];\ncreg c[1];\nif (c==1) barrier q;", 5, 11, "expected a gate call, measure or reset")]
    [InlineData("qreg q[1];\ncreg c[1];\nif (c==1) if (c==0) x q[0];", 5, 11, "expected a gate call, measure or reset")]
    [InlineData("qreg q[1];\ngate g a { reset a; }", 4, 12, "expected a gate call")]
    [InlineData("opaque magic a;", 3, 1, "'opaque'")]
    [InlineData("qreg q[1];\nrx(theta) q[0];", 4, 4, "unknown identifier 'theta'")]
    [InlineData("qreg q[2]; creg c[1];\nmeasure q -> c;", 4, 1, "same size")]
    [InlineData("qreg q[2]; qreg r[3];\ncx q, r;", 4, 7, "broadcast")]
    [InlineData("qreg q[1];\nqreg q[2];", 4, 6, "already declared")]
    [InlineData("qreg q[0];", 3, 8, "must be positive")]
    [InlineData("qreg q[2000000000];\nqreg r[2000000000];", 4, 8, "exceed")]
    [InlineData("gate g(a) x { rz(b) x; }", 3, 18, "unknown identifier 'b'")]
    [InlineData("gate g x { h y; }", 3, 14, "unknown qubit argument 'y'")]
    public void ErrorsGiveLineAndColumn(string body, int line, int column, string fragment)
    {
        var ex = Assert.Throws<QasmException>(() => Qasm.Parse(Header + body));
        Assert.Equal(line, ex.Line);
        Assert.Equal(column, ex.Column);
        Assert.Contains($"line {line}, column {column}", ex.Message);
        Assert.Contains(fragment, ex.Message);
    }

    [Fact]
    public void HeaderAndIncludeErrors()
    {
        var e1 = Assert.Throws<QasmException>(() => Qasm.Parse("qreg q[1];"));
        Assert.Contains("line 1, column 1", e1.Message);
        Assert.Contains("OPENQASM 2.0", e1.Message);
        var e2 = Assert.Throws<QasmException>(() => Qasm.Parse("OPENQASM 3.0;"));
        Assert.Contains("line 1, column 10", e2.Message);
        var e3 = Assert.Throws<QasmException>(() => Qasm.Parse("OPENQASM 2.0;\nqreg q[1];\nh q[0];"));
        Assert.Contains("line 3, column 1", e3.Message);
        Assert.Contains("qelib1.inc", e3.Message);
        var e4 = Assert.Throws<QasmException>(() => Qasm.Parse("OPENQASM 2.0;\ninclude \"other.inc\";"));
        Assert.Contains("line 2, column 9", e4.Message);
        var e5 = Assert.Throws<QasmException>(() => Qasm.Parse("OPENQASM 2.0;\ninclude \"qelib1.inc"));
        Assert.Contains("line 2, column 9", e5.Message);
    }

    [Fact]
    public void WithoutIncludeOnlyBuiltins()
    {
        var c = Qasm.Parse("OPENQASM 2.0;\nqreg q[2];\nU(pi/2, 0, pi) q[0];\nCX q[0], q[1];");
        AssertClose(Unitary(new Circuit(2).U(Math.PI / 2, 0, Math.PI, 0).CX(0, 1)), Unitary(c));
    }

    [Fact]
    public void OpaqueRejected()
    {
        var ex = Assert.Throws<QasmException>(() => Qasm.Parse(Header + "qreg q[1];\nopaque g a;\n"));
        Assert.Contains("opaque", ex.Message);
        Assert.Equal(4, ex.Line);
    }

    [Fact]
    public void DynamicStatementsRoundTripOrFailWithAPosition()
    {
        // Random programs from valid and invalid reset/if/barrier/measure statements, some with a character cut out:
        // each parses and round-trips exactly, or fails with a QasmException, never anything else.
        var rng = new Random(11);
        string[] statements =
        [
            "if(c==3) x q[1];", "if(c==8) x q[1];", "if(d==1) measure q -> c;", "reset q;", "reset q[2];", "barrier q[0],q[2];",
            "barrier q, q[1];", "if (c==0) reset q[0];", "if(d==1) cx q[0], q;", "if(q==1) x q[0];", "if(c==1) barrier q;",
            "measure q[1] -> d[0];", "if(d==0) if(c==0) x q[0];", "gate g a { x a; }", "if(c==2) g q;", "if(c==5) u3(0.1,0.2,0.3) q[2];",
        ];
        string prefix = Header + "qreg q[3]; creg c[3]; creg d[1];\n";
        int parsed = 0;
        for (int k = 0; k < 1000; k++)
        {
            string text = prefix + string.Join("\n", Enumerable.Range(0, rng.Next(1, 8)).Select(_ => statements[rng.Next(statements.Length)]));
            if (rng.Next(3) == 0) { int cut = rng.Next(prefix.Length, text.Length); text = text[..cut] + text[(cut + 1)..]; }
            Circuit c;
            try { c = Qasm.Parse(text); }
            catch (QasmException) { continue; }
            parsed++;
            string written = Qasm.ToQasm(c);
            Assert.Equal(written, Qasm.ToQasm(Qasm.Parse(written)));
        }
        Assert.InRange(parsed, 100, 1000);
    }

    [Fact]
    public void GarbageNeverThrowsOtherExceptions()
    {
        var rng = new Random(7);
        string alphabet = "qreg[]();,{}->==+-*/^ hcxpi0123456789.e\"\n/";
        string prefix = Header + "qreg q[3]; creg c[3];\n";
        for (int k = 0; k < 2000; k++)
        {
            var chars = new char[rng.Next(1, 30)];
            for (int i = 0; i < chars.Length; i++) chars[i] = alphabet[rng.Next(alphabet.Length)];
            try { Qasm.Parse(prefix + new string(chars)); }
            catch (QasmException) { }
        }
    }
}
