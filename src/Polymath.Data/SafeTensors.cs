using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Polymath.Data;

/// <summary>Where one tensor lies in a safetensors file.</summary>
/// <param name="Name">The key.</param>
/// <param name="DType">The dtype as the file names it ("F32", "BF16", ...).</param>
/// <param name="Shape">The dimensions.</param>
/// <param name="Begin">Start of its bytes, relative to the start of the data section.</param>
/// <param name="End">End (exclusive) of its bytes, relative to the start of the data section.</param>
public sealed record SafeTensorInfo(string Name, string DType, IReadOnlyList<int> Shape, long Begin, long End);

/// <summary>
/// The safetensors format of Hugging Face: an 8-byte little-endian header length n, n bytes of JSON
/// (<c>{"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}}</c>, padded with spaces
/// to a multiple of 8), then the tensors' raw little-endian bytes.
/// </summary>
/// <remarks>
/// Writing follows the Rust <c>safetensors</c> crate byte for byte: tensors ordered by descending dtype
/// (I64, F64, F32, BOOL), then by name (ordinal); the header in that order after <c>__metadata__</c>; compact JSON.
/// Metadata keys are written in ordinal order (the crate uses a hash map, so its order for several keys is
/// unspecified). Reading accepts every dtype of the format: F16/BF16 become float32, the signed and unsigned integer
/// types int64; the F8 types are refused.
/// </remarks>
public static class SafeTensors
{
    /// <summary>Files at least this large are read through a memory map instead of into one array.</summary>
    public const long MemoryMapThreshold = 16L << 20;

    // The crate's Dtype enum order (it sorts by it, descending); only the types we write matter for the order.
    private static int WriteRank(DType dtype) => dtype switch
    {
        DType.Int64 => 3,
        DType.Float64 => 2,
        DType.Float32 => 1,
        DType.BFloat16 => 0,
        DType.Float16 => -1,
        _ => -2,
    };

    /// <summary>The safetensors name of a tensor dtype.</summary>
    public static string DTypeName(DType dtype) => dtype switch
    {
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        DType.Int64 => "I64",
        DType.Bool => "BOOL",
        DType.BFloat16 => "BF16",
        DType.Float16 => "F16",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>The file bytes for <paramref name="tensors"/> and optional <paramref name="metadata"/>.</summary>
    /// <exception cref="ArgumentException">A key is empty or "__metadata__".</exception>
    public static byte[] Serialize(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var ms = new MemoryStream();
        Write(ms, tensors, metadata);
        return ms.ToArray();
    }

    /// <summary>Writes <paramref name="tensors"/> to <paramref name="path"/> atomically (temporary file, flush, rename).</summary>
    /// <exception cref="ArgumentException">A key is empty or "__metadata__".</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        AtomicFile.Write(path, stream => Write(stream, tensors, metadata));
    }

