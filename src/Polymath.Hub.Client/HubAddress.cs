namespace Polymath.Hub.Client;

/// <summary>
/// A place in a hub: <c>hub://owner/name@rev/path</c>. The revision (branch, tag or commit id) and the path are
/// optional: <c>hub://physics/ising</c> is the default branch's root.
/// </summary>
/// <param name="Owner">User or organisation.</param>
/// <param name="Name">Repository.</param>
/// <param name="Revision">Branch, tag or commit; null for the default branch.</param>
/// <param name="Path">File or folder inside the version; "" for the root.</param>
public sealed record HubAddress(string Owner, string Name, string? Revision, string Path)
{
    /// <summary>The URI scheme.</summary>
    public const string Scheme = "hub://";

    /// <summary>Parses <c>hub://owner/name[@rev][/path]</c> (branch names with '/' are written in the @rev part up to the first '/').</summary>
    /// <exception cref="FormatException">the text is not such an address; the message says which part is wrong.</exception>
    public static HubAddress Parse(string text)
    {
        if (!text.StartsWith(Scheme, StringComparison.Ordinal))
            throw new FormatException($"'{text}' is not a hub address: it must start with {Scheme} (hub://owner/name@rev/path).");
        string rest = text[Scheme.Length..];
        int slash = rest.IndexOf('/');
        if (slash <= 0)
            throw new FormatException($"'{text}': expected hub://owner/name, the owner is missing.");
        string owner = rest[..slash];
        rest = rest[(slash + 1)..];
        int end = rest.IndexOfAny(['@', '/']);
        string name = end < 0 ? rest : rest[..end];
        if (name.Length == 0)
            throw new FormatException($"'{text}': the repository name is missing.");
        string? rev = null;
        string path = "";
        if (end >= 0 && rest[end] == '@')
        {
            string afterAt = rest[(end + 1)..];
            int p = afterAt.IndexOf('/');
            rev = p < 0 ? afterAt : afterAt[..p];
            path = p < 0 ? "" : afterAt[(p + 1)..];
            if (rev.Length == 0)
                throw new FormatException($"'{text}': the revision after '@' is empty.");
        }
        else if (end >= 0)
        {
            path = rest[(end + 1)..];
        }
        return new HubAddress(owner, name, rev, path.TrimEnd('/'));
    }

    /// <summary>Whether <paramref name="text"/> starts like a hub address.</summary>
    public static bool IsAddress(string text) => text.StartsWith(Scheme, StringComparison.Ordinal);

    /// <summary>The address in its text form.</summary>
    public override string ToString() => $"{Scheme}{Owner}/{Name}{(Revision is null ? "" : "@" + Revision)}{(Path.Length == 0 ? "" : "/" + Path)}";
}
