using System.Buffers;
using System.Text;

namespace Polymath.Data.Tokenizers;

/// <summary>Strict UTF-8 decoding for the tokenizers that work on characters: invalid input is an error that names its byte offset.</summary>
internal static class Utf8Text
{
    /// <summary>Decodes <paramref name="utf8"/>; throws at the first invalid sequence.</summary>
    /// <exception cref="InvalidTextException">Invalid UTF-8 (the message gives the byte offset and the byte).</exception>
    public static string DecodeStrict(ReadOnlySpan<byte> utf8, string who)
    {
        int offset = FirstInvalid(utf8);
        if (offset >= 0)
            throw new InvalidTextException($"{who}: invalid UTF-8 at byte offset {offset} (byte 0x{utf8[offset]:X2}).", offset);
        return Encoding.UTF8.GetString(utf8);
    }

    /// <summary>Byte offset of the first invalid UTF-8 sequence, or -1 when all of it is valid.</summary>
    public static int FirstInvalid(ReadOnlySpan<byte> utf8)
    {
        int i = 0;
        while (i < utf8.Length)
        {
            int ascii = Ascii.IsValid(utf8[i..]) ? utf8.Length - i : IndexOfNonAscii(utf8[i..]);
            i += ascii;
            if (i >= utf8.Length)
                break;
            if (Rune.DecodeFromUtf8(utf8[i..], out _, out int consumed) != OperationStatus.Done)
                return i;
            i += consumed;
        }
        return -1;
    }

    private static int IndexOfNonAscii(ReadOnlySpan<byte> bytes)
    {
        int k = bytes.IndexOfAnyInRange((byte)0x80, (byte)0xFF);
        return k < 0 ? bytes.Length : k;
    }
}
