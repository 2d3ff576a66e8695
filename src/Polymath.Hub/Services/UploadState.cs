namespace Polymath.Hub.Services;

/// <summary>An upload session as the API reports it: declared size, bytes received, and the blob once complete.</summary>
internal sealed record UploadState(string Id, long Size, long Offset, string? Sha256);
