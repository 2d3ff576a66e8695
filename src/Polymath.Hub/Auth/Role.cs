using Polymath.Hub.Api;

namespace Polymath.Hub.Auth;

/// <summary>What a user may do in one repository; each role includes those below it.</summary>
internal enum Role
{
    /// <summary>No access: a private repository looks missing (404).</summary>
    None = 0,

    /// <summary>Read files, history, metadata and annotations.</summary>
    Reader = 1,

    /// <summary>Also upload, commit to branches other than the default one, and annotate.</summary>
    Contributor = 2,

    /// <summary>Also commit to the default branch, move branches, tag, and edit the card and metadata.</summary>
    Writer = 3,

    /// <summary>Also grant and revoke roles, change visibility, read the audit log.</summary>
    Admin = 4,
}

/// <summary>Parsing and printing of <see cref="Role"/> names as they appear in the API.</summary>
internal static class Roles
{
    /// <summary>The lower-case API name of a role.</summary>
    public static string Name(Role r) => r.ToString().ToLowerInvariant();

    /// <summary>A role from its API name.</summary>
    /// <exception cref="HubException">400 when the name is not reader, contributor, writer or admin.</exception>
    public static Role Parse(string? s) => s switch
    {
        "reader" => Role.Reader,
        "contributor" => Role.Contributor,
        "writer" => Role.Writer,
        "admin" => Role.Admin,
        _ => throw HubException.BadRequest($"unknown role '{Model.Names.Shown(s ?? "")}'; valid roles: reader, contributor, writer, admin."),
    };
}
