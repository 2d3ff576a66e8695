using System.Runtime.CompilerServices;

namespace Polymath.Physics;

/// <summary>
/// The random stream of one Markov chain: a Philox4x32-10 stream (<see cref="Generator"/>) keyed by a hash of
/// (run seed, chain index), read through a buffer of uniform floats. Every chain owns its key, so what a chain
/// draws does not depend on which thread runs it or on how many threads there are.
/// </summary>
public sealed class ChainRandom
{
    // Refill size: 4096 floats = 1024 Philox blocks, below Generator's threading threshold so a refill never forks threads.
    private const int BufferSize = 4096;

    // Direct fills go in pieces of 8192 Philox blocks, the most Generator fills on the calling thread alone. Pieces are
    // multiples of 4 floats (one block), so element i of a fill always reads the same word whatever the piece size.
    private const int DirectFillSize = 32768;

    private readonly Generator _generator;
    private readonly float[] _buffer = new float[BufferSize];
    private int _next = BufferSize;

    /// <summary>Creates the stream of chain <paramref name="chainIndex"/> of a run seeded with <paramref name="seed"/>.</summary>
    public ChainRandom(ulong seed, ulong chainIndex) => _generator = new Generator(StreamKey(seed, chainIndex));

    /// <summary>
    /// The Philox key of a chain: SplitMix64 finalisers of seed and index (Steele, Lea, Flood, OOPSLA 2014), so nearby
    /// seeds and indices give unrelated keys.
    /// </summary>
    public static ulong StreamKey(ulong seed, ulong chainIndex) => Mix(Mix(seed) ^ (chainIndex * 0x9E3779B97F4A7C15UL + 0x632BE59BD9B4E019UL));

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float NextFloat()
    {
        if (_next == BufferSize) Refill();
        return _buffer[_next++];
    }

    // Out of line so that NextFloat stays small enough to inline into the Wolff loop.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Refill()
    {
        _generator.FillUniform(_buffer);
        _next = 0;
    }

    /// <summary>A uniform integer in [0, <paramref name="n"/>): one float draw (24 bits) when n ≤ 2¹⁶, two (48 bits) above, so the modulo bias stays below n/2²⁴ resp. n/2⁴⁸.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is not positive.</exception>
    public int NextInt(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ulong bits = (ulong)(NextFloat() * (1 << 24));
        if (n > 1 << 16) bits = bits << 24 | (ulong)(NextFloat() * (1 << 24));
        return (int)(bits % (ulong)n);
    }

    /// <summary>Fills <paramref name="destination"/> with uniform floats in [0, 1), continuing the stream.</summary>
    public void Fill(Span<float> destination)
    {
        // Drain the buffer first so the stream stays one sequence whatever mix of calls reads it.
        while (destination.Length > 0 && _next < BufferSize)
        {
            destination[0] = _buffer[_next++];
            destination = destination[1..];
        }
        while (destination.Length > 0)
        {
            int n = Math.Min(DirectFillSize, destination.Length);
            _generator.FillUniform(destination[..n]);
            destination = destination[n..];
        }
    }
}
