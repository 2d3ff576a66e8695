using System.Numerics;
using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Quantum.Tests;

/// <summary>
/// Noisy runs: the exact density-matrix run against a dense reference and analytic results, and Monte-Carlo trajectories
/// against the density matrix within statistical error (fixed seeds; thresholds of 5 standard deviations, which a correct
/// implementation fails with probability below 1e-5 per comparison).
/// </summary>
public class NoiseSimulationTests(ITestOutputHelper output)
{
    private const double Tol = 1e-12;

    private static Circuit TestCircuit() =>
        new Circuit(3, 3).H(0).CX(0, 1).RY(0.7, 2).CCX(0, 1, 2).RZ(0.3, 1).CX(2, 0).H(1)
            .Measure(0, 0).Measure(1, 1).Measure(2, 2);

    private static NoiseModel TestNoise() => new NoiseModel()
        .AddAllGatesError(QuantumChannel.Depolarizing(0.05))
        .AddAllGatesError(QuantumChannel.Depolarizing(0.08, 2))
        .AddAllQubitsError(QuantumChannel.AmplitudeDamping(0.04))
        .AddQubitError(QuantumChannel.PhaseDamping(0.1), 1)
        .AddReadoutError(new ReadoutError(0.02, 0.05))
        .AddReadoutError(ReadoutError.Symmetric(0.1), 2);

    [Fact]
    public void DensityMatrixRunMatchesDenseReference()
    {
        var circuit = TestCircuit();
        var noise = TestNoise();
        var result = Simulator.RunDensityMatrix(circuit, noise);

        // Reference: dense ρ through the same gates and channels, then the diagonal with read-out confusion by loops.
        var rho = new Complex[8, 8];
        rho[0, 0] = 1;
        foreach (var ins in circuit.Instructions.Where(i => !i.IsMeasurement))
        {
            rho = NoiseDense.ApplyUnitary(rho, ins.Gate!.Matrix, [.. ins.Qubits], 3);
            foreach (var (ch, qs) in noise.ErrorsAfterGate(ins.Gate.Name, ins.Qubits))
                rho = NoiseDense.ApplyKraus(rho, ch.KrausOperators, qs, 3);
        }
        var expected = new Dictionary<string, double>();
        for (int recorded = 0; recorded < 8; recorded++)
        {
            double p = 0;
            for (int truth = 0; truth < 8; truth++)
            {
                double w = rho[truth, truth].Real;
                for (int q = 0; q < 3; q++) w *= noise.ReadoutErrorFor(q)!.Probability(truth >> q & 1, recorded >> q & 1);
                p += w;
            }
            expected[StateVector.ToBitString(recorded, 3)] = p;
        }
        foreach (var (k, p) in expected) Assert.Equal(p, result.Probabilities.GetValueOrDefault(k), 12);
        Assert.Equal(1.0, result.Probabilities.Values.Sum(), 12);
        // The final state is the measured (dephased) one: the diagonal of the reference, no coherences.
        for (int i = 0; i < 8; i++) for (int j = 0; j < 8; j++)
            Assert.True((result.State[i, j] - (i == j ? rho[i, i] : 0)).Magnitude < Tol);
    }

