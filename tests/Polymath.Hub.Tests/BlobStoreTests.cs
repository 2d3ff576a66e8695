using System.Security.Cryptography;
using Polymath.Hub.Storage;
using Xunit;

namespace Polymath.Hub.Tests;

/// <summary>The content-addressed store on its own: hashing while streaming, deduplication, limits, no partial files.</summary>
public sealed class BlobStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "polymath-blobstore-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Write_names_the_blob_by_the_sha256_of_its_bytes_and_deduplicates()
    {
        var store = new BlobStore(_root);
        var data = RandomNumberGenerator.GetBytes(200_000);
        var first = await store.WriteAsync(new MemoryStream(data), long.MaxValue, default);
        var second = await store.WriteAsync(new MemoryStream(data), long.MaxValue, default);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), first.Sha256);
        Assert.Equal(data.Length, first.Size);
        Assert.True(first.New);
        Assert.False(second.New);
        Assert.Equal(data, await File.ReadAllBytesAsync(store.PathOf(first.Sha256)));
        Assert.Single(store.EnumerateHashes());
        Assert.Empty(Directory.EnumerateFiles(store.TempDir));
    }

    [Fact]
    public async Task Content_over_the_limit_is_refused_and_leaves_nothing()
    {
        var store = new BlobStore(_root);
        await Assert.ThrowsAsync<BlobTooLargeException>(() => store.WriteAsync(new MemoryStream(new byte[1001]), 1000, default));
        Assert.Empty(store.EnumerateHashes());
        Assert.Empty(Directory.EnumerateFiles(store.TempDir));
    }

    [Fact]
    public async Task A_cancelled_write_leaves_no_partial_blob()
    {
        var store = new BlobStore(_root);
        using var cts = new CancellationTokenSource();
        var slow = new CancellingStream(new MemoryStream(new byte[1 << 20]), cts, cancelAfterBytes: 300_000);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.WriteAsync(slow, long.MaxValue, cts.Token));
        Assert.Empty(store.EnumerateHashes());
        Assert.Empty(Directory.EnumerateFiles(store.TempDir));
    }

    [Fact]
    public void PathOf_refuses_anything_but_a_lower_case_hex_hash()
    {
        var store = new BlobStore(_root);
        Assert.Throws<ArgumentException>(() => store.PathOf("../../etc/passwd"));
        Assert.Throws<ArgumentException>(() => store.PathOf(new string('A', 64)));
        Assert.EndsWith(Path.Combine("ab", new string('c', 62)), store.PathOf("ab" + new string('c', 62)));
    }

    /// <summary>A stream that cancels a token once a number of bytes have been read from it.</summary>
    private sealed class CancellingStream(Stream inner, CancellationTokenSource cts, long cancelAfterBytes) : Stream
    {
        private long _read;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_read >= cancelAfterBytes) cts.Cancel();
            int n = inner.Read(buffer, offset, Math.Min(count, 4096));
            _read += n;
            return n;
        }
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancel = default)
        {
            if (_read >= cancelAfterBytes) cts.Cancel();
            cancel.ThrowIfCancellationRequested();
            int n = await inner.ReadAsync(buffer[..Math.Min(buffer.Length, 4096)], cancel);
            _read += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
