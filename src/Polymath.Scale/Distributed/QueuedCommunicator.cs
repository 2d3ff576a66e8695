using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;

namespace Polymath.Scale.Distributed;

/// <summary>
/// The common machinery of the communicators: every collective runs on one dedicated thread, in the order it was
/// started. That thread is the only one that touches the transport (MPI's "funneled" threading level), background
/// collectives overlap with the caller's computation, and the caller can give up waiting after
/// <see cref="Timeout"/> even when the transport itself would block forever.
/// </summary>
/// <remarks>
/// Fast path: a blocking collective of at most <see cref="InlineMaxBytes"/> runs on the caller's thread when the
/// transport allows calls from any thread one at a time (MPI's "serialized" level; the subclass sets
/// <see cref="InlineSupported"/> after checking the level it got) and nothing is queued or running on the
/// communication thread, so the order of collectives is kept and the two threads never call the transport at once.
/// This saves the two thread hand-offs (queue, completion), which cost far more than a small all-reduce itself. The
/// inline call still honours <see cref="Timeout"/> (the subclass waits with a deadline).
/// </remarks>
public abstract class QueuedCommunicator : ICommunicator
{
    private readonly BlockingCollection<(Action Work, TaskCompletionSource Done)> _queue = new();
    private readonly object _order = new(); // held while enqueuing and for a whole inline collective
    private int _pending; // collectives enqueued and not yet finished on the communication thread
    private Thread? _thread;
    private volatile string? _broken;
    private int _disposed;

    /// <summary>Default timeout: <c>POLYMATH_DIST_TIMEOUT</c> seconds when set, else 300 s.</summary>
    public static TimeSpan DefaultTimeout =>
        double.TryParse(Environment.GetEnvironmentVariable("POLYMATH_DIST_TIMEOUT"), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0
            ? TimeSpan.FromSeconds(s) : TimeSpan.FromSeconds(300);

    /// <inheritdoc/>
    public int Rank { get; protected set; }

    /// <inheritdoc/>
    public int Size { get; protected set; } = 1;

    /// <inheritdoc/>
    public abstract string Backend { get; }

    /// <inheritdoc/>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>
    /// Largest blocking collective (in bytes) run on the caller's thread when possible: <c>POLYMATH_DIST_INLINE_BYTES</c>
    /// when set (0 turns the fast path off), else 64 KiB.
    /// </summary>
    public long InlineMaxBytes { get; set; } =
        long.TryParse(Environment.GetEnvironmentVariable("POLYMATH_DIST_INLINE_BYTES"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long b) && b >= 0 ? b : 64 * 1024;

    /// <summary>Set by a subclass (during <see cref="Initialize"/>) when its transport may be called from any one thread at a time.</summary>
    protected bool InlineSupported { get; set; }

    /// <summary>Whether small blocking collectives may run on the caller's thread (the transport permits it and <see cref="InlineMaxBytes"/> &gt; 0).</summary>
    public bool InlineEnabled => InlineSupported && InlineMaxBytes > 0;

    /// <summary>Why the communicator is unusable (a timeout or a transport failure), or null while it works.</summary>
    public string? FailureReason => _broken;

    /// <summary>Starts the communication thread and runs <see cref="Initialize"/> on it; rethrows what that throws.</summary>
    protected void Start(string threadName)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _thread = new Thread(() => Loop(ready)) { IsBackground = true, Name = threadName };
        _thread.Start();
        try
        {
            ready.Task.GetAwaiter().GetResult();
        }
        catch
        {
            _queue.CompleteAdding();
            throw;
        }
    }

    private void Loop(TaskCompletionSource ready)
    {
        try
        {
            Initialize();
        }
        catch (Exception e)
        {
            ready.SetException(e);
            return;
        }
        ready.SetResult();
        foreach (var (work, done) in _queue.GetConsumingEnumerable())
        {
            if (_broken is { } why)
            {
                Interlocked.Decrement(ref _pending);
                done.SetException(new CommunicatorException(Describe($"the communicator failed earlier ({why})")));
                continue;
            }
            try
            {
                work();
                Interlocked.Decrement(ref _pending);
                done.SetResult();
            }
            catch (Exception e)
            {
                _broken ??= e.Message;
                Interlocked.Decrement(ref _pending);
                done.SetException(e is CommunicatorException ? e : new CommunicatorException(Describe(e.Message), e));
            }
        }
        Shutdown(_broken is null);
    }

    /// <summary>Runs first on the communication thread (e.g. MPI_Init_thread).</summary>
    protected abstract void Initialize();

    /// <summary>Runs last on the communication thread; <paramref name="clean"/> is false after a failure or timeout.</summary>
    protected abstract void Shutdown(bool clean);

    /// <summary>The all-reduce itself, on the communication thread.</summary>
    protected abstract void AllReduceCore<T>(T[] buffer, int offset, int count, ReduceOp op) where T : unmanaged, INumber<T>;

    /// <summary>The broadcast itself, on the communication thread.</summary>
    protected abstract void BroadcastCore<T>(T[] buffer, int offset, int count, int root) where T : unmanaged;

    /// <summary>The all-gather itself, on the communication thread; <paramref name="recv"/> has Size × send.Length elements.</summary>
    protected abstract void AllGatherCore<T>(T[] send, T[] recv) where T : unmanaged;

    /// <summary>The barrier itself, on the communication thread.</summary>
    protected abstract void BarrierCore();

    /// <summary>
    /// The inline all-reduce, on the caller's thread (only called when <see cref="InlineSupported"/>): false when
    /// <paramref name="deadline"/> (a <see cref="System.Diagnostics.Stopwatch"/> timestamp) passed first.
    /// </summary>
    protected virtual bool AllReduceInline<T>(T[] buffer, int offset, int count, ReduceOp op, long deadline) where T : unmanaged, INumber<T> =>
        throw new NotSupportedException();

    /// <summary>The inline broadcast (see <see cref="AllReduceInline{T}"/>).</summary>
    protected virtual bool BroadcastInline<T>(T[] buffer, int offset, int count, int root, long deadline) where T : unmanaged =>
        throw new NotSupportedException();

    /// <summary>The inline all-gather (see <see cref="AllReduceInline{T}"/>).</summary>
    protected virtual bool AllGatherInline<T>(T[] send, T[] recv, long deadline) where T : unmanaged =>
        throw new NotSupportedException();

    /// <summary>The inline barrier (see <see cref="AllReduceInline{T}"/>).</summary>
    protected virtual bool BarrierInline(long deadline) => throw new NotSupportedException();

    /// <summary>Prefixes a message with this rank and the group size.</summary>
    protected string Describe(string message) => $"rank {Rank} of {Size} ({Backend}): {message}";

    private CommRequest Enqueue(Action work, string what)
    {
        if (_broken is { } why)
            throw new CommunicatorException(Describe($"{what}: the communicator failed earlier ({why})."));
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_order)
        {
            Interlocked.Increment(ref _pending);
            try
            {
                _queue.Add((work, done));
            }
            catch
            {
                Interlocked.Decrement(ref _pending);
                throw;
            }
        }
        return new CommRequest(done.Task, this, what);
    }

