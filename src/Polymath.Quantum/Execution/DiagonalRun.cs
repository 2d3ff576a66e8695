using System.Numerics;
using System.Runtime.Intrinsics;

namespace Polymath.Quantum;

/// <summary>
/// A run of consecutive diagonal gates (Z, S, T, P, RZ, CZ, CP, RZZ, controlled phases, …) applied in one sweep.
/// Each amplitude's phase is the product of the gates' diagonal entries; the product is factored over the index
/// bits so a sweep costs three complex multiplies per amplitude however many gates the run holds: the low
/// <c>L</c> bits index a table of the gates that touch only low qubits, the high bits fix a block whose constant
/// comes from the gates on high qubits only, and gates with one low qubit and the rest high become, per block,
/// a phase on that low qubit, folded into two 64-entry tables over bits 0–5 and 6–11. (The QFT's controlled-phase
/// ladders are such runs.)
/// </summary>
internal sealed unsafe class DiagonalRun<T> : CompiledGate<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int LowBits = 12;
    private readonly int _numQubits, _low;
    private readonly T[] _lowRe, _lowIm;     // lane patterns: (re, re) and (−im, im) per entry
    private readonly Complex[] _high;        // per block
    private readonly List<(int LowQubit, int LowSlot, int[] HighQubits, int[] HighSlots, Complex[] Diag)> _mixed = [];

    /// <summary>True when <paramref name="op"/> can join a run for an <paramref name="numQubits"/>-qubit state.</summary>
    public static bool CanJoin(GateOp op, int numQubits)
    {
        if (numQubits <= LowBits || !IsDiagonal(op.Matrix)) return false;
        int lowCount = op.Qubits.Count(q => q < LowBits);
        return lowCount == op.Qubits.Length || lowCount <= 1;
    }

    private static bool IsDiagonal(Complex[,] m)
    {
        int d = m.GetLength(0);
        for (int r = 0; r < d; r++) for (int c = 0; c < d; c++) if (r != c && m[r, c] != Complex.Zero) return false;
        return true;
    }

    public DiagonalRun(IReadOnlyList<GateOp> ops, int numQubits)
    {
        _numQubits = numQubits;
        _low = LowBits;
        MaxQubit = ops.Max(o => o.Qubits.Max());
        int lowSize = 1 << _low, highSize = 1 << (numQubits - _low);
        var low = new Complex[lowSize];
        Array.Fill(low, Complex.One);
        _high = new Complex[highSize];
        Array.Fill(_high, Complex.One);
        foreach (var op in ops)
        {
            int[] qs = op.Qubits;
            var full = op.FullMatrix(qs);
            var diag = new Complex[1 << qs.Length];
            for (int i = 0; i < diag.Length; i++) diag[i] = full[i, i];
            int lowCount = qs.Count(q => q < _low);
            if (lowCount == qs.Length)
            {
                for (int i = 0; i < lowSize; i++) low[i] *= diag[Sub(i, qs, 0)];
            }
            else if (lowCount == 0)
            {
                for (int h = 0; h < highSize; h++) _high[h] *= diag[Sub(h, qs, _low)];
            }
            else
            {
                int slot = Array.FindIndex(qs, q => q < _low);
                var highSlots = Enumerable.Range(0, qs.Length).Where(j => j != slot).ToArray();
                _mixed.Add((qs[slot], slot, highSlots.Select(j => qs[j] - _low).ToArray(), highSlots, diag));
            }
        }
        (_lowRe, _lowIm) = Split(low);
    }

    /// <summary>Bits of <paramref name="index"/> at <paramref name="qubits"/> (shifted down by <paramref name="shift"/>) as a sub-index.</summary>
    private static int Sub(long index, int[] qubits, int shift)
    {
        int s = 0;
        for (int j = 0; j < qubits.Length; j++) s |= (int)((index >> (qubits[j] - shift)) & 1) << j;
        return s;
    }

    private static (T[] Re, T[] Im) Split(Complex[] c)
    {
        var re = new T[2 * c.Length];
        var im = new T[2 * c.Length];
        for (int i = 0; i < c.Length; i++)
        {
            re[2 * i] = re[2 * i + 1] = T.CreateTruncating(c[i].Real);
            im[2 * i] = T.CreateTruncating(-c[i].Imaginary);
            im[2 * i + 1] = T.CreateTruncating(c[i].Imaginary);
        }
        return (re, im);
    }

    public override void Execute(T* amp, int numQubits, bool parallel)
    {
        if (numQubits != _numQubits) throw new InvalidOperationException($"diagonal run compiled for {_numQubits} qubits ran on {numQubits}");
        long blocks = 1L << (numQubits - _low);
        nint basePtr = (nint)amp;
        QuantumThreads.For(blocks, parallel ? 1 : blocks, 1, (b0, b1) =>
        {
            var g0 = new Complex[64];
            var g1 = new Complex[64];
            var f = new Complex[_low, 2];
            var g0Re = new T[128]; var g0Im = new T[128];
            for (long h = b0; h < b1; h++)
            {
                // Per low qubit: the phase for bit 0 and bit 1 given this block's high bits.
                for (int l = 0; l < _low; l++) { f[l, 0] = Complex.One; f[l, 1] = Complex.One; }
                foreach (var (lq, slot, highQubits, highSlots, diag) in _mixed)
                {
                    int baseSub = 0;
                    for (int j = 0; j < highQubits.Length; j++) baseSub |= (int)((h >> highQubits[j]) & 1) << highSlots[j];
                    f[lq, 0] *= diag[baseSub];
                    f[lq, 1] *= diag[baseSub | 1 << slot];
                }
                // g0[x] = high · Π_{l<6} f[l, bit l of x], g1 likewise over bits 6–11: built by doubling, 64 products each.
                g0[0] = _high[h];
                g1[0] = Complex.One;
                for (int l = 0, size = 1; l < 6; l++, size <<= 1)
                    for (int x = 0; x < size; x++)
                    {
                        g0[x | size] = g0[x] * f[l, 1];
                        g0[x] *= f[l, 0];
                        g1[x | size] = g1[x] * f[l + 6, 1];
                        g1[x] *= f[l + 6, 0];
                    }
                for (int x = 0; x < 64; x++)
                {
                    g0Re[2 * x] = g0Re[2 * x + 1] = T.CreateTruncating(g0[x].Real);
                    g0Im[2 * x] = T.CreateTruncating(-g0[x].Imaginary);
                    g0Im[2 * x + 1] = T.CreateTruncating(g0[x].Imaginary);
                }
                SweepBlock((T*)basePtr + 2 * (h << _low), g0Re, g0Im, g1);
            }
        });
    }

    private void SweepBlock(T* p, T[] g0Re, T[] g0Im, Complex[] g1)
    {
        int size = 1 << _low;
        fixed (T* lowRe = _lowRe, lowIm = _lowIm, gRe = g0Re, gIm = g0Im)
        {
            for (int hi = 0; hi < size >> 6; hi++)
            {
                var c1 = Coefficient<T>.From(g1[hi]);
                T* q = p + 2 * (hi << 6);
                T* lr = lowRe + 2 * (hi << 6), li = lowIm + 2 * (hi << 6);
                int i = 0;
                if (ComplexVector<T>.IsSupported)
                {
                    int lanes = Vector512<T>.Count;
                    for (; i + lanes <= 128; i += lanes)
                    {
                        var v = Vector512.Load(q + i);
                        var a = new Coefficient<T>(Vector512.Load(lr + i), Vector512.Load(li + i), T.Zero, T.Zero);
                        var b = new Coefficient<T>(Vector512.Load(gRe + i), Vector512.Load(gIm + i), T.Zero, T.Zero);
                        v = ComplexVector<T>.Mul(a, v, ComplexVector<T>.SwapReIm(v));
                        v = ComplexVector<T>.Mul(b, v, ComplexVector<T>.SwapReIm(v));
                        v = ComplexVector<T>.Mul(c1, v, ComplexVector<T>.SwapReIm(v));
                        v.Store(q + i);
                    }
                }
                for (; i < 128; i += 2)
                {
                    // (q) ← (q)·low·g0·g1, in T.
                    T re = q[i], im = q[i + 1];
                    (re, im) = (lr[i] * re + li[i] * im, lr[i] * im - li[i] * re);
                    (re, im) = (gRe[i] * re + gIm[i] * im, gRe[i] * im - gIm[i] * re);
                    (re, im) = (c1.R * re - c1.I * im, c1.R * im + c1.I * re);
                    q[i] = re;
                    q[i + 1] = im;
                }
            }
        }
    }
}
