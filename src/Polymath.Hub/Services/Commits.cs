using System.Security.Cryptography;
using System.Text;
using Polymath.Hub.Api;
using Polymath.Hub.Auth;
using Polymath.Hub.Data;
using Polymath.Hub.Model;

namespace Polymath.Hub.Services;

/// <summary>Commits, branches and tags: creating versions, resolving revisions, reading trees and history.</summary>
internal static class Commits
{
    /// <summary>Most files one commit may change.</summary>
    public const int MaxChangesPerCommit = 100_000;

    /// <summary>Longest commit message, in characters.</summary>
    public const int MaxMessage = 10_000;

    /// <summary>
    /// Records a new version on <paramref name="branch"/>: the tree of <paramref name="expectedHead"/> with
    /// <paramref name="put"/> added or replaced and <paramref name="delete"/> removed (or only <paramref name="put"/> when
    /// <paramref name="replace"/>). The branch moves only if it still points at <paramref name="expectedHead"/> (null: the
    /// branch must not exist yet); otherwise 409 and nothing is written. Every blob must have been uploaded to this
    /// repository or be in one of its versions already, so a hash alone never grants access to another repository's data.
    /// </summary>
    public static async Task<CommitInfo> CreateAsync(Sql sql, Caller caller, RepoRecord repo, Role role, string branch, string? expectedHead,
        string message, IReadOnlyList<(string Path, string Sha256)> put, IReadOnlyList<string> delete, bool replace)
    {
        Names.Ref(branch, "branch name");
        if (branch == RepoRecord.DefaultBranch && role < Role.Writer)
            throw HubException.Forbidden($"committing to '{RepoRecord.DefaultBranch}' of {repo.FullName} needs the writer role; contributors commit to other branches.");
        if (string.IsNullOrWhiteSpace(message) || message.Length > MaxMessage || !RepoPath.IsWellFormedUtf16(message) || message.Contains('\0'))
            throw HubException.BadRequest($"commit message must be non-empty valid text of at most {MaxMessage} characters without NUL.");
        if (put.Count + delete.Count > MaxChangesPerCommit)
            throw HubException.BadRequest($"a commit may change at most {MaxChangesPerCommit} files; this one changes {put.Count + delete.Count}.");

        string? head = await BranchHeadAsync(sql, repo, branch);
        if (head != expectedHead)
            throw BranchMoved(repo, branch, expectedHead, head);

        var tree = new SortedDictionary<string, FileEntry>(StringComparer.Ordinal);
        if (expectedHead is not null)
        {
            if (await GetAsync(sql, repo, expectedHead) is null)
                throw HubException.NotFound($"commit '{expectedHead}' is not in {repo.FullName}.");
            if (!replace)
                foreach (var f in await TreeAsync(sql, expectedHead))
                    tree[f.Path] = f;
        }
        foreach (var path in delete)
        {
            RepoPath.Check(path);
            if (!tree.Remove(path))
                throw HubException.BadRequest($"cannot delete '{Names.Shown(path)}': it is not in the parent version.");
        }
        foreach (var (path, sha) in put)
        {
            RepoPath.Check(path);
            if (!Storage.BlobStore.IsHash(sha))
                throw HubException.BadRequest($"'{Names.Shown(sha)}' for '{Names.Shown(path)}' is not a lower-case hex SHA-256.");
            long size = await UsableBlobSizeAsync(sql, repo, sha)
                ?? throw HubException.BadRequest($"blob {sha} for '{Names.Shown(path)}' was not uploaded to {repo.FullName}; upload the file first.");
            tree[path] = new FileEntry(path, sha, size);
        }
        CheckNoFileFolderClash(tree.Keys);

        string time = Clock.Now();
        string author = caller.UserName!;
        string id = CommitId(expectedHead, author, time, message, tree.Values);
        await sql.ExecAsync("INSERT INTO commits (id, repo_id, parent, author, message, created) VALUES (@i, @r, @p, @a, @m, @t)",
            ("i", id), ("r", repo.Id), ("p", expectedHead), ("a", author), ("m", message), ("t", time));
        foreach (var f in tree.Values)
            await sql.ExecAsync("INSERT INTO commit_files (commit_id, path, blob_hash, size) VALUES (@c, @p, @h, @s)",
                ("c", id), ("p", f.Path), ("h", f.Sha256), ("s", f.Size));
        await MoveBranchAsync(sql, repo, branch, expectedHead, id);
        await Audit.AppendAsync(sql, caller, "commit", repo.FullName, new { id, branch, parent = expectedHead, files = tree.Count, put = put.Count, delete = delete.Count });
        return new CommitInfo(id, expectedHead, author, message, time);
    }

