namespace Polymath.Hub.Services;

/// <summary>File-level difference between two versions: paths added, removed, and changed (different blob).</summary>
internal sealed record TreeDiff(string From, string To, List<FileEntry> Added, List<FileEntry> Removed, List<FileChange> Modified)
{
    /// <summary>Compares two trees by path and blob hash.</summary>
    public static TreeDiff Compute(string from, string to, IReadOnlyList<FileEntry> a, IReadOnlyList<FileEntry> b)
    {
        var old = a.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var added = new List<FileEntry>();
        var modified = new List<FileChange>();
        foreach (var f in b)
        {
            if (!old.Remove(f.Path, out var before))
                added.Add(f);
            else if (before.Sha256 != f.Sha256)
                modified.Add(new FileChange(f.Path, before.Sha256, f.Sha256, before.Size, f.Size));
        }
        var removed = old.Values.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        return new TreeDiff(from, to, added, removed, modified);
    }
}
