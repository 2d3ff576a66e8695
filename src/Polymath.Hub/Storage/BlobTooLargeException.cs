namespace Polymath.Hub.Storage;

/// <summary>A blob was larger than the limit; nothing was stored.</summary>
internal sealed class BlobTooLargeException(long maxBytes) : Exception($"the content is larger than the limit of {maxBytes} bytes")
{
    /// <summary>The limit that was exceeded.</summary>
    public long MaxBytes { get; } = maxBytes;
}
