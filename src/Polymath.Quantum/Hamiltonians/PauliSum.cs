using System.Globalization;
using System.Numerics;
using System.Text;

namespace Polymath.Quantum;

/// <summary>
/// An operator Σₖ cₖ·Pₖ on <see cref="NumQubits"/> qubits: complex coefficients times Pauli strings (qubit 0 is the
/// rightmost letter, as in <see cref="StateVector.ExpectationPauli"/>). Immutable. Hamiltonians are the Hermitian
/// ones (all coefficients real after <see cref="Simplify"/>). Applying it to a state and taking expectations work
/// directly on amplitudes (no matrices), with the terms grouped by their X mask so that terms which move amplitudes
/// the same way share one pass.
/// Build it from terms, by <see cref="Parse"/> ("-1.0*ZZI + 0.5*XII", or sparse "0.5*Z0 Z1"), with
/// <see cref="Term(Complex, ValueTuple{char, int}[])"/>, and with +, −, scalar × and the operator product ×.
/// </summary>
public sealed class PauliSum
{
    private readonly PauliTerm[] _terms;
    private CompiledPauliSum? _compiled;

    /// <summary>A sum of the given terms (kept as given: equal strings are not merged until <see cref="Simplify"/>).</summary>
    /// <exception cref="ArgumentException">A term's string has a different qubit count than <paramref name="numQubits"/>.</exception>
    public PauliSum(int numQubits, IEnumerable<PauliTerm> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if ((uint)numQubits > PauliString.MaxQubits)
            throw new ArgumentOutOfRangeException(nameof(numQubits), $"a PauliSum holds 0 to {PauliString.MaxQubits} qubits, not {numQubits}");
        NumQubits = numQubits;
        _terms = terms.ToArray();
        for (int k = 0; k < _terms.Length; k++)
            if (_terms[k].Pauli.NumQubits != numQubits)
                throw new ArgumentException($"term {k} ('{_terms[k].Pauli}') acts on {_terms[k].Pauli.NumQubits} qubits, but the sum is on {numQubits}");
    }

    /// <summary>A sum of (coefficient, dense Pauli string) pairs, e.g. <c>new PauliSum([(-1.0, "ZZ"), (0.5, "XI")])</c>; all strings must have the same length.</summary>
    /// <exception cref="ArgumentException">No terms (the qubit count is then unknown; use <see cref="Zero"/>), or strings of different lengths.</exception>
    /// <exception cref="FormatException">A letter other than I, X, Y, Z.</exception>
    public PauliSum(IEnumerable<(Complex Coefficient, string Pauli)> terms)
        : this(FromPairs(terms, out var parsed), parsed) { }

    private static int FromPairs(IEnumerable<(Complex Coefficient, string Pauli)> terms, out List<PauliTerm> parsed)
    {
        ArgumentNullException.ThrowIfNull(terms);
        parsed = [];
        foreach (var (c, p) in terms) parsed.Add(new PauliTerm(c, PauliString.Parse(p)));
        if (parsed.Count == 0) throw new ArgumentException("a PauliSum built from no terms has no qubit count; use PauliSum.Zero(n)");
        int n = parsed[0].Pauli.NumQubits;
        for (int k = 1; k < parsed.Count; k++)
            if (parsed[k].Pauli.NumQubits != n)
                throw new ArgumentException($"term {k} ('{parsed[k].Pauli}') has {parsed[k].Pauli.NumQubits} letters but term 0 ('{parsed[0].Pauli}') has {n}");
        return n;
    }

    /// <summary>Number of qubits.</summary>
    public int NumQubits { get; }

    /// <summary>The terms in order.</summary>
    public IReadOnlyList<PauliTerm> Terms => _terms;

    /// <summary>Number of terms.</summary>
    public int Count => _terms.Length;

    /// <summary>The zero operator on <paramref name="numQubits"/> qubits (no terms).</summary>
    public static PauliSum Zero(int numQubits) => new(numQubits, []);

    /// <summary><paramref name="coefficient"/> times the identity on <paramref name="numQubits"/> qubits.</summary>
    public static PauliSum Identity(int numQubits, Complex? coefficient = null) =>
        new(numQubits, [new PauliTerm(coefficient ?? Complex.One, PauliString.Identity(numQubits))]);

    /// <summary>One term c·P for a dense string such as "XZI".</summary>
    public static PauliSum Term(Complex coefficient, string pauli)
    {
        var p = PauliString.Parse(pauli);
        return new PauliSum(p.NumQubits, [new PauliTerm(coefficient, p)]);
    }

