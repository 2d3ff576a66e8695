using System.Numerics;

namespace Polymath.Scale.Distributed;

/// <summary>
/// An in-process communicator: the ranks are threads of one process that share memory. A group of one
/// (<c>new LocalCommunicator()</c>) makes single-process training run the same code path as a distributed one;
/// <see cref="CreateGroup"/> makes N ranks for tests and for running data-parallel code without MPI.
/// </summary>
/// <remarks>
/// Sums are taken in rank order, so every rank gets bit-identical results and they equal a serial loop over the ranks.
/// When one rank's communicator fails (a timeout or a mismatched collective), the others fail at once with a message
/// naming it; a rank whose thread simply stops calling collectives is detected by the others' timeout.
/// </remarks>
public sealed class LocalCommunicator : QueuedCommunicator
{
    private readonly Group _group;

    /// <summary>A group of one: collectives return at once (all-reduce and broadcast leave the buffer as it is).</summary>
    public LocalCommunicator() : this(new Group(1), 0)
    {
    }

    private LocalCommunicator(Group group, int rank)
    {
        _group = group;
        Rank = rank;
        Size = group.Size;
        Start($"polymath-local-comm-{rank}");
    }

    /// <summary>N communicators that form one group; hand one to each thread.</summary>
    /// <exception cref="ArgumentOutOfRangeException">size &lt; 1.</exception>
    public static LocalCommunicator[] CreateGroup(int size, TimeSpan? timeout = null)
    {
        if (size < 1)
            throw new ArgumentOutOfRangeException(nameof(size), $"LocalCommunicator.CreateGroup: a group needs at least one rank, got {size}.");
        var group = new Group(size);
        var comms = new LocalCommunicator[size];
        for (int r = 0; r < size; r++)
        {
            comms[r] = new LocalCommunicator(group, r);
            if (timeout is { } t)
                comms[r].Timeout = t;
        }
        return comms;
    }

    /// <inheritdoc/>
    public override string Backend => "local";

    /// <inheritdoc/>
    protected override void Initialize()
    {
    }

    /// <inheritdoc/>
    protected override void Shutdown(bool clean)
    {
    }

    /// <inheritdoc/>
    protected override void OnDisposed(string? failure)
    {
        // A clean dispose after the last collective must not disturb ranks still leaving that collective;
        // a failed rank releases the others at once.
        if (failure is not null)
            _group.Leave(Rank, failure);
    }

    // Each collective: publish what this rank contributes, meet, compute from everyone's contribution, meet again
    // (so no rank overwrites its buffer while another still reads it).
    private void Meet() => _group.Meet(Rank, Timeout);

    /// <inheritdoc/>
    protected override void AllReduceCore<T>(T[] buffer, int offset, int count, ReduceOp op)
    {
        if (Size == 1)
            return;
        _group.Slots[Rank] = (buffer, offset, count);
        Meet();
        for (int r = 0; r < Size; r++)
            if (_group.Slots[r].Count != count || _group.Slots[r].Buffer is not T[])
                throw new CommunicatorException(Describe($"all-reduce: rank {r} contributes {_group.Slots[r].Count} elements of {_group.Slots[r].Buffer?.GetType().GetElementType()?.Name}, this rank {count} of {typeof(T).Name}."));
        var result = new T[count];
        var (first, firstOff, _) = _group.Slots[0];
        Array.Copy((T[])first!, firstOff, result, 0, count);
        for (int r = 1; r < Size; r++)
        {
            var (b, o, _) = _group.Slots[r];
            var src = ((T[])b!).AsSpan(o, count);
            for (int i = 0; i < count; i++)
                result[i] = op switch
                {
                    ReduceOp.Sum => result[i] + src[i],
                    ReduceOp.Max => T.Max(result[i], src[i]),
                    _ => T.Min(result[i], src[i]),
                };
        }
        Meet();
        result.CopyTo(buffer, offset);
    }

    /// <inheritdoc/>
    protected override void BroadcastCore<T>(T[] buffer, int offset, int count, int root)
    {
        if (Size == 1)
            return;
        _group.Slots[Rank] = (buffer, offset, count);
        Meet();
        var (b, o, n) = _group.Slots[root];
        if (n != count || b is not T[] src)
            throw new CommunicatorException(Describe($"broadcast: root rank {root} sends {n} elements, this rank expects {count} of {typeof(T).Name}."));
        var copy = src.AsSpan(o, count).ToArray();
        Meet();
        if (Rank != root)
            copy.CopyTo(buffer, offset);
    }

    /// <inheritdoc/>
    protected override void AllGatherCore<T>(T[] send, T[] recv)
    {
        if (Size == 1)
        {
            send.CopyTo(recv, 0);
            return;
        }
        _group.Slots[Rank] = (send, 0, send.Length);
        Meet();
        for (int r = 0; r < Size; r++)
        {
            var (b, _, n) = _group.Slots[r];
            if (n != send.Length || b is not T[] src)
                throw new CommunicatorException(Describe($"all-gather: rank {r} sends {n} elements, this rank {send.Length} of {typeof(T).Name}."));
            src.CopyTo(recv, r * send.Length);
        }
        Meet();
    }

    /// <inheritdoc/>
    protected override void BarrierCore()
    {
        if (Size > 1)
            Meet();
    }

    private sealed class Group(int size)
    {
        private readonly Barrier _barrier = new(size);
        private readonly CancellationTokenSource _left = new();
        private string? _leftReason;

        public int Size { get; } = size;

        public (Array? Buffer, int Offset, int Count)[] Slots { get; } = new (Array?, int, int)[size];

        public void Meet(int rank, TimeSpan timeout)
        {
            bool met;
            try
            {
                met = _barrier.SignalAndWait(timeout, _left.Token);
            }
            catch (OperationCanceledException)
            {
                throw new CommunicatorException($"rank {rank} of {Size} (local): {_leftReason}; the collective cannot complete.");
            }
            catch (BarrierPostPhaseException e)
            {
                throw new CommunicatorException($"rank {rank} of {Size} (local): {e.Message}", e);
            }
            if (!met)
                throw new CommunicatorTimeoutException(
                    $"rank {rank} of {Size} (local): the other ranks did not join the collective within {timeout.TotalSeconds:0.###} s; one has probably died or stalled.");
        }

        public void Leave(int rank, string why)
        {
            if (Size == 1)
                return;
            lock (this)
            {
                if (_leftReason is not null)
                    return;
                _leftReason = $"rank {rank} left the group ({why})";
            }
            _left.Cancel();
        }
    }
}
