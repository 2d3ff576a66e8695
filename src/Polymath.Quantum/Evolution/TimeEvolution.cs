using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// Exact time evolution |ψ(t)⟩ = e^{−iHt}|ψ⟩ under a Hermitian <see cref="PauliSum"/>, in three independent ways:
/// <list type="bullet">
/// <item><see cref="Evolve"/>: matrix-free Krylov (Lanczos) propagation: a Krylov basis of up to 30 vectors is built from
/// the current state, e^{−iTΔt}e₁ is taken exactly from the small tridiagonal T, and Δt is the largest step (halving from
/// the time left) whose a-posteriori error estimate β_m·|[e^{−iTΔt}e₁]_m| is below the tolerance. The method to use at
/// any size; far fewer applications of H than the Taylor series.</item>
/// <item><see cref="EvolveTaylor"/>: matrix-free Taylor series of e^{−iHΔt} with t cut into steps of ‖H‖₁·Δt ≤ 1
/// (‖H‖₁ = Σ|cₖ| bounds the operator norm), each summed until the next term is below the tolerance. Terms shrink
/// monotonically and never cancel, so it is accurate to about 1e-15 per step; simple and robust, used as a cross-check.</item>
/// <item><see cref="EvolveDense"/> / <see cref="Propagator"/>: the dense reference, e^{−iHt} = V·e^{−iΛt}·V† from
/// <see cref="HermitianEigensolver"/> (n ≤ 12; cubic in 2ⁿ, so a few seconds at 10 qubits).</item>
/// </list>
/// All are "exact" in the sense that they have no Trotter error: their differences are round-off (~1e-13), which the tests check.
/// </summary>
public static class TimeEvolution
{
    /// <summary>e^{−iHt}|ψ⟩ by Krylov propagation (a new state; the input is unchanged).</summary>
    /// <param name="hamiltonian">A Hermitian operator.</param>
    /// <param name="state">The initial state (need not be normalised).</param>
    /// <param name="time">The time t (any sign).</param>
    /// <param name="tolerance">Largest estimated error per step, relative to ‖ψ‖. Default 1e-13.</param>
    /// <param name="krylovDimension">Krylov vectors per step (memory 16·2ⁿ bytes each). Default 30.</param>
    /// <exception cref="ArgumentException">Not Hermitian, or the qubit counts differ.</exception>
    public static StateVector Evolve(PauliSum hamiltonian, StateVector state, double time, double tolerance = 1e-13, int krylovDimension = 30)
    {
        ArgumentNullException.ThrowIfNull(hamiltonian);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfLessThan(krylovDimension, 2);
        var (h, shift) = Prepare(hamiltonian, state, nameof(Evolve));
        var psi = state.ToArray();
        int m = Math.Min(krylovDimension, psi.Length);
        double remaining = Math.Abs(time), direction = Math.Sign(time);
        var basis = new Complex[m][];
        for (int j = 0; j < m; j++) basis[j] = new Complex[psi.Length];
        var w = new Complex[psi.Length];
        double lastStep = remaining;
        while (remaining > 0)
        {
            double norm = Math.Sqrt(Lanczos.Dot(psi, psi).Real);
            if (norm == 0) break;
            // Lanczos basis of the Krylov space span{ψ, Hψ, H²ψ, …}, fully reorthogonalised.
            for (int i = 0; i < psi.Length; i++) basis[0][i] = psi[i] / norm;
            var alpha = new List<double>();
            var beta = new List<double>();
            double betaNext = 0;
            int size = 0;
            for (int j = 0; j < m; j++)
            {
                h.Apply(basis[j], w);
                double a = Lanczos.Dot(basis[j], w).Real;
                alpha.Add(a);
                size = j + 1;
                // Three-term recurrence, then a Gram–Schmidt pass against the whole basis (repeated only when it removed
                // most of the norm), as in Lanczos.
                Lanczos.Axpy(-a, basis[j], w);
                if (j > 0) Lanczos.Axpy(-beta[j - 1], basis[j - 1], w);
                double before = Math.Sqrt(Lanczos.Dot(w, w).Real);
                for (int pass = 0; pass < 2; pass++)
                {
                    for (int k = 0; k <= j; k++) Lanczos.Axpy(-Lanczos.Dot(basis[k], w), basis[k], w);
                    betaNext = Math.Sqrt(Lanczos.Dot(w, w).Real);
                    if (betaNext > 0.7071 * before) break;
                    before = betaNext;
                }
                if (betaNext <= 1e-14 * Math.Max(1, Math.Abs(a))) { betaNext = 0; break; }   // invariant subspace: exact
                if (j + 1 == m) break;
                beta.Add(betaNext);
                for (int i = 0; i < w.Length; i++) basis[j + 1][i] = w[i] / betaNext;
            }
            var d = alpha.ToArray();
            var e = new double[size];
            for (int i = 0; i + 1 < size; i++) e[i] = beta[i];
            var z = new double[size * size];
            for (int i = 0; i < size; i++) z[i * size + i] = 1;
            SymmetricTridiagonalEigen.Diagonalize(d, e, z);

            // Largest step (halving from twice the last one, at most the time left) whose error estimate
            // β_m·|[e^{−iTΔt}e₁]_m| meets the tolerance.
            double dt = Math.Min(remaining, 2 * lastStep);
            Complex[] y;
            while (true)
            {
                y = ExpTimesE1(d, z, size, direction * dt);
                if (betaNext * y[size - 1].Magnitude <= tolerance || dt < remaining * 1e-12) break;
                dt /= 2;
            }
            lastStep = dt;
            Array.Clear(psi);
            for (int k = 0; k < size; k++) Lanczos.Axpy(norm * y[k], basis[k], psi);
            remaining -= dt;
        }
        var phase = Complex.FromPolarCoordinates(1, -shift * time);      // the identity part is a pure phase
        for (int i = 0; i < psi.Length; i++) psi[i] *= phase;
        return StateVector.FromAmplitudes(psi);
    }

