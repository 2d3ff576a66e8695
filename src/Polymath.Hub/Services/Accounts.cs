using Polymath.Hub.Api;
using Polymath.Hub.Auth;
using Polymath.Hub.Data;
using Polymath.Hub.Model;

namespace Polymath.Hub.Services;

/// <summary>Users, organisations, teams and API tokens.</summary>
internal static class Accounts
{
    /// <summary>Longest a token may live.</summary>
    public static readonly TimeSpan MaxTokenLifetime = TimeSpan.FromDays(366);

    /// <summary>Creates a user (site admins only, or the first user when <paramref name="bootstrap"/>).</summary>
    public static async Task<string> CreateUserAsync(Sql sql, Caller caller, string name, bool siteAdmin, bool bootstrap = false)
    {
        if (!bootstrap && !caller.SiteAdmin)
            throw HubException.Forbidden("only a site administrator may create users.");
        Names.Account(name, "user name");
        string id = TokenHasher.NewId();
        int n = await sql.ExecAsync("INSERT INTO principals (id, kind, name, site_admin, created) VALUES (@i, 'user', @n, @a, @t) ON CONFLICT DO NOTHING",
            ("i", id), ("n", name), ("a", siteAdmin ? 1L : 0L), ("t", Clock.Now()));
        if (n == 0)
            throw HubException.Conflict($"the name '{name}' is already taken by a user or an organisation.");
        await Audit.AppendAsync(sql, caller, "user.create", null, new { user = name, siteAdmin });
        return id;
    }

    /// <summary>Creates an organisation whose first owner is the caller.</summary>
    public static async Task CreateOrgAsync(Sql sql, Caller caller, string name)
    {
        RequireAccountWriter(caller);
        Names.Account(name, "organisation name");
        string id = TokenHasher.NewId();
        int n = await sql.ExecAsync("INSERT INTO principals (id, kind, name, site_admin, created) VALUES (@i, 'org', @n, 0, @t) ON CONFLICT DO NOTHING",
            ("i", id), ("n", name), ("t", Clock.Now()));
        if (n == 0)
            throw HubException.Conflict($"the name '{name}' is already taken by a user or an organisation.");
        await sql.ExecAsync("INSERT INTO org_members (org_id, user_id, role) VALUES (@o, @u, 'owner')", ("o", id), ("u", caller.UserId));
        await Audit.AppendAsync(sql, caller, "org.create", null, new { org = name });
    }

    /// <summary>Adds a user to an organisation as "member" or "owner" (or changes their role); org owners only.</summary>
    public static async Task SetOrgMemberAsync(Sql sql, Caller caller, string org, string user, string role)
    {
        if (role is not ("member" or "owner"))
            throw HubException.BadRequest($"unknown organisation role '{Names.Shown(role)}'; valid: member, owner.");
        string orgId = await RequireOrgOwnerAsync(sql, caller, org);
        string userId = await UserIdAsync(sql, user);
        await sql.ExecAsync("DELETE FROM org_members WHERE org_id = @o AND user_id = @u", ("o", orgId), ("u", userId));
        await sql.ExecAsync("INSERT INTO org_members (org_id, user_id, role) VALUES (@o, @u, @r)", ("o", orgId), ("u", userId), ("r", role));
        await Audit.AppendAsync(sql, caller, "org.member", null, new { org, user, role });
    }

    /// <summary>Creates a team in an organisation; org owners only.</summary>
    public static async Task CreateTeamAsync(Sql sql, Caller caller, string org, string team)
    {
        Names.Account(team, "team name");
        string orgId = await RequireOrgOwnerAsync(sql, caller, org);
        int n = await sql.ExecAsync("INSERT INTO teams (id, org_id, name) VALUES (@i, @o, @n) ON CONFLICT DO NOTHING", ("i", TokenHasher.NewId()), ("o", orgId), ("n", team));
        if (n == 0)
            throw HubException.Conflict($"organisation '{org}' already has a team '{team}'.");
        await Audit.AppendAsync(sql, caller, "team.create", null, new { org, team });
    }