    /// <summary>
    /// Runs a blocking collective of <paramref name="bytes"/> on this thread when the fast path applies (see the
    /// remarks on the class), else queues it and waits.
    /// </summary>
    private void RunBlocking(Action queued, Func<long, bool> inline, long bytes, string what)
    {
        if (InlineSupported && bytes <= InlineMaxBytes && Volatile.Read(ref _pending) == 0)
        {
            lock (_order)
            {
                // Under _order no collective can be enqueued, and with none pending the communication thread is
                // idle: this thread alone calls the transport, after everything started before.
                if (Volatile.Read(ref _pending) == 0 && _broken is null && Volatile.Read(ref _disposed) == 0)
                {
                    bool finished;
                    try
                    {
                        // Clamped: an infinite-looking Timeout must not overflow into a deadline in the past.
                        double ticks = Math.Min(Timeout.TotalSeconds * System.Diagnostics.Stopwatch.Frequency, long.MaxValue / 4.0);
                        finished = inline(System.Diagnostics.Stopwatch.GetTimestamp() + (long)ticks);
                    }
                    catch (Exception e)
                    {
                        _broken ??= e.Message;
                        throw e is CommunicatorException ? e : new CommunicatorException(Describe(e.Message), e);
                    }
                    if (!finished)
                        throw TimedOut(what);
                    return;
                }
            }
        }
        Enqueue(queued, what).Wait();
    }

