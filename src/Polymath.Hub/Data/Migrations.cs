namespace Polymath.Hub.Data;

/// <summary>
/// The schema, as numbered steps applied in order at start-up; <c>schema_version</c> records the last one applied.
/// A step is never edited once released: later changes are new steps.
/// </summary>
internal static class Migrations
{
    /// <summary>The steps; index + 1 is the version a step brings the schema to.</summary>
    public static IReadOnlyList<Func<SqlDialect, IEnumerable<string>>> Steps { get; } = [Initial];

    private static IEnumerable<string> Initial(SqlDialect d)
    {
        yield return "CREATE TABLE principals (id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL UNIQUE, site_admin BIGINT NOT NULL DEFAULT 0, created TEXT NOT NULL)";
        yield return "CREATE TABLE org_members (org_id TEXT NOT NULL REFERENCES principals(id), user_id TEXT NOT NULL REFERENCES principals(id), role TEXT NOT NULL, PRIMARY KEY (org_id, user_id))";
        yield return "CREATE TABLE teams (id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES principals(id), name TEXT NOT NULL, UNIQUE (org_id, name))";
        yield return "CREATE TABLE team_members (team_id TEXT NOT NULL REFERENCES teams(id), user_id TEXT NOT NULL REFERENCES principals(id), PRIMARY KEY (team_id, user_id))";
        yield return "CREATE TABLE tokens (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES principals(id), hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL, scope TEXT NOT NULL, repo_id TEXT NULL, expires TEXT NOT NULL, revoked TEXT NULL, created TEXT NOT NULL)";
        yield return "CREATE TABLE repos (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL REFERENCES principals(id), name TEXT NOT NULL, kind TEXT NOT NULL, private BIGINT NOT NULL, description TEXT NOT NULL, created TEXT NOT NULL, UNIQUE (owner_id, name))";
        yield return "CREATE TABLE grants (repo_id TEXT NOT NULL REFERENCES repos(id), principal_kind TEXT NOT NULL, principal_id TEXT NOT NULL, role TEXT NOT NULL, PRIMARY KEY (repo_id, principal_kind, principal_id))";
        yield return "CREATE TABLE blobs (hash TEXT PRIMARY KEY, size BIGINT NOT NULL, created TEXT NOT NULL)";
        yield return "CREATE TABLE uploads (id TEXT PRIMARY KEY, repo_id TEXT NOT NULL REFERENCES repos(id), user_id TEXT NOT NULL REFERENCES principals(id), size BIGINT NOT NULL, received BIGINT NOT NULL, blob_hash TEXT NULL, created TEXT NOT NULL, completed TEXT NULL)";
        yield return "CREATE INDEX uploads_blob ON uploads (repo_id, blob_hash)";
        yield return "CREATE TABLE commits (id TEXT PRIMARY KEY, repo_id TEXT NOT NULL REFERENCES repos(id), parent TEXT NULL, author TEXT NOT NULL, message TEXT NOT NULL, created TEXT NOT NULL)";
        yield return "CREATE INDEX commits_repo ON commits (repo_id, created)";
        yield return "CREATE TABLE commit_files (commit_id TEXT NOT NULL REFERENCES commits(id), path TEXT NOT NULL, blob_hash TEXT NOT NULL, size BIGINT NOT NULL, PRIMARY KEY (commit_id, path))";
        yield return "CREATE INDEX commit_files_blob ON commit_files (blob_hash)";
        yield return "CREATE TABLE refs (repo_id TEXT NOT NULL REFERENCES repos(id), kind TEXT NOT NULL, name TEXT NOT NULL, commit_id TEXT NOT NULL REFERENCES commits(id), updated TEXT NOT NULL, PRIMARY KEY (repo_id, kind, name))";
        yield return "CREATE TABLE repo_metadata (repo_id TEXT PRIMARY KEY REFERENCES repos(id), metadata TEXT NULL, card TEXT NULL, updated TEXT NOT NULL)";
        yield return "CREATE TABLE label_sets (repo_id TEXT NOT NULL REFERENCES repos(id), name TEXT NOT NULL, labels TEXT NOT NULL, PRIMARY KEY (repo_id, name))";
        yield return $"CREATE TABLE annotations ({d.AutoIdColumn}, repo_id TEXT NOT NULL REFERENCES repos(id), commit_id TEXT NOT NULL REFERENCES commits(id), path TEXT NOT NULL, record TEXT NULL, label_key TEXT NOT NULL, label_value TEXT NOT NULL, label_set TEXT NULL, author TEXT NOT NULL, created TEXT NOT NULL)";
        yield return "CREATE INDEX annotations_target ON annotations (repo_id, commit_id, path)";
        yield return $"CREATE TABLE audit ({d.AutoIdColumn}, time TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, repo TEXT NULL, detail TEXT NOT NULL)";
        foreach (var trigger in d.AppendOnlyTriggers)
            yield return trigger;
    }
}