    /// <summary>Adds a user (who must be a member of the organisation) to a team; org owners only.</summary>
    public static async Task AddTeamMemberAsync(Sql sql, Caller caller, string org, string team, string user)
    {
        string orgId = await RequireOrgOwnerAsync(sql, caller, org);
        string teamId = await TeamIdAsync(sql, orgId, org, team);
        string userId = await UserIdAsync(sql, user);
        if (await sql.ScalarAsync<string>("SELECT role FROM org_members WHERE org_id = @o AND user_id = @u", ("o", orgId), ("u", userId)) is null)
            throw HubException.BadRequest($"user '{user}' is not a member of organisation '{org}'; add them to it first.");
        await sql.ExecAsync("INSERT INTO team_members (team_id, user_id) VALUES (@t, @u) ON CONFLICT DO NOTHING", ("t", teamId), ("u", userId));
        await Audit.AppendAsync(sql, caller, "team.member", null, new { org, team, user });
    }

    /// <summary>
    /// Issues a token for the caller (or, for a site admin, any user). Returns the secret, shown only now; the
    /// database keeps its hash. A token may not be wider than the one that creates it.
    /// </summary>
    public static async Task<(string Token, string Id, string Expires)> CreateTokenAsync(
        Sql sql, Caller caller, string? forUser, string name, TokenScope scope, string? repoFullName, TimeSpan lifetime)
    {
        RequireWriter(caller);
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100 || name.Any(char.IsControl))
            throw HubException.BadRequest("token name must be 1 to 100 printable characters.");
        if (lifetime <= TimeSpan.Zero || lifetime > MaxTokenLifetime)
            throw HubException.BadRequest($"token lifetime must be more than 0 and at most {MaxTokenLifetime.TotalDays} days.");
        string userId = caller.UserId!;
        if (forUser is not null && forUser != caller.UserName)
        {
            if (!caller.SiteAdmin)
                throw HubException.Forbidden("only a site administrator may create tokens for another user.");
            userId = await UserIdAsync(sql, forUser);
        }
        string? repoId = null;
        if (repoFullName is not null)
        {
            var parts = repoFullName.Split('/');
            if (parts.Length != 2)
                throw HubException.BadRequest($"token repository '{Names.Shown(repoFullName)}' must be written owner/name.");
            repoId = (await Access.FindAsync(sql, parts[0], parts[1]))?.Id
                ?? throw HubException.NotFound($"repository '{Names.Shown(repoFullName)}' does not exist.");
        }
        if (caller.TokenRepoId is not null && repoId != caller.TokenRepoId)
            throw HubException.Forbidden("a token limited to one repository can only create tokens for that repository.");
        string token = TokenHasher.NewToken();
        string id = TokenHasher.NewId();
        string expires = Clock.Format(DateTimeOffset.UtcNow + lifetime);
        await sql.ExecAsync("INSERT INTO tokens (id, user_id, hash, name, scope, repo_id, expires, revoked, created) VALUES (@i, @u, @h, @n, @s, @r, @e, NULL, @t)",
            ("i", id), ("u", userId), ("h", TokenHasher.Hash(token)), ("n", name), ("s", scope == TokenScope.Write ? "write" : "read"),
            ("r", repoId), ("e", expires), ("t", Clock.Now()));
        await Audit.AppendAsync(sql, caller, "token.create", null, new { id, user = forUser ?? caller.UserName, name, scope = scope.ToString().ToLowerInvariant(), repo = repoFullName, expires });
        return (token, id, expires);
    }

    /// <summary>Revokes one of the caller's tokens (site admins: anyone's).</summary>
    public static async Task RevokeTokenAsync(Sql sql, Caller caller, string tokenId)
    {
        RequireWriter(caller);
        int n = caller.SiteAdmin
            ? await sql.ExecAsync("UPDATE tokens SET revoked = @t WHERE id = @i AND revoked IS NULL", ("t", Clock.Now()), ("i", tokenId))
            : await sql.ExecAsync("UPDATE tokens SET revoked = @t WHERE id = @i AND user_id = @u AND revoked IS NULL", ("t", Clock.Now()), ("i", tokenId), ("u", caller.UserId));
        if (n == 0)
            throw HubException.NotFound($"no active token with id '{Names.Shown(tokenId)}' belongs to {caller.UserName}.");
        await Audit.AppendAsync(sql, caller, "token.revoke", null, new { id = tokenId });
    }

    /// <summary>The caller a bearer token stands for.</summary>
    /// <exception cref="HubException">401 naming why the token is not accepted: unknown, revoked or expired (with when).</exception>
    public static async Task<Caller> AuthenticateAsync(Sql sql, string token)
    {
        var row = await sql.SingleAsync(
            "SELECT t.id, t.user_id, p.name, p.site_admin, t.scope, t.repo_id, t.expires, t.revoked FROM tokens t JOIN principals p ON p.id = t.user_id WHERE t.hash = @h",
            r => (Id: r.Text(0), User: r.Text(1), Name: r.Text(2), Admin: r.Bool(3), Scope: r.Text(4), Repo: r.TextOrNull(5), Expires: r.Text(6), Revoked: r.TextOrNull(7)),
            ("h", TokenHasher.Hash(token)));
        if (row.Id is null)
            throw HubException.Unauthorized("the API token is not known to this hub.");
        if (row.Revoked is not null)
            throw HubException.Unauthorized($"the API token was revoked at {row.Revoked}.");
        if (Clock.Parse(row.Expires) <= DateTimeOffset.UtcNow)
            throw HubException.Unauthorized($"the API token expired at {row.Expires}.");
        return new Caller(row.User, row.Name, row.Admin, row.Scope == "write" ? TokenScope.Write : TokenScope.Read, row.Repo, row.Id);
    }

    /// <summary>A user's id by name.</summary>
    /// <exception cref="HubException">404 when there is no such user.</exception>
    public static async Task<string> UserIdAsync(Sql sql, string user) =>
        await sql.ScalarAsync<string>("SELECT id FROM principals WHERE name = @n AND kind = 'user'", ("n", user))
        ?? throw HubException.NotFound($"user '{Names.Shown(user)}' does not exist.");

    /// <summary>A team's id in an organisation.</summary>
    public static async Task<string> TeamIdAsync(Sql sql, string orgId, string org, string team) =>
        await sql.ScalarAsync<string>("SELECT id FROM teams WHERE org_id = @o AND name = @n", ("o", orgId), ("n", team))
        ?? throw HubException.NotFound($"organisation '{Names.Shown(org)}' has no team '{Names.Shown(team)}'.");

    /// <summary>The organisation's id, when the caller owns it (or is a site admin).</summary>
    public static async Task<string> RequireOrgOwnerAsync(Sql sql, Caller caller, string org)
    {
        RequireAccountWriter(caller);
        string orgId = await sql.ScalarAsync<string>("SELECT id FROM principals WHERE name = @n AND kind = 'org'", ("n", org))
            ?? throw HubException.NotFound($"organisation '{Names.Shown(org)}' does not exist.");
        if (caller.SiteAdmin)
            return orgId;
        string? role = await sql.ScalarAsync<string>("SELECT role FROM org_members WHERE org_id = @o AND user_id = @u", ("o", orgId), ("u", caller.UserId));
        if (role != "owner")
            throw HubException.Forbidden($"only owners of organisation '{org}' may change its members and teams.");
        return orgId;
    }

    /// <summary>Requires a write-scope token that is not limited to one repository (organisations, teams, new repositories).</summary>
    public static void RequireAccountWriter(Caller caller)
    {
        RequireWriter(caller);
        if (caller.TokenRepoId is not null)
            throw HubException.Forbidden("a token limited to one repository cannot change organisations, teams or create repositories.");
    }

    /// <summary>Requires a signed-in caller with a write-scope token.</summary>
    public static void RequireWriter(Caller caller)
    {
        if (!caller.IsAuthenticated)
            throw HubException.Unauthorized("this needs a signed-in user: send 'Authorization: Bearer TOKEN'.");
        if (caller.Scope != TokenScope.Write)
            throw HubException.Forbidden("this token is read-only; this change needs a token with write scope.");
    }
}
