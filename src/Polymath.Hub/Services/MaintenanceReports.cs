namespace Polymath.Hub.Services;

/// <summary>What garbage collection removed.</summary>
internal sealed record GcReport(long DeletedBlobs, long FreedBytes, long KeptBlobs, long DeletedTempFiles, long AbandonedUploads);

/// <summary>What verification found; <see cref="Ok"/> when nothing is corrupt or missing.</summary>
internal sealed record VerifyReport(long Blobs, long Bytes, long Commits, List<string> CorruptBlobs, List<string> MissingFiles, List<string> DamagedVersions, int TempFiles)
{
    /// <summary>True when every blob matches its hash and every version's files are present.</summary>
    public bool Ok => CorruptBlobs.Count == 0 && MissingFiles.Count == 0;
}
