namespace Polymath.Hub.Api;

/// <summary>Body of POST /api/users.</summary>
internal sealed record CreateUserRequest(string? Name, bool SiteAdmin = false);

/// <summary>Body of POST /api/tokens: scope "read" or "write", optionally limited to one repository (owner/name).</summary>
internal sealed record CreateTokenRequest(string? Name, string? Scope, string? Repo = null, double? ExpiresInDays = null, string? User = null);

/// <summary>Body of POST /api/orgs and POST /api/orgs/{org}/teams.</summary>
internal sealed record NameRequest(string? Name);

/// <summary>Body of PUT /api/orgs/{org}/members/{user}: "member" or "owner".</summary>
internal sealed record OrgMemberRequest(string? Role);

/// <summary>Body of POST /api/repos.</summary>
internal sealed record CreateRepoRequest(string? Name, string? Owner = null, string? Kind = null, bool Private = false, string? Description = null);

/// <summary>Body of PATCH /api/repos/{owner}/{name}.</summary>
internal sealed record UpdateRepoRequest(bool? Private);

/// <summary>Body of PUT /api/repos/{owner}/{name}/grants: a user or a team (org/team) and a role.</summary>
internal sealed record GrantRequest(string? User, string? Team, string? Role);

/// <summary>Body of POST /api/repos/{owner}/{name}/uploads: the file's size in bytes.</summary>
internal sealed record StartUploadRequest(long? Size);

/// <summary>One file of a commit: where it goes and the blob (from an upload) that holds it.</summary>
internal sealed record CommitFileRequest(string? Path, string? Sha256);

/// <summary>
/// Body of POST /api/repos/{owner}/{name}/commits: the branch, the head the writer saw (null for a new branch), the
/// message, files to add or replace, paths to delete, and whether the files replace the whole tree.
/// </summary>
internal sealed record CommitRequest(string? Branch, string? Parent, string? Message, List<CommitFileRequest>? Files = null, List<string>? Delete = null, bool Replace = false);

/// <summary>Body of PUT /api/repos/{owner}/{name}/branches/{branch}: new target revision and the commit the branch is expected at (null: create).</summary>
internal sealed record BranchRequest(string? Target, string? Expected);

/// <summary>Body of POST /api/repos/{owner}/{name}/tags.</summary>
internal sealed record TagRequest(string? Name, string? Target);

/// <summary>Body of POST /api/admin/gc: how old an unreferenced blob must be to go (default one day), and how long an unfinished upload session lives (default a week).</summary>
internal sealed record GcRequest(double? GraceSeconds, double? AbandonedUploadSeconds = null);

/// <summary>Body of PUT /api/repos/{owner}/{name}/labelsets/{set}: the allowed labels.</summary>
internal sealed record LabelSetRequest(List<string>? Labels);

/// <summary>Body of POST /api/repos/{owner}/{name}/annotations: a label on a file (or one record of it) of a version.</summary>
internal sealed record AnnotationRequest(string? Path, string? Key, string? Value, string? Rev = null, string? Record = null, string? LabelSet = null);
