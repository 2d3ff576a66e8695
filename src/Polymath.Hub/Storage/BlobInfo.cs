namespace Polymath.Hub.Storage;

/// <summary>A stored blob: its hash, its length, and whether this write added it (false: deduplicated).</summary>
internal sealed record BlobInfo(string Sha256, long Size, bool New);
