using Polymath.Hub.Api;

namespace Polymath.Hub.Model;

/// <summary>Rules for the names of users, organisations, teams, repositories, branches, tags and label keys.</summary>
internal static class Names
{
    /// <summary>Longest user, organisation, team or repository name.</summary>
    public const int MaxNameLength = 64;

    /// <summary>Longest branch or tag name.</summary>
    public const int MaxRefLength = 128;

    /// <summary>
    /// Checks an account or repository name: lower-case letters, digits, '-', '_' and '.', starting with a letter or
    /// digit, at most 64 characters. Lower case only, so two names never differ by case alone.
    /// </summary>
    /// <exception cref="HubException">400 naming <paramref name="what"/> and the rule broken.</exception>
    public static string Account(string? name, string what)
    {
        if (string.IsNullOrEmpty(name))
            throw HubException.BadRequest($"{what} is missing.");
        if (name.Length > MaxNameLength)
            throw HubException.BadRequest($"{what} '{Shown(name)}' is longer than {MaxNameLength} characters.");
        if (!char.IsAsciiLetterLower(name[0]) && !char.IsAsciiDigit(name[0]))
            throw HubException.BadRequest($"{what} '{Shown(name)}' must start with a lower-case letter or a digit.");
        foreach (char c in name)
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.'))
                throw HubException.BadRequest($"{what} '{Shown(name)}' may hold only a-z, 0-9, '-', '_' and '.'; found '{Shown(c.ToString())}'.");
        if (name.EndsWith('.') || name.Contains(".."))
            throw HubException.BadRequest($"{what} '{Shown(name)}' may not end with '.' or contain '..'.");
        return name;
    }

    /// <summary>Checks a branch or tag name: letters, digits, '-', '_', '.', '/', no empty or dot segments, at most 128 characters.</summary>
    /// <exception cref="HubException">400 naming the rule broken.</exception>
    public static string Ref(string? name, string what)
    {
        if (string.IsNullOrEmpty(name))
            throw HubException.BadRequest($"{what} is missing.");
        if (name.Length > MaxRefLength)
            throw HubException.BadRequest($"{what} '{Shown(name)}' is longer than {MaxRefLength} characters.");
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/'))
                throw HubException.BadRequest($"{what} '{Shown(name)}' may hold only letters, digits, '-', '_', '.' and '/'; found '{Shown(c.ToString())}'.");
        foreach (var segment in name.Split('/'))
            if (segment.Length == 0 || segment.StartsWith('.') || segment.EndsWith('.') || segment.StartsWith('-'))
                throw HubException.BadRequest($"{what} '{Shown(name)}' has an empty segment or one that starts with '.' or '-' or ends with '.'.");
        if (BlobLike(name))
            throw HubException.BadRequest($"{what} '{Shown(name)}' looks like a commit id; choose a name that is not 64 hex digits.");
        return name;
    }

    /// <summary>A name as it may be echoed in an error: control characters escaped, cut at 80 characters.</summary>
    public static string Shown(string s)
    {
        var sb = new System.Text.StringBuilder();
        foreach (char c in s.Length > 80 ? s[..80] : s)
            sb.Append(char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString());
        if (s.Length > 80)
            sb.Append('…');
        return sb.ToString();
    }

    private static bool BlobLike(string s) => s.Length == 64 && s.All(char.IsAsciiHexDigit);
}
