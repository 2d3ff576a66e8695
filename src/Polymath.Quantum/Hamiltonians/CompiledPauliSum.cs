using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// A <see cref="PauliSum"/> laid out for fast application: terms grouped by X mask, each with its Z mask and the
/// coefficient c·(−i)^{#Y} so that (H·ψ)[i] = Σ_groups ψ[i ⊕ x] · Σ_terms c'·(−1)^{|i ∧ z|}.
/// Every output amplitude is computed independently, so the parallel loop gives bit-identical results.
/// </summary>
internal sealed class CompiledPauliSum
{
    // Below this many amplitudes a single thread is faster than Parallel.For's overhead.
    private const int ParallelThreshold = 1 << 14;
    private const int BlockSize = 1 << 12;

    private readonly long[] _x;            // X mask per group
    private readonly int[] _start;         // group g owns terms _start[g] .. _start[g+1]-1
    private readonly long[] _z;
    private readonly Complex[] _c;

    public CompiledPauliSum(PauliSum sum)
    {
        var groups = sum.Simplify(0).Terms.GroupBy(t => t.Pauli.XMask).ToList();
        _x = new long[groups.Count];
        _start = new int[groups.Count + 1];
        var z = new List<long>();
        var c = new List<Complex>();
        for (int g = 0; g < groups.Count; g++)
        {
            _x[g] = (long)groups[g].Key;
            _start[g] = z.Count;
            foreach (var t in groups[g])
            {
                z.Add((long)t.Pauli.ZMask);
                c.Add(t.Coefficient * PauliString.PhaseOf(-t.Pauli.CountY));
            }
        }
        _start[groups.Count] = z.Count;
        _z = [.. z];
        _c = [.. c];
    }

    /// <summary>(H·ψ)[i], the i-th output amplitude.</summary>
    private Complex Row(ReadOnlySpan<Complex> psi, long i)
    {
        Complex acc = Complex.Zero;
        for (int g = 0; g < _x.Length; g++)
        {
            double re = 0, im = 0;
            for (int k = _start[g]; k < _start[g + 1]; k++)
            {
                var c = _c[k];
                if ((BitOperations.PopCount((ulong)(i & _z[k])) & 1) == 0) { re += c.Real; im += c.Imaginary; }
                else { re -= c.Real; im -= c.Imaginary; }
            }
            if (re == 0 && im == 0) continue;
            acc += new Complex(re, im) * psi[(int)(i ^ _x[g])];
        }
        return acc;
    }

    public unsafe void Apply(ReadOnlySpan<Complex> input, Span<Complex> output)
    {
        int n = input.Length;
        if (n < ParallelThreshold)
        {
            for (int i = 0; i < n; i++) output[i] = Row(input, i);
            return;
        }
        fixed (Complex* pin = input)
        fixed (Complex* pout = output)
        {
            var inP = (IntPtr)pin; var outP = (IntPtr)pout;
            Parallel.For(0, (n + BlockSize - 1) / BlockSize, b =>
            {
                var src = new ReadOnlySpan<Complex>((void*)inP, n);
                var dst = new Span<Complex>((void*)outP, n);
                int end = Math.Min(n, (b + 1) * BlockSize);
                for (int i = b * BlockSize; i < end; i++) dst[i] = Row(src, i);
            });
        }
    }

    /// <summary>⟨ψ|H|ψ⟩ = Σᵢ ψ̄ᵢ (Hψ)ᵢ, summed per fixed block and then over blocks in order (deterministic for any thread count).</summary>
    public unsafe Complex Expectation(ReadOnlySpan<Complex> psi)
    {
        int n = psi.Length;
        int blocks = (n + BlockSize - 1) / BlockSize;
        var partial = new Complex[blocks];
        fixed (Complex* p = psi)
        {
            var ptr = (IntPtr)p;
            void Block(int b)
            {
                var src = new ReadOnlySpan<Complex>((void*)ptr, n);
                int end = Math.Min(n, (b + 1) * BlockSize);
                Complex s = Complex.Zero;
                for (int i = b * BlockSize; i < end; i++) s += Complex.Conjugate(src[i]) * Row(src, i);
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
