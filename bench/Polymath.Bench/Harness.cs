using System.Diagnostics;

namespace Polymath.Bench;

/// <summary>How long to time one op: untimed warm-up calls, then samples until enough time and reps.</summary>
/// <param name="Warmup">Untimed calls first.</param>
/// <param name="MinTime">Keep sampling until this many seconds have passed ...</param>
/// <param name="MinReps">... and at least this many samples were taken ...</param>
/// <param name="MaxReps">... but never more than this many.</param>
/// <param name="Inner">Calls per sample (for ops far shorter than the timer's resolution).</param>
/// <param name="WarmupTime">Keep warming up until this many seconds have passed too (so the JIT's tiered
/// compilation has promoted the hot paths before timing starts).</param>
public sealed record MeasureSettings(int Warmup, double MinTime, int MinReps, int MaxReps, int Inner = 1, double WarmupTime = 0.25);

/// <summary>Median and minimum seconds per call, and the number of samples.</summary>
public readonly record struct Measurement(double MedianS, double MinS, int Reps);

/// <summary>
/// Stopwatch-based timing. The same rule is implemented by bench/peers/torch_ops.py so both sides are
/// timed alike: warm-up (count and time), then samples of <c>Inner</c> calls until MinReps and MinTime, median per call.
/// </summary>
public static class Harness
{
    public static Measurement Measure(Action op, MeasureSettings s)
    {
        long warm = Stopwatch.GetTimestamp();
        for (int i = 0; i < s.Warmup || Stopwatch.GetElapsedTime(warm).TotalSeconds < s.WarmupTime; i++)
            op();
        var times = new List<double>();
        long start = Stopwatch.GetTimestamp();
        while (times.Count < s.MinReps
               || (Stopwatch.GetElapsedTime(start).TotalSeconds < s.MinTime && times.Count < s.MaxReps))
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < s.Inner; i++)
                op();
            times.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds / s.Inner);
        }
        times.Sort();
        return new Measurement(times[times.Count / 2], times[0], times.Count);
    }
}
