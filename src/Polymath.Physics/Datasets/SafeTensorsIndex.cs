using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Polymath.Physics;

/// <summary>
/// The header of a safetensors file and an open handle for positioned reads of slices of its tensors, so a dataset
/// can read one sample at a time (from several threads) without loading whole tensors.
/// </summary>
internal sealed class SafeTensorsIndex : IDisposable
{
    private const long MaxHeaderBytes = 100L << 20;
    private readonly SafeFileHandle _handle;
    private readonly long _dataStart;
    private readonly Dictionary<string, (string DType, long[] Shape, long Begin, long End)> _entries = new(StringComparer.Ordinal);

    public SafeTensorsIndex(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(Path)) throw new FileNotFoundException($"dataset file {Path} does not exist", Path);
        _handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            long length = RandomAccess.GetLength(_handle);
            Span<byte> prefix = stackalloc byte[8];
            if (length < 8 || RandomAccess.Read(_handle, prefix, 0) != 8) throw Bad("shorter than the 8-byte header length");
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > MaxHeaderBytes || 8 + (long)headerLength > length) throw Bad($"header length {headerLength} does not fit the file of {length} bytes");
            var json = new byte[headerLength];
            RandomAccess.Read(_handle, json, 8);
            _dataStart = 8 + (long)headerLength;
            using var doc = JsonDocument.Parse(json);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__")
                {
                    foreach (var m in p.Value.EnumerateObject()) Metadata[m.Name] = m.Value.GetString() ?? "";
                    continue;
                }
                var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || _dataStart + offsets[1] > length)
                    throw Bad($"tensor '{p.Name}' has data offsets outside the file");
                _entries[p.Name] = (p.Value.GetProperty("dtype").GetString() ?? "", shape, offsets[0], offsets[1]);
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            _handle.Dispose();
            throw Bad($"malformed header ({e.Message})");
        }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    public string Path { get; }

    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    public long[] Shape(string name) => Entry(name).Shape;

    /// <summary>Whether the file holds a tensor named <paramref name="name"/>.</summary>
    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <summary>Reads bytes of tensor <paramref name="name"/> from byte <paramref name="offset"/> within it.</summary>
    public void Read(string name, long offset, Span<byte> destination)
    {
        var e = Entry(name);
        if (offset < 0 || offset + destination.Length > e.End - e.Begin)
            throw new ArgumentOutOfRangeException(nameof(offset), $"{Path}: read of {destination.Length} bytes at {offset} outside tensor '{name}'");
        int got = RandomAccess.Read(_handle, destination, _dataStart + e.Begin + offset);
        if (got != destination.Length) throw Bad($"tensor '{name}' truncated");
    }

    public T[] ReadAll<T>(string name, string dtype) where T : unmanaged
    {
        var e = Entry(name, dtype);
        var values = new T[(e.End - e.Begin) / System.Runtime.CompilerServices.Unsafe.SizeOf<T>()];
        Read(name, 0, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    public (string DType, long[] Shape, long Begin, long End) Entry(string name, string? dtype = null)
    {
        if (!_entries.TryGetValue(name, out var e)) throw Bad($"has no tensor '{name}' (it has: {string.Join(", ", _entries.Keys)})");
        if (dtype is not null && e.DType != dtype) throw Bad($"tensor '{name}' is {e.DType}, expected {dtype}");
        return e;
    }

    private InvalidDataException Bad(string what) => new($"dataset file {Path}: {what}");

    public void Dispose() => _handle.Dispose();
}
