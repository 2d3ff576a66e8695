using System.Numerics;

namespace Polymath.Quantum;

// Noisy simulation: the exact density-matrix run and Monte-Carlo trajectories on state vectors. Both run the same
// NoisyProgram (the circuit with the noise model's channels inserted), so they agree up to sampling error.
public static partial class Simulator
{
    /// <summary>The largest qubit count for which <see cref="NoiseMethod.Auto"/> picks the density matrix (16·4¹⁰ B = 16 MiB).</summary>
    public const int AutoDensityMatrixMaxQubits = 10;

    /// <summary>
    /// Runs <paramref name="circuit"/> exactly on a density matrix with <paramref name="noise"/> (null: none). Measurements whose
    /// qubit is used again later (mid-circuit) split the run into classical branches, one unnormalised ρ per value of the
    /// classical register; final measurements are read off the diagonal at the end. Read-out errors act on the recorded bits.
    /// </summary>
    /// <exception cref="InsufficientMemoryException">The density matrix (or its classical branches) would not fit in memory.</exception>
    public static DensityMatrixResult RunDensityMatrix(Circuit circuit, NoiseModel? noise = null)
    {
        var program = NoisyProgram.Compile(circuit, noise);
        int n = program.NumQubits;
        var branches = new SortedDictionary<long, DensityMatrix> { [0] = new DensityMatrix(n) };
        var finals = new List<NoisyProgram.Step>();
        foreach (var step in program.FusedForDensityMatrix())
        {
            // Each branch holds one value of the classical bits, so a condition picks the branches a step acts on.
            var active = branches.Where(b => step.RunsFor(b.Key, program.NumClbits)).Select(b => b.Value).ToList();
            switch (step.Kind)
            {
                case NoisyProgram.StepKind.Gate:
                    foreach (var rho in active) rho.ApplyPrepared(step.Gate!);
                    break;
                case NoisyProgram.StepKind.Channel:
                    foreach (var rho in active) rho.ApplyChannel(step.Channel!, step.Qubits);
                    break;
                case NoisyProgram.StepKind.Reset:
                    foreach (var rho in active) rho.Reset(step.Qubits[0]);
                    break;
                case NoisyProgram.StepKind.Measure when step.IsFinal:
                    finals.Add(step);
                    break;
                case NoisyProgram.StepKind.Measure:
                    branches = MeasureBranches(branches, step, n, program.NumClbits);
                    break;
            }
        }

        // Final measurements: the diagonal of each branch gives the true outcomes; read-out errors then act bit by bit.
        long finalMask = 0;
        foreach (var f in finals) finalMask |= 1L << f.Clbit;
        var dist = new Dictionary<long, double>();
        foreach (var (key, rho) in branches)
        {
            double[] diag = rho.Probabilities();
            for (long i = 0; i < diag.Length; i++)
            {
                if (diag[i] <= 0) continue;
                long bits = key & ~finalMask;
                foreach (var f in finals) if ((i >> f.Qubits[0] & 1) != 0) bits |= 1L << f.Clbit;
                dist[bits] = dist.GetValueOrDefault(bits) + diag[i];
            }
        }
        foreach (var f in finals)
            if (f.Readout is { } r) dist = ApplyReadout(dist, f.Clbit, r);

        DensityMatrix state = branches.Values.First();
        foreach (var rho in branches.Values.Skip(1)) state.AddScaled(rho);
        foreach (var f in finals) state.ApplyChannel(Dephasing, f.Qubits[0]);

        var probs = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (bits, p) in dist) probs[StateVector.ToBitString(bits, program.NumClbits)] = p;
        return new DensityMatrixResult(state, probs);
    }

    /// <summary>
    /// Runs <paramref name="shots"/> seeded shots of <paramref name="circuit"/> under <paramref name="noise"/> and counts classical bit
    /// strings (classical bit 0 rightmost). <see cref="NoiseMethod.Auto"/> uses the density matrix up to
    /// <see cref="AutoDensityMatrixMaxQubits"/> qubits and trajectories above; a null or ideal model runs the noiseless simulator.
    /// </summary>
    public static Dictionary<string, int> RunNoisy(Circuit circuit, int shots, int seed, NoiseModel? noise, NoiseMethod method = NoiseMethod.Auto)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentOutOfRangeException.ThrowIfNegative(shots);
        if (method == NoiseMethod.Auto)
        {
            if (noise is null || noise.IsIdeal) return Run(circuit, shots, seed);
            method = circuit.NumQubits <= AutoDensityMatrixMaxQubits ? NoiseMethod.DensityMatrix : NoiseMethod.Trajectories;
        }
        return method switch
        {
            NoiseMethod.DensityMatrix => RunDensityMatrix(circuit, noise).SampleCounts(shots, seed),
            NoiseMethod.Trajectories => RunTrajectories(circuit, shots, seed, noise),
            _ => throw new ArgumentOutOfRangeException(nameof(method), $"unknown noise method {method}"),
        };
    }

    /// <summary>
    /// Monte-Carlo trajectories: each shot is one state-vector run in which every channel applies one of its Kraus operators,
    /// drawn with probability ‖Kᵢψ‖² (unitary mixtures by their fixed probabilities), and measurements collapse. Shot s draws
    /// from its own generator seeded from (<paramref name="seed"/>, s), so the counts do not depend on how many threads ran.
    /// </summary>
    public static Dictionary<string, int> RunTrajectories(Circuit circuit, int shots, int seed, NoiseModel? noise)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shots);
        var program = NoisyProgram.Compile(circuit, noise);
        var outcomes = new long[shots];
        RunTrajectoriesCore(program, shots, seed, (s, state, bits) => outcomes[s] = bits);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (long bits in outcomes)
        {
            string key = StateVector.ToBitString(bits, program.NumClbits);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }

    /// <summary>
    /// One trajectory of <paramref name="circuit"/> under <paramref name="noise"/>: the final (normalised) state and the classical
    /// register (bit b = classical bit b), drawing from <paramref name="rng"/>.
    /// </summary>
    public static (StateVector State, long Clbits) RunTrajectory(Circuit circuit, NoiseModel? noise, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var program = NoisyProgram.Compile(circuit, noise);
        var state = new StateVector(program.NumQubits);
        long bits = RunOneTrajectory(program, state, rng, sampleFinal: false);
        return (state, bits);
    }

    /// <summary>
    /// Tr(ρP) of the noisy final state estimated as the mean of ⟨ψ|P|ψ⟩ over <paramref name="trajectories"/> seeded trajectories
    /// (measurements collapse as they occur), with the standard error of that mean.
    /// </summary>
    public static (double Mean, double StandardError) EstimateExpectation(Circuit circuit, NoiseModel? noise, string pauli, int trajectories, int seed)
    {
        ArgumentNullException.ThrowIfNull(pauli);
        ArgumentOutOfRangeException.ThrowIfLessThan(trajectories, 2);
        var program = NoisyProgram.Compile(circuit, noise);
        if (pauli.Length != program.NumQubits) throw new ArgumentException($"Pauli string '{pauli}' has {pauli.Length} letters for {program.NumQubits} qubits", nameof(pauli));
        var values = new double[trajectories];
        RunTrajectoriesCore(program, trajectories, seed, (s, state, _) => values[s] = state.ExpectationPauli(pauli), sampleFinal: false);
        double mean = values.Average();
        double var = values.Sum(v => (v - mean) * (v - mean)) / (trajectories - 1);
        return (mean, Math.Sqrt(var / trajectories));
    }

    private static void RunTrajectoriesCore(NoisyProgram program, int count, int seed, Action<int, StateVector, long> record, bool sampleFinal = true)
    {
        // Small states: one trajectory per task, a state per worker. Large states: trajectories in order, kernels in parallel.
        if (program.NumQubits >= 14)
        {
            for (int s = 0; s < count; s++)
            {
                var state = new StateVector(program.NumQubits);
                record(s, state, RunOneTrajectory(program, state, new Random(NoiseSampling.DeriveSeed(seed, s)), sampleFinal));
            }
            return;
        }
        Parallel.For(0, count, () => new StateVector(program.NumQubits), (s, _, state) =>
        {
            state.ResetToZeroState();
            record(s, state, RunOneTrajectory(program, state, new Random(NoiseSampling.DeriveSeed(seed, s)), sampleFinal));
            return state;
        }, _ => { });
    }

    /// <summary>
    /// One trajectory on <paramref name="state"/> (|0…0⟩ on entry). With <paramref name="sampleFinal"/>, the trailing final
    /// measurements are drawn jointly from one sample of |ψ|² and leave the state uncollapsed (counts only need the bits);
    /// otherwise every measurement collapses, so the state is the post-measurement one.
    /// </summary>
    private static long RunOneTrajectory(NoisyProgram program, StateVector state, Random rng, bool sampleFinal = true)
    {
        long bits = 0;
        var steps = program.Steps;
        int collapseUntil = sampleFinal ? program.FinalMeasurementsStart : steps.Count;
        for (int i = 0; i < collapseUntil; i++)
        {
            var step = steps[i];
            if (!step.RunsFor(bits, program.NumClbits)) continue;
            switch (step.Kind)
            {
                case NoisyProgram.StepKind.Reset:
                    state.Reset(step.Qubits[0], rng);
                    break;
                case NoisyProgram.StepKind.Gate:
                    state.ApplyUnchecked(step.Gate!.Matrix, step.Gate.Targets, step.Gate.Controls);
                    break;
                case NoisyProgram.StepKind.Channel:
                    state.ApplyChannel(step.Channel!, rng, step.Qubits);
                    break;
                case NoisyProgram.StepKind.Measure:
                    bits = Record(bits, step, state.Measure(step.Qubits[0], rng), rng);
                    break;
            }
        }
        if (collapseUntil < steps.Count)
        {
            // Final measurements of distinct qubits: one draw from |ψ|² gives their joint outcome (the state is left uncollapsed).
            long index = state.SampleIndex(rng);
            for (int i = collapseUntil; i < steps.Count; i++)
                bits = Record(bits, steps[i], (int)(index >> steps[i].Qubits[0] & 1), rng);
        }
        return bits;
    }

    /// <summary>Writes a measured value into its classical bit, through the step's read-out error.</summary>
    private static long Record(long bits, NoisyProgram.Step step, int outcome, Random rng)
    {
        if (step.Readout is { } r) outcome = r.Apply(outcome, rng);
        long b = 1L << step.Clbit;
        return outcome == 1 ? bits | b : bits & ~b;
    }

    /// <summary>Splits every branch on the outcome of a mid-circuit measurement; recorded values (after read-out error) key the new branches.</summary>
    private static SortedDictionary<long, DensityMatrix> MeasureBranches(SortedDictionary<long, DensityMatrix> branches, NoisyProgram.Step step, int n, int numClbits)
    {
        int q = step.Qubits[0];
        long cb = 1L << step.Clbit;
        var result = new SortedDictionary<long, DensityMatrix>();
        void Add(long key, DensityMatrix rho, double weight)
        {
            if (weight == 0 || rho.Trace() <= 1e-300) return;
            if (result.TryGetValue(key, out var existing)) { existing.AddScaled(rho, weight); return; }
            EnsureBranchMemory(branches.Count + result.Count + 1, n);
            if (weight != 1) rho.Scale(weight);
            result[key] = rho;
        }
        foreach (var (key, rho) in branches)
        {
            if (!step.RunsFor(key, numClbits)) { Add(key, rho, 1); continue; }
            var one = rho.Clone();
            rho.Project(q, 0);
            one.Project(q, 1);
            for (int trueValue = 0; trueValue < 2; trueValue++)
            {
                var collapsed = trueValue == 0 ? rho : one;
                double p0 = step.Readout?.Probability(trueValue, 0) ?? (trueValue == 0 ? 1 : 0);
                double p1 = 1 - p0;
                if (p0 > 0 && p1 > 0)
                {
                    Add(key & ~cb, collapsed.Clone(), p0);
                    Add(key | cb, collapsed, p1);
                }
                else Add(p1 > 0 ? key | cb : key & ~cb, collapsed, 1);
            }
        }
        return result;
    }

    private static void EnsureBranchMemory(int count, int n)
    {
        UInt128 need = DensityMatrix.MemoryRequiredBytes(n) * (UInt128)count;
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (need > (UInt128)available)
            throw new InsufficientMemoryException(
                $"density-matrix run: mid-circuit measurements need {count} classical branches of a {n}-qubit density matrix ({need:N0} bytes) " +
                $"but only {available:N0} bytes are available; use NoiseMethod.Trajectories");
    }

    private static Dictionary<long, double> ApplyReadout(Dictionary<long, double> dist, int clbit, ReadoutError r)
    {
        long cb = 1L << clbit;
        var result = new Dictionary<long, double>();
        foreach (var (bits, p) in dist)
        {
            int t = (bits & cb) != 0 ? 1 : 0;
            double p0 = r.Probability(t, 0) * p, p1 = r.Probability(t, 1) * p;
            if (p0 > 0) result[bits & ~cb] = result.GetValueOrDefault(bits & ~cb) + p0;
            if (p1 > 0) result[bits | cb] = result.GetValueOrDefault(bits | cb) + p1;
        }
        return result;
    }

    /// <summary>A measurement whose outcome is discarded: ρ ↦ P₀ρP₀ + P₁ρP₁.</summary>
    private static readonly QuantumChannel Dephasing = QuantumChannel.FromKraus(
        [new Complex[,] { { 1, 0 }, { 0, 0 } }, new Complex[,] { { 0, 0 }, { 0, 1 } }], "measurement");
}
