namespace Polymath.Cli;

/// <summary>A bad command line: printed as one message, exit code 2.</summary>
internal sealed class UsageException(string message, string? command = null) : Exception(message)
{
    /// <summary>The command whose help the user should read (null: top level).</summary>
    public string? Command { get; } = command;
}
