namespace Polymath.Data.Tokenizers;

/// <summary>Text a tokenizer cannot encode: invalid UTF-8, or a character outside its vocabulary. Carries where.</summary>
public sealed class InvalidTextException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong, including the offset.</param>
    /// <param name="offset">Offset of the problem: a byte offset for UTF-8 input, a UTF-16 char index for strings.</param>
    public InvalidTextException(string message, long offset) : base(message) => Offset = offset;

    /// <summary>Offset of the problem: a byte offset for UTF-8 input, a UTF-16 char index for strings.</summary>
    public long Offset { get; }
}