    /// <summary>
    /// Points <paramref name="branch"/> at <paramref name="target"/> if it still points at <paramref name="expected"/>
    /// (null: create it). One conditional UPDATE (or INSERT) decides, so two writers can never both win.
    /// </summary>
    public static async Task MoveBranchAsync(Sql sql, RepoRecord repo, string branch, string? expected, string target)
    {
        int n = expected is null
            ? await sql.ExecAsync("INSERT INTO refs (repo_id, kind, name, commit_id, updated) VALUES (@r, 'branch', @n, @c, @t) ON CONFLICT DO NOTHING",
                ("r", repo.Id), ("n", branch), ("c", target), ("t", Clock.Now()))
            : await sql.ExecAsync("UPDATE refs SET commit_id = @c, updated = @t WHERE repo_id = @r AND kind = 'branch' AND name = @n AND commit_id = @e",
                ("c", target), ("t", Clock.Now()), ("r", repo.Id), ("n", branch), ("e", expected));
        if (n != 1)
            throw BranchMoved(repo, branch, expected, await BranchHeadAsync(sql, repo, branch));
    }

    /// <summary>Deletes a branch if it still points at <paramref name="expected"/>.</summary>
    public static async Task DeleteBranchAsync(Sql sql, RepoRecord repo, string branch, string expected)
    {
        int n = await sql.ExecAsync("DELETE FROM refs WHERE repo_id = @r AND kind = 'branch' AND name = @n AND commit_id = @e",
            ("r", repo.Id), ("n", branch), ("e", expected));
        if (n != 1)
            throw BranchMoved(repo, branch, expected, await BranchHeadAsync(sql, repo, branch));
    }

    /// <summary>Creates a tag; tags never move (409 when the name is taken).</summary>
    public static async Task CreateTagAsync(Sql sql, RepoRecord repo, string tag, string commitId)
    {
        Names.Ref(tag, "tag name");
        int n = await sql.ExecAsync("INSERT INTO refs (repo_id, kind, name, commit_id, updated) VALUES (@r, 'tag', @n, @c, @t) ON CONFLICT DO NOTHING",
            ("r", repo.Id), ("n", tag), ("c", commitId), ("t", Clock.Now()));
        if (n != 1)
            throw HubException.Conflict($"tag '{tag}' already exists in {repo.FullName}; tags never move.");
    }

    /// <summary>The commit a branch points at, or null.</summary>
    public static Task<string?> BranchHeadAsync(Sql sql, RepoRecord repo, string branch) =>
        sql.ScalarAsync<string>("SELECT commit_id FROM refs WHERE repo_id = @r AND kind = 'branch' AND name = @n", ("r", repo.Id), ("n", branch));

    /// <summary>Branches and tags with the commits they point at.</summary>
    public static Task<List<RefInfo>> RefsAsync(Sql sql, RepoRecord repo) =>
        sql.QueryAsync("SELECT kind, name, commit_id, updated FROM refs WHERE repo_id = @r ORDER BY kind, name",
            r => new RefInfo(r.Text(0), r.Text(1), r.Text(2), r.Text(3)), ("r", repo.Id));

