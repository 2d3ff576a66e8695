using System.Buffers.Binary;
using System.IO.Compression;

namespace Polymath.Data;

/// <summary>Element types of the IDX format (the third byte of the magic number).</summary>
public enum IdxType : byte
{
    /// <summary>Unsigned byte (0x08), e.g. MNIST pixels and labels.</summary>
    UByte = 0x08,
    /// <summary>Signed byte (0x09).</summary>
    SByte = 0x09,
    /// <summary>Big-endian 16-bit integer (0x0B).</summary>
    Short = 0x0B,
    /// <summary>Big-endian 32-bit integer (0x0C).</summary>
    Int = 0x0C,
    /// <summary>Big-endian 32-bit float (0x0D).</summary>
    Float = 0x0D,
    /// <summary>Big-endian 64-bit float (0x0E).</summary>
    Double = 0x0E,
}

/// <summary>
/// An array read from an IDX file: its element type, shape and elements. Bytes stay bytes
/// (<see cref="Bytes"/>); wider types are converted to host order in <see cref="Values"/>.
/// </summary>
public sealed class IdxArray
{
    internal IdxArray(IdxType type, int[] shape, byte[]? bytes, double[]? values)
    {
        (Type, _shape, Bytes, Values) = (type, shape, bytes, values);
    }

    private readonly int[] _shape;

    /// <summary>The element type stored in the file.</summary>
    public IdxType Type { get; }

    /// <summary>The dimensions, outermost first.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>Number of elements.</summary>
    public long Length => _shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The raw elements for <see cref="IdxType.UByte"/> and <see cref="IdxType.SByte"/> files, else null.</summary>
    public byte[]? Bytes { get; }

    /// <summary>The elements as doubles for the wider types, else null.</summary>
    public double[]? Values { get; }

    /// <summary>
    /// The elements as a tensor of this shape: bytes and integers become <paramref name="dtype"/>
    /// (default int64), floats float32 and doubles float64 unless <paramref name="dtype"/> says otherwise.
    /// </summary>
    public Tensor ToTensor(DType? dtype = null)
    {
        var target = dtype ?? (Type switch { IdxType.Float => DType.Float32, IdxType.Double => DType.Float64, _ => DType.Int64 });
        if (Bytes is not null)
        {
            bool signed = Type == IdxType.SByte;
            switch (target)
            {
                case DType.Float32:
                {
                    var f = new float[Bytes.Length];
                    for (int i = 0; i < f.Length; i++) f[i] = signed ? (sbyte)Bytes[i] : Bytes[i];
                    return Tensor.Wrap(f, _shape);
                }
                default:
                {
                    var l = new long[Bytes.Length];
                    for (int i = 0; i < l.Length; i++) l[i] = signed ? (sbyte)Bytes[i] : Bytes[i];
                    return Tensor.From(l, _shape).To(target);
                }
            }
        }
        return Tensor.From(Values!, _shape).To(target);
    }
}

/// <summary>
/// Reads and writes the IDX format of MNIST and Fashion-MNIST: magic <c>00 00 type ndims</c>, ndims big-endian
/// 32-bit sizes, then the elements big-endian. Gzip-compressed files are detected by their magic bytes
/// (1F 8B) and decompressed on the fly.
/// </summary>
public static class Idx
{
    /// <summary>Reads an IDX file (gzipped or not).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A bad magic number, an unknown type, a bad dimension, a truncated
    /// body, trailing bytes, or a corrupt gzip stream; the message names the file and the offset (in the
    /// decompressed stream for gzipped files).</exception>
    public static IdxArray Read(string path)
    {
        using var file = File.OpenRead(path);
        return Read(file, path);
    }

