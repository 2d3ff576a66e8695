using System.Text.RegularExpressions;

namespace Polymath.Data.Tokenizers;

/// <summary>
/// GPT-2's pre-tokenisation: text is cut into pieces (English contractions, a letter run with an optional leading
/// space, a digit run with an optional leading space, a run of other symbols with an optional leading space, and
/// whitespace) before BPE, so merges never cross a word boundary. The pattern is the one in the GPT-2 release.
/// </summary>
public static partial class Gpt2PreTokenizer
{
    /// <summary>The GPT-2 pattern: contractions | ␣?letters | ␣?digits | ␣?other | whitespace not followed by non-space | whitespace.</summary>
    public const string Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    internal static partial Regex Regex();

    /// <summary>The pieces of <paramref name="text"/>, in order; concatenated they give the text back.</summary>
    public static IEnumerable<string> Split(string text)
    {
        foreach (Match m in Regex().Matches(text))
            yield return m.Value;
    }
}