    [Fact]
    public void FusedGateAndNoiseEqualStepByStepApplication()
    {
        // The density-matrix run fuses each 1- or 2-qubit gate with the channels on its qubits; compare with the dense
        // reference built step by step, including a 2-qubit error restricted to reversed qubits and controlled gates.
        var rng = new Random(137);
        var k2 = QuantumChannel.FromKraus(NoiseDense.RandomKraus(2, 2, rng), "random2");
        var k1 = QuantumChannel.FromKraus(NoiseDense.RandomKraus(1, 4, rng), "random1");
        var noise = new NoiseModel()
            .AddGateError(k2, "cx", 2, 0)
            .AddGateError(QuantumChannel.Depolarizing(0.1, 2), "cry")
            .AddQubitError(k1, 0)
            .AddAllQubitsError(QuantumChannel.PhaseDamping(0.05))
            .AddGateError(QuantumChannel.AmplitudeDamping(0.2), "ry");
        var c = new Circuit(3).H(2).RY(0.3, 0).CX(2, 0).CX(0, 2).CRY(0.8, 1, 0).RY(0.3, 1).CCX(0, 1, 2).RY(0.3, 0).S(1).CZ(1, 2);
        var state = Simulator.RunDensityMatrix(c, noise).State;
        var program = NoisyProgram.Compile(c, noise);
        // Everything fuses except the CCX (3 qubits) and the CZ, whose two 1-qubit channels cost no more than its superoperator.
        Assert.Equal(2, program.FusedForDensityMatrix().Count(s => s.Kind == NoisyProgram.StepKind.Gate));
        var rho = new Complex[8, 8];
        rho[0, 0] = 1;
        foreach (var ins in c.Instructions)
        {
            rho = NoiseDense.ApplyUnitary(rho, ins.Gate!.Matrix, [.. ins.Qubits], 3);
            foreach (var (ch, qs) in noise.ErrorsAfterGate(ins.Gate.Name, ins.Qubits))
                rho = NoiseDense.ApplyKraus(rho, ch.KrausOperators, qs, 3);
        }
        Assert.True(Dense.MaxDiff(rho, state.ToArray()) < Tol, $"max diff {Dense.MaxDiff(rho, state.ToArray())}");
    }

    [Fact]
    public void AnalyticAmplitudeDampingAndReadout()
    {
        // X then amplitude damping γ: P(1) = 1 − γ; a symmetric read-out error r then gives P("1") = (1−γ)(1−r) + γr.
        const double gamma = 0.2, r = 0.05;
        var c = new Circuit(1, 1).X(0).Measure(0, 0);
        var noise = new NoiseModel().AddGateError(QuantumChannel.AmplitudeDamping(gamma), "x").AddReadoutError(ReadoutError.Symmetric(r));
        var result = Simulator.RunDensityMatrix(c, noise);
        Assert.Equal((1 - gamma) * (1 - r) + gamma * r, result.Probabilities["1"], 14);
        Assert.Equal(1 - result.Probabilities["1"], result.Probabilities["0"], 14);
    }

    [Fact]
    public void TrajectoriesAgreeWithDensityMatrixCounts()
    {
        var circuit = TestCircuit();
        var noise = TestNoise();
        const int shots = 20000;
        var exact = Simulator.RunDensityMatrix(circuit, noise).Probabilities;
        var counts = Simulator.RunNoisy(circuit, shots, 7, noise, NoiseMethod.Trajectories);
        double tvd = NoiseDense.Tvd(counts, shots, exact), z = NoiseDense.MaxZ(counts, shots, exact);
        output.WriteLine($"TVD {tvd:F4}, max |z| {z:F2}");
        Assert.True(z < 5, $"max |z| = {z}");
        // E[TVD] ≈ Σ √(p(1−p)/(2πN)) ≈ 0.01 here; 0.03 is far beyond it.
        Assert.True(tvd < 0.03, $"TVD {tvd}");
        // Same seed, same counts (each shot has its own derived generator, so thread scheduling does not matter).
        Assert.Equal(counts, Simulator.RunNoisy(circuit, shots, 7, noise, NoiseMethod.Trajectories));
        Assert.NotEqual(counts, Simulator.RunNoisy(circuit, shots, 8, noise, NoiseMethod.Trajectories));
    }

    [Fact]
    public void DensityMatrixSamplingAgreesWithItsProbabilities()
    {
        const int shots = 20000;
        var result = Simulator.RunDensityMatrix(TestCircuit(), TestNoise());
        var counts = Simulator.RunNoisy(TestCircuit(), shots, 3, TestNoise(), NoiseMethod.DensityMatrix);
        Assert.True(NoiseDense.MaxZ(counts, shots, result.Probabilities) < 5);
        Assert.Equal(counts, Simulator.RunNoisy(TestCircuit(), shots, 3, TestNoise()));   // Auto picks the density matrix for 3 qubits
    }

