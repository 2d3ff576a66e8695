namespace Polymath.Hub.Services;

/// <summary>A repository row: a dataset or a model, owned by a user or an organisation.</summary>
internal sealed record RepoRecord(string Id, string OwnerId, string Owner, string Name, string Kind, bool Private, string Description, string Created)
{
    /// <summary>"owner/name".</summary>
    public string FullName => $"{Owner}/{Name}";

    /// <summary>The branch that contributors may not commit to and that reads use when no revision is given.</summary>
    public const string DefaultBranch = "main";

    /// <summary>Columns in the order <see cref="Read"/> expects, for a query joining repos r with principals o.</summary>
    public const string Columns = "r.id, r.owner_id, o.name, r.name, r.kind, r.private, r.description, r.created";

    /// <summary>Maps a row selected with <see cref="Columns"/>.</summary>
    public static RepoRecord Read(Data.Row r) => new(r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Bool(5), r.Text(6), r.Text(7));
}
