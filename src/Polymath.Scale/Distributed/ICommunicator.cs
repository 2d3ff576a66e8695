using System.Numerics;

namespace Polymath.Scale.Distributed;

/// <summary>How <see cref="ICommunicator.AllReduce{T}(T[], int, int, ReduceOp)"/> combines the ranks' values.</summary>
public enum ReduceOp
{
    /// <summary>Element-wise sum (added in rank order, so every rank gets bit-identical results).</summary>
    Sum,

    /// <summary>Element-wise maximum.</summary>
    Max,

    /// <summary>Element-wise minimum.</summary>
    Min,
}

/// <summary>
/// A group of <see cref="Size"/> processes (ranks) that exchange arrays with collective operations: every rank must call
/// the same collectives in the same order with matching sizes (as in MPI). Implementations:
/// <see cref="MpiCommunicator"/> (Open MPI through P/Invoke, one process per rank, launched by <c>mpirun</c>) and
/// <see cref="LocalCommunicator"/> (ranks are threads of one process; a group of one for single-process runs).
/// </summary>
/// <remarks>
/// Collectives wait at most <see cref="Timeout"/> for the other ranks; past it they throw
/// <see cref="CommunicatorTimeoutException"/> and the communicator is unusable, so a rank that died or stopped
/// calling collectives makes the survivors fail with a message instead of hanging.
/// </remarks>
public interface ICommunicator : IDisposable
{
    /// <summary>This process's index in the group, 0 ≤ Rank &lt; Size.</summary>
    int Rank { get; }

    /// <summary>Number of ranks.</summary>
    int Size { get; }

    /// <summary>What carries the messages, e.g. "mpi (Open MPI v4.1.4)" or "local".</summary>
    string Backend { get; }

    /// <summary>How long a collective waits for the other ranks before failing.</summary>
    TimeSpan Timeout { get; set; }

    /// <summary>Combines <paramref name="count"/> elements from <paramref name="offset"/> across all ranks, in place; every rank gets the result.</summary>
    /// <exception cref="ArgumentException">The range lies outside the buffer, or T is not a supported element type.</exception>
    /// <exception cref="CommunicatorException">The transport failed, or the communicator failed earlier.</exception>
    /// <exception cref="CommunicatorTimeoutException">The other ranks did not join within <see cref="Timeout"/>.</exception>
    void AllReduce<T>(T[] buffer, int offset, int count, ReduceOp op = ReduceOp.Sum) where T : unmanaged, INumber<T>;

    /// <summary>Starts an all-reduce that runs in the background (collectives still execute in the order they were started); call <see cref="CommRequest.Wait"/> before touching the buffer.</summary>
    CommRequest AllReduceAsync<T>(T[] buffer, int offset, int count, ReduceOp op = ReduceOp.Sum) where T : unmanaged, INumber<T>;

    /// <summary>Copies rank <paramref name="root"/>'s elements into every other rank's buffer.</summary>
    void Broadcast<T>(T[] buffer, int offset, int count, int root = 0) where T : unmanaged;

    /// <summary>Concatenates every rank's <paramref name="send"/> (all of the same length) in rank order.</summary>
    /// <returns>An array of <c>Size × send.Length</c> elements, identical on every rank.</returns>
    T[] AllGather<T>(T[] send) where T : unmanaged;

    /// <summary>Returns once every rank has entered the barrier.</summary>
    void Barrier();
}

/// <summary>Conveniences over <see cref="ICommunicator"/>.</summary>
public static class CommunicatorExtensions
{
    /// <summary>All-reduces the whole buffer in place.</summary>
    public static void AllReduce<T>(this ICommunicator comm, T[] buffer, ReduceOp op = ReduceOp.Sum) where T : unmanaged, INumber<T> =>
        comm.AllReduce(buffer, 0, buffer.Length, op);

    /// <summary>Broadcasts the whole buffer from <paramref name="root"/>.</summary>
    public static void Broadcast<T>(this ICommunicator comm, T[] buffer, int root = 0) where T : unmanaged =>
        comm.Broadcast(buffer, 0, buffer.Length, root);

    /// <summary>Rank 0's value, on every rank, after checking that every rank passed the same one.</summary>
    /// <exception cref="CommunicatorException">The ranks disagree; the message lists each rank's value.</exception>
    public static long AgreeOn(this ICommunicator comm, long value, string what)
    {
        var all = comm.AllGather([value]);
        if (all.Any(v => v != all[0]))
            throw new CommunicatorException(
                $"the {comm.Size} ranks disagree on {what}: " + string.Join(", ", all.Select((v, r) => $"rank {r} has {v}")) + ".");
        return all[0];
    }
}