    /// <summary>
    /// One term in sparse form, e.g. <c>PauliSum.Term(0.5, ('Z', 0), ('Z', 1))</c> for 0.5·Z₀Z₁, on max-qubit + 1 qubits
    /// (sums of different widths widen to the larger, so terms built this way add up naturally).
    /// </summary>
    public static PauliSum Term(Complex coefficient, params (char Pauli, int Qubit)[] factors)
    {
        ArgumentNullException.ThrowIfNull(factors);
        int n = factors.Length == 0 ? 0 : factors.Max(f => f.Qubit) + 1;
        return Term(n, coefficient, factors);
    }

    /// <summary>One term in sparse form on exactly <paramref name="numQubits"/> qubits.</summary>
    /// <exception cref="ArgumentException">A qubit out of range or repeated, or a bad letter.</exception>
    public static PauliSum Term(int numQubits, Complex coefficient, params (char Pauli, int Qubit)[] factors) =>
        new(numQubits, [new PauliTerm(coefficient, PauliString.FromSparse(numQubits, factors))]);

    /// <summary>
    /// Parses a sum such as <c>"-1.0*ZZI + 0.5*XII - 0.5 * IIX"</c>. A term is an optional sign, an optional coefficient
    /// (a real number such as 2, -0.5, 1e-3; an imaginary one such as 0.5j; or a complex one in parentheses, "(1-2j)")
    /// with an optional '*', then either a dense Pauli word (qubit 0 rightmost) or sparse factors such as "Z0 Z1" or
    /// "X0*Y3"; a bare coefficient is a multiple of the identity. Dense words fix the qubit count; with only sparse
    /// factors it is <paramref name="numQubits"/> if given, else the largest qubit index + 1.
    /// </summary>
    /// <exception cref="FormatException">The message names the term (1-based), its text and the character position in <paramref name="text"/>.</exception>
    public static PauliSum Parse(string text, int? numQubits = null) => PauliSumParser.Parse(text, numQubits);

    // ---------- algebra ----------

    /// <summary>The same operator on <paramref name="numQubits"/> ≥ <see cref="NumQubits"/> qubits (identity on the new ones).</summary>
    public PauliSum Widen(int numQubits) =>
        numQubits == NumQubits ? this : new PauliSum(numQubits, _terms.Select(t => t with { Pauli = t.Pauli.Widen(numQubits) }));

    /// <summary>Sum (terms concatenated; the narrower operand is widened with identities).</summary>
    public static PauliSum operator +(PauliSum a, PauliSum b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        int n = Math.Max(a.NumQubits, b.NumQubits);
        return new PauliSum(n, a.Widen(n)._terms.Concat(b.Widen(n)._terms));
    }

    /// <summary>Difference.</summary>
    public static PauliSum operator -(PauliSum a, PauliSum b) => a + (-1.0 * b);

    /// <summary>Negation.</summary>
    public static PauliSum operator -(PauliSum a) => -1.0 * a;

    /// <summary>Scalar multiple.</summary>
    public static PauliSum operator *(Complex s, PauliSum a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new PauliSum(a.NumQubits, a._terms.Select(t => t with { Coefficient = s * t.Coefficient }));
    }

    /// <summary>Scalar multiple.</summary>
    public static PauliSum operator *(PauliSum a, Complex s) => s * a;

    /// <summary>Scalar multiple.</summary>
    public static PauliSum operator *(double s, PauliSum a) => new Complex(s, 0) * a;

    /// <summary>Scalar multiple.</summary>
    public static PauliSum operator *(PauliSum a, double s) => new Complex(s, 0) * a;

    /// <summary>The operator product A·B (every pair of strings multiplied with its Pauli-algebra phase), simplified.</summary>
    public static PauliSum operator *(PauliSum a, PauliSum b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        int n = Math.Max(a.NumQubits, b.NumQubits);
        var wa = a.Widen(n); var wb = b.Widen(n);
        var terms = new List<PauliTerm>(a.Count * b.Count);
        foreach (var ta in wa._terms)
            foreach (var tb in wb._terms)
            {
                var (p, k) = ta.Pauli.Multiply(tb.Pauli);
                terms.Add(new PauliTerm(ta.Coefficient * tb.Coefficient * PauliString.PhaseOf(k), p));
            }
        return new PauliSum(n, terms).Simplify(0);
    }