    /// <summary>Writes the format to a stream.</summary>
    /// <exception cref="ArgumentException">A key is empty or "__metadata__".</exception>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var ordered = tensors.ToList();
        foreach (var (name, _) in ordered)
            if (string.IsNullOrEmpty(name) || name == "__metadata__")
                throw new ArgumentException($"SafeTensors: '{name}' cannot be a tensor name.");
        ordered.Sort((a, b) =>
        {
            int c = WriteRank(b.Value.DType).CompareTo(WriteRank(a.Value.DType));
            return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
        });
        var json = new StringBuilder("{");
        bool first = true;
        if (metadata is not null)
        {
            json.Append("\"__metadata__\":{");
            bool firstMeta = true;
            foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (!firstMeta) json.Append(',');
                firstMeta = false;
                AppendString(json, k).Append(':');
                AppendString(json, v);
            }
            json.Append('}');
            first = false;
        }
        long offset = 0;
        foreach (var (name, t) in ordered)
        {
            long bytes = t.Numel * t.DType.ElementSize();
            if (!first) json.Append(',');
            first = false;
            AppendString(json, name).Append(":{\"dtype\":\"").Append(DTypeName(t.DType)).Append("\",\"shape\":[")
                .Append(string.Join(",", t.Shape)).Append("],\"data_offsets\":[").Append(offset).Append(',').Append(offset + bytes).Append("]}");
            offset += bytes;
        }
        json.Append('}');
        var header = Encoding.UTF8.GetBytes(json.ToString());
        int pad = (8 - header.Length % 8) % 8;
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)(header.Length + pad));
        stream.Write(len);
        stream.Write(header);
        for (int i = 0; i < pad; i++) stream.WriteByte((byte)' ');
        foreach (var (_, t) in ordered)
        {
            switch (t.DType)
            {
                case DType.Float32: WriteLittleEndian(stream, t.ToArray<float>()); break;
                case DType.Float64: WriteLittleEndian(stream, t.ToArray<double>()); break;
                case DType.Int64: WriteLittleEndian(stream, t.ToArray<long>()); break;
                case DType.Bool: WriteLittleEndian(stream, t.ToArray<bool>()); break;
                case DType.BFloat16: WriteLittleEndian(stream, MemoryMarshal.Cast<BFloat16, ushort>(t.ToArray<BFloat16>()).ToArray()); break;
                case DType.Float16: WriteLittleEndian(stream, MemoryMarshal.Cast<Half, ushort>(t.ToArray<Half>()).ToArray()); break;
            }
        }
    }

    private static void WriteLittleEndian<T>(Stream stream, T[] values) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian && Marshal.SizeOf<T>() > 1)
        {
            var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
            int size = Marshal.SizeOf<T>();
            for (int i = 0; i < bytes.Length; i += size) bytes.AsSpan(i, size).Reverse();
            stream.Write(bytes);
            return;
        }
        stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    // serde_json's escaping: quote, backslash and control characters; everything else (non-ASCII included) as UTF-8.
    private static StringBuilder AppendString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4"));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"');
    }

    /// <summary>Reads every tensor of a file (memory-mapped when it is at least <see cref="MemoryMapThreshold"/> bytes).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not valid safetensors; the message names the file, and the key where one is at fault.</exception>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var info in file.Tensors)
            result[info.Name] = file.GetTensor(info.Name);
        return result;
    }

    /// <summary>Reads the <c>__metadata__</c> of a file (empty when it has none).</summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors.</exception>
    public static IReadOnlyDictionary<string, string> LoadMetadata(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        return file.Metadata;
    }

    internal static (int Size, DType Target)? Describe(string dtype) => dtype switch
    {
        "BOOL" => (1, DType.Bool),
        "U8" or "I8" => (1, DType.Int64),
        "I16" or "U16" => (2, DType.Int64),
        "F16" or "BF16" => (2, DType.Float32),
        "I32" or "U32" => (4, DType.Int64),
        "F32" => (4, DType.Float32),
        "F64" => (8, DType.Float64),
        "I64" or "U64" => (8, DType.Int64),
        _ => null,
    };

    internal static readonly string[] KnownButUnsupported = ["F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2"];
}

