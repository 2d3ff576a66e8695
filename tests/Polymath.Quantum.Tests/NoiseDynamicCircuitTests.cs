using System.Numerics;
using Polymath.Quantum;
using Xunit;

namespace Polymath.Quantum.Tests;

/// <summary>Noisy runs of dynamic circuits (reset, classically conditioned gates, barriers) against exact branch enumeration and theory.</summary>
public class NoiseDynamicCircuitTests
{
    [Fact]
    public void TeleportationDeliversTheStateInTheDensityMatrixAndInTrajectories()
    {
        var prep = new UGate(1.1, 0.4, -0.7);
        double expectedP1 = Math.Pow(Math.Sin(1.1 / 2), 2);          // |⟨1|U|0⟩|²
        var c = Algorithms.Teleportation(prep);
        var withReadout = new Circuit(c.NumQubits, c.NumClbits + 1).Compose(c);
        withReadout.Measure(2, c.NumClbits);
        int bob = c.NumClbits;

        var ideal = new NoiseModel();
        var exact = Simulator.RunDensityMatrix(withReadout, ideal);
        double p1 = exact.Probabilities.Where(kv => kv.Key[kv.Key.Length - 1 - bob] == '1').Sum(kv => kv.Value);
        Assert.Equal(expectedP1, p1, 12);

        const int shots = 20000;
        var counts = Simulator.RunTrajectories(withReadout, shots, 5, NoiseModel.Parse("depolarizing:0"));
        double f1 = counts.Where(kv => kv.Key[kv.Key.Length - 1 - bob] == '1').Sum(kv => kv.Value) / (double)shots;
        Assert.InRange(f1, expectedP1 - 5 * Math.Sqrt(expectedP1 * (1 - expectedP1) / shots), expectedP1 + 5 * Math.Sqrt(expectedP1 * (1 - expectedP1) / shots));
    }

    [Fact]
    public void ConditionedCorrectionsSeeTheirBranchUnderNoise()
    {
        // Measure a |+⟩ qubit, reset it, then flip a second qubit only when the outcome was 1, with bit-flip noise on x:
        // P(q1 = 1) = ½(1 − p) + ½ p = ½ exactly, and the reset qubit reads 0 always.
        var c = new Circuit(2, 3).H(0).Measure(0, 0).Reset(0).Barrier();
        c.If(0, 1, k => k.X(1));
        c.Measure(0, 1).Measure(1, 2);
        var noise = new NoiseModel().AddGateError(QuantumChannel.BitFlip(0.1), "x");
        var r = Simulator.RunDensityMatrix(c, noise);
        Assert.Equal(0.0, r.Probabilities.Where(kv => kv.Key[1] == '1').Sum(kv => kv.Value), 12);   // bit 1: the reset qubit
        // Keys are "c2 c1 c0": c0 (rightmost, key[2]) the first outcome, c2 (leftmost, key[0]) the final value of q1.
        double p11 = r.Probabilities.Where(kv => kv.Key[0] == '1' && kv.Key[2] == '1').Sum(kv => kv.Value);
        double p01 = r.Probabilities.Where(kv => kv.Key[0] == '1' && kv.Key[2] == '0').Sum(kv => kv.Value);
        Assert.Equal(0.5 * 0.9, p11, 12);     // outcome 1, X applied, bit flip did not undo it
        Assert.Equal(0.0, p01, 12);           // outcome 0: no X, so no noise either (the noise is conditioned with its gate)

        const int shots = 20000;
        var counts = Simulator.RunTrajectories(c, shots, 9, noise);
        Assert.True(!counts.Any(kv => kv.Key[1] == '1'), string.Join(", ", counts.Select(kv => $"{kv.Key}:{kv.Value}")));
        double f11 = counts.Where(kv => kv.Key[0] == '1' && kv.Key[2] == '1').Sum(kv => kv.Value) / (double)shots;
        Assert.InRange(f11, 0.45 - 5 * Math.Sqrt(0.45 * 0.55 / shots), 0.45 + 5 * Math.Sqrt(0.45 * 0.55 / shots));
        Assert.DoesNotContain(counts, kv => kv.Key[0] == '1' && kv.Key[2] == '0');
    }
}
