using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Polymath.Quantum;

/// <summary>
/// An amplitude update over a contiguous run of base indices: every base index in [start, start + len) has all
/// target bits 0 and all control bits 1, and the op touches base + offset for each of its target patterns.
/// <see cref="GateRunner{T}"/> drives it; the struct is specialised by the JIT so the run loop inlines it.
/// </summary>
internal unsafe interface IRunOp<T> where T : unmanaged
{
    void ApplyRun(T* amp, long start, long len);
}

/// <summary>General 2×2 on pairs (i, i + stride): four complex products per pair.</summary>
internal readonly unsafe struct Matrix2Op<T>(long stride, Complex[,] m) : IRunOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly long _offset = 2 * stride;
    private readonly Coefficient<T> _m00 = Coefficient<T>.From(m[0, 0]), _m01 = Coefficient<T>.From(m[0, 1]);
    private readonly Coefficient<T> _m10 = Coefficient<T>.From(m[1, 0]), _m11 = Coefficient<T>.From(m[1, 1]);

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public void ApplyRun(T* amp, long start, long len)
    {
        T* p0 = amp + 2 * start, p1 = p0 + _offset;
        long n = 2 * len, i = 0;
        if (ComplexVector<T>.IsSupported)
        {
            int lanes = Vector512<T>.Count;
            for (; i + lanes <= n; i += lanes)
            {
                var v0 = Vector512.Load(p0 + i);
                var v1 = Vector512.Load(p1 + i);
                var s0 = ComplexVector<T>.SwapReIm(v0);
                var s1 = ComplexVector<T>.SwapReIm(v1);
                var o0 = ComplexVector<T>.MulAcc(_m00, v0, s0, ComplexVector<T>.Mul(_m01, v1, s1));
                var o1 = ComplexVector<T>.MulAcc(_m10, v0, s0, ComplexVector<T>.Mul(_m11, v1, s1));
                o0.Store(p0 + i);
                o1.Store(p1 + i);
            }
        }
        for (; i < n; i += 2)
        {
            T ar = p0[i], ai = p0[i + 1], br = p1[i], bi = p1[i + 1];
            p0[i] = _m00.R * ar - _m00.I * ai + _m01.R * br - _m01.I * bi;
            p0[i + 1] = _m00.R * ai + _m00.I * ar + _m01.R * bi + _m01.I * br;
            p1[i] = _m10.R * ar - _m10.I * ai + _m11.R * br - _m11.I * bi;
            p1[i + 1] = _m10.R * ai + _m10.I * ar + _m11.R * bi + _m11.I * br;
        }
    }
}

/// <summary>
/// A 2×2 on a target qubit below the vector width: each vector holds whole pairs, so out = A⊙v + B⊙perm(v) with
/// lane patterns A (diagonal entries) and B (off-diagonal entries) and perm exchanging partners. Runs are contiguous
/// amplitudes whose length is a multiple of the vector's complex count.
/// </summary>
internal readonly unsafe struct InVectorMatrix2Op<T> : IRunOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Coefficient<T> _a, _b;
    private readonly Vector512<T> _perm;
    private readonly bool _hasOffDiagonal;

    public InVectorMatrix2Op(int target, Complex[,] m)
    {
        int bit = 1 << target;
        _a = ComplexVector<T>.Pattern(j => (j & bit) == 0 ? m[0, 0] : m[1, 1]);
        _b = ComplexVector<T>.Pattern(j => (j & bit) == 0 ? m[0, 1] : m[1, 0]);
        _perm = ComplexVector<T>.PermutationIndex(lane => 2 * ((lane >> 1) ^ bit) + (lane & 1));
        _hasOffDiagonal = m[0, 1] != Complex.Zero || m[1, 0] != Complex.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public void ApplyRun(T* amp, long start, long len)
    {
        T* p = amp + 2 * start;
        long n = 2 * len;
        int lanes = Vector512<T>.Count;
        for (long i = 0; i < n; i += lanes)
        {
            var v = Vector512.Load(p + i);
            var o = ComplexVector<T>.Mul(_a, v, ComplexVector<T>.SwapReIm(v));
            if (_hasOffDiagonal)
            {
                var w = ComplexVector<T>.Permute(v, _perm);
                o = ComplexVector<T>.MulAcc(_b, w, ComplexVector<T>.SwapReIm(w), o);
            }
            o.Store(p + i);
        }
    }
}

