using Polymath.Quantum;
using Xunit;

namespace Polymath.Quantum.Tests;

/// <summary>Where a noise model puts its channels, and the short specification parser.</summary>
public class NoiseModelTests
{
    private static string Describe(NoiseModel m, string gate, params int[] qubits) =>
        string.Join(" ", m.ErrorsAfterGate(gate, qubits).Select(e => $"{e.Channel.Name}{e.Channel.NumQubits}[{string.Join(",", e.Qubits)}]"));

    [Fact]
    public void DepolarizingSpecCoversOneTwoAndThreeQubitGates()
    {
        var m = NoiseModel.Parse("depolarizing:0.001");
        Assert.Equal("depolarizing1[3]", Describe(m, "h", 3));
        Assert.Equal("depolarizing2[2,0]", Describe(m, "cx", 2, 0));
        Assert.Equal("depolarizing1[0] depolarizing1[1] depolarizing1[2]", Describe(m, "ccx", 0, 1, 2));
        Assert.Equal(0.001 / 4, m.ErrorsAfterGate("x", [0])[0].Channel.MixtureProbabilities![1], 15);
        Assert.Empty(m.ErrorsBeforeMeasure(0));
        Assert.Null(m.ReadoutErrorFor(0));
    }

    [Fact]
    public void CombinedSpecAddsQubitErrorsAndReadout()
    {
        var m = NoiseModel.Parse(" Amplitude-Damping:0.01 , phase_damping:2e-2,readout:0.02, bit_flip:0.1,phase_flip:0.2, pauli:0.1:0.2:0.3 ");
        Assert.Equal("amplitude_damping1[0] phase_damping1[0] bit_flip1[0] phase_flip1[0] pauli1[0] amplitude_damping1[1] phase_damping1[1] bit_flip1[1] phase_flip1[1] pauli1[1]",
            Describe(m, "cx", 1, 0));
        Assert.Equal(0.02, m.ReadoutErrorFor(5)!.P1Given0, 15);
        Assert.Equal(0.02, m.ReadoutErrorFor(5)!.P0Given1, 15);
        var asym = NoiseModel.Parse("readout:0.01:0.05");
        Assert.Equal(0.01, asym.ReadoutErrorFor(0)!.P1Given0, 15);
        Assert.Equal(0.05, asym.ReadoutErrorFor(0)!.P0Given1, 15);
        Assert.True(NoiseModel.Parse("").IsIdeal);
        Assert.True(NoiseModel.Parse("none").IsIdeal);
        Assert.False(m.IsIdeal);
    }

    [Theory]
    [InlineData("depolarising:0.1", "unknown noise 'depolarising'")]
    [InlineData("depolarizing:abc", "'abc' is not a number")]
    [InlineData("depolarizing", "expected 1 value(s)")]
    [InlineData("depolarizing:0.1:0.2", "expected 1 value(s)")]
    [InlineData("amplitude_damping:1.5", "outside [0, 1]")]
    [InlineData("depolarizing:0.1,,readout:0.1", "item 2 '': empty item")]
    [InlineData("readout:0.1,pauli:0.5:0.4:0.3", "item 2 'pauli:0.5:0.4:0.3'")]
    [InlineData("bit_flip:NaN", "'NaN' is not a number")]
    public void BadSpecsNameTheItem(string spec, string expected)
    {
        var e = Assert.Throws<FormatException>(() => NoiseModel.Parse(spec));
        Assert.Contains(expected, e.Message);
        Assert.Contains($"noise spec '{spec}'", e.Message);
    }

    [Fact]
    public void QubitSpecificGateErrorsReplaceTheGeneralOnesForThatGate()
    {
        var m = new NoiseModel()
            .AddGateError(QuantumChannel.BitFlip(0.1), "x")
            .AddGateError(QuantumChannel.PhaseFlip(0.1), "x", 2)
            .AddGateError(QuantumChannel.Depolarizing(0.1, 2), "cx", 0, 1)
            .AddQubitError(QuantumChannel.AmplitudeDamping(0.1), 1)
            .AddGateError(QuantumChannel.BitFlip(0.3), "measure");
        Assert.Equal("bit_flip1[0]", Describe(m, "x", 0));
        Assert.Equal("phase_flip1[2]", Describe(m, "x", 2));
        Assert.Equal("depolarizing2[0,1] amplitude_damping1[1]", Describe(m, "cx", 0, 1));
        Assert.Equal("amplitude_damping1[1]", Describe(m, "cx", 1, 0));          // order matters for the restriction
        Assert.Equal("bit_flip1[1]", string.Join(" ", m.ErrorsBeforeMeasure(1).Select(e => $"{e.Channel.Name}1[{e.Qubits[0]}]")));
        Assert.Throws<ArgumentException>(() => m.AddQubitError(QuantumChannel.Depolarizing(0.1, 2), 0));
        Assert.Throws<ArgumentException>(() => m.AddGateError(QuantumChannel.Depolarizing(0.1, 2), "ccx", 0, 1, 2));
        Assert.Contains("bit_flip after 'x'", m.ToString());
    }
}
