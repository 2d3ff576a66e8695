namespace Polymath.Hub.Services;

/// <summary>A file present in both versions with different contents.</summary>
internal sealed record FileChange(string Path, string OldSha256, string NewSha256, long OldSize, long NewSize);