    /// <summary>The commutator [A, B] = AB − BA, simplified.</summary>
    public static PauliSum Commutator(PauliSum a, PauliSum b) => (a * b - b * a).Simplify();

    /// <summary>The adjoint Σ c̄ₖPₖ (Pauli strings are Hermitian).</summary>
    public PauliSum Adjoint() => new(NumQubits, _terms.Select(t => t with { Coefficient = Complex.Conjugate(t.Coefficient) }));

    /// <summary>
    /// Equal strings combined (in order of first appearance) and terms with |c| ≤ <paramref name="tolerance"/> dropped;
    /// coefficient parts below the tolerance are set to exactly zero (so 1 + 1e-17i becomes real).
    /// </summary>
    public PauliSum Simplify(double tolerance = 1e-12)
    {
        var index = new Dictionary<PauliString, int>();
        var sums = new List<(PauliString P, Complex C)>();
        foreach (var t in _terms)
        {
            if (index.TryGetValue(t.Pauli, out int k)) sums[k] = (t.Pauli, sums[k].C + t.Coefficient);
            else { index[t.Pauli] = sums.Count; sums.Add((t.Pauli, t.Coefficient)); }
        }
        var kept = new List<PauliTerm>(sums.Count);
        foreach (var (p, c) in sums)
        {
            if (c.Magnitude <= tolerance) continue;
            double re = Math.Abs(c.Real) <= tolerance ? 0 : c.Real, im = Math.Abs(c.Imaginary) <= tolerance ? 0 : c.Imaginary;
            kept.Add(new PauliTerm(new Complex(re, im), p));
        }
        return new PauliSum(NumQubits, kept);
    }

    /// <summary>True when the operator equals its adjoint: after combining equal strings every coefficient's imaginary part is at most <paramref name="tolerance"/>.</summary>
    public bool IsHermitian(double tolerance = 1e-12) =>
        Simplify(0).Terms.All(t => Math.Abs(t.Coefficient.Imaginary) <= tolerance);

    /// <summary>The identity coefficient (sum of the coefficients of all-I strings).</summary>
    public Complex IdentityCoefficient => _terms.Where(t => t.Pauli.IsIdentity).Aggregate(Complex.Zero, (s, t) => s + t.Coefficient);

    /// <summary>Σ|cₖ|, an upper bound on the operator norm ‖H‖ (used to choose time steps).</summary>
    public double OneNorm => _terms.Sum(t => t.Coefficient.Magnitude);

    /// <summary>True when every pair of strings commutes (then e^{−iHt} is exactly the product of the term exponentials).</summary>
    public bool TermsCommute()
    {
        for (int a = 0; a < _terms.Length; a++)
            for (int b = a + 1; b < _terms.Length; b++)
                if (!_terms[a].Pauli.CommutesWith(_terms[b].Pauli)) return false;
        return true;
    }

    // ---------- matrices and states ----------

    /// <summary>The dense 2ⁿ×2ⁿ matrix (n ≤ 12), little-endian, filled term by term without Kronecker products.</summary>
    /// <exception cref="InvalidOperationException">More than 12 qubits.</exception>
    public Complex[,] ToMatrix()
    {
        if (NumQubits > 12) throw new InvalidOperationException($"ToMatrix is for at most 12 qubits; this PauliSum has {NumQubits}");
        int d = 1 << NumQubits;
        var m = new Complex[d, d];
        foreach (var t in _terms)
        {
            Complex phase = t.Coefficient * PauliString.PhaseOf(t.Pauli.CountY);
            uint x = (uint)t.Pauli.XMask, z = (uint)t.Pauli.ZMask;
            for (int j = 0; j < d; j++)
                m[j ^ (int)x, j] += (BitOperations.PopCount((uint)j & z) & 1) == 0 ? phase : -phase;
        }
        return m;
    }

    /// <summary>H|ψ⟩ as a new (unnormalised) state, matrix-free.</summary>
    /// <exception cref="ArgumentException">The qubit counts differ.</exception>
    public StateVector Apply(StateVector state)
    {
        ArgumentNullException.ThrowIfNull(state);
        CheckQubits(state.NumQubits, nameof(Apply));
        var result = new StateVector(NumQubits);
        StateVector.WithAmplitudes(state, result, (input, output) => Compiled.Apply(input, output));
        return result;
    }

