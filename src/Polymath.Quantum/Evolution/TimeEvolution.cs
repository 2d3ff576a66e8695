using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// Exact time evolution |ψ(t)⟩ = e^{−iHt}|ψ⟩ under a Hermitian <see cref="PauliSum"/>, in two independent ways:
/// <list type="bullet">
/// <item><see cref="Evolve"/>: matrix-free, the Taylor series of e^{−iHΔt} applied to the vector, with t cut into steps of
/// ‖H‖₁·Δt ≤ 1 (‖H‖₁ = Σ|cₖ| bounds the operator norm) and each series summed until the next term is below the tolerance.
/// Terms then shrink monotonically and never cancel, so the result is accurate to about 1e-13 per step; this is the method
/// to use beyond 12 qubits.</item>
/// <item><see cref="EvolveDense"/> / <see cref="Propagator"/>: the dense reference, e^{−iHt} = V·e^{−iΛt}·V† from
/// <see cref="HermitianEigensolver"/> (n ≤ 12; cubic in 2ⁿ, so a few seconds at 10 qubits).</item>
/// </list>
/// Both are "exact" in the sense that they have no Trotter error: their difference is round-off (~1e-12), which the tests check.
/// </summary>
public static class TimeEvolution
{
    /// <summary>e^{−iHt}|ψ⟩ by the stepped Taylor series (a new state; the input is unchanged).</summary>
    /// <param name="hamiltonian">A Hermitian operator.</param>
    /// <param name="state">The initial state (need not be normalised).</param>
    /// <param name="time">The time t (any sign).</param>
    /// <param name="tolerance">Truncation threshold per step, relative to ‖ψ‖. Default 1e-15.</param>
    /// <exception cref="ArgumentException">Not Hermitian, or the qubit counts differ.</exception>
    public static StateVector Evolve(PauliSum hamiltonian, StateVector state, double time, double tolerance = 1e-15)
    {
        ArgumentNullException.ThrowIfNull(hamiltonian);
        ArgumentNullException.ThrowIfNull(state);
        var (h, shift) = Prepare(hamiltonian, state, nameof(Evolve));
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