    /// <summary>Reads an IDX array from a stream (gzipped or not); <paramref name="name"/> is used in error messages.</summary>
    /// <exception cref="InvalidDataException">See <see cref="Read(string)"/>.</exception>
    public static IdxArray Read(Stream stream, string name)
    {
        var (input, gz) = MaybeGunzip(stream);
        string where = gz ? " (decompressed)" : "";
        try
        {
            Span<byte> head = stackalloc byte[4];
            int got = ReadFully(input, head);
            if (got < 4)
                throw Bad(name, got, $"file ends after {got} bytes, inside the 4-byte magic number{where}");
            if (head[0] != 0 || head[1] != 0)
                throw Bad(name, 0, $"bad magic number {head[0]:X2} {head[1]:X2} {head[2]:X2} {head[3]:X2}: an IDX file starts with 00 00");
            var type = (IdxType)head[2];
            int size = ElementSize(type);
            if (size == 0)
                throw Bad(name, 2, $"unknown element type 0x{head[2]:X2} (expected 08, 09, 0B, 0C, 0D or 0E)");
            int ndims = head[3];
            if (ndims == 0)
                throw Bad(name, 3, "number of dimensions is 0");
            var dimBytes = new byte[4 * ndims];
            got = ReadFully(input, dimBytes);
            if (got < dimBytes.Length)
                throw Bad(name, 4 + got, $"file ends inside the dimension sizes: {ndims} dims need {dimBytes.Length} bytes, found {got}{where}");
            var shape = new int[ndims];
            long count = 1;
            for (int i = 0; i < ndims; i++)
            {
                uint d = BinaryPrimitives.ReadUInt32BigEndian(dimBytes.AsSpan(4 * i));
                if (d > int.MaxValue)
                    throw Bad(name, 4 + 4 * i, $"dimension {i} is {d}, larger than int.MaxValue");
                shape[i] = (int)d;
                count *= d;
                if (count * size > Array.MaxLength)
                    throw Bad(name, 4 + 4 * i, $"dims [{string.Join(",", shape.Take(i + 1))}] need more than {Array.MaxLength} bytes");
            }
            long headerSize = 4 + 4L * ndims;
            var body = GC.AllocateUninitializedArray<byte>((int)(count * size));
            got = ReadFully(input, body);
            if (got < body.Length)
                throw Bad(name, headerSize + got, $"truncated: dims [{string.Join(",", shape)}] of {type} need {body.Length} bytes of data after the {headerSize}-byte header, found only {got}{where}");
            Span<byte> extra = stackalloc byte[1];
            if (ReadFully(input, extra) != 0)
                throw Bad(name, headerSize + body.Length, $"trailing bytes after the {body.Length} bytes the dims [{string.Join(",", shape)}] call for{where}");
            if (type is IdxType.UByte or IdxType.SByte)
                return new IdxArray(type, shape, body, null);
            var values = new double[count];
            for (long i = 0; i < count; i++)
            {
                var s = body.AsSpan((int)(i * size), size);
                values[i] = type switch
                {
                    IdxType.Short => BinaryPrimitives.ReadInt16BigEndian(s),
                    IdxType.Int => BinaryPrimitives.ReadInt32BigEndian(s),
                    IdxType.Float => BinaryPrimitives.ReadSingleBigEndian(s),
                    _ => BinaryPrimitives.ReadDoubleBigEndian(s),
                };
            }
            return new IdxArray(type, shape, null, values);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(name + ":", StringComparison.Ordinal))
        {
            // GZipStream's own errors (bad deflate data, bad CRC, truncated stream) do not name the file.
            throw new InvalidDataException($"{name}: corrupt gzip stream: {e.Message}", e);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{name}: gzip stream ends unexpectedly: {e.Message}", e);
        }
        finally
        {
            if (gz) input.Dispose();
        }
    }

    /// <summary>
    /// Writes an IDX file atomically (temporary file, flush, rename); <paramref name="gzip"/> compresses it.
    /// Values are converted to <paramref name="type"/> (bytes are clamped to their range).
    /// </summary>
    /// <exception cref="ArgumentException">The shape does not match the number of values, or has no dims.</exception>
    public static void Write(string path, IdxType type, int[] shape, ReadOnlySpan<double> values, bool gzip = false)
    {
        if (shape.Length is 0 or > 255)
            throw new ArgumentException($"Idx.Write: an IDX array needs 1..255 dims, got {shape.Length}.");
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (count != values.Length)
            throw new ArgumentException($"Idx.Write: shape [{string.Join(",", shape)}] holds {count} values, got {values.Length}.");
        int size = ElementSize(type);
        var buffer = new byte[4 + 4 * shape.Length + count * size];
        buffer[2] = (byte)type;
        buffer[3] = (byte)shape.Length;
        for (int i = 0; i < shape.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(4 + 4 * i), shape[i]);
        int off = 4 + 4 * shape.Length;
        for (int i = 0; i < values.Length; i++, off += size)
        {
            var s = buffer.AsSpan(off, size);
            double v = values[i];
            switch (type)
            {
                case IdxType.UByte: s[0] = (byte)Math.Clamp(v, 0, 255); break;
                case IdxType.SByte: s[0] = (byte)(sbyte)Math.Clamp(v, -128, 127); break;
                case IdxType.Short: BinaryPrimitives.WriteInt16BigEndian(s, (short)v); break;
                case IdxType.Int: BinaryPrimitives.WriteInt32BigEndian(s, (int)v); break;
                case IdxType.Float: BinaryPrimitives.WriteSingleBigEndian(s, (float)v); break;
                default: BinaryPrimitives.WriteDoubleBigEndian(s, v); break;
            }
        }
        AtomicFile.Write(path, stream =>
        {
            if (!gzip)
            {
                stream.Write(buffer);
                return;
            }
            using var z = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true);
            z.Write(buffer);
        });
    }

    /// <summary>Bytes per element of <paramref name="type"/> (0 for an unknown type).</summary>
    public static int ElementSize(IdxType type) => type switch
    {
        IdxType.UByte or IdxType.SByte => 1,
        IdxType.Short => 2,
        IdxType.Int or IdxType.Float => 4,
        IdxType.Double => 8,
        _ => 0,
    };

    internal static (Stream Stream, bool Gzipped) MaybeGunzip(Stream stream)
    {
        var buffered = stream.CanSeek ? stream : new BufferedStream(stream);
        if (!buffered.CanSeek)
        {
            var ms = new MemoryStream();
            buffered.CopyTo(ms);
            ms.Position = 0;
            buffered = ms;
        }
        long start = buffered.Position;
        int b0 = buffered.ReadByte(), b1 = buffered.ReadByte();
        buffered.Position = start;
        if (b0 == 0x1F && b1 == 0x8B)
            return (new BufferedStream(new GZipStream(buffered, CompressionMode.Decompress, leaveOpen: true), 1 << 16), true);
        return (buffered, false);
    }

    internal static int ReadFully(Stream s, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = s.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static InvalidDataException Bad(string name, long offset, string what) => new($"{name}: offset {offset}: {what}.");
}
