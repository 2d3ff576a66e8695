using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Polymath.Kernels;

/// <summary>Associative reductions with kernels.</summary>
internal enum ReduceKind { Sum, Prod, Max, Min }

/// <summary>
/// Reduces a contiguous tensor over one block of dims, seen as [outer, reduced, inner]: rows are
/// reduced with vectorised span reductions when inner == 1, otherwise whole inner rows are combined
/// elementwise, which reads memory once in order.
/// </summary>
internal static class Reduction
{
    private const int Grain = 1 << 15;

    public static T Identity<T>(ReduceKind kind) where T : unmanaged, INumber<T>, IMinMaxValue<T> => kind switch
    {
        ReduceKind.Sum => T.Zero,
        ReduceKind.Prod => T.One,
        ReduceKind.Max => T.MinValue,
        _ => T.MaxValue,
    };

    private static T ReduceSpan<T>(ReduceKind kind, ReadOnlySpan<T> x) where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        if (x.IsEmpty)
            return Identity<T>(kind);
        return kind switch
        {
            ReduceKind.Sum => Sum(x),
            ReduceKind.Prod => TensorPrimitives.Product(x),
            ReduceKind.Max => TensorPrimitives.Max(x),
            _ => TensorPrimitives.Min(x),
        };
    }

    /// <summary>
    /// Sum with four independent Vector512 accumulators: one accumulator waits on the add latency and streamed
    /// 16M floats at ~30 GB/s on one core, four reach the memory limit (~41 GB/s); 64 partial sums also round
    /// less than one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe T Sum<T>(ReadOnlySpan<T> x) where T : unmanaged, INumber<T>
    {
        if (!Vector512.IsHardwareAccelerated || !Vector512<T>.IsSupported || x.Length < 4 * Vector512<T>.Count)
            return TensorPrimitives.Sum(x);
        ref T p = ref MemoryMarshal.GetReference(x);
        int w = Vector512<T>.Count, i = 0;
        // Lanes follow element indices from 0, not memory alignment: stepping to a 64-byte boundary first was
        // ~20% faster on misaligned arrays but made the rounding depend on where the array was allocated, so the
        // same data could sum to different last bits (and a resumed run drifted from an uninterrupted one).
        T head = T.Zero;
        Vector512<T> a0 = Vector512<T>.Zero, a1 = a0, a2 = a0, a3 = a0;
        for (; i <= x.Length - 4 * w; i += 4 * w)
        {
            a0 += Vector512.LoadUnsafe(ref p, (nuint)i);
            a1 += Vector512.LoadUnsafe(ref p, (nuint)(i + w));
            a2 += Vector512.LoadUnsafe(ref p, (nuint)(i + 2 * w));
            a3 += Vector512.LoadUnsafe(ref p, (nuint)(i + 3 * w));
        }
        T total = Vector512.Sum((a0 + a1) + (a2 + a3));
        return head + total + TensorPrimitives.Sum(x[i..]);
    }

    private static T Combine<T>(ReduceKind kind, T a, T b) where T : unmanaged, INumber<T>
    {
        return kind switch
        {
            ReduceKind.Sum => a + b,
            ReduceKind.Prod => a * b,
            ReduceKind.Max => T.IsNaN(a) || T.IsNaN(b) ? a + b : T.Max(a, b),
            _ => T.IsNaN(a) || T.IsNaN(b) ? a + b : T.Min(a, b),
        };
    }

    private static void CombineRows<T>(ReduceKind kind, ReadOnlySpan<T> x, Span<T> acc) where T : unmanaged, INumber<T>
    {
        switch (kind)
        {
            case ReduceKind.Sum: TensorPrimitives.Add(acc, x, acc); break;
            case ReduceKind.Prod: TensorPrimitives.Multiply(acc, x, acc); break;
            case ReduceKind.Max: TensorPrimitives.Max(acc, x, acc); break;
            default: TensorPrimitives.Min(acc, x, acc); break;
        }
    }

    /// <summary>dst[o, i] = reduce over r of x[xOffset + (o*R + r)*I + i]; dst has outer*inner elements.</summary>
    public static void Reduce<T>(ReduceKind kind, T[] x, int xOffset, long outer, long reduced, long inner, T[] dst)
        where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        if (outer * inner == 0)
            return;
        if (reduced == 0)
        {
            if (kind is ReduceKind.Max or ReduceKind.Min)
                throw new ArgumentException($"{kind.ToString().ToLowerInvariant()}: cannot reduce over a dim of size 0 (the operation has no identity).");
            dst.AsSpan(0, (int)(outer * inner)).Fill(Identity<T>(kind));
            return;
        }
        int R = (int)reduced, I = (int)inner;
        if (inner == 1)
        {
            if (outer == 1 && reduced > 2 * Grain && Threads.Available > 1)
            {
                // One long row: reduce fixed chunks in parallel, combine the partials in order.
                int chunks = Math.Min(Threads.Available, (int)(reduced / Grain));
                var partial = new T[chunks];
                long per = (reduced + chunks - 1) / chunks;
                Threads.For(chunks, 1, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
                {
                    for (long c = s; c < e; c++)
                    {
                        long start = c * per, len = Math.Min(per, reduced - start);
                        partial[c] = ReduceSpan<T>(kind, x.AsSpan(xOffset + (int)start, (int)len));
                    }
                });
                T acc = partial[0];
                for (int c = 1; c < chunks; c++)
                    acc = Combine(kind, acc, partial[c]);
                dst[0] = acc;
                return;
            }
            Threads.For(outer, Math.Max(1, Grain / R), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
            {
                for (long o = s; o < e; o++)
                    dst[o] = ReduceSpan<T>(kind, x.AsSpan(xOffset + (int)(o * R), R));
            });
            return;
        }
        // Combine whole rows of length I; split over outer, or over columns when outer is small.
        if (outer >= Threads.Available || (long)I * R < Grain)
        {
            Threads.For(outer, Math.Max(1, Grain / (R * (long)I)), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
            {
                for (long o = s; o < e; o++)
                {
                    var acc = dst.AsSpan((int)(o * I), I);
                    int b = xOffset + (int)(o * R * I);
                    x.AsSpan(b, I).CopyTo(acc);
                    for (int r = 1; r < R; r++)
                        CombineRows<T>(kind, x.AsSpan(b + r * I, I), acc);
                }
            });
            return;
        }
        for (long o = 0; o < outer; o++)
        {
            long oo = o;
            Threads.For(I, Math.Max(64, Grain / R), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
            {
                int len = (int)(e - s);
                var acc = dst.AsSpan((int)(oo * I + s), len);
                int b = xOffset + (int)(oo * R * I + s);
                x.AsSpan(b, len).CopyTo(acc);
                for (int r = 1; r < R; r++)
                    CombineRows<T>(kind, x.AsSpan(b + r * I, len), acc);
            });
        }
    }

    /// <summary>Index of the max (or min) of each row of a contiguous [rows, n] block; first index on ties, NaN wins.</summary>
    public static void ArgExtremum<T>(bool max, T[] x, int xOffset, long rows, int n, long[] dst) where T : unmanaged, INumber<T>
    {
        Threads.For(rows, Math.Max(1, Grain / Math.Max(n, 1)), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
        {
            for (long r = s; r < e; r++)
            {
                var row = new ReadOnlySpan<T>(x, xOffset + (int)(r * n), n);
                dst[r] = max ? TensorPrimitives.IndexOfMax(row) : TensorPrimitives.IndexOfMin(row);
            }
        });
    }
}
