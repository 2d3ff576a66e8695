using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// Quantum-information read-outs: reduced density matrices, fidelities, entropies, purity and trace distance.
/// Entropies take a logarithm base; the default is 2 (bits, as Qiskit's <c>entropy</c>), pass <see cref="Math.E"/> for nats.
/// Matrices are <c>Complex[,]</c> row-major and little-endian; the matrix overloads are for small (≤ a few hundred) dimensions.
/// </summary>
public static unsafe class QuantumInfo
{
    /// <summary>Eigenvalues below this (in absolute value) are treated as zero in logarithms and square roots.</summary>
    private const double EigenvalueFloor = 1e-15;

    /// <summary>
    /// The reduced density matrix ρ_A = Tr_B |ψ⟩⟨ψ| of <paramref name="state"/> on <paramref name="qubits"/> (k of them), 2ᵏ×2ᵏ and
    /// little-endian in the given order: bit j of a row/column index is qubits[j]. Computed from the amplitudes in one pass
    /// (ρ_A = Σ_b ψ_b ψ_b† over the 2ⁿ⁻ᵏ settings b of the other qubits), never forming the 2ⁿ×2ⁿ matrix.
    /// </summary>
    /// <exception cref="ArgumentException">A qubit is out of range or repeated, or more than 14 qubits are kept.</exception>
    public static Complex[,] ReducedDensityMatrix(StateVector state, params int[] qubits)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(qubits);
        CheckSubset(qubits, state.NumQubits, "reduced density matrix");
        int k = qubits.Length;
        if (k > 14) throw new ArgumentException($"reduced density matrix on {k} qubits would be {1L << k}×{1L << k}; at most 14 qubits", nameof(qubits));
        int d = 1 << k;
        var offsets = new long[d];
        for (int m = 0; m < d; m++)
            for (int j = 0; j < k; j++)
                if ((m >> j & 1) != 0) offsets[m] |= 1L << qubits[j];
        var sorted = qubits.Order().ToArray();
        long envCount = 1L << (state.NumQubits - k);
        if (state.Precision != Precision.Complex128)
        {
            // Other precisions: read a complex128 copy (at most 2³⁰ amplitudes).
            var copy = state.ToArray();
            fixed (Complex* c = copy) return Reduce(c, envCount, d, offsets, sorted);
        }
        var rho = Reduce(state.AmplitudePointer, envCount, d, offsets, sorted);
        GC.KeepAlive(state);
        return rho;
    }

    /// <summary>ρ_A = Σ_b ψ_b ψ_b† over the environment settings b, in fixed chunks summed in order (thread-count independent).</summary>
    private static Complex[,] Reduce(Complex* amp, long envCount, int d, long[] offsets, int[] sorted)
    {
        if (d == 2) return ReduceOneQubit(amp, envCount, sorted[0]);

        const long Chunk = 1L << 12;
        long chunks = (envCount + Chunk - 1) / Chunk;
        var partial = new Complex[chunks][];
        nint basePtr = (nint)amp;
        void RunChunk(long c)
        {
            var a = (Complex*)basePtr;
            var acc = new Complex[d * d];
            var v = new Complex[d];
            long end = Math.Min(envCount, (c + 1) * Chunk);
            for (long e = c * Chunk; e < end; e++)
            {
                long b = InsertZeros(e, sorted);
                bool any = false;
                for (int m = 0; m < d; m++) { v[m] = a[b + offsets[m]]; any |= v[m] != Complex.Zero; }
                if (!any) continue;
                for (int r = 0; r < d; r++)
                {
                    Complex vr = v[r];
                    if (vr == Complex.Zero) continue;
                    int row = r * d;
                    for (int s = 0; s < d; s++) acc[row + s] += vr * Complex.Conjugate(v[s]);
                }
            }
            partial[c] = acc;
        }
        if (chunks == 1 || envCount * d < (1L << 14)) for (long c = 0; c < chunks; c++) RunChunk(c);
        else Parallel.For(0L, chunks, RunChunk);

        var rho = new Complex[d, d];
        foreach (var acc in partial)
            for (int r = 0; r < d; r++) for (int s = 0; s < d; s++) rho[r, s] += acc[r * d + s];
        return rho;
    }

    /// <summary>The Schmidt coefficients of |ψ⟩ across the cut (<paramref name="qubitsA"/> | rest), descending; their squares sum to ⟨ψ|ψ⟩.</summary>
    public static double[] SchmidtCoefficients(StateVector state, params int[] qubitsA)
    {
        var rho = SmallerSideReduced(state, qubitsA);
        return HermitianEigen.Eigenvalues(rho).Select(l => Math.Sqrt(Math.Max(0, l))).OrderDescending().ToArray();
    }

    /// <summary>
    /// Entanglement entropy S(ρ_A) = −Σ λ log λ of the pure state across the cut (<paramref name="qubitsA"/> | rest), in base
    /// <paramref name="logBase"/> (default 2: a Bell pair gives 1 bit; <see cref="Math.E"/>: ln 2 nats). The smaller side's
    /// reduced matrix is used (both sides have the same spectrum).
    /// </summary>
    public static double EntanglementEntropy(StateVector state, int[] qubitsA, double logBase = 2) =>
        EntropyOfSpectrum(HermitianEigen.Eigenvalues(SmallerSideReduced(state, qubitsA)), logBase);

    /// <summary>Rényi-2 entanglement entropy −log Tr(ρ_A²) across the cut (<paramref name="qubitsA"/> | rest), base <paramref name="logBase"/> (default 2).</summary>
    public static double RenyiEntropy2(StateVector state, int[] qubitsA, double logBase = 2) =>
        -Math.Log(Purity(SmallerSideReduced(state, qubitsA))) / Math.Log(CheckBase(logBase));

    /// <summary>Von Neumann entropy −Tr ρ log ρ of a density matrix, base <paramref name="logBase"/> (default 2).</summary>
    public static double VonNeumannEntropy(Complex[,] rho, double logBase = 2) =>
        EntropyOfSpectrum(HermitianEigen.Eigenvalues(rho), logBase);

    /// <summary>Von Neumann entropy of a <see cref="DensityMatrix"/> (copied into an array: small states only).</summary>
    public static double VonNeumannEntropy(DensityMatrix rho, double logBase = 2)
    {
        ArgumentNullException.ThrowIfNull(rho);
        return VonNeumannEntropy(rho.ToArray(), logBase);
    }

    /// <summary>Rényi-2 entropy −log Tr ρ² of a density matrix, base <paramref name="logBase"/> (default 2).</summary>
    public static double RenyiEntropy2(Complex[,] rho, double logBase = 2) => -Math.Log(Purity(rho)) / Math.Log(CheckBase(logBase));

    /// <summary>Purity Tr ρ² = Σᵢⱼ |ρᵢⱼ|² (ρ Hermitian).</summary>
    public static double Purity(Complex[,] rho)
    {
        ArgumentNullException.ThrowIfNull(rho);
        double s = 0;
        foreach (var z in rho) s += z.Real * z.Real + z.Imaginary * z.Imaginary;
        return s;
    }

    /// <summary>State fidelity |⟨a|b⟩|² of two pure states.</summary>
    /// <exception cref="ArgumentException">The qubit counts differ.</exception>
    public static double Fidelity(StateVector a, StateVector b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var ip = a.InnerProduct(b);
        return ip.Real * ip.Real + ip.Imaginary * ip.Imaginary;
    }

    /// <summary>Fidelity ⟨ψ|ρ|ψ⟩ of a pure state and a mixed one (computed without copying ρ).</summary>
    /// <exception cref="ArgumentException">The qubit counts differ.</exception>
    public static double Fidelity(StateVector psi, DensityMatrix rho)
    {
        ArgumentNullException.ThrowIfNull(psi);
        ArgumentNullException.ThrowIfNull(rho);
        if (psi.NumQubits != rho.NumQubits) throw new ArgumentException($"fidelity of a {psi.NumQubits}-qubit state and a {rho.NumQubits}-qubit density matrix");
        return rho.ExpectationOfState(psi);
    }

    /// <summary>
    /// Uhlmann fidelity (Tr √(√ρ σ √ρ))² of two density matrices (1 for equal states, |⟨a|b⟩|² for pure ones). Computed on the
    /// support of the lower-rank argument (F is symmetric): with ρ = Σ λᵢ|vᵢ⟩⟨vᵢ|, the eigenvalues μ of
    /// diag(√λ)·V†σV·diag(√λ) over λᵢ &gt; 0 give F = (Σ √μ)², so a pure argument is exact (⟨ψ|σ|ψ⟩). Eigenvalues of the
    /// order of round-off enter through √μ, so nearly orthogonal mixed states are accurate to about 1e-8 absolute.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ or are not square.</exception>
    public static double Fidelity(Complex[,] rho, Complex[,] sigma)
    {
        CheckSameSquare(rho, sigma, "fidelity");
        var (lr, vr) = Support(rho);
        var (ls, vs) = Support(sigma);
        if (ls.Length < lr.Length) { (lr, vr, sigma) = (ls, vs, rho); }
        int d = sigma.GetLength(0), r = lr.Length;
        if (r == 0) return 0;
        // M = diag(√λ) W† σ W diag(√λ), W the support eigenvectors (d×r).
        var sw = new Complex[d, r];
        for (int i = 0; i < d; i++) for (int k = 0; k < r; k++)
        {
            Complex acc = Complex.Zero;
            for (int j = 0; j < d; j++) acc += sigma[i, j] * vr[j, k];
            sw[i, k] = acc;
        }
        var m = new Complex[r, r];
        for (int a = 0; a < r; a++) for (int b = 0; b < r; b++)
        {
            Complex acc = Complex.Zero;
            for (int i = 0; i < d; i++) acc += Complex.Conjugate(vr[i, a]) * sw[i, b];
            m[a, b] = acc * Math.Sqrt(lr[a] * lr[b]);
        }
        double tr = HermitianEigen.Eigenvalues(m).Sum(l => Math.Sqrt(Math.Max(0, l)));
        return tr * tr;
    }

    /// <summary>Eigenpairs with eigenvalue above round-off (1e-14 of the largest): the support of a positive semidefinite matrix.</summary>
    private static (double[] Values, Complex[,] Vectors) Support(Complex[,] rho)
    {
        var (values, v) = HermitianEigen.Decompose(rho);
        double cutoff = 1e-14 * Math.Max(values.Length > 0 ? values[^1] : 0, 1e-300);
        var keep = Enumerable.Range(0, values.Length).Where(i => values[i] > cutoff).ToArray();
        int d = rho.GetLength(0);
        var w = new Complex[d, keep.Length];
        for (int k = 0; k < keep.Length; k++) for (int i = 0; i < d; i++) w[i, k] = v[i, keep[k]];
        return (keep.Select(i => values[i]).ToArray(), w);
    }

    /// <summary>Uhlmann fidelity of two <see cref="DensityMatrix"/> objects (copied into arrays: small states only).</summary>
    public static double Fidelity(DensityMatrix rho, DensityMatrix sigma)
    {
        ArgumentNullException.ThrowIfNull(rho);
        ArgumentNullException.ThrowIfNull(sigma);
        return Fidelity(rho.ToArray(), sigma.ToArray());
    }

    /// <summary>Trace distance ½‖ρ − σ‖₁ = ½ Σ |λᵢ(ρ − σ)|.</summary>
    /// <exception cref="ArgumentException">The shapes differ or are not square.</exception>
    public static double TraceDistance(Complex[,] rho, Complex[,] sigma)
    {
        CheckSameSquare(rho, sigma, "trace distance");
        int d = rho.GetLength(0);
        var diff = new Complex[d, d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) diff[i, j] = rho[i, j] - sigma[i, j];
        return 0.5 * HermitianEigen.Eigenvalues(diff).Sum(Math.Abs);
    }

    /// <summary>Trace distance of two pure states, √(1 − |⟨a|b⟩|²) (both normalised).</summary>
    public static double TraceDistance(StateVector a, StateVector b) => Math.Sqrt(Math.Max(0, 1 - Fidelity(a, b)));

    /// <summary>Trace distance of two <see cref="DensityMatrix"/> objects (copied into arrays: small states only).</summary>
    public static double TraceDistance(DensityMatrix rho, DensityMatrix sigma)
    {
        ArgumentNullException.ThrowIfNull(rho);
        ArgumentNullException.ThrowIfNull(sigma);
        return TraceDistance(rho.ToArray(), sigma.ToArray());
    }

    // ---------- helpers ----------

    /// <summary>
    /// The one-qubit case (every trajectory step of a non-unitary 1-qubit channel needs it): p₀, p₁ and ρ₀₁ = Σ a₀·conj(a₁) over
    /// the amplitude pairs, in real arithmetic, fixed chunks summed in order.
    /// </summary>
    private static Complex[,] ReduceOneQubit(Complex* amp, long pairCount, int qubit)
    {
        long stride = 1L << qubit, lowMask = stride - 1;
        const long Chunk = 1L << 14;
        long chunks = (pairCount + Chunk - 1) / Chunk;
        var parts = new double[chunks * 4];
        nint basePtr = (nint)amp;
        void RunChunk(long c)
        {
            var a = (Complex*)basePtr;
            double p0 = 0, p1 = 0, re = 0, im = 0;
            long end = Math.Min(pairCount, (c + 1) * Chunk);
            for (long e = c * Chunk; e < end; e++)
            {
                long i0 = ((e >> qubit) << (qubit + 1)) | (e & lowMask);
                Complex x = a[i0], y = a[i0 + stride];
                p0 += x.Real * x.Real + x.Imaginary * x.Imaginary;
                p1 += y.Real * y.Real + y.Imaginary * y.Imaginary;
                re += x.Real * y.Real + x.Imaginary * y.Imaginary;
                im += x.Imaginary * y.Real - x.Real * y.Imaginary;
            }
            parts[4 * c] = p0; parts[4 * c + 1] = p1; parts[4 * c + 2] = re; parts[4 * c + 3] = im;
        }
        if (chunks <= 2) for (long c = 0; c < chunks; c++) RunChunk(c);
        else Parallel.For(0L, chunks, RunChunk);
        double s0 = 0, s1 = 0, sr = 0, si = 0;
        for (long c = 0; c < chunks; c++) { s0 += parts[4 * c]; s1 += parts[4 * c + 1]; sr += parts[4 * c + 2]; si += parts[4 * c + 3]; }
        return new Complex[,] { { s0, new Complex(sr, si) }, { new Complex(sr, -si), s1 } };
    }

    /// <summary>Spreads the bits of <paramref name="i"/> around a 0 inserted at each of <paramref name="sortedPositions"/> (ascending).</summary>
    private static long InsertZeros(long i, int[] sortedPositions)
    {
        foreach (int p in sortedPositions)
        {
            long low = i & ((1L << p) - 1);
            i = ((i >> p) << (p + 1)) | low;
        }
        return i;
    }

    private static Complex[,] SmallerSideReduced(StateVector state, int[] qubitsA)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(qubitsA);
        CheckSubset(qubitsA, state.NumQubits, "bipartition");
        if (2 * qubitsA.Length <= state.NumQubits) return ReducedDensityMatrix(state, qubitsA);
        var rest = Enumerable.Range(0, state.NumQubits).Except(qubitsA).ToArray();
        return ReducedDensityMatrix(state, rest);
    }

    private static double EntropyOfSpectrum(double[] eigenvalues, double logBase)
    {
        double lnBase = Math.Log(CheckBase(logBase));
        double s = 0;
        foreach (double l in eigenvalues) if (l > EigenvalueFloor) s -= l * Math.Log(l);
        return Math.Max(0, s / lnBase);
    }

    private static double CheckBase(double logBase)
    {
        if (!(logBase > 0 && logBase != 1 && double.IsFinite(logBase)))
            throw new ArgumentOutOfRangeException(nameof(logBase), $"logarithm base {logBase} is not a positive number other than 1");
        return logBase;
    }

    private static void CheckSubset(int[] qubits, int numQubits, string what)
    {
        long seen = 0;
        foreach (int q in qubits)
        {
            if ((uint)q >= (uint)numQubits) throw new ArgumentException($"{what}: qubit {q} outside [0, {numQubits})", nameof(qubits));
            if ((seen >> q & 1) != 0) throw new ArgumentException($"{what}: qubit {q} listed twice", nameof(qubits));
            seen |= 1L << q;
        }
    }

    private static void CheckSameSquare(Complex[,] a, Complex[,] b, string what)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.GetLength(0) != a.GetLength(1) || b.GetLength(0) != b.GetLength(1) || a.GetLength(0) != b.GetLength(0))
            throw new ArgumentException($"{what}: matrices are {a.GetLength(0)}×{a.GetLength(1)} and {b.GetLength(0)}×{b.GetLength(1)}; need equal square shapes");
    }
}
