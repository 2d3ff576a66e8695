using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Polymath;

/// <summary>
/// A seeded, counter-based random number generator (Philox4x32-10).
/// </summary>
/// <remarks>
/// <para>
/// The stream is a pure function of (seed, block index): every 128-bit Philox block yields four 32-bit
/// words. <see cref="Offset"/> is the index of the next unused block. Each fill reserves a contiguous
/// range of blocks and element <c>i</c> of the fill always reads the same block and lane, whatever the
/// thread split, so the same seed gives bit-identical output for any <see cref="Threads.Count"/>
/// (on the same machine; transcendental functions may differ in the last ulp across instruction sets).
/// </para>
/// <para>Consumption per element (determines how far <see cref="Offset"/> advances):
/// float uniform/normal/bernoulli: 1 word (4 per block); double uniform/normal and integers: 2 words
/// (2 per block); each scalar <c>Next*</c> call: one whole block.</para>
/// <para>
/// Concurrent calls on one instance are memory-safe (block ranges are reserved atomically) but which call
/// gets which range is then a race; use one generator per thread (see <see cref="Random.Fork"/>) when
/// concurrent draws must be reproducible.
/// </para>
/// </remarks>
public sealed class Generator
{
    // Blocks per inner chunk: 1024 words = 4 KiB of stack, small enough for L1.
    private const int ChunkBlocks = 256;
    // Blocks per thread task at minimum: below ~32K floats threading costs more than it saves.
    private const long MinBlocksPerThread = 8192;

    private ulong _seed;
    private ulong _offset;

    /// <summary>Creates a generator with the given seed and offset 0.</summary>
    public Generator(ulong seed) => _seed = seed;

    /// <summary>Creates a generator positioned at <paramref name="state"/>.</summary>
    public Generator(GeneratorState state) => SetState(state);

    /// <summary>The seed (the Philox key).</summary>
    public ulong Seed => _seed;

    /// <summary>Index of the next unused 128-bit Philox block. Settable to skip ahead or rewind.</summary>
    public ulong Offset
    {
        get => Volatile.Read(ref _offset);
        set => Volatile.Write(ref _offset, value);
    }

    /// <summary>Reseeds and rewinds to offset 0.</summary>
    public void ManualSeed(ulong seed)
    {
        _seed = seed;
        Offset = 0;
    }

    /// <summary>Snapshot of the state (seed, offset); see <see cref="GeneratorState.ToBytes"/> to serialize.</summary>
    public GeneratorState GetState() => new(_seed, Offset);

    /// <summary>Restores a snapshot taken by <see cref="GetState"/>; later draws repeat the original continuation.</summary>
    public void SetState(GeneratorState state)
    {
        _seed = state.Seed;
        Offset = state.Offset;
    }

    /// <summary>Restores a state serialized with <see cref="GeneratorState.ToBytes"/>.</summary>
    /// <exception cref="ArgumentException">The bytes are not a serialized state.</exception>
    public void SetState(ReadOnlySpan<byte> state) => SetState(GeneratorState.FromBytes(state));

    /// <summary>Reserves <paramref name="blocks"/> blocks and returns the first.</summary>
    private ulong Reserve(ulong blocks) => Interlocked.Add(ref _offset, blocks) - blocks;

    // ------------------------------------------------------------------ scalars

