namespace Polymath.Data.Tokenizers;

/// <summary>
/// Turns text into token ids and back. Implementations: <see cref="CharTokenizer"/>, <see cref="ByteLevelBpeTokenizer"/>
/// (GPT-2 style) and <see cref="WordPieceTokenizer"/> (BERT style).
/// </summary>
public interface ITokenizer
{
    /// <summary>Number of token ids (the largest id plus one).</summary>
    int VocabSize { get; }

    /// <summary>Token ids of <paramref name="text"/>.</summary>
    /// <exception cref="InvalidTextException">The text cannot be represented (the message gives the offset).</exception>
    int[] Encode(string text);

    /// <summary>Token ids of UTF-8 bytes. Byte-level BPE accepts any bytes; the others reject invalid UTF-8 with its byte offset.</summary>
    /// <exception cref="InvalidTextException">Invalid UTF-8 or a character the vocabulary cannot represent (with its byte offset).</exception>
    int[] EncodeUtf8(ReadOnlySpan<byte> utf8);

    /// <summary>The text of token ids.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside 0..VocabSize-1.</exception>
    string Decode(ReadOnlySpan<int> ids);
}
