using Polymath.Hub.Api;
using Polymath.Hub.Auth;
using Polymath.Hub.Data;

namespace Polymath.Hub.Services;

/// <summary>
/// Decides what a caller may do in a repository. A private repository the caller cannot read is reported exactly like
/// a missing one (404), so outsiders cannot learn that it exists.
/// </summary>
internal static class Access
{
    /// <summary>Loads a repository and checks that the caller holds at least <paramref name="needed"/> there.</summary>
    /// <exception cref="HubException">404 missing or invisible; 401 anonymous; 403 role or token scope too small.</exception>
    public static async Task<(RepoRecord Repo, Role Role)> RequireAsync(Sql sql, Caller caller, string owner, string name, Role needed)
    {
        var repo = await FindAsync(sql, owner, name);
        string missing = $"repository '{Model.Names.Shown(owner)}/{Model.Names.Shown(name)}' does not exist.";
        if (repo is null)
            throw HubException.NotFound(missing);
        var role = await RoleOfAsync(sql, caller, repo);
        if (role == Role.None)
            throw HubException.NotFound(missing);
        if (needed > Role.Reader && caller.IsAuthenticated && caller.Scope == TokenScope.Read && CanActOn(caller, repo))
            throw HubException.Forbidden($"this token is read-only; {Verb(needed)} in {repo.FullName} needs a token with write scope.");
        if (role < needed)
        {
            if (!caller.IsAuthenticated)
                throw HubException.Unauthorized($"{Verb(needed)} in {repo.FullName} needs a signed-in user: send 'Authorization: Bearer TOKEN'.");
            throw HubException.Forbidden($"{caller.UserName} is {Article(role)} {Roles.Name(role)} of {repo.FullName}; {Verb(needed)} needs the {Roles.Name(needed)} role.");
        }
        return (repo, role);
    }

    /// <summary>A repository by owner and name, whoever may see it.</summary>
    public static Task<RepoRecord?> FindAsync(Sql sql, string owner, string name) =>
        sql.SingleAsync($"SELECT {RepoRecord.Columns} FROM repos r JOIN principals o ON o.id = r.owner_id WHERE o.name = @o AND r.name = @n",
            RepoRecord.Read, ("o", owner), ("n", name));

    /// <summary>
    /// The caller's role: site admins and owners are admins; an organisation's owners are admins and its members readers
    /// of its repositories; grants to the user or to a team they belong to; anyone reads a public repository.
    /// A token limited to another repository acts as anonymous here; a read-only token caps the role at reader.
    /// </summary>
    public static async Task<Role> RoleOfAsync(Sql sql, Caller caller, RepoRecord repo)
    {
        var role = repo.Private ? Role.None : Role.Reader;
        if (!CanActOn(caller, repo))
            return role;
        if (caller.SiteAdmin || caller.UserId == repo.OwnerId)
            return Role.Admin;
        string? orgRole = await sql.ScalarAsync<string>("SELECT role FROM org_members WHERE org_id = @o AND user_id = @u", ("o", repo.OwnerId), ("u", caller.UserId));
        if (orgRole == "owner")
            return Role.Admin;
        if (orgRole == "member")
            role = Max(role, Role.Reader);
        var granted = await sql.QueryAsync(
            "SELECT role FROM grants WHERE repo_id = @r AND ((principal_kind = 'user' AND principal_id = @u) OR " +
            "(principal_kind = 'team' AND principal_id IN (SELECT team_id FROM team_members WHERE user_id = @u)))",
            r => Roles.Parse(r.Text(0)), ("r", repo.Id), ("u", caller.UserId));
        foreach (var g in granted)
            role = Max(role, g);
        return role;
    }

    private static bool CanActOn(Caller caller, RepoRecord repo) =>
        caller.IsAuthenticated && (caller.TokenRepoId is null || caller.TokenRepoId == repo.Id);

    private static Role Max(Role a, Role b) => a > b ? a : b;

    private static string Article(Role r) => r == Role.Admin ? "an" : "a";

    private static string Verb(Role needed) => needed switch
    {
        Role.Reader => "reading",
        Role.Contributor => "contributing",
        Role.Writer => "writing",
        _ => "administering",
    };
}
