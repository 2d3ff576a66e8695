using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// Lowest eigenpairs of a Hermitian <see cref="PauliSum"/> by the Lanczos method, matrix-free (each step is one
/// <see cref="PauliSum.Apply(ReadOnlySpan{Complex}, Span{Complex})"/>). Every new Krylov vector is fully
/// reorthogonalised (classical Gram–Schmidt, repeated once when needed) against the basis, so no spurious copies of eigenvalues appear.
/// When the basis reaches <see cref="LanczosOptions.MaxBasisSize"/> the method restarts from the current Ritz vector,
/// which bounds memory (about 30 vectors of 16 MiB at 20 qubits). Excited states come from deflation: each is sought
/// orthogonal to the ones already found.
/// </summary>
public static class Lanczos
{
    private const long DefaultMemoryBudgetBytes = 512L << 20;

    /// <summary>The ground state and energy of <paramref name="hamiltonian"/>.</summary>
    /// <exception cref="ArgumentException">The operator is not Hermitian or has more than 30 qubits.</exception>
    public static LanczosResult GroundState(PauliSum hamiltonian, LanczosOptions? options = null) =>
        Solve(hamiltonian, options ?? new LanczosOptions(), []);

    /// <summary>
    /// The <paramref name="count"/> lowest eigenpairs, ascending (degenerate levels appear as often as their multiplicity),
    /// each found by Lanczos orthogonal to the previous ones.
    /// </summary>
    public static IReadOnlyList<LanczosResult> LowestEigenstates(PauliSum hamiltonian, int count, LanczosOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        options ??= new LanczosOptions();
        var found = new List<LanczosResult>();
        var locked = new List<Complex[]>();
        for (int k = 0; k < count; k++)
        {
            var r = Solve(hamiltonian, options with { Seed = options.Seed + k }, locked);
            found.Add(r);
            locked.Add(r.State.ToArray());
        }
        return found.OrderBy(r => r.Energy).ToList();
    }

    private static LanczosResult Solve(PauliSum h, LanczosOptions options, List<Complex[]> locked)
    {
        ArgumentNullException.ThrowIfNull(h);
        if (h.NumQubits > 30) throw new ArgumentException($"Lanczos works on at most 30 qubits; the operator has {h.NumQubits}");
        if (!h.IsHermitian(1e-10)) throw new ArgumentException("Lanczos needs a Hermitian operator (real coefficients after simplification)");
        int dim = 1 << h.NumQubits;
        if (locked.Count >= dim) throw new ArgumentException($"asked for more eigenpairs than the dimension {dim}");
        int maxBasis = options.MaxBasisSize ?? (int)Math.Clamp(DefaultMemoryBudgetBytes / (16L * dim), 12, 120);
        maxBasis = Math.Max(2, Math.Min(maxBasis, dim - locked.Count));
        double tol = options.Tolerance;

        var start = new Complex[dim];
        if (options.InitialState is { } init)
        {
            if (init.NumQubits != h.NumQubits) throw new ArgumentException($"initial state has {init.NumQubits} qubits, the operator {h.NumQubits}");
            init.ToArray().CopyTo(start, 0);
        }
        else
        {
            var rng = new Random(options.Seed);
            for (int i = 0; i < dim; i++) start[i] = new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5);
        }
        ProjectOut(start, locked);
        if (Normalize(start) == 0) throw new ArgumentException("the start vector is zero (or lies in the span of the states already found)");