    /// <summary><paramref name="output"/> = H·<paramref name="input"/> on raw amplitude arrays of length 2ⁿ (the matrix-free sparse matvec).</summary>
    /// <exception cref="ArgumentException">A length is not 2ⁿ, or the spans overlap in the same array.</exception>
    public void Apply(ReadOnlySpan<Complex> input, Span<Complex> output)
    {
        CheckLength(input.Length, nameof(input));
        CheckLength(output.Length, nameof(output));
        if (input.Overlaps(output)) throw new ArgumentException("PauliSum.Apply: input and output must not overlap");
        Compiled.Apply(input, output);
    }

    /// <summary>⟨ψ|H|ψ⟩ for a Hermitian H (the real part; see <see cref="ExpectationComplex(StateVector)"/> otherwise). Not normalised by ⟨ψ|ψ⟩.</summary>
    /// <exception cref="InvalidOperationException">H is not Hermitian.</exception>
    public double Expectation(StateVector state)
    {
        EnsureHermitian(nameof(Expectation));
        return ExpectationComplex(state).Real;
    }

    /// <summary>⟨ψ|H|ψ⟩ for any H, computed amplitude by amplitude without forming H|ψ⟩.</summary>
    public Complex ExpectationComplex(StateVector state)
    {
        ArgumentNullException.ThrowIfNull(state);
        CheckQubits(state.NumQubits, nameof(ExpectationComplex));
        Complex r = 0;
        StateVector.WithAmplitudes(state, state, (a, _) => r = Compiled.Expectation(a));
        return r;
    }

    /// <summary>⟨ψ|H|ψ⟩ on raw amplitudes (length 2ⁿ).</summary>
    public Complex ExpectationComplex(ReadOnlySpan<Complex> amplitudes)
    {
        CheckLength(amplitudes.Length, nameof(amplitudes));
        return Compiled.Expectation(amplitudes);
    }

    /// <summary>The variance ⟨H²⟩ − ⟨H⟩² = ‖H|ψ⟩‖² − ⟨H⟩² of a Hermitian H in a normalised state (zero exactly for eigenstates).</summary>
    /// <exception cref="InvalidOperationException">H is not Hermitian.</exception>
    public double Variance(StateVector state)
    {
        EnsureHermitian(nameof(Variance));
        var h = Apply(state);
        double mean = state.InnerProduct(h).Real;
        return Math.Max(0, h.NormSquared() - mean * mean);
    }

    private void EnsureHermitian(string op)
    {
        if (!IsHermitian(1e-10))
        {
            var bad = Simplify(0).Terms.First(t => Math.Abs(t.Coefficient.Imaginary) > 1e-10);
            throw new InvalidOperationException($"PauliSum.{op} needs a Hermitian operator, but term '{bad}' has a complex coefficient; use ExpectationComplex");
        }
    }

    private void CheckQubits(int n, string op)
    {
        if (n != NumQubits) throw new ArgumentException($"PauliSum.{op}: a {NumQubits}-qubit operator cannot act on a {n}-qubit state");
    }

    private void CheckLength(long length, string name)
    {
        if (NumQubits > 30 || length != 1L << NumQubits)
            throw new ArgumentException($"PauliSum on {NumQubits} qubits needs {1L << Math.Min(NumQubits, 62)} amplitudes, but '{name}' has {length}", name);
    }

    internal CompiledPauliSum Compiled => _compiled ??= new CompiledPauliSum(this);

    // ---------- text ----------

    /// <summary>Writes a coefficient so that <see cref="Parse"/> reads it back exactly: "0.5", "-2", "0.5j", "(1-2j)".</summary>
    internal static string FormatCoefficient(Complex c)
    {
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        if (c.Imaginary == 0) return F(c.Real);
        if (c.Real == 0) return F(c.Imaginary) + "j";
        return $"({F(c.Real)}{(c.Imaginary < 0 || double.IsNegative(c.Imaginary) ? "-" : "+")}{F(Math.Abs(c.Imaginary))}j)";
    }

    /// <summary>The sum as text that <see cref="Parse"/> reads back exactly, e.g. "-1*ZZI + 0.5*XII"; "0" for no terms.</summary>
    public override string ToString()
    {
        if (_terms.Length == 0) return "0";
        var sb = new StringBuilder();
        for (int k = 0; k < _terms.Length; k++)
        {
            var c = _terms[k].Coefficient;
            string s = FormatCoefficient(c);
            if (k > 0)
            {
                if (s.StartsWith('-')) { sb.Append(" - "); s = s[1..]; }
                else sb.Append(" + ");
            }
            sb.Append(s);
            if (NumQubits > 0) sb.Append('*').Append(_terms[k].Pauli.ToString());
        }
        return sb.ToString();
    }
}
