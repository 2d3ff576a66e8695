using System.Buffers.Binary;

namespace Polymath;

/// <summary>
/// The complete state of a <see cref="Generator"/>: its seed (the Philox key) and its offset (the next
/// unused Philox block). Restoring it with <see cref="Generator.SetState(GeneratorState)"/> reproduces
/// every subsequent draw, which is how checkpoints resume the random stream.
/// </summary>
/// <param name="Seed">The seed / Philox key.</param>
/// <param name="Offset">Number of 128-bit Philox blocks consumed so far.</param>
public readonly record struct GeneratorState(ulong Seed, ulong Offset)
{
    /// <summary>Size in bytes of the serialized form produced by <see cref="ToBytes"/>.</summary>
    public const int SerializedSize = 20;

    // "PHX1" little-endian: identifies the algorithm and layout so a foreign blob is rejected.
    private const uint Magic = 0x31584850;

    /// <summary>Serializes to 20 bytes: magic "PHX1", seed, offset (little-endian).</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[SerializedSize];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(4), Seed);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(12), Offset);
        return bytes;
    }

    /// <summary>Parses bytes produced by <see cref="ToBytes"/>.</summary>
    /// <exception cref="ArgumentException">Wrong length or magic.</exception>
    public static GeneratorState FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != SerializedSize)
            throw new ArgumentException($"generator state: expected {SerializedSize} bytes, got {bytes.Length}", nameof(bytes));
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic)
            throw new ArgumentException("generator state: bad magic (not a Philox4x32 generator state)", nameof(bytes));
        return new GeneratorState(
            BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(4)),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(12)));
    }
}