/// <summary>
/// An open safetensors file: the header is parsed and checked when it opens, tensors are read on demand. Large files
/// are memory-mapped, so reading a few tensors of a big checkpoint touches only their pages.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    private readonly string _path;
    private readonly Dictionary<string, SafeTensorInfo> _infos;
    private readonly List<SafeTensorInfo> _ordered;
    private readonly long _dataStart;
    private readonly byte[]? _bytes;
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;

    private SafeTensorsFile(string path, Dictionary<string, SafeTensorInfo> infos, List<SafeTensorInfo> ordered, Dictionary<string, string> metadata,
        long dataStart, byte[]? bytes, MemoryMappedFile? map, MemoryMappedViewAccessor? view)
    {
        (_path, _infos, _ordered, Metadata, _dataStart, _bytes, _map, _view) = (path, infos, ordered, metadata, dataStart, bytes, map, view);
    }

    /// <summary>The <c>__metadata__</c> entries.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in file order.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors => _ordered;

    /// <summary>Whether the file is memory-mapped (else it was read whole).</summary>
    public bool IsMemoryMapped => _map is not null;

    /// <summary>Opens and validates a file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="memoryMap">Force (true) or avoid (false) the memory map; null decides by size (<see cref="SafeTensors.MemoryMapThreshold"/>).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Shorter than 8 bytes, a header length past the end of the file, header JSON that does not
    /// parse or is not an object, a bad entry (unknown dtype, bad shape, bad offsets), offsets out of range, overlapping or not matching
    /// the shape; the message names the file and the key.</exception>
    public static SafeTensorsFile Open(string path, bool? memoryMap = null)
    {
        long length = new FileInfo(path).Exists ? new FileInfo(path).Length : throw new FileNotFoundException($"SafeTensors: {path} does not exist.", path);
        if (length < 8)
            throw Bad(path, $"the file is {length} bytes, too short for the 8-byte header length");
        bool mapIt = memoryMap ?? length >= SafeTensors.MemoryMapThreshold;
        byte[]? bytes = null;
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        byte[] headerBytes;
        ulong n;
        try
        {
            if (mapIt)
            {
                map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
                view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
                n = view.ReadUInt64(0);
                if (!BitConverter.IsLittleEndian) n = BinaryPrimitives.ReverseEndianness(n);
                CheckHeaderLength(path, n, length);
                headerBytes = new byte[n];
                view.ReadArray(8, headerBytes, 0, (int)n);
            }
            else
            {
                bytes = File.ReadAllBytes(path);
                n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
                CheckHeaderLength(path, n, length);
                headerBytes = bytes.AsSpan(8, (int)n).ToArray();
            }
            long dataStart = 8 + (long)n;
            var (infos, ordered, metadata) = ParseHeader(path, headerBytes, length - dataStart);
            return new SafeTensorsFile(path, infos, ordered, metadata, dataStart, bytes, map, view);
        }
        catch
        {
            view?.Dispose();
            map?.Dispose();
            throw;
        }
    }

    private static void CheckHeaderLength(string path, ulong n, long length)
    {
        if (n > (ulong)(length - 8))
            throw Bad(path, $"offset 0: the header length {n} points past the end of the file ({length} bytes, so at most {length - 8} header bytes)");
        if (n > 100_000_000)
            throw Bad(path, $"offset 0: the header length {n} is over the format's 100 MB limit");
        if (n < 2)
            throw Bad(path, $"offset 0: the header length {n} is too short for a JSON object");
    }

    private static (Dictionary<string, SafeTensorInfo>, List<SafeTensorInfo>, Dictionary<string, string>) ParseHeader(string path, byte[] header, long dataLength)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw Bad(path, $"offset 8: the header is not valid JSON: {e.Message}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Bad(path, $"offset 8: the header is a JSON {doc.RootElement.ValueKind}, not an object");
            var infos = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                string key = prop.Name;
                if (key == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object)
                        throw Bad(path, "key '__metadata__': must be an object of strings");
                    foreach (var m in prop.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()!
                            : throw Bad(path, $"key '__metadata__': entry '{m.Name}' is a JSON {m.Value.ValueKind}, not a string");
                    continue;
                }
                if (infos.ContainsKey(key))
                    throw Bad(path, $"key '{key}': appears twice in the header");
                infos[key] = ParseEntry(path, key, prop.Value, dataLength);
            }
            var ordered = infos.Values.OrderBy(i => i.Begin).ThenBy(i => i.End).ToList();
            for (int i = 1; i < ordered.Count; i++)
            {
                var (prev, cur) = (ordered[i - 1], ordered[i]);
                if (cur.Begin < prev.End)
                    throw Bad(path, $"key '{cur.Name}': data_offsets [{cur.Begin},{cur.End}] overlap those of '{prev.Name}' [{prev.Begin},{prev.End}]");
            }
            return (infos, ordered, metadata);
        }
    }

    private static SafeTensorInfo ParseEntry(string path, string key, JsonElement e, long dataLength)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw Bad(path, $"key '{key}': the entry is a JSON {e.ValueKind}, not an object");
        if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw Bad(path, $"key '{key}': no \"dtype\" string");
        string dtype = dt.GetString()!;
        var desc = SafeTensors.Describe(dtype);
        if (desc is null)
            throw Bad(path, SafeTensors.KnownButUnsupported.Contains(dtype)
                ? $"key '{key}': dtype {dtype} is not supported by Polymath (supported: BOOL, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64)"
                : $"key '{key}': unknown dtype \"{dtype}\"");
        if (!e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw Bad(path, $"key '{key}': no \"shape\" array");
        var shape = new List<int>();
        long numel = 1;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int v) || v < 0)
                throw Bad(path, $"key '{key}': shape {sh.GetRawText()} is not a list of non-negative integers");
            shape.Add(v);
            numel = checked(numel * v);
        }
        if (!e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2
            || !off[0].TryGetInt64(out long begin) || !off[1].TryGetInt64(out long end) || begin < 0 || end < 0)
            throw Bad(path, $"key '{key}': \"data_offsets\" must be [begin, end] with non-negative integers");
        if (end < begin)
            throw Bad(path, $"key '{key}': data_offsets [{begin},{end}] end before they begin");
        if (end > dataLength)
            throw Bad(path, $"key '{key}': data_offsets [{begin},{end}] are out of range: the data section holds {dataLength} bytes");
        long expected = numel * desc.Value.Size;
        if (end - begin != expected)
            throw Bad(path, $"key '{key}': data_offsets [{begin},{end}] span {end - begin} bytes, but {dtype} shape [{string.Join(",", shape)}] needs {expected}");
        if (numel > Array.MaxLength)
            throw Bad(path, $"key '{key}': {numel} elements are more than a tensor can hold");
        return new SafeTensorInfo(key, dtype, shape, begin, end);
    }

    /// <summary>The entry for <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such tensor.</exception>
    public SafeTensorInfo GetInfo(string name) => _infos.TryGetValue(name, out var info) ? info
        : throw new KeyNotFoundException($"SafeTensors: {_path} has no tensor '{name}' (it has {_infos.Count}: {string.Join(", ", _infos.Keys.Take(10))}{(_infos.Count > 10 ? ", ..." : "")}).");

    /// <summary>Reads one tensor (F16/BF16 as float32, integer types as int64).</summary>
    /// <exception cref="KeyNotFoundException">No such tensor.</exception>
    /// <exception cref="InvalidDataException">A U64 value does not fit int64.</exception>
    /// <exception cref="ObjectDisposedException">The file was closed.</exception>
    public Tensor GetTensor(string name) => GetTensor(name, keep16Bit: false);

    /// <summary>
    /// Reads one tensor; with <paramref name="keep16Bit"/> F16 and BF16 entries come back as <see cref="DType.Float16"/>
    /// and <see cref="DType.BFloat16"/> tensors holding the stored bits (no conversion), otherwise as float32.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such tensor.</exception>
    /// <exception cref="InvalidDataException">A U64 value does not fit int64.</exception>
    /// <exception cref="ObjectDisposedException">The file was closed.</exception>
    public Tensor GetTensor(string name, bool keep16Bit)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var info = GetInfo(name);
        int count = (int)(info.End - info.Begin);
        byte[] raw;
        int at;
        if (_bytes is not null)
        {
            raw = _bytes;
            at = checked((int)(_dataStart + info.Begin));
        }
        else
        {
            raw = GC.AllocateUninitializedArray<byte>(count);
            ReadMapped(_dataStart + info.Begin, raw);
            at = 0;
        }
        var src = raw.AsSpan(at, count);
        var shape = info.Shape.ToArray();
        int n = shape.Aggregate(1, (a, b) => a * b);
        switch (info.DType)
        {
            case "F32":
            {
                var f = new float[n];
                src.CopyTo(MemoryMarshal.AsBytes(f.AsSpan()));
                if (!BitConverter.IsLittleEndian) for (int i = 0; i < n; i++) f[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]);
                return Tensor.Wrap(f, shape);
            }
            case "F64":
            {
                var d = new double[n];
                for (int i = 0; i < n; i++) d[i] = BinaryPrimitives.ReadDoubleLittleEndian(src[(8 * i)..]);
                return Shaped(Tensor.From(d, n), shape);
            }
            case "F16" when keep16Bit:
            {
                var h = new Half[n];
                for (int i = 0; i < n; i++) h[i] = BinaryPrimitives.ReadHalfLittleEndian(src[(2 * i)..]);
                return Shaped(Tensor.From(h, n), shape);
            }
            case "BF16" when keep16Bit:
            {
                var b = new BFloat16[n];
                for (int i = 0; i < n; i++) b[i] = BFloat16.FromBits(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]));
                return Shaped(Tensor.From(b, n), shape);
            }
            case "F16":
            {
                var f = new float[n];
                for (int i = 0; i < n; i++) f[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src[(2 * i)..]);
                return Tensor.Wrap(f, shape);
            }
            case "BF16":
            {
                var f = new float[n];
                for (int i = 0; i < n; i++) f[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]) << 16);
                return Tensor.Wrap(f, shape);
            }
            case "BOOL":
            {
                var b = new bool[n];
                for (int i = 0; i < n; i++) b[i] = src[i] != 0;
                return Shaped(Tensor.From(b, n), shape);
            }
            default:
            {
                var l = new long[n];
                for (int i = 0; i < n; i++)
                {
                    l[i] = info.DType switch
                    {
                        "U8" => src[i],
                        "I8" => (sbyte)src[i],
                        "I16" => BinaryPrimitives.ReadInt16LittleEndian(src[(2 * i)..]),
                        "U16" => BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]),
                        "I32" => BinaryPrimitives.ReadInt32LittleEndian(src[(4 * i)..]),
                        "U32" => BinaryPrimitives.ReadUInt32LittleEndian(src[(4 * i)..]),
                        "I64" => BinaryPrimitives.ReadInt64LittleEndian(src[(8 * i)..]),
                        _ => BinaryPrimitives.ReadUInt64LittleEndian(src[(8 * i)..]) is var u && u <= long.MaxValue ? (long)u
                            : throw Bad(_path, $"key '{name}': U64 element {i} ({u}) does not fit int64"),
                    };
                }
                return Shaped(Tensor.From(l, n), shape);
            }
        }
    }

    // Tensor.From reads an empty shape as "1-D"; a 0-d entry needs the reshape.
    private static Tensor Shaped(Tensor flat, int[] shape) => shape.Length == 1 ? flat : flat.Reshape(shape);

    private unsafe void ReadMapped(long position, byte[] destination)
    {
        byte* ptr = null;
        var handle = _view!.SafeMemoryMappedViewHandle;
        handle.AcquirePointer(ref ptr);
        try
        {
            new ReadOnlySpan<byte>(ptr + _view.PointerOffset + position, destination.Length).CopyTo(destination);
        }
        finally
        {
            handle.ReleasePointer();
        }
    }

    private bool _disposed;

    /// <summary>Closes the memory map (if any).</summary>
    public void Dispose()
    {
        _disposed = true;
        _view?.Dispose();
        _map?.Dispose();
    }

    private static InvalidDataException Bad(string path, string what) => new($"SafeTensors: {path}: {what}.");
}
