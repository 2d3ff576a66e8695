namespace Polymath.Scale.Distributed;

/// <summary>A collective failed: the transport reported an error, the ranks disagree, or the group broke earlier.</summary>
public class CommunicatorException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    public CommunicatorException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>A collective did not complete within the communicator's timeout: another rank has probably died or stalled.</summary>
public sealed class CommunicatorTimeoutException : CommunicatorException
{
    /// <summary>Creates the exception with its message.</summary>
    public CommunicatorTimeoutException(string message) : base(message)
    {
    }
}
