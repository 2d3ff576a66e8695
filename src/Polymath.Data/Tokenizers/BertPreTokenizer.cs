using System.Globalization;
using System.Text;

namespace Polymath.Data.Tokenizers;

/// <summary>
/// BERT's basic tokenisation before WordPiece: control characters are dropped, text is split on whitespace, every
/// punctuation character and every CJK ideograph becomes a word of its own, and (for uncased models) letters are
/// lower-cased. Accent stripping is not done (it needs Unicode normalisation, unavailable in invariant-globalisation mode).
/// </summary>
public static class BertPreTokenizer
{
    /// <summary>The words of <paramref name="text"/>.</summary>
    public static List<string> Split(string text, bool lowercase = true)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        void Flush()
        {
            if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
        foreach (var rune in text.EnumerateRunes())
        {
            int cp = rune.Value;
            if (Rune.IsWhiteSpace(rune))
            {
                Flush();
                continue;
            }
            if (cp == 0 || cp == 0xFFFD || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format)
                continue;
            if (IsPunctuation(rune) || IsCjk(cp))
            {
                Flush();
                words.Add(rune.ToString());
                continue;
            }
            current.Append((lowercase ? Rune.ToLowerInvariant(rune) : rune).ToString());
        }
        Flush();
        return words;
    }

    // BERT counts all non-letter, non-digit ASCII symbols as punctuation, plus the Unicode P* categories.
    private static bool IsPunctuation(Rune r) =>
        r.Value is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126 || Rune.IsPunctuation(r);

    private static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