    private CommunicatorTimeoutException TimedOut(string what)
    {
        string msg = Describe(
            $"{what} did not complete within {Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s; another rank has probably died, " +
            "stalled, or stopped calling the same collectives (raise POLYMATH_DIST_TIMEOUT if a rank legitimately needs longer).");
        _broken ??= "timed out: " + what;
        return new CommunicatorTimeoutException(msg);
    }

    internal void WaitFor(Task task, string what)
    {
        if (!task.Wait(Timeout))
            throw TimedOut(what);
        if (task.Exception is { } agg)
            throw agg.InnerException is CommunicatorException ce ? new CommunicatorException(ce.Message, ce) : new CommunicatorException(Describe(agg.InnerException!.Message), agg.InnerException);
    }

    private static void CheckRange<T>(T[] buffer, int offset, int count, string op)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (offset < 0 || count < 0 || (long)offset + count > buffer.Length)
            throw new ArgumentException($"{op}: elements [{offset}, {(long)offset + count}) lie outside a buffer of {buffer.Length}.");
    }

    private static string Elements<T>(int count) => $"{count.ToString("N0", CultureInfo.InvariantCulture)} {typeof(T).Name} values";

    /// <inheritdoc/>
    public unsafe void AllReduce<T>(T[] buffer, int offset, int count, ReduceOp op = ReduceOp.Sum) where T : unmanaged, INumber<T>
    {
        CheckRange(buffer, offset, count, "AllReduce");
        CheckType<T>("AllReduce");
        RunBlocking(() => AllReduceCore(buffer, offset, count, op), deadline => AllReduceInline(buffer, offset, count, op, deadline),
            (long)count * sizeof(T), $"all-reduce ({op}) of {Elements<T>(count)}");
    }

    /// <inheritdoc/>
    public CommRequest AllReduceAsync<T>(T[] buffer, int offset, int count, ReduceOp op = ReduceOp.Sum) where T : unmanaged, INumber<T>
    {
        CheckRange(buffer, offset, count, "AllReduce");
        CheckType<T>("AllReduce");
        return Enqueue(() => AllReduceCore(buffer, offset, count, op), $"all-reduce ({op}) of {Elements<T>(count)}");
    }

    /// <inheritdoc/>
    public unsafe void Broadcast<T>(T[] buffer, int offset, int count, int root = 0) where T : unmanaged
    {
        CheckRange(buffer, offset, count, "Broadcast");
        CheckType<T>("Broadcast");
        if ((uint)root >= (uint)Size)
            throw new ArgumentOutOfRangeException(nameof(root), $"Broadcast: root {root} is not a rank of a group of {Size}.");
        RunBlocking(() => BroadcastCore(buffer, offset, count, root), deadline => BroadcastInline(buffer, offset, count, root, deadline),
            (long)count * sizeof(T), $"broadcast from rank {root} of {Elements<T>(count)}");
    }

    /// <inheritdoc/>
    public unsafe T[] AllGather<T>(T[] send) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(send);
        CheckType<T>("AllGather");
        var recv = new T[(long)send.Length * Size];
        RunBlocking(() => AllGatherCore(send, recv), deadline => AllGatherInline(send, recv, deadline),
            recv.LongLength * sizeof(T), $"all-gather of {Elements<T>(send.Length)}");
        return recv;
    }

    /// <inheritdoc/>
    public void Barrier() => RunBlocking(BarrierCore, BarrierInline, 0, "barrier");

    /// <summary>Throws when T is not an element type this transport carries.</summary>
    protected virtual void CheckType<T>(string op)
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double) && typeof(T) != typeof(int) && typeof(T) != typeof(long) && typeof(T) != typeof(byte))
            throw new ArgumentException($"{op}: element type {typeof(T).Name} is not supported (float, double, int, long, byte are).");
    }

    /// <summary>Finishes the queued collectives and shuts the transport down (not waiting when the group failed).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _queue.CompleteAdding();
        // After a failure the communication thread may be stuck inside the transport; it is a background thread
        // and dies with the process, so only a healthy one is joined.
        if (_broken is null && _thread is { } t && t != Thread.CurrentThread)
            t.Join(Timeout);
        OnDisposed(_broken);
        GC.SuppressFinalize(this);
    }

    /// <summary>Called by <see cref="Dispose"/> on the caller's thread after the communication thread finished (or, after a failure, without waiting for it).</summary>
    protected virtual void OnDisposed(string? failure)
    {
    }
}
