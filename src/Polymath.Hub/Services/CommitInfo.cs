namespace Polymath.Hub.Services;

/// <summary>An immutable version of a repository: its id (SHA-256 of parent, author, time, message and tree), parent and who made it when.</summary>
internal sealed record CommitInfo(string Id, string? Parent, string Author, string Message, string Time)
{
    /// <summary>Columns in the order <see cref="Read"/> expects.</summary>
    public const string Columns = "id, parent, author, message, created";

    /// <summary>Maps a row selected with <see cref="Columns"/>.</summary>
    public static CommitInfo Read(Data.Row r) => new(r.Text(0), r.TextOrNull(1), r.Text(2), r.Text(3), r.Text(4));
}
