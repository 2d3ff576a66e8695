using Polymath.Scale.Distributed;

namespace Polymath.Scale.MpiWorker;

/// <summary>Collectives checked against serial reference loops computed locally from every rank's (seeded) data.</summary>
public static class Checks
{
    /// <summary>Rank r's element i: reproducible anywhere, so any rank can compute every other rank's contribution.</summary>
    public static float Value(int rank, int i) => (float)(Math.Sin(0.37 * i + 1.3 * rank) * (1 + rank) + 0.001 * i);

    public static void AllReduce(ICommunicator comm)
    {
        int p = comm.Size, r = comm.Rank;
        // Odd sizes (1, 7, 1001, 65537 and one above 2^20) and an empty one.
        foreach (int n in new[] { 1, 7, 1001, 65537, (1 << 20) + 3, 0 })
        {
            var f = new float[n];
            var d = new double[n];
            for (int i = 0; i < n; i++) (f[i], d[i]) = (Value(r, i), Value(r, i));
            comm.AllReduce(f);
            comm.AllReduce(d);
            for (int i = 0; i < n; i++)
            {
                double serial = 0;
                for (int q = 0; q < p; q++) serial += Value(q, i);
                if (Math.Abs(f[i] - serial) > 1e-5 * (1 + Math.Abs(serial)))
                    throw new InvalidOperationException($"float all-reduce of {n}: element {i} is {f[i]}, the serial sum is {serial}.");
                if (Math.Abs(d[i] - serial) > 1e-12 * (1 + Math.Abs(serial)))
                    throw new InvalidOperationException($"double all-reduce of {n}: element {i} is {d[i]}, the serial sum is {serial}.");
            }
        }
        // Integers are exact; max and min.
        var l = new long[] { r, 10L * r, long.MaxValue / 8 };
        comm.AllReduce(l);
        long sumR = p * (p - 1L) / 2;
        Expect(l[0] == sumR && l[1] == 10 * sumR && l[2] == p * (long.MaxValue / 8), $"long all-reduce gave [{string.Join(", ", l)}]");
        var mx = new int[] { r, -r };
        comm.AllReduce(mx, ReduceOp.Max);
        Expect(mx[0] == p - 1 && mx[1] == 0, $"int max all-reduce gave [{string.Join(", ", mx)}]");
        var mn = new double[] { r + 0.5 };
        comm.AllReduce(mn, ReduceOp.Min);
        Expect(mn[0] == 0.5, $"double min all-reduce gave {mn[0]}");
        // Broadcast from the last rank, all-gather in rank order, a sub-range leaves the rest alone.
        var b = new double[] { r, r * 2.0, -1 };
        comm.Broadcast(b, root: p - 1);
        Expect(b[0] == p - 1 && b[1] == 2.0 * (p - 1), $"broadcast gave [{string.Join(", ", b)}]");
        var g = comm.AllGather(new[] { r, 100 + r });
        Expect(g.Length == 2 * p && Enumerable.Range(0, p).All(q => g[2 * q] == q && g[2 * q + 1] == 100 + q), $"all-gather gave [{string.Join(", ", g)}]");
        var part = new float[] { 1, 1, 1, 1 };
        comm.AllReduce(part, 1, 2);
        Expect(part[0] == 1 && part[1] == p && part[2] == p && part[3] == 1, $"sub-range all-reduce gave [{string.Join(", ", part)}]");
        // A small blocking all-reduce right after a large background one: it must wait its turn (collectives run in
        // the order they were started on every rank), not overtake it on the caller's thread.
        var big = new double[1 << 18];
        for (int i = 0; i < big.Length; i++) big[i] = Value(r, i);
        var pending = comm.AllReduceAsync(big, 0, big.Length);
        var small = new double[] { r + 1 };
        comm.AllReduce(small);
        pending.Wait();
        Expect(small[0] == p * (p + 1) / 2.0, $"small all-reduce after a background one gave {small[0]}");
        for (int i = 0; i < big.Length; i += 997)
        {
            double serial = 0;
            for (int q = 0; q < p; q++) serial += Value(q, i);
            Expect(Math.Abs(big[i] - serial) <= 1e-12 * (1 + Math.Abs(serial)), $"background all-reduce element {i} is {big[i]}, the serial sum is {serial}");
        }
        comm.Barrier();
    }

    private static void Expect(bool ok, string what)
    {
        if (!ok) throw new InvalidOperationException(what);
    }
}
