namespace Polymath.Quantum;

/// <summary>An OpenQASM 2.0 program could not be read: the message gives the 1-based line and column and what was expected.</summary>
public sealed class QasmException : Exception
{
    /// <summary>An error at <paramref name="line"/>:<paramref name="column"/> (1-based).</summary>
    public QasmException(string message, int line, int column)
        : base($"line {line}, column {column}: {message}")
    {
        Line = line;
        Column = column;
    }

    /// <summary>1-based line of the offending token.</summary>
    public int Line { get; }

    /// <summary>1-based column of the offending token.</summary>
    public int Column { get; }
}
