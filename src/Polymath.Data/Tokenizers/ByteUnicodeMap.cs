namespace Polymath.Data.Tokenizers;

/// <summary>
/// GPT-2's reversible byte ↔ printable-character mapping, used to write byte-level tokens as text in
/// <c>vocab.json</c> and <c>merges.txt</c>: bytes that are printable Latin-1 (<c>!</c>..<c>~</c>, <c>¡</c>..<c>¬</c>,
/// <c>®</c>..<c>ÿ</c>) map to themselves; the other 68 bytes map, in ascending order, to U+0100, U+0101, …
/// (so a space, 0x20, is written <c>Ġ</c> = U+0120).
/// </summary>
public static class ByteUnicodeMap
{
    private static readonly char[] ByteToChar = Build();
    private static readonly Dictionary<char, byte> CharToByte = Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    private static char[] Build()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    /// <summary>The character that stands for byte <paramref name="b"/>.</summary>
    public static char ToChar(byte b) => ByteToChar[b];

    /// <summary>The text form of a byte sequence.</summary>
    public static string ToText(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
            chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }

    /// <summary>The bytes of a text form, or null when a character is not one of the 256 byte characters.</summary>
    public static byte[]? ToBytes(string text)
    {
        var bytes = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            if (!CharToByte.TryGetValue(text[i], out bytes[i]))
                return null;
        }
        return bytes;
    }
}
