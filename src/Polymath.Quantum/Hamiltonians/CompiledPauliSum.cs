using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// A <see cref="PauliSum"/> laid out for fast application. Terms are grouped by X mask, each with its Z mask and the
/// coefficient c·(−i)^{#Y}, so that (H·ψ)[i] = Σ_groups ψ[i ⊕ x]·Σ_terms c'·(−1)^{|i ∧ z|}. The diagonal group (x = 0,
/// all I/Z strings, typically the most terms: ZZ bonds, fields) is tabulated once as d[i] when it has several terms,
/// so it costs one multiply per amplitude. Work is split into fixed blocks of output indices and every output amplitude
/// is summed in the same order, so the parallel loop gives bit-identical results for any thread count.
/// </summary>
internal sealed class CompiledPauliSum
{
    // Below this many amplitudes a single thread is faster than Parallel.For's overhead.
    private const int ParallelThreshold = 1 << 14;
    private const int BlockSize = 1 << 12;
    // Tabulate the diagonal up to 2²⁶ amplitudes (1 GiB of complex numbers at most).
    private const int MaxTabulatedQubits = 26;

    private readonly int _numQubits;
    private readonly long[] _z0;            // the diagonal group's terms (when not tabulated)
    private readonly Complex[] _c0;
    private readonly long[] _x;             // X mask per off-diagonal group
    private readonly int[] _start;          // group g owns terms _start[g] .. _start[g+1]-1
    private readonly long[] _z;
    private readonly Complex[] _c;
    private readonly Lazy<Complex[]?> _diagonal;

    public CompiledPauliSum(PauliSum sum)
    {
        _numQubits = sum.NumQubits;
        var groups = sum.Simplify(0).Terms.GroupBy(t => t.Pauli.XMask).ToList();
        var diag = groups.FirstOrDefault(g => g.Key == 0)?.ToList() ?? [];
        _z0 = diag.Select(t => (long)t.Pauli.ZMask).ToArray();
        _c0 = diag.Select(t => t.Coefficient).ToArray();
        var off = groups.Where(g => g.Key != 0).ToList();
        _x = new long[off.Count];
        _start = new int[off.Count + 1];
        var z = new List<long>();
        var c = new List<Complex>();
        for (int g = 0; g < off.Count; g++)
        {
            _x[g] = (long)off[g].Key;
            _start[g] = z.Count;
            foreach (var t in off[g])
            {
                z.Add((long)t.Pauli.ZMask);
                c.Add(t.Coefficient * PauliString.PhaseOf(-t.Pauli.CountY));
            }
        }
        _start[off.Count] = z.Count;
        _z = [.. z];
        _c = [.. c];
        _diagonal = new Lazy<Complex[]?>(TabulateDiagonal, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    private Complex[]? TabulateDiagonal()
    {
        if (_z0.Length < 2 || _numQubits > MaxTabulatedQubits) return null;
        var d = new Complex[1 << _numQubits];
        for (int i = 0; i < d.Length; i++) d[i] = DiagonalAt(i);
        return d;
    }

    private Complex DiagonalAt(long i)
    {
        double re = 0, im = 0;
        for (int k = 0; k < _z0.Length; k++)
        {
            var c = _c0[k];
            if ((BitOperations.PopCount((ulong)(i & _z0[k])) & 1) == 0) { re += c.Real; im += c.Imaginary; }
            else { re -= c.Real; im -= c.Imaginary; }
        }
        return new Complex(re, im);
    }

    /// <summary>output[i − offset] = (H·input)[i] for i in [from, to).</summary>
    private void Rows(ReadOnlySpan<Complex> input, Span<Complex> output, int from, int to, int offset, Complex[]? diag)
    {
        var o = output[(from - offset)..(to - offset)];
        if (diag is not null) for (int i = from; i < to; i++) o[i - from] = diag[i] * input[i];
        else if (_z0.Length > 0) for (int i = from; i < to; i++) o[i - from] = DiagonalAt(i) * input[i];
        else o.Clear();
        for (int g = 0; g < _x.Length; g++)
        {
            int x = (int)_x[g], k0 = _start[g], k1 = _start[g + 1];
            if (k1 - k0 == 1)
            {
                Complex c = _c[k0], mc = -c;
                long z = _z[k0];
                for (int i = from; i < to; i++)
                    o[i - from] += ((BitOperations.PopCount((ulong)(i & z)) & 1) == 0 ? c : mc) * input[i ^ x];
                continue;
            }
            for (int i = from; i < to; i++)
            {
                double re = 0, im = 0;
                for (int k = k0; k < k1; k++)
                {
                    var c = _c[k];
                    if ((BitOperations.PopCount((ulong)(i & _z[k])) & 1) == 0) { re += c.Real; im += c.Imaginary; }
                    else { re -= c.Real; im -= c.Imaginary; }
                }
                o[i - from] += new Complex(re, im) * input[i ^ x];
            }
        }
    }

    public unsafe void Apply(ReadOnlySpan<Complex> input, Span<Complex> output)
    {
        int n = input.Length;
        var diag = _diagonal.Value;
        if (n < ParallelThreshold)
        {
            Rows(input, output, 0, n, 0, diag);
            return;
        }
        fixed (Complex* pin = input)
        fixed (Complex* pout = output)
        {
            var inP = (IntPtr)pin; var outP = (IntPtr)pout;
            Parallel.For(0, (n + BlockSize - 1) / BlockSize, b =>
                Rows(new ReadOnlySpan<Complex>((void*)inP, n), new Span<Complex>((void*)outP, n), b * BlockSize, Math.Min(n, (b + 1) * BlockSize), 0, diag));
        }
    }

    /// <summary>⟨ψ|H|ψ⟩ = Σᵢ ψ̄ᵢ (Hψ)ᵢ, summed per fixed block and then over blocks in order (deterministic for any thread count).</summary>
    public unsafe Complex Expectation(ReadOnlySpan<Complex> psi)
    {
        int n = psi.Length;
        int blocks = (n + BlockSize - 1) / BlockSize;
        var partial = new Complex[blocks];
        var diag = _diagonal.Value;
        fixed (Complex* p = psi)
        {
            var ptr = (IntPtr)p;
            void Block(int b)
            {
                var src = new ReadOnlySpan<Complex>((void*)ptr, n);
                int from = b * BlockSize, to = Math.Min(n, from + BlockSize);
                Span<Complex> rows = new Complex[to - from];
                Rows(src, rows, from, to, from, diag);
                Complex s = Complex.Zero;
                for (int i = from; i < to; i++) s += Complex.Conjugate(src[i]) * rows[i - from];
                partial[b] = s;
            }
            if (n < ParallelThreshold) for (int b = 0; b < blocks; b++) Block(b);
            else Parallel.For(0, blocks, Block);
        }
        Complex total = Complex.Zero;
        foreach (var s in partial) total += s;
        return total;
    }
}
