using System.Globalization;
using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// A completely positive, trace-preserving map on k qubits in Kraus form: ρ ↦ Σᵢ Kᵢ ρ Kᵢ†, with Σᵢ Kᵢ†Kᵢ = I checked
/// on construction. Matrices are row-major and little-endian in the channel's own qubits (as gates are).
/// Channels that are a mixture of unitaries (depolarizing, Pauli, bit and phase flip) also keep their mixture form
/// (probabilities pᵢ and unitaries Uᵢ, Kᵢ = √pᵢ Uᵢ) so that Monte-Carlo trajectories pick by fixed probabilities.
/// </summary>
public sealed class QuantumChannel
{
    /// <summary>Largest max |(Σ K†K − I)ᵢⱼ| accepted: float64 round-off on a few products stays near 1e-15.</summary>
    public const double CompletenessTolerance = 1e-10;

    private readonly Complex[][,] _kraus;
    private readonly double[]? _mixtureProbs;
    private readonly Complex[][,]? _mixtureUnitaries;
    private readonly bool[]? _mixtureIsIdentity;

    private QuantumChannel(string name, Complex[][,] kraus, double[]? mixtureProbs, Complex[][,]? mixtureUnitaries)
    {
        Name = name;
        NumQubits = CheckShapes(name, kraus);
        _kraus = kraus;
        _mixtureProbs = mixtureProbs;
        _mixtureUnitaries = mixtureUnitaries;
        if (mixtureUnitaries is not null) _mixtureIsIdentity = mixtureUnitaries.Select(IsIdentity).ToArray();
        double dev = CompletenessDeviation(kraus);
        if (!(dev <= CompletenessTolerance))
            throw new ArgumentException(
                $"channel '{name}' is not trace preserving: max |(Σ K†K − I)ij| = {dev.ToString("G4", CultureInfo.InvariantCulture)} " +
                $"exceeds tolerance {CompletenessTolerance:G2} ({kraus.Length} Kraus operator(s))");
    }

    /// <summary>A channel from its Kraus operators (copied), each 2ᵏ×2ᵏ.</summary>
    /// <exception cref="ArgumentException">No operators, shapes that are not 2ᵏ×2ᵏ or differ, or Σ K†K ≠ I (the message gives the deviation).</exception>
    public static QuantumChannel FromKraus(IEnumerable<Complex[,]> krausOperators, string name = "kraus")
    {
        ArgumentNullException.ThrowIfNull(krausOperators);
        return new QuantumChannel(name, krausOperators.Select(k => (Complex[,])k.Clone()).ToArray(), null, null);
    }

