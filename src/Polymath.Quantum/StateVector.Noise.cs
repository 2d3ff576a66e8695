using System.Numerics;

namespace Polymath.Quantum;

// Primitives that noisy simulation needs on a pure state: non-unitary operators, normalisation, one stochastic step of a
// channel (a Monte-Carlo trajectory), one joint sample, reset. Updates go through ApplyUnchecked / ApplyMatrix2; the
// read-only loops use AmplitudePointer, the one place here that touches the storage (complex128 states only).
public sealed unsafe partial class StateVector
{
    /// <summary>
    /// The complex128 amplitudes (2ⁿ of them). Valid while this object is alive: callers end with <c>GC.KeepAlive(state)</c>.
    /// </summary>
    /// <exception cref="NotSupportedException">The state is stored at another precision.</exception>
    internal Complex* AmplitudePointer => Precision == Precision.Complex128
        ? (Complex*)_storage.Pointer
        : throw new NotSupportedException($"this operation reads complex128 amplitudes; the state is stored as {Precision}");

    /// <summary>
    /// Applies any 2ᵏ×2ᵏ matrix (unitary or not, e.g. a Kraus operator) to <paramref name="targets"/>; the state is not
    /// renormalised. Row-major, little-endian in its own qubits (bit j of an index is targets[j]).
    /// </summary>
    /// <exception cref="ArgumentException">The shape does not match, or a qubit is out of range or repeated.</exception>
    public void ApplyOperator(Complex[,] matrix, params int[] targets)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(targets);
        int d = 1 << targets.Length;
        if (targets.Length == 0 || matrix.GetLength(0) != d || matrix.GetLength(1) != d)
            throw new ArgumentException($"a {matrix.GetLength(0)}×{matrix.GetLength(1)} matrix cannot act on {targets.Length} qubit(s); expected {d}×{d}", nameof(matrix));
        ApplyUnchecked(matrix, targets, []);
    }

    /// <summary>Multiplies every amplitude by <paramref name="factor"/> (skipped for 1).</summary>
    internal void MultiplyAmplitudes(Complex factor)
    {
        if (factor != Complex.One) Scale(factor);
    }

    /// <summary>Sets the state back to |0…0⟩ without reallocating (trajectories reuse one state per worker).</summary>
    internal void ResetToZeroState()
    {
        var a = AmplitudePointer;
        System.Runtime.InteropServices.NativeMemory.Clear(a, (nuint)(Dimension * sizeof(Complex)));
        a[0] = Complex.One;
        GC.KeepAlive(this);
    }

    /// <summary>Rescales the state to unit norm.</summary>
    /// <exception cref="InvalidOperationException">The state is zero (nothing to normalise).</exception>
    public void Normalize()
    {
        double n2 = NormSquared();
        if (!(n2 > 0)) throw new InvalidOperationException("cannot normalise a zero state vector");
        MultiplyAmplitudes(1 / Math.Sqrt(n2));
    }

    /// <summary>
    /// One Monte-Carlo trajectory step of <paramref name="channel"/> on <paramref name="qubits"/> (channel qubit j on
    /// qubits[j]): picks Kraus operator Kᵢ with probability ‖Kᵢψ‖², applies it and renormalises. Unitary mixtures
    /// (depolarizing, Pauli, bit/phase flip) pick by their fixed probabilities without computing any norm.
    /// Returns the index of the operator applied.
    /// </summary>
    /// <exception cref="ArgumentException">The qubit count differs from the channel's, or a qubit is out of range or repeated.</exception>
    public int ApplyChannel(QuantumChannel channel, Random rng, params int[] qubits)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(qubits);
        if (qubits.Length != channel.NumQubits)
            throw new ArgumentException($"channel '{channel.Name}' acts on {channel.NumQubits} qubit(s) but {qubits.Length} were given");
        if (channel.MixtureProbs is { } probs)
        {
            int pick = Pick(probs, rng.NextDouble());
            var u = channel.Unitaries![pick];
            if (!channel.MixtureIsIdentity![pick]) ApplyUnchecked(u, qubits, []);
            else CheckQubitsOnly(qubits);
            return pick;
        }
        // p_i = ‖K_i ψ‖² = Tr(K_i ρ_T K_i†) with ρ_T the reduced state on the targets: one pass over the state for all i.
        var reduced = QuantumInfo.ReducedDensityMatrix(this, qubits);
        var kraus = channel.Kraus;
        var weights = new double[kraus.Length];
        for (int i = 0; i < kraus.Length; i++) weights[i] = Math.Max(0, KrausWeight(kraus[i], reduced));
        int k = Pick(weights, rng.NextDouble() * weights.Sum());
        var m = (Complex[,])kraus[k].Clone();
        double scale = 1 / Math.Sqrt(weights[k]);
        for (int r = 0; r < m.GetLength(0); r++) for (int c = 0; c < m.GetLength(1); c++) m[r, c] *= scale;
        ApplyUnchecked(m, qubits, []);
        return k;
    }

    /// <summary>One basis index drawn from |ψ|² (relative to the squared norm) with a single uniform from <paramref name="rng"/>; the state is unchanged.</summary>
    public long SampleIndex(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        double u = rng.NextDouble() * NormSquared();
        var a = AmplitudePointer;
        double acc = 0;
        long last = 0;
        for (long i = 0; i < Dimension; i++)
        {
            double p = a[i].Real * a[i].Real + a[i].Imaginary * a[i].Imaginary;
            if (p == 0) continue;
            last = i;
            acc += p;
            if (u < acc) { GC.KeepAlive(this); return i; }
        }
        GC.KeepAlive(this);
        return last;                                   // round-off ran past the end: the last index with weight
    }

    private void CheckQubitsOnly(int[] qubits) => CheckQubits(qubits, []);

    /// <summary>Tr(K ρ K†) = Σ_{r,a,b} K[r,a] ρ[a,b] conj(K[r,b]).</summary>
    private static double KrausWeight(Complex[,] k, Complex[,] rho)
    {
        int d = rho.GetLength(0);
        double s = 0;
        for (int r = 0; r < d; r++)
        {
            Complex acc = Complex.Zero;
            for (int a = 0; a < d; a++)
            {
                if (k[r, a] == Complex.Zero) continue;
                for (int b = 0; b < d; b++) acc += k[r, a] * rho[a, b] * Complex.Conjugate(k[r, b]);
            }
            s += acc.Real;
        }
        return s;
    }

    /// <summary>First index whose cumulative weight exceeds <paramref name="u"/>, skipping zero weights; the last positive one when round-off runs past the end.</summary>
    internal static int Pick(IReadOnlyList<double> weights, double u)
    {
        double acc = 0;
        int last = -1;
        for (int i = 0; i < weights.Count; i++)
        {
            if (weights[i] <= 0) continue;
            last = i;
            acc += weights[i];
            if (u < acc) return i;
        }
        if (last < 0) throw new InvalidOperationException("every Kraus operator has zero weight on this state (the state is zero)");
        return last;
    }
}