    [Fact]
    public void TrajectoryExpectationsAgreeWithTraceRhoO()
    {
        // Amplitude damping is not a unitary mixture: trajectories must weigh its Kraus operators by ‖Kψ‖².
        var circuit = new Circuit(3).H(0).CX(0, 1).RX(0.9, 2).CX(1, 2).RY(0.4, 0).CZ(2, 0);
        var noise = new NoiseModel()
            .AddAllQubitsError(QuantumChannel.AmplitudeDamping(0.15))
            .AddGateError(QuantumChannel.Depolarizing(0.1, 2), "cx")
            .AddGateError(QuantumChannel.PhaseDamping(0.3), "h");
        var rho = Simulator.RunDensityMatrix(circuit, noise).State;
        const int trajectories = 6000;
        foreach (var p in new[] { "ZZZ", "IIZ", "XXI", "IYX", "ZIY", "XIX" })
        {
            var (mean, se) = Simulator.EstimateExpectation(circuit, noise, p, trajectories, 13);
            double exact = rho.ExpectationPauli(p);
            output.WriteLine($"{p}: exact {exact:F4}, trajectories {mean:F4} ± {se:F4}");
            Assert.True(Math.Abs(mean - exact) < 5 * se + 1e-9, $"{p}: {mean} ± {se} vs {exact}");
        }
    }

    [Fact]
    public void MidCircuitMeasurementBranchesAgreeWithAnalyticAndTrajectories()
    {
        // q0 is measured, then reused: H, measure → c0, X on q0 (now |1−m⟩), CX(0,1), measure both.
        // Without noise c = (q1, q0-after, q0-first): m = 0 → "110", m = 1 → "001", each ½.
        var c = new Circuit(2, 3).H(0).Measure(0, 0).X(0).CX(0, 1).Measure(0, 1).Measure(1, 2);
        var ideal = Simulator.RunDensityMatrix(c);
        Assert.Equal(0.5, ideal.Probabilities["110"], 14);
        Assert.Equal(0.5, ideal.Probabilities["001"], 14);
        Assert.Equal(2, ideal.Probabilities.Count);

        // Read-out errors on both measurements of qubit 0 change only the recorded bits, not the branch's quantum state;
        // the bit flip after the CX acts on qubit 1. Reference: enumerate m, both read-out flips and the bit flip.
        var noise = new NoiseModel().AddReadoutError(ReadoutError.Symmetric(0.1), 0).AddQubitError(QuantumChannel.BitFlip(0.2), 1);
        var exact = Simulator.RunDensityMatrix(c, noise).Probabilities;
        var reference = new Dictionary<string, double>();
        for (int m = 0; m < 2; m++) for (int e0 = 0; e0 < 2; e0++) for (int e1 = 0; e1 < 2; e1++) for (int f = 0; f < 2; f++)
        {
            double p = 0.5 * (e0 == 1 ? 0.1 : 0.9) * (e1 == 1 ? 0.1 : 0.9) * (f == 1 ? 0.2 : 0.8);
            int c0 = m ^ e0, c1 = (1 - m) ^ e1, c2 = (1 - m) ^ f;
            string key = $"{c2}{c1}{c0}";
            reference[key] = reference.GetValueOrDefault(key) + p;
        }
        Assert.Equal(reference.Count, exact.Count);
        foreach (var (k, p) in reference) Assert.Equal(p, exact[k], 14);
        const int shots = 20000;
        var counts = Simulator.RunNoisy(c, shots, 21, noise, NoiseMethod.Trajectories);
        Assert.True(NoiseDense.MaxZ(counts, shots, exact) < 5);
    }