    /// <summary>
    /// The commit a revision names: a branch, then a tag, then a full commit id or a unique prefix of at least 7 hex
    /// digits. Null names the default branch.
    /// </summary>
    /// <exception cref="HubException">404 when nothing matches; 400 when a prefix is ambiguous.</exception>
    public static async Task<CommitInfo> ResolveAsync(Sql sql, RepoRecord repo, string? rev)
    {
        rev = string.IsNullOrEmpty(rev) ? RepoRecord.DefaultBranch : rev;
        string? id = await sql.ScalarAsync<string>("SELECT commit_id FROM refs WHERE repo_id = @r AND kind = 'branch' AND name = @n", ("r", repo.Id), ("n", rev))
            ?? await sql.ScalarAsync<string>("SELECT commit_id FROM refs WHERE repo_id = @r AND kind = 'tag' AND name = @n", ("r", repo.Id), ("n", rev));
        if (id is null && rev.Length >= 7 && rev.Length <= 64 && rev.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f'))
        {
            var ids = await sql.QueryAsync("SELECT id FROM commits WHERE repo_id = @r AND id LIKE @p LIMIT 2", r => r.Text(0), ("r", repo.Id), ("p", rev + "%"));
            if (ids.Count > 1)
                throw HubException.BadRequest($"revision '{rev}' matches more than one commit of {repo.FullName}; give more digits.");
            id = ids.FirstOrDefault();
        }
        if (id is null)
            throw HubException.NotFound(rev == RepoRecord.DefaultBranch
                ? $"{repo.FullName} has no versions yet (branch '{rev}' does not exist)."
                : $"revision '{Names.Shown(rev)}' is not a branch, tag or commit of {repo.FullName}.");
        return (await GetAsync(sql, repo, id))!;
    }

    /// <summary>A commit of this repository by full id, or null.</summary>
    public static Task<CommitInfo?> GetAsync(Sql sql, RepoRecord repo, string id) =>
        sql.SingleAsync($"SELECT {CommitInfo.Columns} FROM commits WHERE repo_id = @r AND id = @i", CommitInfo.Read, ("r", repo.Id), ("i", id));

    /// <summary>The files of a version, ordered by path.</summary>
    public static Task<List<FileEntry>> TreeAsync(Sql sql, string commitId) =>
        sql.QueryAsync("SELECT path, blob_hash, size FROM commit_files WHERE commit_id = @c ORDER BY path",
            r => new FileEntry(r.Text(0), r.Text(1), r.Long(2)), ("c", commitId));

    /// <summary>History from a commit back along first parents, newest first.</summary>
    public static async Task<List<CommitInfo>> LogAsync(Sql sql, RepoRecord repo, CommitInfo from, int limit)
    {
        var log = new List<CommitInfo> { from };
        var current = from;
        while (current.Parent is not null && log.Count < limit)
        {
            current = await GetAsync(sql, repo, current.Parent) ?? throw new InvalidDataException($"commit {current.Id} names a missing parent {current.Parent}.");
            log.Add(current);
        }
        return log;
    }

    /// <summary>Size of a blob this repository may use, or null when it may not (never uploaded here, nor in any of its versions).</summary>
    private static async Task<long?> UsableBlobSizeAsync(Sql sql, RepoRecord repo, string sha)
    {
        long? size = await sql.ScalarAsync<long?>("SELECT size FROM blobs WHERE hash = @h", ("h", sha));
        if (size is null)
            return null;
        bool uploaded = await sql.ScalarAsync<string>("SELECT id FROM uploads WHERE repo_id = @r AND blob_hash = @h AND completed IS NOT NULL LIMIT 1", ("r", repo.Id), ("h", sha)) is not null
            || await sql.ScalarAsync<string>("SELECT cf.commit_id FROM commit_files cf JOIN commits c ON c.id = cf.commit_id WHERE c.repo_id = @r AND cf.blob_hash = @h LIMIT 1", ("r", repo.Id), ("h", sha)) is not null;
        return uploaded ? size : null;
    }

    /// <summary>A path may not be a file and a folder at once ("a" and "a/b").</summary>
    private static void CheckNoFileFolderClash(IEnumerable<string> sortedPaths)
    {
        var files = new HashSet<string>(sortedPaths, StringComparer.Ordinal);
        foreach (var path in files)
        {
            for (int i = path.IndexOf('/'); i >= 0; i = path.IndexOf('/', i + 1))
                if (files.Contains(path[..i]))
                    throw HubException.BadRequest($"'{Names.Shown(path[..i])}' cannot be both a file and the folder of '{Names.Shown(path)}'.");
        }
    }

    private static string CommitId(string? parent, string author, string time, string message, IEnumerable<FileEntry> tree)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => h.AppendData(Encoding.UTF8.GetBytes(s));
        Add($"polymath-commit-1\nparent {parent ?? "-"}\nauthor {author}\ntime {time}\nmessage {message.Length}\n{message}\n");
        foreach (var f in tree)
            Add($"{f.Sha256} {f.Size} {f.Path}\0");
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }

    private static HubException BranchMoved(RepoRecord repo, string branch, string? expected, string? actual) =>
        HubException.Conflict(
            actual is null
                ? $"branch '{branch}' of {repo.FullName} does not exist (expected it at {expected}); nothing was written."
                : expected is null
                    ? $"branch '{branch}' of {repo.FullName} already exists at {actual}; pass it as the parent to commit on top of it. Nothing was written."
                    : $"branch '{branch}' of {repo.FullName} moved: it is at {actual}, not at {expected}; nothing was written.",
            new Dictionary<string, object?> { ["branch"] = branch, ["expected"] = expected, ["actual"] = actual });
}
