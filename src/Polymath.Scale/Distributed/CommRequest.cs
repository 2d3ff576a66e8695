namespace Polymath.Scale.Distributed;

/// <summary>A collective started in the background (see <see cref="ICommunicator.AllReduceAsync{T}"/>).</summary>
public sealed class CommRequest
{
    private readonly Task _task;
    private readonly QueuedCommunicator _owner;
    private readonly string _what;

    internal CommRequest(Task task, QueuedCommunicator owner, string what) => (_task, _owner, _what) = (task, owner, what);

    /// <summary>True once the collective has finished (successfully or not).</summary>
    public bool IsCompleted => _task.IsCompleted;

    /// <summary>Blocks until the collective has finished, at most the communicator's timeout measured from now.</summary>
    /// <exception cref="CommunicatorTimeoutException">It did not finish in time (the communicator is then unusable).</exception>
    /// <exception cref="CommunicatorException">It failed.</exception>
    public void Wait() => _owner.WaitFor(_task, _what);
}