    /// <summary>
    /// The mixture ρ ↦ Σᵢ pᵢ Uᵢ ρ Uᵢ† of unitaries <paramref name="unitaries"/> with probabilities <paramref name="probabilities"/>
    /// (non-negative, summing to 1).
    /// </summary>
    /// <exception cref="ArgumentException">Counts differ, a probability is negative or they do not sum to 1, or a matrix is not unitary.</exception>
    public static QuantumChannel MixedUnitary(IReadOnlyList<double> probabilities, IReadOnlyList<Complex[,]> unitaries, string name = "mixed_unitary")
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(unitaries);
        if (probabilities.Count != unitaries.Count || probabilities.Count == 0)
            throw new ArgumentException($"channel '{name}': {probabilities.Count} probabilities for {unitaries.Count} unitaries");
        for (int i = 0; i < probabilities.Count; i++)
            if (!(probabilities[i] >= 0)) throw new ArgumentException($"channel '{name}': probability {i} is {probabilities[i]}, not ≥ 0");
        double sum = probabilities.Sum();
        if (Math.Abs(sum - 1) > CompletenessTolerance) throw new ArgumentException($"channel '{name}': probabilities sum to {sum:R}, not 1");
        for (int i = 0; i < unitaries.Count; i++) MatrixUtil.EnsureUnitary(unitaries[i], $"channel '{name}', unitary {i}");
        var us = unitaries.Select(u => (Complex[,])u.Clone()).ToArray();
        var kraus = us.Select((u, i) => Scaled(u, Math.Sqrt(probabilities[i]))).ToArray();
        return new QuantumChannel(name, kraus, [.. probabilities], us);
    }

    /// <summary>Short name ("depolarizing", "amplitude_damping", …) used in error messages.</summary>
    public string Name { get; }

    /// <summary>Number of qubits k the channel acts on.</summary>
    public int NumQubits { get; }

    /// <summary>The Kraus operators Kᵢ (copies: a channel is immutable).</summary>
    public IReadOnlyList<Complex[,]> KrausOperators => _kraus.Select(k => (Complex[,])k.Clone()).ToArray();

    /// <summary>The stored Kraus operators, not copied (the simulators only read them).</summary>
    internal Complex[][,] Kraus => _kraus;

    /// <summary>True when the channel is stored as a mixture of unitaries (<see cref="MixtureProbabilities"/> is set).</summary>
    public bool IsUnitaryMixture => _mixtureProbs is not null;

    /// <summary>The mixture probabilities pᵢ when <see cref="IsUnitaryMixture"/>, else null.</summary>
    public IReadOnlyList<double>? MixtureProbabilities => _mixtureProbs is null ? null : Array.AsReadOnly(_mixtureProbs);

    /// <summary>The stored mixture probabilities, not wrapped (trajectories read them on every step).</summary>
    internal double[]? MixtureProbs => _mixtureProbs;

    /// <summary>The mixture unitaries Uᵢ when <see cref="IsUnitaryMixture"/>, else null (copies).</summary>
    public IReadOnlyList<Complex[,]>? MixtureUnitaries => _mixtureUnitaries?.Select(u => (Complex[,])u.Clone()).ToArray();

    /// <summary>The stored mixture unitaries, not copied.</summary>
    internal Complex[][,]? Unitaries => _mixtureUnitaries;

    /// <summary>Which mixture unitaries are the identity (a trajectory skips them).</summary>
    internal IReadOnlyList<bool>? MixtureIsIdentity => _mixtureIsIdentity;

    // ---------- standard channels ----------

    /// <summary>The identity channel on <paramref name="numQubits"/> qubits.</summary>
    public static QuantumChannel Identity(int numQubits = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numQubits, 1);
        return MixedUnitary([1.0], [MatrixUtil.Identity(1 << numQubits)], "identity");
    }

    /// <summary>
    /// Depolarizing channel on <paramref name="numQubits"/> qubits in Qiskit's parameterisation: with probability
    /// <paramref name="p"/> the state is replaced by the maximally mixed state, ρ ↦ (1 − p)ρ + p·I/2ᵏ. As a Pauli mixture:
    /// each of the 4ᵏ − 1 non-identity Pauli strings with probability p/4ᵏ, the identity with 1 − p(4ᵏ − 1)/4ᵏ.
    /// The Bloch vector (every Pauli expectation) shrinks by the factor 1 − p. Valid for 0 ≤ p ≤ 4ᵏ/(4ᵏ − 1).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">p outside [0, 4ᵏ/(4ᵏ − 1)], or numQubits &lt; 1.</exception>
    public static QuantumChannel Depolarizing(double p, int numQubits = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numQubits, 1);
        if (numQubits > 6) throw new ArgumentOutOfRangeException(nameof(numQubits), $"depolarizing channel on {numQubits} qubits would need 4^{numQubits} Kraus operators; at most 6 qubits");
        long d2 = 1L << (2 * numQubits);
        double max = (double)d2 / (d2 - 1);
        if (!(p >= 0 && p <= max + 1e-15))
            throw new ArgumentOutOfRangeException(nameof(p), $"depolarizing probability {p} outside [0, {max:R}] for {numQubits} qubit(s)");
        var probs = new double[d2];
        probs[0] = Math.Max(0, 1 - p * (d2 - 1) / d2);
        for (int i = 1; i < d2; i++) probs[i] = p / d2;
        return PauliMixture(probs, numQubits, "depolarizing");
    }

    /// <summary>Amplitude damping (energy relaxation, T1): K₀ = [[1, 0], [0, √(1−γ)]], K₁ = [[0, √γ], [0, 0]]; |1⟩ decays to |0⟩ with probability γ.</summary>
    /// <exception cref="ArgumentOutOfRangeException">γ outside [0, 1].</exception>
    public static QuantumChannel AmplitudeDamping(double gamma)
    {
        CheckProbability(gamma, nameof(gamma), "amplitude damping");
        return FromKraus([
            new Complex[,] { { 1, 0 }, { 0, Math.Sqrt(1 - gamma) } },
            new Complex[,] { { 0, Math.Sqrt(gamma) }, { 0, 0 } },
        ], "amplitude_damping");
    }

    /// <summary>
    /// Phase damping (pure dephasing, T2 without T1), Qiskit's form: K₀ = [[1, 0], [0, √(1−λ)]], K₁ = [[0, 0], [0, √λ]].
    /// Populations are kept; the coherence ρ₀₁ is multiplied by √(1 − λ).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">λ outside [0, 1].</exception>
    public static QuantumChannel PhaseDamping(double lambda)
    {
        CheckProbability(lambda, nameof(lambda), "phase damping");
        return FromKraus([
            new Complex[,] { { 1, 0 }, { 0, Math.Sqrt(1 - lambda) } },
            new Complex[,] { { 0, 0 }, { 0, Math.Sqrt(lambda) } },
        ], "phase_damping");
    }

    /// <summary>
    /// Generalised amplitude damping (Nielsen and Chuang §8.3.5): relaxation with strength <paramref name="gamma"/> towards the
    /// thermal state diag(p, 1 − p), where <paramref name="p1"/> = p is the ground-state population of that fixed point.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">γ or p outside [0, 1].</exception>
    public static QuantumChannel GeneralizedAmplitudeDamping(double gamma, double p1)
    {
        CheckProbability(gamma, nameof(gamma), "generalized amplitude damping");
        CheckProbability(p1, nameof(p1), "generalized amplitude damping");
        double a = Math.Sqrt(p1), b = Math.Sqrt(1 - p1), g = Math.Sqrt(gamma), h = Math.Sqrt(1 - gamma);
        return FromKraus([
            new Complex[,] { { a, 0 }, { 0, a * h } },
            new Complex[,] { { 0, a * g }, { 0, 0 } },
            new Complex[,] { { b * h, 0 }, { 0, b } },
            new Complex[,] { { 0, 0 }, { b * g, 0 } },
        ], "generalized_amplitude_damping");
    }

    /// <summary>
    /// Thermal relaxation towards |0⟩ for a duration <paramref name="time"/> with relaxation time <paramref name="t1"/> and
    /// dephasing time <paramref name="t2"/> (same units): P(1) decays as e^{−t/T1} and the coherence ρ₀₁ as e^{−t/T2}.
    /// Built as amplitude damping γ = 1 − e^{−t/T1} followed by phase damping λ = 1 − e^{t/T1 − 2t/T2}; needs T2 ≤ 2·T1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Non-positive T1 or T2, negative time, or T2 &gt; 2·T1 (not a physical channel).</exception>
    public static QuantumChannel ThermalRelaxation(double t1, double t2, double time)
    {
        if (!(t1 > 0)) throw new ArgumentOutOfRangeException(nameof(t1), $"thermal relaxation: T1 = {t1} must be positive");
        if (!(t2 > 0)) throw new ArgumentOutOfRangeException(nameof(t2), $"thermal relaxation: T2 = {t2} must be positive");
        if (!(time >= 0)) throw new ArgumentOutOfRangeException(nameof(time), $"thermal relaxation: time = {time} must be non-negative");
        if (t2 > 2 * t1 * (1 + 1e-12)) throw new ArgumentOutOfRangeException(nameof(t2), $"thermal relaxation: T2 = {t2} exceeds 2·T1 = {2 * t1}, which no physical channel allows");
        double gamma = -double.ExpM1(-time / t1);
        double lambda = Math.Clamp(-double.ExpM1(time / t1 - 2 * time / t2), 0, 1);
        var ch = AmplitudeDamping(gamma).Compose(PhaseDamping(lambda));
        return new QuantumChannel("thermal_relaxation", ch._kraus, null, null);
    }

    /// <summary>Bit flip: X with probability <paramref name="p"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">p outside [0, 1].</exception>
    public static QuantumChannel BitFlip(double p)
    {
        CheckProbability(p, nameof(p), "bit flip");
        return PauliMixture([1 - p, p, 0, 0], 1, "bit_flip");
    }

    /// <summary>Phase flip: Z with probability <paramref name="p"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">p outside [0, 1].</exception>
    public static QuantumChannel PhaseFlip(double p)
    {
        CheckProbability(p, nameof(p), "phase flip");
        return PauliMixture([1 - p, 0, 0, p], 1, "phase_flip");
    }

    /// <summary>One-qubit Pauli channel: X, Y, Z with probabilities <paramref name="px"/>, <paramref name="py"/>, <paramref name="pz"/>, identity otherwise.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A probability is negative or they sum to more than 1.</exception>
    public static QuantumChannel Pauli(double px, double py, double pz)
    {
        CheckProbability(px, nameof(px), "Pauli channel");
        CheckProbability(py, nameof(py), "Pauli channel");
        CheckProbability(pz, nameof(pz), "Pauli channel");
        double pi = 1 - px - py - pz;
        if (pi < -1e-15) throw new ArgumentOutOfRangeException(nameof(pz), $"Pauli channel: px + py + pz = {px + py + pz:R} exceeds 1");
        return PauliMixture([Math.Max(0, pi), px, py, pz], 1, "pauli");
    }

    /// <summary>
    /// Pauli channel on k qubits from Pauli strings ("XI", "ZZ", …; qubit 0 the rightmost letter, as in
    /// <see cref="StateVector.ExpectationPauli"/>) to probabilities; the identity string takes what remains of 1.
    /// </summary>
    /// <exception cref="ArgumentException">Strings of different lengths or with letters other than I, X, Y, Z; negative probabilities or a sum above 1.</exception>
    public static QuantumChannel Pauli(IReadOnlyDictionary<string, double> probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.Count == 0) throw new ArgumentException("Pauli channel: no Pauli strings given", nameof(probabilities));
        int k = probabilities.Keys.First().Length;
        if (k < 1 || k > 6) throw new ArgumentException($"Pauli channel: strings of {k} letters; 1 to 6 supported", nameof(probabilities));
        var probs = new double[1L << (2 * k)];
        foreach (var (s, p) in probabilities)
        {
            if (s.Length != k) throw new ArgumentException($"Pauli channel: string '{s}' has {s.Length} letters, the first has {k}", nameof(probabilities));
            if (!(p >= 0 && p <= 1)) throw new ArgumentException($"Pauli channel: probability of '{s}' is {p}, outside [0, 1]", nameof(probabilities));
            probs[PauliIndex(s)] += p;
        }
        bool identityGiven = probabilities.Keys.Any(s => s.All(ch => ch is 'I' or 'i'));
        double given = probs.Sum();
        if (!identityGiven)
        {
            if (given > 1 + 1e-12) throw new ArgumentException($"Pauli channel: probabilities sum to {given:R} > 1", nameof(probabilities));
            probs[0] = Math.Max(0, 1 - given);
        }
        else if (Math.Abs(given - 1) > 1e-12) throw new ArgumentException($"Pauli channel: probabilities sum to {given:R}, not 1", nameof(probabilities));
        return PauliMixture(probs, k, "pauli");
    }

    // ---------- algebra ----------

    /// <summary>
    /// This channel followed by <paramref name="next"/> (both on the same k qubits): Kraus operators Bⱼ·Aᵢ. Two unitary
    /// mixtures give a unitary mixture (probabilities multiply; unitaries equal up to phase are merged). A general result
    /// with more than 4ᵏ operators is reduced to at most 4ᵏ canonical ones (eigenvectors of its Choi matrix).
    /// </summary>
    /// <exception cref="ArgumentException">The qubit counts differ.</exception>
    public QuantumChannel Compose(QuantumChannel next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (next.NumQubits != NumQubits)
            throw new ArgumentException($"cannot compose channel '{Name}' on {NumQubits} qubit(s) with '{next.Name}' on {next.NumQubits}");
        string name = $"{Name}∘{next.Name}";
        if (IsUnitaryMixture && next.IsUnitaryMixture)
        {
            var probs = new List<double>();
            var us = new List<Complex[,]>();
            for (int j = 0; j < next._mixtureProbs!.Length; j++)
                for (int i = 0; i < _mixtureProbs!.Length; i++)
                {
                    double p = next._mixtureProbs[j] * _mixtureProbs[i];
                    if (p == 0) continue;
                    var u = MatrixUtil.Multiply(next._mixtureUnitaries![j], _mixtureUnitaries![i]);
                    int same = us.FindIndex(v => EqualUpToPhase(v, u));
                    if (same >= 0) probs[same] += p;
                    else { probs.Add(p); us.Add(u); }
                }
            return new QuantumChannel(name, us.Select((u, i) => Scaled(u, Math.Sqrt(probs[i]))).ToArray(), [.. probs], [.. us]);
        }
        var kraus = new List<Complex[,]>();
        foreach (var b in next._kraus)
            foreach (var a in _kraus)
                kraus.Add(MatrixUtil.Multiply(b, a));
        int d = 1 << NumQubits;
        var result = kraus.Count > d * d ? CanonicalKraus(kraus, d) : kraus;
        return new QuantumChannel(name, [.. result], null, null);
    }

    /// <summary>
    /// The tensor product: this channel on the low qubits (0..k−1) and <paramref name="other"/> on the next ones,
    /// Kraus operators B ⊗ A in little-endian order.
    /// </summary>
    public QuantumChannel Tensor(QuantumChannel other)
    {
        ArgumentNullException.ThrowIfNull(other);
        string name = $"{other.Name}⊗{Name}";
        if (IsUnitaryMixture && other.IsUnitaryMixture)
        {
            var probs = new List<double>();
            var us = new List<Complex[,]>();
            for (int j = 0; j < other._mixtureProbs!.Length; j++)
                for (int i = 0; i < _mixtureProbs!.Length; i++)
                {
                    probs.Add(other._mixtureProbs[j] * _mixtureProbs[i]);
                    us.Add(Kron(other._mixtureUnitaries![j], _mixtureUnitaries![i]));
                }
            return new QuantumChannel(name, us.Select((u, i) => Scaled(u, Math.Sqrt(probs[i]))).ToArray(), [.. probs], [.. us]);
        }
        var kraus = other._kraus.SelectMany(b => _kraus.Select(a => Kron(b, a))).ToArray();
        return new QuantumChannel(name, kraus, null, null);
    }

    /// <summary>
    /// This channel as a channel on <paramref name="numQubits"/> qubits with its qubit j on <paramref name="positions"/>[j] and the
    /// identity on the others (Kraus operators I ⊗ K with the factors interleaved as the positions say).
    /// </summary>
    /// <exception cref="ArgumentException">The positions do not match the channel's size, or repeat, or fall outside [0, numQubits).</exception>
    public QuantumChannel Expand(int[] positions, int numQubits)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (positions.Length != NumQubits || positions.Distinct().Count() != positions.Length || positions.Any(p => (uint)p >= (uint)numQubits))
            throw new ArgumentException($"channel '{Name}' on {NumQubits} qubit(s) cannot be placed on positions [{string.Join(", ", positions)}] of {numQubits} qubits", nameof(positions));
        int dim = 1 << numQubits;
        long mask = positions.Aggregate(0L, (m, q) => m | 1L << q);
        int Sub(int i) { int r = 0; for (int j = 0; j < positions.Length; j++) r |= (i >> positions[j] & 1) << j; return r; }
        Complex[,] Embed(Complex[,] k)
        {
            var m = new Complex[dim, dim];
            for (int r = 0; r < dim; r++) for (int c = 0; c < dim; c++)
                if ((r & ~mask) == (c & ~mask)) m[r, c] = k[Sub(r), Sub(c)];
            return m;
        }
        if (IsUnitaryMixture)
        {
            var us = _mixtureUnitaries!.Select(Embed).ToArray();
            return new QuantumChannel(Name, us.Select((u, i) => Scaled(u, Math.Sqrt(_mixtureProbs![i]))).ToArray(), [.. _mixtureProbs!], us);
        }
        return new QuantumChannel(Name, _kraus.Select(Embed).ToArray(), null, null);
    }

    /// <summary>
    /// The superoperator S = Σᵢ conj(Kᵢ) ⊗ Kᵢ (4ᵏ×4ᵏ) acting on vec(ρ) with ρ[r, c] at index r + c·2ᵏ: the row index in the
    /// low k bits, the column index in the high k bits. This is how <see cref="DensityMatrix"/> stores ρ.
    /// </summary>
    public Complex[,] SuperOperator() => (Complex[,])CachedSuperOperator.Clone();

    /// <summary>The superoperator, built once (read-only: the density matrix applies it on every call).</summary>
    internal Complex[,] CachedSuperOperator => _superOperator ??= BuildSuperOperator();

    private Complex[,]? _superOperator;

    private Complex[,] BuildSuperOperator()
    {
        int d = 1 << NumQubits;
        var s = new Complex[d * d, d * d];
        foreach (var k in _kraus)
            for (int r = 0; r < d; r++) for (int c = 0; c < d; c++)
                for (int r2 = 0; r2 < d; r2++)
                {
                    if (k[r, r2] == Complex.Zero) continue;
                    for (int c2 = 0; c2 < d; c2++)
                        s[r + c * d, r2 + c2 * d] += k[r, r2] * Complex.Conjugate(k[c, c2]);
                }
        return s;
    }

    /// <summary>Applies the channel to a 2ᵏ×2ᵏ density matrix given as an array: Σᵢ Kᵢ ρ Kᵢ†.</summary>
    public Complex[,] Apply(Complex[,] rho)
    {
        ArgumentNullException.ThrowIfNull(rho);
        int d = 1 << NumQubits;
        if (rho.GetLength(0) != d || rho.GetLength(1) != d) throw new ArgumentException($"channel '{Name}' acts on {d}×{d} matrices, got {rho.GetLength(0)}×{rho.GetLength(1)}", nameof(rho));
        var r = new Complex[d, d];
        foreach (var k in _kraus)
        {
            var t = MatrixUtil.Multiply(MatrixUtil.Multiply(k, rho), MatrixUtil.Dagger(k));
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) r[i, j] += t[i, j];
        }
        return r;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({NumQubits} qubit(s), {_kraus.Length} Kraus operator(s))";

    // ---------- helpers ----------

    /// <summary>max |(Σ K†K − I)ᵢⱼ|.</summary>
    internal static double CompletenessDeviation(IReadOnlyList<Complex[,]> kraus)
    {
        int d = kraus[0].GetLength(0);
        var sum = new Complex[d, d];
        foreach (var k in kraus)
        {
            var p = MatrixUtil.Multiply(MatrixUtil.Dagger(k), k);
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) sum[i, j] += p[i, j];
        }
        double dev = 0;
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) dev = Math.Max(dev, (sum[i, j] - (i == j ? 1 : 0)).Magnitude);
        return dev;
    }

    private static int CheckShapes(string name, Complex[][,] kraus)
    {
        if (kraus.Length == 0) throw new ArgumentException($"channel '{name}' has no Kraus operators");
        int d = kraus[0].GetLength(0);
        if (d < 2 || (d & (d - 1)) != 0) throw new ArgumentException($"channel '{name}': Kraus operators must be 2^k×2^k, operator 0 is {kraus[0].GetLength(0)}×{kraus[0].GetLength(1)}");
        for (int i = 0; i < kraus.Length; i++)
            if (kraus[i].GetLength(0) != d || kraus[i].GetLength(1) != d)
                throw new ArgumentException($"channel '{name}': Kraus operator {i} is {kraus[i].GetLength(0)}×{kraus[i].GetLength(1)}, expected {d}×{d}");
        return BitOperations.Log2((uint)d);
    }

    private static void CheckProbability(double p, string param, string what)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(param, $"{what}: {param} = {p} is outside [0, 1]");
    }

    /// <summary>Index of a Pauli string in base 4 (I=0, X=1, Y=2, Z=3), qubit 0 (rightmost letter) the lowest digit.</summary>
    private static long PauliIndex(string s)
    {
        long idx = 0;
        for (int c = 0; c < s.Length; c++)
        {
            int digit = char.ToUpperInvariant(s[c]) switch
            {
                'I' => 0, 'X' => 1, 'Y' => 2, 'Z' => 3,
                _ => throw new ArgumentException($"Pauli string '{s}': letter '{s[c]}' at position {c} is not I, X, Y or Z"),
            };
            idx = idx * 4 + digit;
        }
        return idx;
    }

    private static readonly Complex[][,] SinglePaulis =
    [
        new Complex[,] { { 1, 0 }, { 0, 1 } },
        new Complex[,] { { 0, 1 }, { 1, 0 } },
        new Complex[,] { { 0, -Complex.ImaginaryOne }, { Complex.ImaginaryOne, 0 } },
        new Complex[,] { { 1, 0 }, { 0, -1 } },
    ];

    /// <summary>The Pauli matrix with base-4 index <paramref name="index"/> (see <see cref="PauliIndex"/>) on k qubits.</summary>
    internal static Complex[,] PauliMatrix(long index, int k)
    {
        Complex[,] m = new Complex[,] { { 1 } };
        for (int q = k - 1; q >= 0; q--) m = Kron(m, SinglePaulis[(index >> (2 * q)) & 3]);
        return m;
    }

    /// <summary>The mixture Σ pᵢ Pᵢ ρ Pᵢ over all 4ᵏ Pauli strings; zero-probability terms are dropped.</summary>
    private static QuantumChannel PauliMixture(double[] probs, int k, string name)
    {
        var ps = new List<double>();
        var us = new List<Complex[,]>();
        for (long i = 0; i < probs.Length; i++)
        {
            if (probs[i] == 0) continue;
            ps.Add(probs[i]);
            us.Add(PauliMatrix(i, k));
        }
        if (ps.Count == 0) { ps.Add(1); us.Add(PauliMatrix(0, k)); }
        return new QuantumChannel(name, us.Select((u, i) => Scaled(u, Math.Sqrt(ps[i]))).ToArray(), [.. ps], [.. us]);
    }

    /// <summary>a ⊗ b with b on the low (least significant) qubits.</summary>
    internal static Complex[,] Kron(Complex[,] a, Complex[,] b)
    {
        int ar = a.GetLength(0), ac = a.GetLength(1), br = b.GetLength(0), bc = b.GetLength(1);
        var r = new Complex[ar * br, ac * bc];
        for (int i = 0; i < ar; i++) for (int j = 0; j < ac; j++)
        {
            if (a[i, j] == Complex.Zero) continue;
            for (int k = 0; k < br; k++) for (int l = 0; l < bc; l++) r[i * br + k, j * bc + l] = a[i, j] * b[k, l];
        }
        return r;
    }

    private static Complex[,] Scaled(Complex[,] m, double f)
    {
        var r = (Complex[,])m.Clone();
        for (int i = 0; i < r.GetLength(0); i++) for (int j = 0; j < r.GetLength(1); j++) r[i, j] *= f;
        return r;
    }

    private static bool IsIdentity(Complex[,] u)
    {
        for (int i = 0; i < u.GetLength(0); i++) for (int j = 0; j < u.GetLength(1); j++)
            if ((u[i, j] - (i == j ? 1 : 0)).Magnitude > 1e-14) return false;
        return true;
    }

    /// <summary>|Tr(U†V)| = d exactly when V = e^{iφ}U (both unitary).</summary>
    private static bool EqualUpToPhase(Complex[,] u, Complex[,] v)
    {
        int d = u.GetLength(0);
        Complex tr = Complex.Zero;
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) tr += Complex.Conjugate(u[i, j]) * v[i, j];
        return Math.Abs(tr.Magnitude - d) < 1e-12;
    }

    /// <summary>
    /// Canonical Kraus operators from the Choi matrix J = Σᵢ vec(Kᵢ)vec(Kᵢ)†: its eigenvectors with eigenvalue λ &gt; 0
    /// give Kraus operators √λ·unvec(v), at most d² of them.
    /// </summary>
    private static List<Complex[,]> CanonicalKraus(List<Complex[,]> kraus, int d)
    {
        int d2 = d * d;
        var choi = new Complex[d2, d2];
        foreach (var k in kraus)
            for (int a = 0; a < d2; a++)
            {
                Complex ka = k[a / d, a % d];
                if (ka == Complex.Zero) continue;
                for (int b = 0; b < d2; b++) choi[a, b] += ka * Complex.Conjugate(k[b / d, b % d]);
            }
        var (values, vectors) = HermitianEigen.Decompose(choi);
        double cutoff = 1e-14 * Math.Max(1, values.Max());
        var result = new List<Complex[,]>();
        for (int e = values.Length - 1; e >= 0; e--)
        {
            if (values[e] <= cutoff) continue;
            double s = Math.Sqrt(values[e]);
            var m = new Complex[d, d];
            for (int a = 0; a < d2; a++) m[a / d, a % d] = s * vectors[a, e];
            result.Add(m);
        }
        return result;
    }
}
