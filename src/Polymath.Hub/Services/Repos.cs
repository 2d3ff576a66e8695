using Polymath.Hub.Api;
using Polymath.Hub.Auth;
using Polymath.Hub.Data;
using Polymath.Hub.Model;

namespace Polymath.Hub.Services;

/// <summary>Creating, listing and sharing repositories.</summary>
internal static class Repos
{
    /// <summary>Longest repository description.</summary>
    public const int MaxDescription = 1000;

    /// <summary>Creates a dataset or model repository owned by the caller or by an organisation the caller owns.</summary>
    public static async Task<RepoRecord> CreateAsync(Sql sql, Caller caller, string? owner, string name, string kind, bool isPrivate, string? description)
    {
        Accounts.RequireWriter(caller);
        if (caller.TokenRepoId is not null)
            throw HubException.Forbidden("a token limited to one repository cannot create repositories.");
        Names.Account(name, "repository name");
        if (kind is not ("dataset" or "model"))
            throw HubException.BadRequest($"unknown repository kind '{Names.Shown(kind)}'; valid kinds: dataset, model.");
        description ??= "";
        if (description.Length > MaxDescription || !RepoPath.IsWellFormedUtf16(description))
            throw HubException.BadRequest($"description must be valid text of at most {MaxDescription} characters.");
        owner ??= caller.UserName!;
        Names.Account(owner, "owner");
        string ownerId;
        if (owner == caller.UserName)
            ownerId = caller.UserId!;
        else
        {
            var kindOfOwner = await sql.ScalarAsync<string>("SELECT kind FROM principals WHERE name = @n", ("n", owner));
            if (kindOfOwner == "org")
                ownerId = await Accounts.RequireOrgOwnerAsync(sql, caller, owner);
            else if (kindOfOwner == "user" && caller.SiteAdmin)
                ownerId = await Accounts.UserIdAsync(sql, owner);
            else if (kindOfOwner == "user")
                throw HubException.Forbidden($"{caller.UserName} may not create repositories for user '{owner}'.");
            else
                throw HubException.NotFound($"no user or organisation is named '{owner}'.");
        }
        string id = TokenHasher.NewId();
        string now = Clock.Now();
        int n = await sql.ExecAsync(
            "INSERT INTO repos (id, owner_id, name, kind, private, description, created) VALUES (@i, @o, @n, @k, @p, @d, @t) ON CONFLICT DO NOTHING",
            ("i", id), ("o", ownerId), ("n", name), ("k", kind), ("p", isPrivate ? 1L : 0L), ("d", description), ("t", now));
        if (n == 0)
            throw HubException.Conflict($"repository '{owner}/{name}' already exists.");
        await Audit.AppendAsync(sql, caller, "repo.create", $"{owner}/{name}", new { kind, @private = isPrivate });
        return new RepoRecord(id, ownerId, owner, name, kind, isPrivate, description, now);
    }

    /// <summary>Repositories the caller may read whose name or description contains <paramref name="query"/>.</summary>
    public static async Task<List<RepoRecord>> ListAsync(Sql sql, Caller caller, string? query, int limit)
    {
        var all = await sql.QueryAsync($"SELECT {RepoRecord.Columns} FROM repos r JOIN principals o ON o.id = r.owner_id ORDER BY o.name, r.name", RepoRecord.Read);
        var visible = new List<RepoRecord>();
        foreach (var repo in all)
        {
            if (query is { Length: > 0 } && !repo.FullName.Contains(query, StringComparison.OrdinalIgnoreCase)
                && !repo.Description.Contains(query, StringComparison.OrdinalIgnoreCase))
                continue;
            if (!repo.Private || await Access.RoleOfAsync(sql, caller, repo) >= Role.Reader)
                visible.Add(repo);
            if (visible.Count >= limit)
                break;
        }
        return visible;
    }

    /// <summary>Makes a repository public or private (admins).</summary>
    public static async Task SetVisibilityAsync(Sql sql, Caller caller, RepoRecord repo, bool isPrivate)
    {
        await sql.ExecAsync("UPDATE repos SET private = @p WHERE id = @i", ("p", isPrivate ? 1L : 0L), ("i", repo.Id));
        await Audit.AppendAsync(sql, caller, "repo.visibility", repo.FullName, new { @private = isPrivate });
    }

    /// <summary>Gives a user or a team (written org/team) a role in a repository, replacing the one it had.</summary>
    public static async Task GrantAsync(Sql sql, Caller caller, RepoRecord repo, string? user, string? team, Role role)
    {
        var (kind, id, shown) = await PrincipalAsync(sql, user, team);
        await sql.ExecAsync("DELETE FROM grants WHERE repo_id = @r AND principal_kind = @k AND principal_id = @p", ("r", repo.Id), ("k", kind), ("p", id));
        await sql.ExecAsync("INSERT INTO grants (repo_id, principal_kind, principal_id, role) VALUES (@r, @k, @p, @x)", ("r", repo.Id), ("k", kind), ("p", id), ("x", Roles.Name(role)));
        await Audit.AppendAsync(sql, caller, "grant", repo.FullName, new { principal = shown, kind, role = Roles.Name(role) });
    }

    /// <summary>Removes a user's or team's role in a repository.</summary>
    public static async Task RevokeAsync(Sql sql, Caller caller, RepoRecord repo, string? user, string? team)
    {
        var (kind, id, shown) = await PrincipalAsync(sql, user, team);
        int n = await sql.ExecAsync("DELETE FROM grants WHERE repo_id = @r AND principal_kind = @k AND principal_id = @p", ("r", repo.Id), ("k", kind), ("p", id));
        if (n == 0)
            throw HubException.NotFound($"{kind} '{shown}' has no role in {repo.FullName}.");
        await Audit.AppendAsync(sql, caller, "revoke", repo.FullName, new { principal = shown, kind });
    }

    /// <summary>The roles granted in a repository.</summary>
    public static Task<List<GrantInfo>> GrantsAsync(Sql sql, RepoRecord repo) =>
        sql.QueryAsync(
            "SELECT g.principal_kind, COALESCE(p.name, o.name || '/' || t.name), g.role FROM grants g " +
            "LEFT JOIN principals p ON g.principal_kind = 'user' AND p.id = g.principal_id " +
            "LEFT JOIN teams t ON g.principal_kind = 'team' AND t.id = g.principal_id " +
            "LEFT JOIN principals o ON o.id = t.org_id WHERE g.repo_id = @r ORDER BY 1, 2",
            r => new GrantInfo(r.Text(0), r.Text(1), r.Text(2)), ("r", repo.Id));

    private static async Task<(string Kind, string Id, string Shown)> PrincipalAsync(Sql sql, string? user, string? team)
    {
        if ((user is null) == (team is null))
            throw HubException.BadRequest("name exactly one of 'user' or 'team' (written org/team).");
        if (user is not null)
            return ("user", await Accounts.UserIdAsync(sql, user), user);
        var parts = team!.Split('/');
        if (parts.Length != 2)
            throw HubException.BadRequest($"team '{Names.Shown(team)}' must be written org/team.");
        string orgId = await sql.ScalarAsync<string>("SELECT id FROM principals WHERE name = @n AND kind = 'org'", ("n", parts[0]))
            ?? throw HubException.NotFound($"organisation '{Names.Shown(parts[0])}' does not exist.");
        return ("team", await Accounts.TeamIdAsync(sql, orgId, parts[0], parts[1]), team);
    }
}