    /// <summary>Uniform 64-bit value. Consumes one block.</summary>
    public ulong NextUInt64()
    {
        Philox.Block(_seed, Reserve(1), 0, out uint r0, out uint r1, out _, out _);
        return r0 | ((ulong)r1 << 32);
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits. Consumes one block.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform float in [0, 1) with 24 random bits. Consumes one block.</summary>
    public float NextFloat() => (float)(NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform integer in [<paramref name="low"/>, <paramref name="highExclusive"/>), exactly unbiased. Consumes one block.</summary>
    /// <exception cref="ArgumentException"><paramref name="low"/> &gt;= <paramref name="highExclusive"/>.</exception>
    public long NextLong(long low, long highExclusive)
    {
        CheckIntRange("nextLong", low, highExclusive);
        ulong key = _seed, block = Reserve(1);
        Philox.Block(key, block, 0, out uint r0, out uint r1, out _, out _);
        ulong range = unchecked((ulong)(highExclusive - low));
        return unchecked(low + (long)Bounded(r0 | ((ulong)r1 << 32), range, key, block, 0));
    }

    // ------------------------------------------------------------------ uniform

    /// <summary>Fills with uniform values in [<paramref name="low"/>, <paramref name="high"/>) (24 random bits each).</summary>
    /// <exception cref="ArgumentException">Bounds not finite, low &gt; high, or high - low overflows.</exception>
    public void FillUniform(Span<float> dest, float low = 0f, float high = 1f)
    {
        if (!float.IsFinite(low) || !float.IsFinite(high) || low > high || !float.IsFinite(high - low))
            throw new ArgumentException($"uniform: need finite low <= high with finite high - low, got low={low}, high={high}");
        Run(dest, 4, new UniformFloatOp(low, high));
    }

    /// <summary>Fills with uniform values in [<paramref name="low"/>, <paramref name="high"/>) (53 random bits each).</summary>
    /// <exception cref="ArgumentException">Bounds not finite, low &gt; high, or high - low overflows.</exception>
    public void FillUniform(Span<double> dest, double low = 0.0, double high = 1.0)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high) || low > high || !double.IsFinite(high - low))
            throw new ArgumentException($"uniform: need finite low <= high with finite high - low, got low={low}, high={high}");
        Run(dest, 2, new UniformDoubleOp(low, high));
    }

    // ------------------------------------------------------------------ normal

    /// <summary>
    /// Fills with normal values N(<paramref name="mean"/>, <paramref name="std"/>²) by Box–Muller.
    /// The radius uses u1 = (w + 0.5)·2⁻³² ∈ (0, 1], never 0, so log(u1) is finite (tails to ~6.8σ).
    /// </summary>
    /// <exception cref="ArgumentException">Non-finite mean, or std negative / not finite.</exception>
    public void FillNormal(Span<float> dest, float mean = 0f, float std = 1f)
    {
        if (!float.IsFinite(mean) || !float.IsFinite(std) || std < 0)
            throw new ArgumentException($"normal: need finite mean and finite std >= 0, got mean={mean}, std={std}");
        Run(dest, 4, new NormalFloatOp(mean, std));
    }

    /// <summary>
    /// Fills with normal values N(<paramref name="mean"/>, <paramref name="std"/>²) by Box–Muller with 53-bit
    /// uniforms; u1 = (k + 0.5)·2⁻⁵³ ∈ (0, 1), never 0 (tails to ~8.6σ).
    /// </summary>
    /// <exception cref="ArgumentException">Non-finite mean, or std negative / not finite.</exception>
    public void FillNormal(Span<double> dest, double mean = 0.0, double std = 1.0)
    {
        if (!double.IsFinite(mean) || !double.IsFinite(std) || std < 0)
            throw new ArgumentException($"normal: need finite mean and finite std >= 0, got mean={mean}, std={std}");
        Run(dest, 2, new NormalDoubleOp(mean, std));
    }

    // ------------------------------------------------------------------ bernoulli

    /// <summary>Fills with 1 (probability <paramref name="p"/>) or 0. p is resolved to multiples of 2⁻³²; p = 0 and p = 1 are exact.</summary>
    /// <exception cref="ArgumentException">p outside [0, 1] or NaN.</exception>
    public void FillBernoulli(Span<float> dest, double p)
    {
        Run(dest, 4, new BernoulliFloatOp(BernoulliThreshold(p)));
    }

    /// <summary>Fills with true (probability <paramref name="p"/>) or false. p is resolved to multiples of 2⁻³²; p = 0 and p = 1 are exact.</summary>
    /// <exception cref="ArgumentException">p outside [0, 1] or NaN.</exception>
    public void FillBernoulli(Span<bool> dest, double p)
    {
        Run(dest, 4, new BernoulliBoolOp(BernoulliThreshold(p)));
    }

    private static ulong BernoulliThreshold(double p)
    {
        if (!(p >= 0.0 && p <= 1.0))
            throw new ArgumentException($"bernoulli: p must be in [0,1], got {p}", nameof(p));
        // word < floor(p * 2^32): exact for p = 0 (never) and p = 1 (threshold 2^32, always).
        return (ulong)(p * 4294967296.0);
    }

    // ------------------------------------------------------------------ integers

    /// <summary>
    /// Fills with integers uniform in [<paramref name="low"/>, <paramref name="highExclusive"/>).
    /// Exactly unbiased: Lemire's 64-bit multiply-shift with rejection; a rejected element redraws from a
    /// retry sub-stream of its own block, so rejections never shift other elements and the result stays
    /// independent of the thread count. Rejection probability per element is below range / 2⁶⁴.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="low"/> &gt;= <paramref name="highExclusive"/>.</exception>
    public void FillRandInt(Span<long> dest, long low, long highExclusive)
    {
        CheckIntRange("randint", low, highExclusive);
        Run(dest, 2, new RandIntOp(low, unchecked((ulong)(highExclusive - low)), perm: false));
    }

    /// <summary>
    /// Writes a uniformly random permutation of 0 .. dest.Length - 1 to <paramref name="dest"/>.
    /// Inside-out Fisher–Yates: the swap indices j_i ∈ [0, i] are drawn in parallel (unbiased, as
    /// <see cref="FillRandInt"/>), then one cheap sequential pass applies them.
    /// </summary>
    public void Randperm(Span<long> dest)
    {
        Run(dest, 2, new RandIntOp(0, 0, perm: true)); // dest[i] = j_i
        for (int i = 0; i < dest.Length; i++)
        {
            int j = (int)dest[i]; // j <= i: positions >= i are still untouched draws
            dest[i] = dest[j];
            dest[j] = i;
        }
    }

    private static void CheckIntRange(string op, long low, long highExclusive)
    {
        if (low >= highExclusive)
            throw new ArgumentException($"{op}: need low < highExclusive, got low={low}, highExclusive={highExclusive}");
    }

    // Lemire, "Fast random integer generation in an interval" (2019), with retries taken from
    // sub-streams 1, 2, ... of the element's own block and lane. range >= 1.
    private static ulong Bounded(ulong x, ulong range, ulong key, ulong block, int lane)
    {
        ulong hi = Math.BigMul(x, range, out ulong lo);
        if (lo < range)
        {
            ulong threshold = (0UL - range) % range; // 2^64 mod range
            uint stream = 1;
            while (lo < threshold)
            {
                Philox.Block(key, block, stream++, out uint r0, out uint r1, out uint r2, out uint r3);
                x = lane == 0 ? r0 | ((ulong)r1 << 32) : r2 | ((ulong)r3 << 32);
                hi = Math.BigMul(x, range, out lo);
            }
        }
        return hi;
    }

    // ------------------------------------------------------------------ multinomial

    /// <summary>
    /// Draws <paramref name="numSamples"/> category indices with probabilities proportional to
    /// <paramref name="probs"/> (non-negative, finite, not necessarily normalized) into <paramref name="output"/>.
    /// With replacement: inverse CDF with binary search. Without replacement: exponential race
    /// (equivalent to Gumbel-top-k): key_i = E_i / p_i with E_i ~ Exp(1); the <paramref name="numSamples"/>
    /// smallest keys, in increasing order, have the same law as sequential draws without replacement.
    /// </summary>
    /// <exception cref="ArgumentException">Empty or invalid probabilities, zero sum, output length ≠ numSamples,
    /// or (without replacement) numSamples greater than the number of non-zero categories.</exception>
    public void Multinomial(ReadOnlySpan<double> probs, int numSamples, bool replacement, Span<long> output)
    {
        if (probs.Length == 0)
            throw new ArgumentException("multinomial: probs must not be empty", nameof(probs));
        if (numSamples < 0)
            throw new ArgumentException($"multinomial: numSamples must be >= 0, got {numSamples}", nameof(numSamples));
        if (output.Length != numSamples)
            throw new ArgumentException($"multinomial: output length {output.Length} must equal numSamples {numSamples}", nameof(output));
        double total = 0;
        int nonZero = 0;
        for (int i = 0; i < probs.Length; i++)
        {
            double p = probs[i];
            if (!(p >= 0) || !double.IsFinite(p))
                throw new ArgumentException($"multinomial: probabilities must be finite and >= 0, got probs[{i}]={p}", nameof(probs));
            total += p;
            if (p > 0) nonZero++;
        }
        if (!(total > 0) || !double.IsFinite(total))
            throw new ArgumentException($"multinomial: probabilities must have a positive finite sum, got {total}", nameof(probs));
        if (!replacement && numSamples > nonZero)
            throw new ArgumentException(
                $"multinomial: cannot draw {numSamples} samples without replacement from {nonZero} non-zero categories", nameof(numSamples));
        if (numSamples == 0)
            return;

        if (replacement)
            SampleWithReplacement(probs, total, output);
        else
            SampleWithoutReplacement(probs, output);
    }

    private void SampleWithReplacement(ReadOnlySpan<double> probs, double total, Span<long> output)
    {
        int n = probs.Length;
        double[] cdf = ArrayPool<double>.Shared.Rent(n);
        double[] u = ArrayPool<double>.Shared.Rent(output.Length);
        try
        {
            double acc = 0;
            int lastNonZero = 0;
            for (int i = 0; i < n; i++)
            {
                acc += probs[i];
                cdf[i] = acc;
                if (probs[i] > 0) lastNonZero = i;
            }
            Span<double> us = u.AsSpan(0, output.Length);
            FillUniform(us);
            for (int s = 0; s < us.Length; s++)
            {
                double x = us[s] * acc;
                // First index with cdf > x; zero-probability categories repeat the previous cdf and are never hit.
                int lo = 0, hi = n;
                while (lo < hi)
                {
                    int mid = (lo + hi) >>> 1;
                    if (cdf[mid] > x) hi = mid; else lo = mid + 1;
                }
                // x can round up to the total; fall back to the last category with mass.
                output[s] = lo < n ? lo : lastNonZero;
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(cdf);
            ArrayPool<double>.Shared.Return(u);
        }
    }

    private void SampleWithoutReplacement(ReadOnlySpan<double> probs, Span<long> output)
    {
        int n = probs.Length;
        var u = new double[n];
        FillUniform(u); // one draw per category, so consumption does not depend on which p are zero
        var keys = new List<(double Key, int Index)>(n);
        for (int i = 0; i < n; i++)
        {
            if (probs[i] > 0)
                keys.Add((-Math.Log(1.0 - u[i]) / probs[i], i)); // 1 - u in (0, 1]: log finite
        }
        keys.Sort(); // ties broken by index, so the result is deterministic
        for (int s = 0; s < output.Length; s++)
            output[s] = keys[s].Index;
    }

    // ------------------------------------------------------------------ parallel driver

    /// <summary>
    /// Reserves ceil(n / perBlock) blocks and runs <paramref name="op"/> over them in parallel. Element i
    /// uses words [i * (4/perBlock), (i+1) * (4/perBlock)) of block first + i / perBlock, independent of the split.
    /// </summary>
    private unsafe void Run<T, TOp>(Span<T> dest, int perBlock, TOp op)
        where T : unmanaged
        where TOp : struct, IBitsOp<T>
    {
        long n = dest.Length;
        if (n == 0)
            return;
        long blocks = (n + perBlock - 1) / perBlock;
        ulong key = _seed;
        ulong first = Reserve((ulong)blocks);
        fixed (T* p = dest)
        {
            nint basePtr = (nint)p;
            // AggressiveOptimization: skip tier-0 code, which is ~10x slower on these loops.
            Threads.For(blocks, MinBlocksPerThread, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (b0, b1) =>
            {
                Span<uint> bits = stackalloc uint[ChunkBlocks * 4];
                for (long b = b0; b < b1; b += ChunkBlocks)
                {
                    int nb = (int)Math.Min(ChunkBlocks, b1 - b);
                    Span<uint> chunkBits = bits.Slice(0, nb * 4);
                    Philox.Fill(key, first + (ulong)b, chunkBits);
                    long e0 = b * perBlock;
                    long e1 = Math.Min(n, (b + nb) * perBlock);
                    op.Apply(chunkBits, new Span<T>((T*)basePtr + e0, (int)(e1 - e0)), e0, key, first + (ulong)b);
                }
            });
        }
    }

    /// <summary>Turns raw words into elements. <c>dst[0]</c> is global element <c>elem0</c>, which starts block <c>block0</c>.</summary>
    private interface IBitsOp<T>
    {
        void Apply(ReadOnlySpan<uint> bits, Span<T> dst, long elem0, ulong key, ulong block0);
    }

    private readonly struct UniformFloatOp(float low, float high) : IBitsOp<float>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Apply(ReadOnlySpan<uint> bits, Span<float> dst, long elem0, ulong key, ulong block0)
        {
            if (low == high)
            {
                dst.Fill(low);
                return;
            }
            float range = high - low;
            // low + u * range can round up to high; clamp to the largest float below high.
            float top = MathF.BitDecrement(high);
            const float scale = 1.0f / (1 << 24);
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var vScale = Vector256.Create(scale);
                var vRange = Vector256.Create(range);
                var vLow = Vector256.Create(low);
                var vTop = Vector256.Create(top);
                for (; i + 8 <= dst.Length; i += 8)
                {
                    var w = Vector256.Create(bits.Slice(i, 8)) >>> 8;
                    var u = Vector256.ConvertToSingle(w.AsInt32()) * vScale;
                    var v = Vector256.Min(vLow + u * vRange, vTop);
                    v.CopyTo(dst.Slice(i));
                }
            }
            for (; i < dst.Length; i++)
            {
                float u = (int)(bits[i] >> 8) * scale;
                dst[i] = MathF.Min(low + u * range, top);
            }
        }
    }

    private readonly struct UniformDoubleOp(double low, double high) : IBitsOp<double>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Apply(ReadOnlySpan<uint> bits, Span<double> dst, long elem0, ulong key, ulong block0)
        {
            if (low == high)
            {
                dst.Fill(low);
                return;
            }
            double range = high - low;
            double top = Math.BitDecrement(high);
            for (int i = 0; i < dst.Length; i++)
            {
                ulong x = bits[2 * i] | ((ulong)bits[2 * i + 1] << 32);
                double u = (x >> 11) * (1.0 / (1UL << 53));
                dst[i] = Math.Min(low + u * range, top);
            }
        }
    }

    private readonly struct NormalFloatOp(float mean, float std) : IBitsOp<float>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Apply(ReadOnlySpan<uint> bits, Span<float> dst, long elem0, ulong key, ulong block0)
        {
            // Pair k uses words 2k (radius) and 2k+1 (angle) and writes elements 2k, 2k+1.
            // Eight pairs per step; a ragged end goes through the same vector code via a padded copy,
            // so every element is computed by exactly the same instructions wherever a chunk ends.
            int n = dst.Length;
            int i = 0;
            for (; i + 16 <= n; i += 16)
                BoxMuller.Float16(bits.Slice(i, 16), mean, std, dst.Slice(i, 16));
            if (i < n)
            {
                Span<uint> w = stackalloc uint[16];
                Span<float> z = stackalloc float[16];
                w.Clear();
                bits.Slice(i, n - i).CopyTo(w);
                BoxMuller.Float16(w, mean, std, z);
                z.Slice(0, n - i).CopyTo(dst.Slice(i));
            }
        }
    }

    private readonly struct NormalDoubleOp(double mean, double std) : IBitsOp<double>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Apply(ReadOnlySpan<uint> bits, Span<double> dst, long elem0, ulong key, ulong block0)
        {
            // Pair k uses one block (words 4k..4k+3) and writes elements 2k, 2k+1. Scalar libm calls
            // (Math.Log/Sin/Cos) give the same result in every JIT tier, unlike vectorized approximations.
            const double inv53 = 1.0 / (1UL << 53);
            for (int k = 0; 2 * k < dst.Length; k++)
            {
                ulong a = bits[4 * k] | ((ulong)bits[4 * k + 1] << 32);
                ulong b = bits[4 * k + 2] | ((ulong)bits[4 * k + 3] << 32);
                double u1 = ((a >> 11) + 0.5) * inv53; // (0, 1): log never sees 0
                double theta = (b >> 11) * inv53 * (2 * Math.PI);
                double r = Math.Sqrt(-2.0 * Math.Log(u1));
                dst[2 * k] = mean + std * (r * Math.Cos(theta));
                if (2 * k + 1 < dst.Length)
                    dst[2 * k + 1] = mean + std * (r * Math.Sin(theta));
            }
        }
    }

    private readonly struct BernoulliFloatOp(ulong threshold) : IBitsOp<float>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Apply(ReadOnlySpan<uint> bits, Span<float> dst, long elem0, ulong key, ulong block0)
        {
            if (threshold > uint.MaxValue) // p = 1
            {
                dst.Fill(1f);
                return;
            }
            // Branch-free: a random 30% branch would mispredict constantly.
            uint t = (uint)threshold;
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                Vector256<uint> vt = Vector256.Create(t);
                Vector256<float> one = Vector256.Create(1f);
                for (; i + 8 <= dst.Length; i += 8)
                    (Vector256.LessThan(Vector256.Create(bits.Slice(i, 8)), vt).AsSingle() & one).CopyTo(dst.Slice(i));
            }
            for (; i < dst.Length; i++)
                dst[i] = bits[i] < t ? 1f : 0f;
        }
    }

    private readonly struct BernoulliBoolOp(ulong threshold) : IBitsOp<bool>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Apply(ReadOnlySpan<uint> bits, Span<bool> dst, long elem0, ulong key, ulong block0)
        {
            for (int i = 0; i < dst.Length; i++)
                dst[i] = bits[i] < threshold;
        }
    }

    /// <summary>perm = false: low + U[0, range). perm = true: U[0, i] for global element index i.</summary>
    private readonly struct RandIntOp(long low, ulong range, bool perm) : IBitsOp<long>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Apply(ReadOnlySpan<uint> bits, Span<long> dst, long elem0, ulong key, ulong block0)
        {
            for (int i = 0; i < dst.Length; i++)
            {
                ulong x = bits[2 * i] | ((ulong)bits[2 * i + 1] << 32);
                ulong rng = perm ? (ulong)(elem0 + i) + 1 : range;
                ulong v = Bounded(x, rng, key, block0 + (ulong)(i >> 1), i & 1);
                dst[i] = unchecked(low + (long)v);
            }
        }
    }
}
