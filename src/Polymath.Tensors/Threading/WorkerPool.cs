using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Polymath;

/// <summary>
/// Dedicated worker threads for <see cref="Threads.For"/>. The .NET thread pool wakes sleeping threads
/// slowly (tens of microseconds on a VM), which made a 2-thread 256×1024 softmax slower than a 1-thread
/// one; these workers spin for a short while after each job, so back-to-back kernels start at once,
/// and then sleep on an event so an idle process costs nothing. One job runs at a time; a second thread
/// that calls in while a job runs gets false and falls back to the .NET thread pool.
/// </summary>
internal static class WorkerPool
{
    // How long a worker keeps polling for the next job before it blocks: long enough to bridge the
    // serial gaps between kernels of one model step, short enough not to burn a core when idle.
    private static readonly long s_spinTicks = Stopwatch.Frequency / 5000; // 200 µs

    private static readonly object s_gate = new();
    private static Worker[] s_workers = [];
    private static Job? s_job;
    private static long s_generation;

    private sealed class Job(Action<long, long> body, long count, long per, int chunks)
    {
        public readonly Action<long, long> Body = body;
        public readonly long Count = count;
        public readonly long Per = per;
        public readonly int Chunks = chunks;
        public int Next;
        public int Pending = chunks;
        public Exception? Error;
    }

    /// <summary>Runs the chunks on the caller plus workers; false when another thread holds the pool.</summary>
    public static bool TryRun(long count, long per, int chunks, Action<long, long> body)
    {
        if (!Monitor.TryEnter(s_gate))
            return false;
        try
        {
            EnsureWorkers(chunks - 1);
            var job = new Job(body, count, per, chunks);
            Volatile.Write(ref s_job, job);
            Interlocked.Increment(ref s_generation);
            foreach (var w in s_workers)
                w.WakeIfSleeping();
            RunChunks(job);
            var spin = new SpinWait();
            while (Volatile.Read(ref job.Pending) > 0)
                spin.SpinOnce(sleep1Threshold: -1);
            Volatile.Write(ref s_job, null);
            if (job.Error is not null)
                ExceptionDispatchInfo.Throw(job.Error);
            return true;
        }
        finally
        {
            Monitor.Exit(s_gate);
        }
    }

    private static void RunChunks(Job job)
    {
        bool outer = Threads.EnterParallelRegion();
        try
        {
            while (true)
            {
                int c = Interlocked.Increment(ref job.Next) - 1;
                if (c >= job.Chunks)
                    return;
                long start = c * job.Per, end = Math.Min(job.Count, start + job.Per);
                try
                {
                    if (start < end)
                        job.Body(start, end);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref job.Error, e, null);
                }
                Interlocked.Decrement(ref job.Pending);
            }
        }
        finally
        {
            Threads.ExitParallelRegion(outer);
        }
    }

    private static void EnsureWorkers(int needed)
    {
        if (s_workers.Length >= needed)
            return;
        var grown = new Worker[needed];
        Array.Copy(s_workers, grown, s_workers.Length);
        for (int i = s_workers.Length; i < needed; i++)
            grown[i] = new Worker(i);
        s_workers = grown;
    }

    private sealed class Worker
    {
        private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
        private int _sleeping;
        private long _seen;

        private readonly int _index;

        public Worker(int index)
        {
            _index = index;
            _seen = Volatile.Read(ref s_generation);
            var thread = new Thread(Loop) { IsBackground = true, Name = $"polymath-worker-{index}" };
            thread.Start();
        }

        // Publisher and worker each write their flag with a full fence and then read the other's,
        // so either the publisher sees the worker asleep and sets the event, or the worker sees the job.
        public void WakeIfSleeping()
        {
            if (Volatile.Read(ref _sleeping) == 1)
                _wake.Set();
        }

        private void Loop()
        {
            // Worker i takes CPU i+1, leaving CPU 0 (where the caller usually runs) to the caller.
            CpuAffinity.PinCurrentThread(_index + 1);
            while (true)
            {
                long gen = Volatile.Read(ref s_generation);
                if (gen == _seen)
                {
                    long start = Stopwatch.GetTimestamp();
                    // Thread.Yield leaves managed code for a moment, so a garbage collection that needs to
                    // suspend this thread never waits for the whole spin.
                    while ((gen = Volatile.Read(ref s_generation)) == _seen && Stopwatch.GetTimestamp() - start < s_spinTicks)
                    {
                        Thread.SpinWait(20);
                        Thread.Yield();
                    }
                    if (gen == _seen)
                    {
                        _wake.Reset();
                        Interlocked.Exchange(ref _sleeping, 1);
                        if (Volatile.Read(ref s_generation) == _seen)
                            _wake.Wait();
                        Interlocked.Exchange(ref _sleeping, 0);
                        continue;
                    }
                }
                _seen = gen;
                var job = Volatile.Read(ref s_job);
                if (job is not null)
                    RunChunks(job);
            }
        }
    }
}