/// <summary>
/// A monomial matrix (one non-zero per row and column: diagonal, permutation, X, Y, SWAP, iSWAP, phases):
/// out[r] = c[r]·in[source[r]] over the 2ᵏ amplitudes at base + offsets[·]. Identity rows are skipped.
/// </summary>
internal readonly unsafe struct MonomialOp<T> : IRunOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly long[] _offsets;   // in T units
    private readonly int[] _rows;       // rows that change
    private readonly int[] _source;
    private readonly Coefficient<T>[] _coef;
    private readonly bool[] _isOne;

    public MonomialOp(long[] offsets, int[] source, Complex[] coef)
    {
        int d = offsets.Length;
        _offsets = offsets.Select(o => 2 * o).ToArray();
        _source = source;
        _coef = coef.Select(Coefficient<T>.From).ToArray();
        _isOne = coef.Select(c => c == Complex.One).ToArray();
        _rows = Enumerable.Range(0, d).Where(r => source[r] != r || coef[r] != Complex.One).ToArray();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public void ApplyRun(T* amp, long start, long len)
    {
        if (_offsets.Length <= 4) ApplySmall(amp, start, len);
        else ApplyLarge(amp, start, len);
    }

    /// <summary>One or two qubits (the common case: X, Y, Z, phases, SWAP, iSWAP, CX as a matrix): no scratch memory, so it inlines into the run loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private void ApplySmall(T* amp, long start, long len)
    {
        int d = _offsets.Length;
        T* p = amp + 2 * start;
        long n = 2 * len, i = 0;
        long o1 = d > 1 ? _offsets[1] : 0, o2 = d > 2 ? _offsets[2] : 0, o3 = d > 3 ? _offsets[3] : 0;
        if (ComplexVector<T>.IsSupported)
        {
            int lanes = Vector512<T>.Count;
            for (; i + lanes <= n; i += lanes)
            {
                var v0 = Vector512.Load(p + i);
                var v1 = d > 1 ? Vector512.Load(p + o1 + i) : v0;
                var v2 = d > 2 ? Vector512.Load(p + o2 + i) : v0;
                var v3 = d > 3 ? Vector512.Load(p + o3 + i) : v0;
                foreach (int r in _rows)
                {
                    var x = _source[r] switch { 0 => v0, 1 => v1, 2 => v2, _ => v3 };
                    var o = _isOne[r] ? x : ComplexVector<T>.Mul(_coef[r], x, ComplexVector<T>.SwapReIm(x));
                    o.Store(p + _offsets[r] + i);
                }
            }
        }
        for (; i < n; i += 2)
        {
            T r0 = p[i], i0 = p[i + 1];
            T r1 = d > 1 ? p[o1 + i] : r0, i1 = d > 1 ? p[o1 + i + 1] : i0;
            T r2 = d > 2 ? p[o2 + i] : r0, i2 = d > 2 ? p[o2 + i + 1] : i0;
            T r3 = d > 3 ? p[o3 + i] : r0, i3 = d > 3 ? p[o3 + i + 1] : i0;
            foreach (int r in _rows)
            {
                int src = _source[r];
                T xr = src switch { 0 => r0, 1 => r1, 2 => r2, _ => r3 };
                T xi = src switch { 0 => i0, 1 => i1, 2 => i2, _ => i3 };
                ref readonly var c = ref _coef[r];
                p[_offsets[r] + i] = c.R * xr - c.I * xi;
                p[_offsets[r] + i + 1] = c.R * xi + c.I * xr;
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private void ApplyLarge(T* amp, long start, long len)
    {
        int d = _offsets.Length;
        T* p = amp + 2 * start;
        long n = 2 * len, i = 0;
        if (ComplexVector<T>.IsSupported)
        {
            int lanes = Vector512<T>.Count;
            Vector512<T>* v = stackalloc Vector512<T>[d];
            for (; i + lanes <= n; i += lanes)
            {
                for (int m = 0; m < d; m++) v[m] = Vector512.Load(p + _offsets[m] + i);
                foreach (int r in _rows)
                {
                    var x = v[_source[r]];
                    var o = _isOne[r] ? x : ComplexVector<T>.Mul(_coef[r], x, ComplexVector<T>.SwapReIm(x));
                    o.Store(p + _offsets[r] + i);
                }
            }
        }
        T* re = stackalloc T[d];
        T* im = stackalloc T[d];
        for (; i < n; i += 2)
        {
            for (int m = 0; m < d; m++) { re[m] = p[_offsets[m] + i]; im[m] = p[_offsets[m] + i + 1]; }
            foreach (int r in _rows)
            {
                T xr = re[_source[r]], xi = im[_source[r]];
                ref readonly var c = ref _coef[r];
                p[_offsets[r] + i] = c.R * xr - c.I * xi;
                p[_offsets[r] + i + 1] = c.R * xi + c.I * xr;
            }
        }
    }
}

/// <summary>Dense 2ᵏ×2ᵏ (k ≥ 2) on the amplitudes at base + offsets[·]: d² complex products per group.</summary>
internal readonly unsafe struct DenseOp<T> : IRunOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly long[] _offsets;   // in T units
    private readonly Coefficient<T>[] _m; // row-major d×d

    public DenseOp(long[] offsets, Complex[,] m)
    {
        int d = offsets.Length;
        _offsets = offsets.Select(o => 2 * o).ToArray();
        _m = new Coefficient<T>[d * d];
        for (int r = 0; r < d; r++) for (int c = 0; c < d; c++) _m[r * d + c] = Coefficient<T>.From(m[r, c]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ApplyRun(T* amp, long start, long len)
    {
        int d = _offsets.Length;
        T* p = amp + 2 * start;
        long n = 2 * len, i = 0;
        if (ComplexVector<T>.IsSupported)
        {
            int lanes = Vector512<T>.Count;
            Vector512<T>* v = stackalloc Vector512<T>[d];
            Vector512<T>* s = stackalloc Vector512<T>[d];
            for (; i + lanes <= n; i += lanes)
            {
                for (int m = 0; m < d; m++)
                {
                    v[m] = Vector512.Load(p + _offsets[m] + i);
                    s[m] = ComplexVector<T>.SwapReIm(v[m]);
                }
                for (int r = 0; r < d; r++)
                {
                    int row = r * d;
                    var acc = ComplexVector<T>.Mul(_m[row], v[0], s[0]);
                    for (int m = 1; m < d; m++) acc = ComplexVector<T>.MulAcc(_m[row + m], v[m], s[m], acc);
                    acc.Store(p + _offsets[r] + i);
                }
            }
        }
        T* re = stackalloc T[d];
        T* im = stackalloc T[d];
        for (; i < n; i += 2)
        {
            for (int m = 0; m < d; m++) { re[m] = p[_offsets[m] + i]; im[m] = p[_offsets[m] + i + 1]; }
            for (int r = 0; r < d; r++)
            {
                T accR = T.Zero, accI = T.Zero;
                for (int m = 0; m < d; m++)
                {
                    ref readonly var c = ref _m[r * d + m];
                    accR += c.R * re[m] - c.I * im[m];
                    accI += c.R * im[m] + c.I * re[m];
                }
                p[_offsets[r] + i] = accR;
                p[_offsets[r] + i + 1] = accI;
            }
        }
    }
}

/// <summary>Dense 4×4 on two target qubits (the shape fusion produces): sixteen complex products per group, all in registers.</summary>
internal readonly unsafe struct Dense4Op<T> : IRunOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly long _o1, _o2, _o3;   // in T units
    private readonly Coefficient<T>[] _m;

    public Dense4Op(long[] offsets, Complex[,] m)
    {
        (_o1, _o2, _o3) = (2 * offsets[1], 2 * offsets[2], 2 * offsets[3]);
        _m = new Coefficient<T>[16];
        for (int r = 0; r < 4; r++) for (int c = 0; c < 4; c++) _m[4 * r + c] = Coefficient<T>.From(m[r, c]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public void ApplyRun(T* amp, long start, long len)
    {
        T* p0 = amp + 2 * start, p1 = p0 + _o1, p2 = p0 + _o2, p3 = p0 + _o3;
        var m = _m;
        long n = 2 * len, i = 0;
        if (ComplexVector<T>.IsSupported)
        {
            int lanes = Vector512<T>.Count;
            for (; i + lanes <= n; i += lanes)
            {
                var v0 = Vector512.Load(p0 + i); var v1 = Vector512.Load(p1 + i);
                var v2 = Vector512.Load(p2 + i); var v3 = Vector512.Load(p3 + i);
                var s0 = ComplexVector<T>.SwapReIm(v0); var s1 = ComplexVector<T>.SwapReIm(v1);
                var s2 = ComplexVector<T>.SwapReIm(v2); var s3 = ComplexVector<T>.SwapReIm(v3);
                // Written out (no helper taking eight vectors by value): the operands stay in registers.
                for (int r = 0; r < 4; r++)
                {
                    ref readonly var c0 = ref m[4 * r];
                    ref readonly var c1 = ref m[4 * r + 1];
                    ref readonly var c2 = ref m[4 * r + 2];
                    ref readonly var c3 = ref m[4 * r + 3];
                    var acc = ComplexVector<T>.MulAdd(c0.Re, v0, c0.ImSigned * s0);
                    acc = ComplexVector<T>.MulAdd(c1.Re, v1, ComplexVector<T>.MulAdd(c1.ImSigned, s1, acc));
                    acc = ComplexVector<T>.MulAdd(c2.Re, v2, ComplexVector<T>.MulAdd(c2.ImSigned, s2, acc));
                    acc = ComplexVector<T>.MulAdd(c3.Re, v3, ComplexVector<T>.MulAdd(c3.ImSigned, s3, acc));
                    acc.Store((r == 0 ? p0 : r == 1 ? p1 : r == 2 ? p2 : p3) + i);
                }
            }
        }
        for (; i < n; i += 2)
        {
            T a0 = p0[i], b0 = p0[i + 1], a1 = p1[i], b1 = p1[i + 1], a2 = p2[i], b2 = p2[i + 1], a3 = p3[i], b3 = p3[i + 1];
            for (int r = 0; r < 4; r++)
            {
                ref readonly var c0 = ref m[4 * r]; ref readonly var c1 = ref m[4 * r + 1];
                ref readonly var c2 = ref m[4 * r + 2]; ref readonly var c3 = ref m[4 * r + 3];
                T re = c0.R * a0 - c0.I * b0 + c1.R * a1 - c1.I * b1 + c2.R * a2 - c2.I * b2 + c3.R * a3 - c3.I * b3;
                T im = c0.R * b0 + c0.I * a0 + c1.R * b1 + c1.I * a1 + c2.R * b2 + c2.I * a2 + c3.R * b3 + c3.I * a3;
                T* dst = r == 0 ? p0 : r == 1 ? p1 : r == 2 ? p2 : p3;
                dst[i] = re;
                dst[i + 1] = im;
            }
        }
    }
}

/// <summary>
/// A k-qubit matrix whose targets all lie inside one vector (positions below log2 of its complex count): each
/// vector holds whole groups, so out = Σₓ Aₓ ⊙ permₓ(v) over the 2ᵏ XOR patterns x of the target bits, with
/// Aₓ[j] = M[s(j), s(j) ⊕ x] where s(j) is lane j's target sub-index. Runs are contiguous whole vectors.
/// </summary>
internal readonly unsafe struct InVectorDenseOp<T> : IRunOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Coefficient<T>[] _a;
    private readonly Vector512<T>[] _perm;

    public InVectorDenseOp(int[] targets, Complex[,] m)
    {
        int k = targets.Length, d = 1 << k;
        int Sub(int lane) { int s = 0; for (int j = 0; j < k; j++) s |= (lane >> targets[j] & 1) << j; return s; }
        int Spread(int x) { int s = 0; for (int j = 0; j < k; j++) s |= (x >> j & 1) << targets[j]; return s; }
        _a = new Coefficient<T>[d];
        _perm = new Vector512<T>[d];
        for (int x = 0; x < d; x++)
        {
            int xx = x, spread = Spread(x);
            _a[x] = ComplexVector<T>.Pattern(j => m[Sub(j), Sub(j) ^ xx]);
            _perm[x] = ComplexVector<T>.PermutationIndex(lane => 2 * ((lane >> 1) ^ spread) + (lane & 1));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ApplyRun(T* amp, long start, long len)
    {
        T* p = amp + 2 * start;
        long n = 2 * len;
        int lanes = Vector512<T>.Count, d = _a.Length;
        for (long i = 0; i < n; i += lanes)
        {
            var v = Vector512.Load(p + i);
            var o = ComplexVector<T>.Mul(_a[0], v, ComplexVector<T>.SwapReIm(v));
            for (int x = 1; x < d; x++)
            {
                var w = ComplexVector<T>.Permute(v, _perm[x]);
                o = ComplexVector<T>.MulAcc(_a[x], w, ComplexVector<T>.SwapReIm(w), o);
            }
            o.Store(p + i);
        }
    }
}

/// <summary>Dense 8×8 on three target qubits (what high-qubit merging produces): 64 complex products per group, operands in registers.</summary>
internal readonly unsafe struct Dense8Op<T> : IRunOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly long _o1, _o2, _o3, _o4, _o5, _o6, _o7;   // in T units
    private readonly Coefficient<T>[] _m;

    public Dense8Op(long[] offsets, Complex[,] m)
    {
        (_o1, _o2, _o3, _o4, _o5, _o6, _o7) = (2 * offsets[1], 2 * offsets[2], 2 * offsets[3], 2 * offsets[4], 2 * offsets[5], 2 * offsets[6], 2 * offsets[7]);
        _m = new Coefficient<T>[64];
        for (int r = 0; r < 8; r++) for (int c = 0; c < 8; c++) _m[8 * r + c] = Coefficient<T>.From(m[r, c]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ApplyRun(T* amp, long start, long len)
    {
        T* p0 = amp + 2 * start;
        T* p1 = p0 + _o1, p2 = p0 + _o2, p3 = p0 + _o3, p4 = p0 + _o4, p5 = p0 + _o5, p6 = p0 + _o6, p7 = p0 + _o7;
        var m = _m;
        long n = 2 * len, i = 0;
        if (ComplexVector<T>.IsSupported)
        {
            int lanes = Vector512<T>.Count;
            for (; i + lanes <= n; i += lanes)
            {
                var v0 = Vector512.Load(p0 + i); var v1 = Vector512.Load(p1 + i); var v2 = Vector512.Load(p2 + i); var v3 = Vector512.Load(p3 + i);
                var v4 = Vector512.Load(p4 + i); var v5 = Vector512.Load(p5 + i); var v6 = Vector512.Load(p6 + i); var v7 = Vector512.Load(p7 + i);
                var s0 = ComplexVector<T>.SwapReIm(v0); var s1 = ComplexVector<T>.SwapReIm(v1); var s2 = ComplexVector<T>.SwapReIm(v2); var s3 = ComplexVector<T>.SwapReIm(v3);
                var s4 = ComplexVector<T>.SwapReIm(v4); var s5 = ComplexVector<T>.SwapReIm(v5); var s6 = ComplexVector<T>.SwapReIm(v6); var s7 = ComplexVector<T>.SwapReIm(v7);
                for (int r = 0; r < 8; r++)
                {
                    int k = 8 * r;
                    var acc = ComplexVector<T>.MulAdd(m[k].Re, v0, m[k].ImSigned * s0);
                    acc = ComplexVector<T>.MulAdd(m[k + 1].Re, v1, ComplexVector<T>.MulAdd(m[k + 1].ImSigned, s1, acc));
                    acc = ComplexVector<T>.MulAdd(m[k + 2].Re, v2, ComplexVector<T>.MulAdd(m[k + 2].ImSigned, s2, acc));
                    acc = ComplexVector<T>.MulAdd(m[k + 3].Re, v3, ComplexVector<T>.MulAdd(m[k + 3].ImSigned, s3, acc));
                    acc = ComplexVector<T>.MulAdd(m[k + 4].Re, v4, ComplexVector<T>.MulAdd(m[k + 4].ImSigned, s4, acc));
                    acc = ComplexVector<T>.MulAdd(m[k + 5].Re, v5, ComplexVector<T>.MulAdd(m[k + 5].ImSigned, s5, acc));
                    acc = ComplexVector<T>.MulAdd(m[k + 6].Re, v6, ComplexVector<T>.MulAdd(m[k + 6].ImSigned, s6, acc));
                    acc = ComplexVector<T>.MulAdd(m[k + 7].Re, v7, ComplexVector<T>.MulAdd(m[k + 7].ImSigned, s7, acc));
                    T* dst = r switch { 0 => p0, 1 => p1, 2 => p2, 3 => p3, 4 => p4, 5 => p5, 6 => p6, _ => p7 };
                    acc.Store(dst + i);
                }
            }
        }
        if (i < n)
        {
            // Scalar tail (runs shorter than a vector): the general dense kernel.
            long[] offsets = [0, _o1 / 2, _o2 / 2, _o3 / 2, _o4 / 2, _o5 / 2, _o6 / 2, _o7 / 2];
            var full = new Complex[8, 8];
            for (int r = 0; r < 8; r++) for (int c = 0; c < 8; c++) full[r, c] = new Complex(double.CreateTruncating(m[8 * r + c].R), double.CreateTruncating(m[8 * r + c].I));
            new DenseOp<T>(offsets, full).ApplyRun(amp, start + i / 2, len - i / 2);
        }
    }
}
