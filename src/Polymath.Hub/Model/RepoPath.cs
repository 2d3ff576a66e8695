using System.Text;
using Polymath.Hub.Api;

namespace Polymath.Hub.Model;

/// <summary>
/// A file path inside a repository version: relative, '/'-separated, every segment a plain name. Paths that could
/// escape a folder or mean something else on another system are refused: '..' and '.', absolute paths, drive letters,
/// backslashes, NUL and control characters, Windows device names (CON, NUL, COM1…), trailing dots and spaces.
/// </summary>
internal static class RepoPath
{
    /// <summary>Longest path, in UTF-8 bytes.</summary>
    public const int MaxBytes = 1024;

    private static readonly HashSet<string> DeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
    };

    /// <summary>The path if valid (a folder path may be empty when <paramref name="allowEmpty"/>).</summary>
    /// <exception cref="HubException">400 saying which rule the path breaks.</exception>
    public static string Check(string? path, bool allowEmpty = false)
    {
        if (string.IsNullOrEmpty(path))
        {
            if (allowEmpty)
                return "";
            throw HubException.BadRequest("the file path is empty.");
        }
        string shown = Names.Shown(path);
        if (!IsWellFormedUtf16(path))
            throw HubException.BadRequest($"path '{shown}' is not valid Unicode (a lone surrogate).");
        if (Encoding.UTF8.GetByteCount(path) > MaxBytes)
            throw HubException.BadRequest($"path '{shown}' is longer than {MaxBytes} bytes.");
        if (path.Contains('\0'))
            throw HubException.BadRequest($"path '{shown}' contains a NUL character.");
        if (path.Contains('\\'))
            throw HubException.BadRequest($"path '{shown}' contains a backslash; use '/' between folders.");
        if (path.StartsWith('/'))
            throw HubException.BadRequest($"path '{shown}' is absolute; paths are relative to the repository root.");
        if (path.Length >= 2 && path[1] == ':' && char.IsAsciiLetter(path[0]))
            throw HubException.BadRequest($"path '{shown}' starts with a drive letter.");
        foreach (char c in path)
            if (char.IsControl(c))
                throw HubException.BadRequest($"path '{shown}' contains the control character U+{(int)c:X4}.");
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0)
                throw HubException.BadRequest($"path '{shown}' has an empty segment ('//' or a trailing '/').");
            if (segment is "." or "..")
                throw HubException.BadRequest($"path '{shown}' contains '{segment}'; paths may not step out of or around folders.");
            if (segment.EndsWith('.') || segment.EndsWith(' '))
                throw HubException.BadRequest($"path '{shown}': segment '{Names.Shown(segment)}' ends with a dot or a space.");
            if (segment.IndexOfAny(['<', '>', ':', '"', '|', '?', '*']) >= 0)
                throw HubException.BadRequest($"path '{shown}': segment '{Names.Shown(segment)}' contains one of < > : \" | ? *.");
            string stem = segment.Split('.')[0].TrimEnd(' ');
            if (DeviceNames.Contains(stem))
                throw HubException.BadRequest($"path '{shown}': '{Names.Shown(segment)}' is a reserved device name on Windows.");
        }
        return path;
    }

    /// <summary>Whether every surrogate in <paramref name="s"/> is part of a pair.</summary>
    public static bool IsWellFormedUtf16(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]))
            {
                if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]))
                    return false;
                i++;
            }
            else if (char.IsLowSurrogate(s[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Whether <paramref name="path"/> lies in folder <paramref name="folder"/> ("" is the root).</summary>
    public static bool IsUnder(string path, string folder) =>
        folder.Length == 0 || path.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal);
}
