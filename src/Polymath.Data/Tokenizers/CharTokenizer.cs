using System.Text;
using System.Text.Json;

namespace Polymath.Data.Tokenizers;

/// <summary>
/// Character-level tokenizer: one token per Unicode code point, ids given by the sorted distinct characters of a
/// training text (as nanoGPT's shakespeare_char). Characters outside the vocabulary are rejected with their offset.
/// </summary>
public sealed class CharTokenizer : ITokenizer
{
    private readonly int[] _codePoints;
    private readonly Dictionary<int, int> _ids;
    private readonly int[] _bmp; // id + 1 by UTF-16 unit for the Basic Multilingual Plane; 0 = not in the vocabulary

    /// <summary>A tokenizer over exactly these code points, id = position.</summary>
    /// <exception cref="ArgumentException">A code point appears twice or is not a valid scalar value.</exception>
    public CharTokenizer(IEnumerable<int> codePoints)
    {
        _codePoints = codePoints.ToArray();
        _ids = new Dictionary<int, int>(_codePoints.Length);
        _bmp = new int[0x10000];
        for (int i = 0; i < _codePoints.Length; i++)
        {
            int cp = _codePoints[i];
            if (!Rune.IsValid(cp))
                throw new ArgumentException($"CharTokenizer: code point 0x{cp:X} (position {i}) is not a Unicode scalar value.");
            if (!_ids.TryAdd(cp, i))
                throw new ArgumentException($"CharTokenizer: character U+{cp:X4} appears twice (position {i}).");
            if (cp < 0x10000)
                _bmp[cp] = i + 1;
        }
    }

    /// <summary>The vocabulary of <paramref name="text"/>: its distinct code points in ascending order.</summary>
    /// <exception cref="InvalidTextException">The text holds a lone surrogate (with its index).</exception>
    public static CharTokenizer FromText(string text)
    {
        var seen = new HashSet<int>();
        foreach (var (cp, _) in CodePoints(text))
            seen.Add(cp);
        return new CharTokenizer(seen.Order());
    }

    /// <inheritdoc/>
    public int VocabSize => _codePoints.Length;

    /// <summary>The code points by token id.</summary>
    public IReadOnlyList<int> CodePointsById => _codePoints;

    /// <inheritdoc/>
    /// <exception cref="InvalidTextException">A character is not in the vocabulary, or a lone surrogate (with its UTF-16 index).</exception>
    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (!char.IsSurrogate(c))
            {
                int id = _bmp[c] - 1;
                if (id < 0)
                    throw Unknown(c, $"index {i}", i);
                ids.Add(id);
                continue;
            }
            if (!char.IsHighSurrogate(c) || i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                throw new InvalidTextException($"CharTokenizer: lone surrogate U+{(int)c:X4} at index {i}.", i);
            int cp = char.ConvertToUtf32(c, text[i + 1]);
            ids.Add(_ids.TryGetValue(cp, out int sid) ? sid : throw Unknown(cp, $"index {i}", i));
            i++;
        }
        return [.. ids];
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidTextException">Invalid UTF-8 or a character not in the vocabulary (with its byte offset).</exception>
    public int[] EncodeUtf8(ReadOnlySpan<byte> utf8)
    {
        string text = Utf8Text.DecodeStrict(utf8, "CharTokenizer");
        try
        {
            return Encode(text);
        }
        catch (InvalidTextException e)
        {
            // Report the byte offset of the character, as the caller gave bytes.
            long bytes = Encoding.UTF8.GetByteCount(text.AsSpan(0, (int)e.Offset));
            int cp = char.ConvertToUtf32(text, (int)e.Offset);
            throw Unknown(cp, $"byte offset {bytes}", bytes);
        }
    }

    /// <inheritdoc/>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var sb = new StringBuilder(ids.Length);
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_codePoints.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), $"CharTokenizer: token id {id} is outside 0..{VocabSize - 1}.");
            sb.Append(new Rune(_codePoints[id]).ToString());
        }
        return sb.ToString();
    }

    /// <summary>The vocabulary as JSON: <c>{"type":"char","chars":"…"}</c> (the characters in id order).</summary>
    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["type"] = "char",
        ["chars"] = string.Concat(_codePoints.Select(cp => new Rune(cp).ToString())),
    });

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    /// <exception cref="InvalidDataException">Not a char-tokenizer JSON object.</exception>
    public static CharTokenizer FromJson(string json)
    {
        Dictionary<string, string>? o;
        try
        {
            o = JsonSerializer.Deserialize<Dictionary<string, string>>(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"CharTokenizer: vocabulary JSON is malformed: {e.Message}", e);
        }
        if (o is null || !o.TryGetValue("type", out var type) || type != "char" || !o.TryGetValue("chars", out var chars))
            throw new InvalidDataException("CharTokenizer: vocabulary JSON must be {\"type\":\"char\",\"chars\":\"...\"}.");
        return new CharTokenizer(CodePoints(chars).Select(c => c.CodePoint));
    }

    private static IEnumerable<(int CodePoint, int Index)> CodePoints(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (!char.IsSurrogate(c))
            {
                yield return (c, i);
                continue;
            }
            if (!char.IsHighSurrogate(c) || i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                throw new InvalidTextException($"CharTokenizer: lone surrogate U+{(int)c:X4} at index {i}.", i);
            yield return (char.ConvertToUtf32(c, text[i + 1]), i);
            i++;
        }
    }

    private InvalidTextException Unknown(int cp, string where, long offset) =>
        new($"CharTokenizer: character U+{cp:X4} ('{(Rune.IsValid(cp) ? new Rune(cp).ToString() : "?")}') at {where} is not in the vocabulary of {VocabSize} characters.", offset);
}
