using System.Globalization;
using System.Numerics;

namespace Polymath.Scale.Distributed;

/// <summary>
/// <see cref="ICommunicator"/> over Open MPI's <c>MPI_COMM_WORLD</c>, called through P/Invoke. Start the program with
/// <c>mpirun -np N</c> (on several hosts: <c>mpirun --hostfile FILE -np N</c>); each process creates one
/// <see cref="MpiCommunicator"/>, which initialises MPI on its own communication thread and finalises it on Dispose.
/// </summary>
/// <remarks>
/// Errors are returned, not fatal (<c>MPI_ERRORS_RETURN</c>), and become <see cref="CommunicatorException"/>s
/// carrying Open MPI's message. When a rank dies, <c>mpirun</c> normally terminates the whole job; when a rank
/// stalls instead, the others fail after <see cref="ICommunicator.Timeout"/>, and a process that exits without
/// finalising makes <c>mpirun</c> end the job too. MPI can be initialised once per process, so only one instance
/// may ever be created.
/// </remarks>
public sealed unsafe class MpiCommunicator : QueuedCommunicator
{
    private static int _created;
    private readonly MpiNative _mpi;
    private string _version = "Open MPI";

    /// <summary>Initialises MPI (asking for thread level "serialized", on the communication thread) and joins <c>MPI_COMM_WORLD</c>.</summary>
    /// <exception cref="CommunicatorException">Open MPI is not installed, MPI_Init failed, or MPI was already used in this process.</exception>
    public MpiCommunicator(TimeSpan? timeout = null)
    {
        var (lib, error) = MpiNative.Load();
        _mpi = lib ?? throw new CommunicatorException("MPI: " + error + ".");
        if (Interlocked.Exchange(ref _created, 1) != 0)
            throw new CommunicatorException("MPI: an MpiCommunicator was already created in this process; MPI can be initialised only once, so create one and share it.");
        if (timeout is { } t)
            Timeout = t;
        Start("polymath-mpi");
    }

    /// <summary>The thread level MPI_Init_thread provided (1 funneled, 2 serialized, 3 multiple); small blocking collectives run on the caller's thread from 2 on.</summary>
    public int ThreadLevel { get; private set; }

    /// <summary>Whether Open MPI's library can be loaded here (says nothing about mpirun).</summary>
    public static bool IsAvailable => MpiNative.Load().Lib is not null;

    /// <summary>Why Open MPI cannot be used here, or "" when it can.</summary>
    public static string UnavailableReason => MpiNative.Load().Error;

    /// <summary>True when this process was started by Open MPI's <c>mpirun</c> (it sets OMPI_COMM_WORLD_SIZE).</summary>
    public static bool LaunchedByMpirun => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is { Length: > 0 };

    /// <inheritdoc/>
    public override string Backend => $"mpi, {_version}";

    private void Check(int rc, string what)
    {
        if (rc != MpiNative.Success)
            throw new CommunicatorException(Describe($"{what} failed: {_mpi.Message(rc)}."));
    }