    /// <summary>e^{−iTτ}e₁ for T = Z·diag(d)·Zᵀ (Z row-major, columns eigenvectors).</summary>
    private static Complex[] ExpTimesE1(double[] d, double[] z, int size, double tau)
    {
        var y = new Complex[size];
        for (int k = 0; k < size; k++)
        {
            Complex c = z[k] * Complex.FromPolarCoordinates(1, -d[k] * tau);     // z[k] = Z[0, k]
            for (int j = 0; j < size; j++) y[j] += z[j * size + k] * c;
        }
        return y;
    }

    /// <summary>e^{−iHt}|ψ⟩ by the stepped Taylor series (a new state; the input is unchanged).</summary>
    /// <param name="hamiltonian">A Hermitian operator.</param>
    /// <param name="state">The initial state (need not be normalised).</param>
    /// <param name="time">The time t (any sign).</param>
    /// <param name="tolerance">Truncation threshold per step, relative to ‖ψ‖. Default 1e-15.</param>
    /// <exception cref="ArgumentException">Not Hermitian, or the qubit counts differ.</exception>
    public static StateVector EvolveTaylor(PauliSum hamiltonian, StateVector state, double time, double tolerance = 1e-15)
    {
        ArgumentNullException.ThrowIfNull(hamiltonian);
        ArgumentNullException.ThrowIfNull(state);
        var (h, shift) = Prepare(hamiltonian, state, nameof(EvolveTaylor));
        var psi = state.ToArray();
        double norm = Math.Sqrt(Lanczos.Dot(psi, psi).Real);
        double bound = h.OneNorm;
        int steps = Math.Max(1, (int)Math.Ceiling(Math.Abs(time) * bound));
        double dt = time / steps;
        var term = new Complex[psi.Length];
        var next = new Complex[psi.Length];
        for (int s = 0; s < steps && bound > 0; s++)
        {
            Array.Copy(psi, term, psi.Length);
            for (int k = 1; k < 200; k++)
            {
                h.Apply(term, next);
                var f = new Complex(0, -dt / k);
                double tn = 0;
                for (int i = 0; i < next.Length; i++)
                {
                    var v = f * next[i];
                    term[i] = v;
                    psi[i] += v;
                    tn += v.Real * v.Real + v.Imaginary * v.Imaginary;
                }
                if (Math.Sqrt(tn) <= tolerance * norm) break;
            }
        }
        var phase = Complex.FromPolarCoordinates(1, -shift * time);      // the identity part is a pure phase
        for (int i = 0; i < psi.Length; i++) psi[i] *= phase;
        return StateVector.FromAmplitudes(psi);
    }

    /// <summary>e^{−iHt}|ψ⟩ = V·e^{−iΛt}·V†|ψ⟩ from the dense eigendecomposition (n ≤ 12).</summary>
    public static StateVector EvolveDense(PauliSum hamiltonian, StateVector state, double time)
    {
        ArgumentNullException.ThrowIfNull(state);
        var u = Propagator(hamiltonian, time);
        var psi = state.ToArray();
        var r = new Complex[psi.Length];
        for (int i = 0; i < r.Length; i++)
        {
            Complex acc = Complex.Zero;
            for (int j = 0; j < psi.Length; j++) acc += u[i, j] * psi[j];
            r[i] = acc;
        }
        return StateVector.FromAmplitudes(r);
    }

    /// <summary>The dense unitary e^{−iHt} (n ≤ 12), little-endian like <see cref="Circuit.ToMatrix"/>.</summary>
    /// <exception cref="ArgumentException">Not Hermitian.</exception>
    /// <exception cref="InvalidOperationException">More than 12 qubits.</exception>
    public static Complex[,] Propagator(PauliSum hamiltonian, double time)
    {
        ArgumentNullException.ThrowIfNull(hamiltonian);
        if (!hamiltonian.IsHermitian(1e-10)) throw new ArgumentException("TimeEvolution.Propagator needs a Hermitian operator");
        var eig = HermitianEigensolver.Solve(hamiltonian.ToMatrix());
        var v = eig.Vectors!;
        int d = eig.Values.Length;
        var phases = eig.Values.Select(e => Complex.FromPolarCoordinates(1, -e * time)).ToArray();
        var u = new Complex[d, d];
        var scaled = new Complex[d];
        for (int i = 0; i < d; i++)
        {
            for (int k = 0; k < d; k++) scaled[k] = v[i, k] * phases[k];
            for (int j = 0; j < d; j++)
            {
                Complex acc = Complex.Zero;
                for (int k = 0; k < d; k++) acc += scaled[k] * Complex.Conjugate(v[j, k]);
                u[i, j] = acc;
            }
        }
        return u;
    }

    private static (PauliSum H, double Shift) Prepare(PauliSum hamiltonian, StateVector state, string op)
    {
        if (state.NumQubits != hamiltonian.NumQubits)
            throw new ArgumentException($"TimeEvolution.{op}: a {hamiltonian.NumQubits}-qubit Hamiltonian cannot evolve a {state.NumQubits}-qubit state");
        if (!hamiltonian.IsHermitian(1e-10)) throw new ArgumentException($"TimeEvolution.{op} needs a Hermitian operator (real coefficients)");
        var s = hamiltonian.Simplify(0);
        double shift = s.IdentityCoefficient.Real;
        var rest = new PauliSum(s.NumQubits, s.Terms.Where(t => !t.Pauli.IsIdentity).Select(t => t with { Coefficient = t.Coefficient.Real }));
        return (rest, shift);
    }
}
