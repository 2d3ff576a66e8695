using System.Runtime.InteropServices;

namespace Polymath;

/// <summary>
/// Pins a worker thread to one CPU on Linux. Without it the scheduler tends to wake a sleeping worker on
/// the CPU of the thread that woke it; with both then spinning on one core, a 2-thread kernel ran 5× slower
/// than on one thread until the load balancer moved them apart. Elsewhere, or when the call fails, nothing happens.
/// </summary>
internal static partial class CpuAffinity
{
    [LibraryImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static partial int SchedGetAffinity(int pid, nint size, Span<byte> mask);

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int pid, nint size, ReadOnlySpan<byte> mask);

    /// <summary>Pins the calling thread to the <paramref name="slot"/>-th CPU it is allowed to run on (wrapping around).</summary>
    public static void PinCurrentThread(int slot)
    {
        if (!OperatingSystem.IsLinux())
            return;
        try
        {
            Span<byte> mask = stackalloc byte[128];
            if (SchedGetAffinity(0, mask.Length, mask) != 0)
                return;
            var allowed = new List<int>();
            for (int cpu = 0; cpu < mask.Length * 8; cpu++)
                if ((mask[cpu / 8] & (1 << (cpu % 8))) != 0)
                    allowed.Add(cpu);
            if (allowed.Count < 2)
                return;
            int chosen = allowed[slot % allowed.Count];
            Span<byte> one = stackalloc byte[128];
            one.Clear();
            one[chosen / 8] = (byte)(1 << (chosen % 8));
            SchedSetAffinity(0, one.Length, one);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: leave placement to the scheduler.
        }
    }
}