    [Fact]
    public void LargeRegistersUseSequentialTrajectoriesThatAgreeWithASmallDensityMatrix()
    {
        // 14 qubits (trajectories one after another, kernels in parallel); only qubits 0 and 1 are acted on, so their
        // outcome distribution must match the 2-qubit density-matrix run of the same gates and noise.
        var noise = new NoiseModel().AddAllQubitsError(QuantumChannel.AmplitudeDamping(0.3)).AddReadoutError(ReadoutError.Symmetric(0.05));
        var big = new Circuit(14, 2).H(0).CX(0, 1).RY(0.5, 1).Measure(0, 0).Measure(1, 1);
        var small = new Circuit(2, 2).H(0).CX(0, 1).RY(0.5, 1).Measure(0, 0).Measure(1, 1);
        const int shots = 800;
        var counts = Simulator.RunTrajectories(big, shots, 5, noise);
        Assert.Equal(Simulator.RunTrajectories(big, 100, 6, noise), Simulator.RunNoisy(big, 100, 6, noise));   // Auto: trajectories above 10 qubits
        var exact = Simulator.RunDensityMatrix(small, noise).Probabilities;
        double z = NoiseDense.MaxZ(counts, shots, exact);
        output.WriteLine($"max |z| {z:F2}");
        Assert.True(z < 5, $"max |z| = {z}");
    }

    [Fact]
    public void SingleTrajectoriesAndExpectationsSeeCollapsedStates()
    {
        // After measuring |+⟩ the state is |0⟩ or |1⟩: ⟨X⟩ = 0 in every trajectory and in the averaged density matrix.
        var c = new Circuit(1, 1).H(0).Measure(0, 0);
        var noise = NoiseModel.Parse("bit_flip:0.1");
        var rng = new Random(3);
        for (int t = 0; t < 20; t++)
        {
            var (state, bits) = Simulator.RunTrajectory(c, noise, rng);
            Assert.Equal(bits, (long)Math.Round(state.Probabilities()[1]));
        }
        var (mean, se) = Simulator.EstimateExpectation(c, noise, "X", 50, 1);
        Assert.Equal(0.0, mean, 12);
        Assert.Equal(0.0, se, 12);
        Assert.Equal(0.0, Simulator.RunDensityMatrix(c, noise).State.ExpectationPauli("X"), 12);
    }

    [Fact]
    public void IdealModelRunsTheNoiselessSimulator()
    {
        var c = TestCircuit();
        Assert.Equal(Simulator.Run(c, 500, 9), Simulator.RunNoisy(c, 500, 9, null));
        Assert.Equal(Simulator.Run(c, 500, 9), Simulator.RunNoisy(c, 500, 9, new NoiseModel()));
        // The density-matrix run of a noiseless circuit reproduces |ψ|².
        var u = new Circuit(3).H(0).CX(0, 2).RY(0.4, 1);
        var probs = Simulator.Statevector(u).Probabilities();
        var dm = Simulator.RunDensityMatrix(u).State;
        for (int i = 0; i < 8; i++) Assert.Equal(probs[i], dm[i, i].Real, 14);
    }

    [Fact]
    public void UnboundParametersAreRefused()
    {
        var c = new Circuit(1).RX(new Parameter("theta"), 0);
        var e = Assert.Throws<InvalidOperationException>(() => Simulator.RunDensityMatrix(c, NoiseModel.Parse("depolarizing:0.01")));
        Assert.Contains("unbound", e.Message);
    }

    [Fact]
    public void StateVectorTrajectoryStepPicksKrausByNorm()
    {
        // |1⟩ under amplitude damping γ: K₁ (decay) has weight γ, K₀ weight 1−γ; after K₁ the state is exactly |0⟩.
        const double gamma = 0.3;
        var ch = QuantumChannel.AmplitudeDamping(gamma);
        var rng = new Random(99);
        int decays = 0;
        const int trials = 20000;
        for (int t = 0; t < trials; t++)
        {
            var s = StateVector.Basis(1, 1);
            int k = s.ApplyChannel(ch, rng, 0);
            Assert.Equal(1.0, s.NormSquared(), 12);
            if (k == 1) { decays++; Assert.Equal(1.0, s[0].Magnitude, 12); }
        }
        Assert.True(Math.Abs(decays - gamma * trials) < 5 * Math.Sqrt(trials * gamma * (1 - gamma)), $"{decays} decays");
        // |0⟩ never decays: K₁|0⟩ = 0 must never be picked.
        for (int t = 0; t < 100; t++) Assert.Equal(0, new StateVector(1).ApplyChannel(ch, rng, 0));
    }
}