        int matVecs = 0, restarts = 0;
        var basis = new List<Complex[]>();
        var alphas = new List<double>();
        var betas = new List<double>();
        Complex[] ritz = start;
        double energy = double.NaN;
        var w = new Complex[dim];
        while (true)
        {
            basis.Clear(); alphas.Clear(); betas.Clear();
            basis.Add(ritz);
            bool restart = false;
            while (!restart)
            {
                var v = basis[^1];
                h.Apply(v, w);
                matVecs++;
                double alpha = Dot(v, w).Real;
                alphas.Add(alpha);
                // Three-term recurrence, then full reorthogonalisation against the basis (and the locked states):
                // one Gram–Schmidt pass, and a second only when the first removed most of the norm (Daniel, Gragg,
                // Kaufman & Stewart 1976), which keeps the basis orthogonal to working precision.
                Axpy(-alpha, v, w);
                if (basis.Count > 1) Axpy(-betas[^1], basis[^2], w);
                double before = Math.Sqrt(Dot(w, w).Real), beta = before;
                for (int pass = 0; pass < 2; pass++)
                {
                    foreach (var b in basis) Axpy(-Dot(b, w), b, w);
                    ProjectOut(w, locked);
                    beta = Math.Sqrt(Dot(w, w).Real);
                    if (beta > 0.7071 * before) break;
                    before = beta;
                }

                // Ritz pair of the tridiagonal T_j.
                int m = alphas.Count;
                var d = alphas.ToArray();
                var e = new double[m];
                for (int i = 0; i + 1 < m; i++) e[i] = betas[i];
                var z = new double[m * m];
                for (int i = 0; i < m; i++) z[i * m + i] = 1;
                SymmetricTridiagonalEigen.Diagonalize(d, e, z);
                int lowest = SymmetricTridiagonalEigen.SortAscending(d)[0];
                energy = d[lowest];
                double residual = beta * Math.Abs(z[(m - 1) * m + lowest]);
                bool invariant = beta <= 1e-14 * Math.Max(1, Math.Abs(energy));
                bool done = residual <= tol * Math.Max(1, Math.Abs(energy)) || invariant || matVecs >= options.MaxMatVecs;
                if (done || m == maxBasis)
                {
                    ritz = new Complex[dim];
                    for (int i = 0; i < m; i++) Axpy(z[i * m + lowest], basis[i], ritz);
                    ProjectOut(ritz, locked);
                    Normalize(ritz);
                    if (done) return Finish(h, ritz, matVecs, restarts, tol);
                    restarts++;
                    restart = true;
                    continue;
                }
                betas.Add(beta);
                var next = new Complex[dim];
                for (int i = 0; i < dim; i++) next[i] = w[i] / beta;
                basis.Add(next);
            }
        }
    }

    private static LanczosResult Finish(PauliSum h, Complex[] psi, int matVecs, int restarts, double tol)
    {
        var hpsi = new Complex[psi.Length];
        h.Apply(psi, hpsi);
        double e = Dot(psi, hpsi).Real;
        double r2 = 0;
        for (int i = 0; i < psi.Length; i++)
        {
            var d = hpsi[i] - e * psi[i];
            r2 += d.Real * d.Real + d.Imaginary * d.Imaginary;
        }
        double residual = Math.Sqrt(r2);
        // The final check allows a little slack over the Ritz estimate, which is computed in exact arithmetic terms.
        bool converged = residual <= 10 * tol * Math.Max(1, Math.Abs(e));
        return new LanczosResult(e, StateVector.FromAmplitudes(psi), residual, matVecs + 1, restarts, converged);
    }

    private static void ProjectOut(Complex[] v, List<Complex[]> locked)
    {
        foreach (var u in locked) Axpy(-Dot(u, v), u, v);
    }

    private static double Normalize(Complex[] v)
    {
        double n = Math.Sqrt(Dot(v, v).Real);
        if (n == 0) return 0;
        for (int i = 0; i < v.Length; i++) v[i] /= n;
        return n;
    }

    /// <summary>⟨a|b⟩.</summary>
    internal static Complex Dot(ReadOnlySpan<Complex> a, ReadOnlySpan<Complex> b)
    {
        double re = 0, im = 0;
        for (int i = 0; i < a.Length; i++)
        {
            Complex x = a[i], y = b[i];
            re += x.Real * y.Real + x.Imaginary * y.Imaginary;
            im += x.Real * y.Imaginary - x.Imaginary * y.Real;
        }
        return new Complex(re, im);
    }

    /// <summary>y ← y + s·x.</summary>
    internal static void Axpy(Complex s, ReadOnlySpan<Complex> x, Span<Complex> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] += s * x[i];
    }
}
