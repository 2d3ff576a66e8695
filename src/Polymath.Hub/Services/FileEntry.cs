namespace Polymath.Hub.Services;

/// <summary>A file of a version: its path and the blob that holds its bytes.</summary>
internal sealed record FileEntry(string Path, string Sha256, long Size);