    /// <inheritdoc/>
    protected override void Initialize()
    {
        int flag = 0;
        _mpi.Initialized(&flag);
        if (flag != 0)
            throw new CommunicatorException("MPI: MPI was initialised in this process by other code; MpiCommunicator must initialise it itself (on its communication thread).");
        int provided = 0;
        // "Serialized" lets the caller's thread run small blocking collectives itself while the communication thread
        // is idle (see QueuedCommunicator); with only "funneled" everything stays on the communication thread.
        int rc = _mpi.InitThread(null, 0, MpiNative.ThreadSerialized, &provided);
        if (rc != MpiNative.Success)
            throw new CommunicatorException($"MPI: MPI_Init_thread failed: {_mpi.Message(rc)}.");
        if (provided < MpiNative.ThreadFunneled)
            throw new CommunicatorException($"MPI: MPI_Init_thread provided thread level {provided}; at least MPI_THREAD_FUNNELED (1) is needed, since MPI is called from a thread of its own.");
        ThreadLevel = provided;
        InlineSupported = provided >= MpiNative.ThreadSerialized;
        _version = _mpi.Version();
        Check(_mpi.CommSetErrhandler(_mpi.CommWorld, _mpi.ErrorsReturn), "MPI_Comm_set_errhandler");
        int rank = 0, size = 0;
        Check(_mpi.CommRank(_mpi.CommWorld, &rank), "MPI_Comm_rank");
        Check(_mpi.CommSize(_mpi.CommWorld, &size), "MPI_Comm_size");
        (Rank, Size) = (rank, size);
        // mpirun tells each process the world it launched; a disagreement means the process was not started by that launch
        // (e.g. several singletons, or a wrapper that hid the MPI environment).
        if (int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int envSize) && envSize != size)
            throw new CommunicatorException($"MPI: mpirun launched {envSize} processes (OMPI_COMM_WORLD_SIZE) but MPI_COMM_WORLD has {size}; the processes did not join one job.");
    }

    /// <inheritdoc/>
    protected override void Shutdown(bool clean)
    {
        if (!clean)
            return; // a failed collective may have left the job inconsistent; MPI_Finalize could block forever.
        int done = 0;
        _mpi.Finalized(&done);
        if (done == 0)
            _mpi.Finalize();
    }

    private nint OpOf(ReduceOp op) => op switch { ReduceOp.Sum => _mpi.OpSum, ReduceOp.Max => _mpi.OpMax, _ => _mpi.OpMin };

    private nint TypeOf<T>() =>
        typeof(T) == typeof(float) ? _mpi.Float :
        typeof(T) == typeof(double) ? _mpi.Double :
        typeof(T) == typeof(int) ? _mpi.Int :
        typeof(T) == typeof(long) ? _mpi.LongLong :
        typeof(T) == typeof(byte) ? _mpi.UnsignedChar :
        throw new ArgumentException($"MPI: element type {typeof(T).Name} is not supported.");

    /// <inheritdoc/>
    protected override void AllReduceCore<T>(T[] buffer, int offset, int count, ReduceOp op)
    {
        if (count == 0)
            return;
        fixed (T* p = &buffer[offset])
            Check(_mpi.Allreduce((void*)1 /* MPI_IN_PLACE */, p, count, TypeOf<T>(), OpOf(op), _mpi.CommWorld), $"MPI_Allreduce of {count} {typeof(T).Name}");
    }

    /// <inheritdoc/>
    protected override void BroadcastCore<T>(T[] buffer, int offset, int count, int root)
    {
        if (count == 0)
            return;
        fixed (T* p = &buffer[offset])
            Check(_mpi.Bcast(p, count, TypeOf<T>(), root, _mpi.CommWorld), $"MPI_Bcast of {count} {typeof(T).Name} from rank {root}");
    }

    /// <inheritdoc/>
    protected override void AllGatherCore<T>(T[] send, T[] recv)
    {
        if (send.Length == 0)
            return;
        fixed (T* s = send)
        fixed (T* r = recv)
            Check(_mpi.Allgather(s, send.Length, TypeOf<T>(), r, send.Length, TypeOf<T>(), _mpi.CommWorld), $"MPI_Allgather of {send.Length} {typeof(T).Name}");
    }

    /// <inheritdoc/>
    protected override void BarrierCore() => Check(_mpi.Barrier(_mpi.CommWorld), "MPI_Barrier");

    /// <summary>Waits for a nonblocking collective by polling MPI_Test (which drives MPI's progress) until it completes or the deadline passes.</summary>
    private bool WaitInline(int rc, nint request, long deadline, string what)
    {
        Check(rc, what);
        int flag = 0;
        for (int spins = 0; ; spins++)
        {
            Check(_mpi.Test(&request, &flag, null /* MPI_STATUS_IGNORE */), what);
            if (flag != 0)
                return true;
            // The clock is read every 64 polls: a poll takes well under a microsecond when idle.
            if ((spins & 63) == 63)
            {
                if (System.Diagnostics.Stopwatch.GetTimestamp() > deadline)
                    return false; // the request stays outstanding; the communicator is now broken and MPI is not finalised
                if (spins > 4096)
                    Thread.Yield(); // a peer is slow (still computing): leave the core to it
            }
        }
    }

    /// <inheritdoc/>
    protected override bool AllReduceInline<T>(T[] buffer, int offset, int count, ReduceOp op, long deadline)
    {
        if (count == 0)
            return true;
        nint req = 0;
        fixed (T* p = &buffer[offset])
            return WaitInline(_mpi.Iallreduce((void*)1 /* MPI_IN_PLACE */, p, count, TypeOf<T>(), OpOf(op), _mpi.CommWorld, &req), req, deadline, $"MPI_Iallreduce of {count} {typeof(T).Name}");
    }

    /// <inheritdoc/>
    protected override bool BroadcastInline<T>(T[] buffer, int offset, int count, int root, long deadline)
    {
        if (count == 0)
            return true;
        nint req = 0;
        fixed (T* p = &buffer[offset])
            return WaitInline(_mpi.Ibcast(p, count, TypeOf<T>(), root, _mpi.CommWorld, &req), req, deadline, $"MPI_Ibcast of {count} {typeof(T).Name} from rank {root}");
    }

    /// <inheritdoc/>
    protected override bool AllGatherInline<T>(T[] send, T[] recv, long deadline)
    {
        if (send.Length == 0)
            return true;
        nint req = 0;
        fixed (T* s = send)
        fixed (T* r = recv)
            return WaitInline(_mpi.Iallgather(s, send.Length, TypeOf<T>(), r, send.Length, TypeOf<T>(), _mpi.CommWorld, &req), req, deadline, $"MPI_Iallgather of {send.Length} {typeof(T).Name}");
    }

    /// <inheritdoc/>
    protected override bool BarrierInline(long deadline)
    {
        nint req = 0;
        return WaitInline(_mpi.Ibarrier(_mpi.CommWorld, &req), req, deadline, "MPI_Ibarrier");
    }
}
