using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Polymath.Physics;

/// <summary>The declaration of one tensor of a <see cref="SafeTensorsStreamWriter"/>: its name, safetensors dtype and shape.</summary>
/// <param name="Name">The key.</param>
/// <param name="DType">"I8", "U8", "I32", "I64", "F32" or "F64".</param>
/// <param name="Shape">Dimensions.</param>
public sealed record StreamedTensor(string Name, string DType, IReadOnlyList<long> Shape)
{
    /// <summary>Bytes per element of <see cref="DType"/>.</summary>
    /// <exception cref="ArgumentException">An unsupported dtype.</exception>
    public int ElementSize => DType switch
    {
        "I8" or "U8" or "BOOL" => 1,
        "I16" or "U16" => 2,
        "I32" or "U32" or "F32" => 4,
        "I64" or "U64" or "F64" => 8,
        _ => throw new ArgumentException($"safetensors stream: tensor '{Name}' has unsupported dtype '{DType}'"),
    };

    /// <summary>The element count.</summary>
    public long Elements => Shape.Aggregate(1L, (a, b) => checked(a * b));
}

/// <summary>
/// Writes a safetensors file whose tensors are declared up front and filled piecewise, in any order and from any
/// thread, without holding them in memory: the header (with every offset) is written first, then each
/// <see cref="Write"/> is a positioned write into the data section. The file is built under a temporary name and
/// renamed over the target on <see cref="Commit"/>; disposing without committing deletes it, so a killed or failed
/// run never leaves a half-written file under the final name.
/// </summary>
public sealed class SafeTensorsStreamWriter : IDisposable
{
    private readonly string _path, _temporary;
    private readonly SafeFileHandle _handle;
    private readonly Dictionary<string, (StreamedTensor Tensor, long Begin)> _tensors = new(StringComparer.Ordinal);
    private readonly long _dataStart;
    private bool _committed, _disposed;

    /// <summary>Creates the temporary file and writes the header.</summary>
    /// <param name="path">The final file name.</param>
    /// <param name="tensors">The tensors, in file order.</param>
    /// <param name="metadata">The <c>__metadata__</c> string map.</param>
    /// <exception cref="ArgumentException">No tensors, a duplicate or reserved name, or an unsupported dtype.</exception>
    /// <exception cref="IOException">The file cannot be created.</exception>
    public SafeTensorsStreamWriter(string path, IReadOnlyList<StreamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("safetensors stream: no tensors declared", nameof(tensors));
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        if (metadata is not null) header["__metadata__"] = metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value);
        long offset = 0;
        foreach (var t in tensors)
        {
            if (string.IsNullOrEmpty(t.Name) || t.Name == "__metadata__" || _tensors.ContainsKey(t.Name))
                throw new ArgumentException($"safetensors stream: tensor name '{t.Name}' is empty, reserved or repeated", nameof(tensors));
            long bytes = checked(t.Elements * t.ElementSize);
            _tensors[t.Name] = (t, offset);
            header[t.Name] = new Dictionary<string, object> { ["dtype"] = t.DType, ["shape"] = t.Shape, ["data_offsets"] = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
        int pad = (8 - json.Length % 8) % 8;
        _dataStart = 8 + json.Length + pad;
        _path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _temporary = Path.Combine(Path.GetDirectoryName(_path)!, $".{Path.GetFileName(_path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        _handle = File.OpenHandle(_temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.None, _dataStart + offset);
        var prefix = new byte[_dataStart];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)(json.Length + pad));
        json.CopyTo(prefix, 8);
        prefix.AsSpan(8 + json.Length).Fill((byte)' ');
        RandomAccess.Write(_handle, prefix, 0);
        TotalBytes = _dataStart + offset;
    }

    /// <summary>The size of the finished file in bytes.</summary>
    public long TotalBytes { get; }

    /// <summary>
    /// Writes raw little-endian element bytes into tensor <paramref name="name"/> starting at element
    /// <paramref name="firstElement"/> (flat, row-major). Safe to call from several threads on disjoint ranges.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such tensor.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range falls outside the tensor or is not whole elements.</exception>
    public void Write(string name, long firstElement, ReadOnlySpan<byte> bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_tensors.TryGetValue(name, out var entry)) throw new KeyNotFoundException($"safetensors stream: no tensor '{name}' was declared");
        int size = entry.Tensor.ElementSize;
        if (bytes.Length % size != 0 || firstElement < 0 || firstElement + bytes.Length / size > entry.Tensor.Elements)
            throw new ArgumentOutOfRangeException(nameof(firstElement),
                $"safetensors stream: {bytes.Length} bytes at element {firstElement} do not fit tensor '{name}' of {entry.Tensor.Elements} {entry.Tensor.DType} elements");
        RandomAccess.Write(_handle, bytes, _dataStart + entry.Begin + firstElement * size);
    }

    /// <summary>Writes typed values (converted to little-endian) into tensor <paramref name="name"/> from element <paramref name="firstElement"/>.</summary>
    public void Write<T>(string name, long firstElement, ReadOnlySpan<T> values) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors stream: big-endian hosts are not supported");
        Write(name, firstElement, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
    }

    /// <summary>Flushes the file to disk and renames it to its final name.</summary>
    /// <exception cref="IOException">The rename fails.</exception>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RandomAccess.FlushToDisk(_handle);
        _handle.Dispose();
        File.Move(_temporary, _path, overwrite: true);
        _committed = true;
        _disposed = true;
    }

    /// <summary>Closes the file; without a <see cref="Commit"/> the temporary file is deleted.</summary>
    public void Dispose()
    {
        if (_committed) return;
        _disposed = true;
        _handle.Dispose();
        try { File.Delete(_temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
