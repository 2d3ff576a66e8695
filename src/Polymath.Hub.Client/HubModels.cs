namespace Polymath.Hub.Client;

/// <summary>A repository as the hub reports it.</summary>
/// <param name="Owner">User or organisation that owns it.</param>
/// <param name="Name">Repository name.</param>
/// <param name="FullName">owner/name.</param>
/// <param name="Kind">"dataset" or "model".</param>
/// <param name="Private">Whether only people with a role may see it.</param>
/// <param name="Description">One-line description.</param>
/// <param name="Created">Creation time (UTC, ISO 8601).</param>
/// <param name="DefaultBranch">The branch reads use when no revision is given.</param>
/// <param name="Role">The caller's role (reader, contributor, writer, admin), when the hub said.</param>
public sealed record HubRepo(string Owner, string Name, string FullName, string Kind, bool Private, string Description, string Created, string DefaultBranch, string? Role);

/// <summary>An immutable version.</summary>
/// <param name="Id">SHA-256 commit id (64 hex digits).</param>
/// <param name="Parent">The previous version on its branch, or null for the first.</param>
/// <param name="Author">User who made it.</param>
/// <param name="Message">What changed and why.</param>
/// <param name="Time">When (UTC, ISO 8601).</param>
public sealed record HubCommit(string Id, string? Parent, string Author, string Message, string Time);

/// <summary>A file of a version.</summary>
/// <param name="Path">Path inside the repository, '/'-separated.</param>
/// <param name="Sha256">SHA-256 of its bytes, as computed by the hub.</param>
/// <param name="Size">Length in bytes.</param>
public sealed record HubFile(string Path, string Sha256, long Size);

/// <summary>The files of a version under a folder.</summary>
/// <param name="Commit">The commit the revision resolved to.</param>
/// <param name="Path">The folder ("" for the whole version).</param>
/// <param name="Files">Files, ordered by path.</param>
public sealed record HubTree(string Commit, string Path, IReadOnlyList<HubFile> Files);

/// <summary>A file whose contents differ between two versions.</summary>
/// <param name="Path">The path.</param>
/// <param name="OldSha256">Hash in the older version.</param>
/// <param name="NewSha256">Hash in the newer version.</param>
/// <param name="OldSize">Size in the older version.</param>
/// <param name="NewSize">Size in the newer version.</param>
public sealed record HubFileChange(string Path, string OldSha256, string NewSha256, long OldSize, long NewSize);

/// <summary>File-level difference between two versions.</summary>
/// <param name="From">Older commit id.</param>
/// <param name="To">Newer commit id.</param>
/// <param name="Added">Files only in the newer version.</param>
/// <param name="Removed">Files only in the older version.</param>
/// <param name="Modified">Files in both with different contents.</param>
public sealed record HubDiff(string From, string To, IReadOnlyList<HubFile> Added, IReadOnlyList<HubFile> Removed, IReadOnlyList<HubFileChange> Modified);

/// <summary>Row-level summary of a CSV file's change, rows matched by a key column.</summary>
/// <param name="Key">The key column.</param>
/// <param name="OldColumns">Header of the older file.</param>
/// <param name="NewColumns">Header of the newer file.</param>
/// <param name="Added">Rows whose key is new.</param>
/// <param name="Removed">Rows whose key is gone.</param>
/// <param name="Changed">Rows with the same key and other values.</param>
/// <param name="Unchanged">Rows with the same key and values.</param>
/// <param name="AddedKeys">Up to 20 example keys of added rows.</param>
/// <param name="RemovedKeys">Up to 20 example keys of removed rows.</param>
/// <param name="ChangedKeys">Up to 20 example keys of changed rows.</param>
public sealed record HubCsvDiff(string Key, IReadOnlyList<string> OldColumns, IReadOnlyList<string> NewColumns, long Added, long Removed, long Changed, long Unchanged,
    IReadOnlyList<string> AddedKeys, IReadOnlyList<string> RemovedKeys, IReadOnlyList<string> ChangedKeys);

/// <summary>An upload session: declared size, bytes the hub holds, and the blob hash once complete.</summary>
/// <param name="Id">Session id (resume with it).</param>
/// <param name="Size">Declared size in bytes.</param>
/// <param name="Offset">Bytes received and saved so far.</param>
/// <param name="Sha256">The hub's SHA-256 of the content once complete, else null.</param>
public sealed record HubUpload(string Id, long Size, long Offset, string? Sha256);

/// <summary>A branch or a tag.</summary>
/// <param name="Kind">"branch" or "tag".</param>
/// <param name="Name">Its name.</param>
/// <param name="Commit">The commit it points at.</param>
/// <param name="Updated">When it last moved.</param>
public sealed record HubRef(string Kind, string Name, string Commit, string Updated);

/// <summary>A new API token; the secret is shown only in this response.</summary>
/// <param name="Token">The secret to send as 'Authorization: Bearer TOKEN'.</param>
/// <param name="Id">Id to revoke it with.</param>
/// <param name="Expires">When it stops working (UTC).</param>
public sealed record HubToken(string Token, string Id, string Expires);

/// <summary>Who a token belongs to.</summary>
/// <param name="User">User name.</param>
/// <param name="SiteAdmin">Whether the user administers the whole hub.</param>
/// <param name="Scope">"read" or "write".</param>
/// <param name="TokenId">Id of the token used.</param>
public sealed record HubIdentity(string User, bool SiteAdmin, string Scope, string? TokenId);

/// <summary>How far a transfer has got.</summary>
/// <param name="Path">The file being moved.</param>
/// <param name="Done">Bytes done.</param>
/// <param name="Total">Bytes in all.</param>
public readonly record struct TransferProgress(string Path, long Done, long Total);

/// <summary>A file to put into a commit: its path and the hash the hub returned for its upload.</summary>
/// <param name="Path">Path inside the repository.</param>
/// <param name="Sha256">Blob hash from <see cref="HubClient.UploadAsync"/>.</param>
public sealed record HubCommitFile(string Path, string Sha256);
