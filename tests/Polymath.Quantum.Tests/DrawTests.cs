using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Quantum.Tests;

/// <summary>Exact text drawings of small circuits.</summary>
public class DrawTests(ITestOutputHelper output)
{
    private void Check(Circuit c, string expected)
    {
        string actual = c.Draw();
        output.WriteLine(actual);
        Assert.Equal(expected.ReplaceLineEndings("\n"), actual);
    }

    [Fact]
    public void BellWithMeasurements() => Check(new Circuit(2, 2).H(0).CX(0, 1).Measure(0, 0).Measure(1, 1),
            """
                  ┌───┐       ┌─┐
            q_0: ─┤ H ├───●───┤M├─────
                  └───┘   │   └╥┘
                        ┌─┴─┐  ║  ┌─┐
            q_1: ───────┤ X ├──╫──┤M├─
                        └───┘  ║  └╥┘
                               ║   ║
            c_0: ══════════════╩═══╬══
                                   ║
                                   ║
            c_1: ══════════════════╩══
            """);

    [Fact]
    public void ParametersBarrierResetAndControlledPhase() =>
        Check(new Circuit(2).RZ(Math.PI / 4, 0).U(0.1, Math.PI, -Math.PI / 2, 1).Barrier().Reset(1).CP(0.5, 1, 0).Barrier(0),
            """
                     ┌─────────┐    ░     ┌─────────┐ ░
            q_0: ────┤ Rz(π/4) ├────░─────┤ P(0.5)  ├─░─
                     └─────────┘    ░     └────┬────┘ ░
                  ┌───────────────┐ ░          │
            q_1: ─┤ U(0.1,π,-π/2) ├─░─|0>──────●────────
                  └───────────────┘ ░
            """);

    [Fact]
    public void ConditionsOnRegisterAndBit()
    {
        var c = new Circuit(3);
        var m = c.AddClassicalRegister("m", 2);
        c.H(0).Measure(0, m[0]).Measure(1, m[1]).If(m, 2, b => b.X(2)).If(m[0], 0, b => b.Z(2));
        Check(c,
            """
                  ┌───┐ ┌─┐
            q_0: ─┤ H ├─┤M├─────────────────
                  └───┘ └╥┘
                         ║  ┌─┐
            q_1: ────────╫──┤M├─────────────
                         ║  └╥┘
                         ║   ║  ┌───┐ ┌───┐
            q_2: ────────╫───╫──┤ X ├─┤ Z ├─
                         ║   ║  └─╥─┘ └─╥─┘
                         ║   ║    ║     ║
            m_0: ════════╩═══╬════○═════○═══
                             ║    ║
                             ║    ║
            m_1: ════════════╩════■═════════
            """);
    }

    [Fact]
    public void MultiQubitGates() =>
        Check(new Circuit(4).RZZ(0.4, 0, 2).CCX(3, 0, 1).CSwap(3, 0, 2).Swap(1, 2).Append(new RXXGate(1.5).Control(1), 0, 1, 2),
            """
                  ┌─────────────┐
            q_0: ─┤0  Rzz(0.4)  ├───●───X──────────●────────
                  │             │   │   │          │
                  │             │ ┌─┴─┐ │   ┌──────┴──────┐
            q_1: ─│             │─┤ X ├─┼─X─┤0  Rxx(1.5)  ├─
                  │             │ └─┬─┘ │ │ │             │
                  │             │   │   │ │ │             │
            q_2: ─┤1            ├───┼───X─X─┤1            ├─
                  └─────────────┘   │   │   └─────────────┘
                                    │   │
            q_3: ───────────────────●───●───────────────────
            """);

    [Fact]
    public void LabelsAlignAndFreeParametersShowTheirName()
    {
        var c = new Circuit(1);
        c.AddQuantumRegister("anc", 1);
        c.RY(new Parameter("theta"), 1);
        Check(c,
            """

              q_0: ───────────────

                    ┌───────────┐
            anc_0: ─┤ Ry(theta) ├─
                    └───────────┘
            """);
    }

    [Fact]
    public void NoInstructionsGivesBareWires() => Check(new Circuit(1, 1),
            """

            q_0: ─


            c_0: ═
            """);

    [Fact]
    public void FoldSplitsColumnsIntoPages()
    {
        var c = new Circuit(2, 1).H(0).T(0).CX(0, 1).RX(Math.PI / 3, 1).S(0).Measure(1, 0);
        string folded = c.Draw(fold: 24);
        output.WriteLine(folded);
        Assert.Equal(            """
                  ┌───┐ ┌───┐
            q_0: ─┤ H ├─┤ T ├───●───
                  └───┘ └───┘   │
                              ┌─┴─┐
            q_1: ─────────────┤ X ├─
                              └───┘

            c_0: ═══════════════════


                     ┌───┐
            q_0: ────┤ S ├────────
                     └───┘
                  ┌─────────┐ ┌─┐
            q_1: ─┤ Rx(π/3) ├─┤M├─
                  └─────────┘ └╥┘
                               ║
            c_0: ══════════════╩══
            """, folded);
        Assert.All(folded.Split('\n'), line => Assert.True(line.Length <= 24));
        Assert.Equal(c.Draw(), c.Draw(fold: 0));
        Assert.Equal(c.Draw(), c.Draw(fold: 1000));
    }

    [Theory]
    [InlineData(-3 * Math.PI / 4, "-3π/4")]
    [InlineData(2 * Math.PI, "2π")]
    [InlineData(Math.PI / 16, "π/16")]
    [InlineData(0.123456, "0.1235")]
    [InlineData(-1e-5, "-1E-5")]
    [InlineData(0.0, "0")]
    public void AnglesPrintAsMultiplesOfPiWhenTheyAre(double value, string expected) =>
        Assert.Equal(expected, CircuitDrawer.FormatParameter(value));
}
