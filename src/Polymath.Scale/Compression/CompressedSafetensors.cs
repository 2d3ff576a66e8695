using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polymath.Data;

namespace Polymath.Scale.Compression;

/// <summary>
/// Saves and loads compressed models (a Sequential of int8 and float layers, including the dynamic int8
/// <see cref="QuantizedLstm"/> and <see cref="QuantizedLstmClassifier"/>) as safetensors. Quantized weights are
/// stored as <c>I8</c> tensors next to their <c>F32</c> per-channel <c>weight_scale</c>, with the calibrated
/// <c>input_scale</c> (F32) and <c>input_zero_point</c> (I32) when the layer is static, as
/// <c>&lt;layer index&gt;.&lt;name&gt;</c>. The architecture (layer types and hyper-parameters) is JSON under the
/// <c>polymath.compressed</c> key of <c>__metadata__</c>. Files are written atomically.
/// </summary>
public static class CompressedSafetensors
{
    /// <summary>The <c>__metadata__</c> key holding the architecture JSON.</summary>
    public const string MetadataKey = "polymath.compressed";

    /// <summary>Format tag written in the JSON.</summary>
    public const string Format = "polymath.compressed/1";

    private sealed record Entry(string DType, int[] Shape, byte[] Data);

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically; <paramref name="extra"/> is saved as free-form strings.</summary>
    /// <exception cref="NotQuantizableException">A layer this format cannot hold (named).</exception>
    public static void Save(string path, Sequential model, IReadOnlyDictionary<string, string>? extra = null)
    {
        var bytes = Serialize(model, extra);
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    /// <summary>The file's bytes (also how the size of a compressed model is measured).</summary>
    public static byte[] Serialize(Sequential model, IReadOnlyDictionary<string, string>? extra = null)
    {
        var tensors = new SortedDictionary<string, Entry>(StringComparer.Ordinal);
        var specs = new JsonArray();
        for (int i = 0; i < model.Count; i++)
        {
            string p = i.ToString(CultureInfo.InvariantCulture) + ".";
            var layer = model[i];
            JsonObject spec;
            switch (layer)
            {
                case QuantizedLinear q:
                    spec = new JsonObject { ["type"] = "quantized_linear", ["in_features"] = q.InFeatures, ["out_features"] = q.OutFeatures, ["relu"] = q.FuseRelu };
                    AddLinear(tensors, p, q);
                    break;
                case QuantizedConv2d q:
                    spec = new JsonObject
                    {
                        ["type"] = "quantized_conv2d", ["in_channels"] = q.InChannels, ["out_channels"] = q.OutChannels, ["relu"] = q.FuseRelu, ["max_pool"] = q.Pool,
                        ["kernel_size"] = Pair(q.KernelSize), ["stride"] = Pair(q.Stride), ["padding"] = Pair(q.Padding), ["dilation"] = Pair(q.Dilation),
                    };
                    AddQuantized(tensors, p, q.Packed.Weights, [q.OutChannels, q.InChannels, q.KernelSize.H, q.KernelSize.W], q.WeightScale, q.BiasValues, q.InputParams);
                    break;
                case QuantizedLstm l:
                    spec = new JsonObject { ["type"] = "quantized_lstm", ["input_size"] = l.Input.InFeatures, ["hidden_size"] = l.HiddenSize, ["batch_first"] = l.BatchFirst };
                    AddLstm(tensors, p, l);
                    break;
                case QuantizedLstmClassifier c:
                    spec = new JsonObject
                    {
                        ["type"] = "quantized_lstm_classifier", ["input"] = c.Emb is null ? "features" : "tokens",
                        ["input_size"] = c.Emb?.NumEmbeddings ?? c.Proj!.InFeatures, ["embed_dim"] = c.Lstm.Input.InFeatures,
                        ["hidden_size"] = c.Lstm.HiddenSize, ["batch_first"] = c.Lstm.BatchFirst, ["classes"] = c.Fc.OutFeatures,
                    };
                    if (c.Emb is { } emb)
                    {
                        tensors[p + "emb.weight"] = F32(emb.Weight);
                        if (emb.PaddingIdx is int pad) spec["padding_idx"] = pad;
                    }
                    else
                        AddLinear(tensors, p + "proj.", c.Proj!);
                    AddLstm(tensors, p + "lstm.", c.Lstm);
                    AddLinear(tensors, p + "fc.", c.Fc);
                    break;
                case Linear l:
                    spec = new JsonObject { ["type"] = "linear", ["in_features"] = l.InFeatures, ["out_features"] = l.OutFeatures };
                    tensors[p + "weight"] = F32(l.Weight);
                    if (l.Bias is not null) tensors[p + "bias"] = F32(l.Bias);
                    break;
                case Conv2d c when c.Groups == 1:
                    spec = new JsonObject
                    {
                        ["type"] = "conv2d", ["in_channels"] = c.InChannels, ["out_channels"] = c.OutChannels,
                        ["kernel_size"] = Pair(c.KernelSize), ["stride"] = Pair(c.Stride), ["padding"] = Pair(c.Padding), ["dilation"] = Pair(c.Dilation),
                    };
                    tensors[p + "weight"] = F32(c.Weight);
                    if (c.Bias is not null) tensors[p + "bias"] = F32(c.Bias);
                    break;
                case ReLU:
                    spec = new JsonObject { ["type"] = "relu" };
                    break;
                case MaxPool2d mp:
                    spec = new JsonObject { ["type"] = "max_pool2d", ["kernel_size"] = mp.KernelSize, ["stride"] = mp.Stride, ["padding"] = mp.Padding, ["dilation"] = mp.Dilation };
                    break;
                case Flatten f:
                    spec = new JsonObject { ["type"] = "flatten", ["start_dim"] = f.StartDim, ["end_dim"] = f.EndDim };
                    break;
                default:
                    throw new NotQuantizableException(i.ToString(CultureInfo.InvariantCulture), layer.TypeName, "the compressed-model format holds only quantized or float Linear/Conv2d, the dynamic int8 LSTM (and LSTM classifier), ReLU, MaxPool2d and Flatten layers");
            }
            specs.Add(spec);
        }
        var info = new JsonObject { ["format"] = Format, ["layers"] = specs };
        if (extra is not null)
        {
            var e = new JsonObject();
            foreach (var (k, v) in extra) e[k] = v;
            info["extra"] = e;
        }
        return Write(tensors, new Dictionary<string, string> { [MetadataKey] = info.ToJsonString() });
    }

    /// <summary>Loads a model written by <see cref="Save"/>; <paramref name="extra"/> receives the saved strings.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid compressed model (the message names the file and what is wrong).</exception>
    public static Sequential Load(string path, out IReadOnlyDictionary<string, string> extra)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new InvalidDataException($"{path}: cannot read: {e.Message}", e); }
        return Deserialize(bytes, path, out extra);
    }

    /// <summary>Loads a model from file bytes; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid compressed model.</exception>
    public static Sequential Deserialize(byte[] bytes, string source, out IReadOnlyDictionary<string, string> extra)
    {
        var (entries, metadata) = Read(bytes, source);
        var tensors = new Table(entries);
        if (!metadata.TryGetValue(MetadataKey, out var json))
            throw new InvalidDataException($"{source}: no '{MetadataKey}' in the safetensors metadata; this is not a compressed model (a training checkpoint? run 'polymath compress' on it).");
        JsonObject info;
        try { info = JsonNode.Parse(json)!.AsObject(); }
        catch (Exception e) when (e is JsonException or InvalidOperationException) { throw new InvalidDataException($"{source}: the '{MetadataKey}' metadata is not valid JSON: {e.Message}", e); }
        if ((string?)info["format"] != Format)
            throw new InvalidDataException($"{source}: format '{info["format"]}' is not '{Format}'.");
        var ex = new Dictionary<string, string>();
        if (info["extra"] is JsonObject eo)
            foreach (var (k, v) in eo) ex[k] = v?.GetValue<string>() ?? "";
        extra = ex;
        var model = new Sequential();
        var layers = info["layers"] as JsonArray ?? throw new InvalidDataException($"{source}: the metadata has no 'layers' list.");
        for (int i = 0; i < layers.Count; i++)
        {
            var s = layers[i] as JsonObject ?? throw new InvalidDataException($"{source}: layer {i} is not a JSON object.");
            string p = i.ToString(CultureInfo.InvariantCulture) + ".";
            string type = (string?)s["type"] ?? "";
            try
            {
                model.Append(type switch
                {
                    "quantized_linear" => LoadQuantizedLinear(tensors, p, Int(s, "in_features"), Int(s, "out_features"), Bool(s, "relu")),
                    "quantized_lstm" => LoadLstm(tensors, p, Int(s, "input_size"), Int(s, "hidden_size"), Bool(s, "batch_first")),
                    "quantized_lstm_classifier" => LoadLstmClassifier(s, tensors, p),
                    "quantized_conv2d" => LoadQuantizedConv(s, tensors, p),
                    "linear" => LoadLinear(s, tensors, p),
                    "conv2d" => LoadConv(s, tensors, p),
                    "relu" => new ReLU(),
                    "max_pool2d" => new MaxPool2d(Int(s, "kernel_size"), Int(s, "stride"), Int(s, "padding"), Int(s, "dilation")),
                    "flatten" => new Flatten(Int(s, "start_dim"), Int(s, "end_dim")),
                    _ => throw new InvalidDataException($"unknown layer type '{type}'"),
                });
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException or KeyNotFoundException or FormatException or InvalidOperationException)
            {
                throw new InvalidDataException($"{source}: layer {i} ({type}): {e.Message}", e);
            }
        }
        // Every tensor must belong to a layer: a stray one means the file and its metadata disagree (a renamed key).
        var unused = tensors.Unused().ToList();
        if (unused.Count > 0)
            throw new InvalidDataException($"{source}: tensor(s) {string.Join(", ", unused.Select(k => $"'{k}'"))} belong to no layer in the '{MetadataKey}' metadata; " +
                "the file does not match its architecture.");
        return model;
    }

    // The tensors read from a file, remembering which ones the layers asked for.
    private sealed class Table(Dictionary<string, Entry> entries)
    {
        private readonly HashSet<string> _used = [];

        public bool Has(string key) => entries.ContainsKey(key);

        public Entry Get(string key, string dtype, int[] shape)
        {
            if (!entries.TryGetValue(key, out var e))
                throw new InvalidDataException($"tensor '{key}' is missing");
            if (e.DType != dtype)
                throw new InvalidDataException($"tensor '{key}' has dtype {e.DType}, expected {dtype}");
            if (!e.Shape.SequenceEqual(shape))
                throw new InvalidDataException($"tensor '{key}' has shape [{string.Join(",", e.Shape)}], expected [{string.Join(",", shape)}]");
            _used.Add(key);
            return e;
        }

        public IEnumerable<string> Unused() => entries.Keys.Where(k => !_used.Contains(k)).Order(StringComparer.Ordinal);
    }

    private static void AddLinear(SortedDictionary<string, Entry> t, string p, QuantizedLinear q) =>
        AddQuantized(t, p, q.Packed.Weights, [q.OutFeatures, q.InFeatures], q.WeightScale, q.BiasValues, q.InputParams);

    private static void AddLstm(SortedDictionary<string, Entry> t, string p, QuantizedLstm l)
    {
        AddLinear(t, p + "ih.", l.Input);
        AddLinear(t, p + "hh.", l.Recurrent);
    }

    private static void AddQuantized(SortedDictionary<string, Entry> t, string p, sbyte[] w, int[] shape, float[] scale, float[]? bias, QuantParams? input)
    {
        t[p + "weight"] = new Entry("I8", shape, MemoryMarshal.AsBytes(w.AsSpan()).ToArray());
        t[p + "weight_scale"] = new Entry("F32", [scale.Length], Bytes(scale));
        if (bias is not null) t[p + "bias"] = new Entry("F32", [bias.Length], Bytes(bias));
        if (input is { } q)
        {
            t[p + "input_scale"] = new Entry("F32", [1], Bytes([q.Scale]));
            t[p + "input_zero_point"] = new Entry("I32", [1], MemoryMarshal.AsBytes(new[] { q.ZeroPoint }.AsSpan()).ToArray());
        }
    }

    private static QuantizedLinear LoadQuantizedLinear(Table t, string p, int inF, int outF, bool relu)
    {
        var w = t.Get(p + "weight", "I8", [outF, inF]);
        return new QuantizedLinear(MemoryMarshal.Cast<byte, sbyte>(w.Data).ToArray(), Floats(t.Get(p + "weight_scale", "F32", [outF])), outF, inF,
            t.Has(p + "bias") ? Floats(t.Get(p + "bias", "F32", [outF])) : null, Input(t, p), relu);
    }

    private static QuantizedLstm LoadLstm(Table t, string p, int inputSize, int hidden, bool batchFirst) =>
        new(LoadQuantizedLinear(t, p + "ih.", inputSize, 4 * hidden, false), LoadQuantizedLinear(t, p + "hh.", hidden, 4 * hidden, false), batchFirst);

    private static QuantizedLstmClassifier LoadLstmClassifier(JsonObject s, Table t, string p)
    {
        string input = (string?)s["input"] ?? "";
        int inputSize = Int(s, "input_size"), embed = Int(s, "embed_dim"), hidden = Int(s, "hidden_size"), classes = Int(s, "classes");
        Embedding? emb = null;
        QuantizedLinear? proj = null;
        if (input == "tokens")
        {
            var table = Tensor.From(Floats(t.Get(p + "emb.weight", "F32", [inputSize, embed])), inputSize, embed);
            emb = Embedding.FromPretrained(table, freeze: true, paddingIdx: s["padding_idx"] is null ? null : Int(s, "padding_idx"));
        }
        else if (input == "features")
            proj = LoadQuantizedLinear(t, p + "proj.", inputSize, embed, false);
        else
            throw new InvalidDataException($"'input' is '{input}', expected 'tokens' or 'features'");
        var lstm = LoadLstm(t, p + "lstm.", embed, hidden, Bool(s, "batch_first"));
        return new QuantizedLstmClassifier(emb, proj, lstm, LoadQuantizedLinear(t, p + "fc.", hidden, classes, false));
    }

    private static QuantizedConv2d LoadQuantizedConv(JsonObject s, Table t, string p)
    {
        int cin = Int(s, "in_channels"), cout = Int(s, "out_channels");
        var k = PairOf(s, "kernel_size");
        var w = t.Get(p + "weight", "I8", [cout, cin, k.H, k.W]);
        return new QuantizedConv2d(MemoryMarshal.Cast<byte, sbyte>(w.Data).ToArray(), Floats(t.Get(p + "weight_scale", "F32", [cout])), cin, cout, k,
            PairOf(s, "stride"), PairOf(s, "padding"), PairOf(s, "dilation"),
            t.Has(p + "bias") ? Floats(t.Get(p + "bias", "F32", [cout])) : null, Input(t, p), Bool(s, "relu"),
            s["max_pool"] is null ? 0 : Int(s, "max_pool"));
    }

    private static Linear LoadLinear(JsonObject s, Table t, string p)
    {
        int inF = Int(s, "in_features"), outF = Int(s, "out_features");
        bool bias = t.Has(p + "bias");
        var l = new Linear(inF, outF, bias);
        l.SetParameter("weight", Tensor.From(Floats(t.Get(p + "weight", "F32", [outF, inF])), outF, inF));
        if (bias) l.SetParameter("bias", Tensor.From(Floats(t.Get(p + "bias", "F32", [outF])), outF));
        return l;
    }

    private static Conv2d LoadConv(JsonObject s, Table t, string p)
    {
        int cin = Int(s, "in_channels"), cout = Int(s, "out_channels");
        var k = PairOf(s, "kernel_size");
        bool bias = t.Has(p + "bias");
        var c = new Conv2d(cin, cout, k, PairOf(s, "stride"), PairOf(s, "padding"), PairOf(s, "dilation"), 1, bias);
        c.SetParameter("weight", Tensor.From(Floats(t.Get(p + "weight", "F32", [cout, cin, k.H, k.W])), cout, cin, k.H, k.W));
        if (bias) c.SetParameter("bias", Tensor.From(Floats(t.Get(p + "bias", "F32", [cout])), cout));
        return c;
    }

    private static QuantParams? Input(Table t, string p)
    {
        bool hasScale = t.Has(p + "input_scale"), hasZp = t.Has(p + "input_zero_point");
        if (!hasScale && !hasZp) return null;
        float scale = Floats(t.Get(p + "input_scale", "F32", [1]))[0];
        int zp = MemoryMarshal.Cast<byte, int>(t.Get(p + "input_zero_point", "I32", [1]).Data)[0];
        if (!(scale > 0) || !float.IsFinite(scale) || zp is < QuantParams.QMin or > QuantParams.QMax)
            throw new InvalidDataException($"input_scale {scale} / input_zero_point {zp} out of range (scale > 0, zero point 0..255)");
        return new QuantParams(scale, zp);
    }

    private static int Int(JsonObject s, string key) =>
        s[key] is JsonValue v && v.TryGetValue(out int i) ? i : throw new InvalidDataException($"'{key}' is missing or not an integer");

    private static bool Bool(JsonObject s, string key) => s[key] is JsonValue v && v.TryGetValue(out bool b) && b;

    private static JsonArray Pair((int H, int W) p) => [p.H, p.W];

    private static (int H, int W) PairOf(JsonObject s, string key) =>
        s[key] is JsonArray { Count: 2 } a && a[0] is JsonValue h && h.TryGetValue(out int hv) && a[1] is JsonValue w && w.TryGetValue(out int wv)
            ? (hv, wv) : throw new InvalidDataException($"'{key}' is missing or not a pair of integers");

    private static Entry F32(Tensor t) => new("F32", t.Shape.ToArray(), Bytes(t.Detach().Contiguous().To(DType.Float32).ToArray()));

    private static byte[] Bytes(float[] v) => MemoryMarshal.AsBytes(v.AsSpan()).ToArray();

    private static float[] Floats(Entry e) => MemoryMarshal.Cast<byte, float>(e.Data).ToArray();

    private static int ElementSize(string dtype) => dtype switch
    {
        "I8" or "U8" or "BOOL" => 1,
        "I16" or "F16" or "BF16" => 2,
        "I32" or "F32" => 4,
        "I64" or "F64" => 8,
        _ => -1,
    };

    // The safetensors layout: u64 little-endian header length, JSON header, then the tensors' bytes.
    private static byte[] Write(SortedDictionary<string, Entry> tensors, Dictionary<string, string> metadata)
    {
        var header = new JsonObject();
        var meta = new JsonObject();
        foreach (var (k, v) in metadata) meta[k] = v;
        header["__metadata__"] = meta;
        long offset = 0;
        foreach (var (name, e) in tensors)
        {
            header[name] = new JsonObject
            {
                ["dtype"] = e.DType,
                ["shape"] = new JsonArray([.. e.Shape.Select(d => (JsonNode)d)]),
                ["data_offsets"] = new JsonArray(offset, offset + e.Data.Length),
            };
            offset += e.Data.Length;
        }
        var text = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (text.Length + 7) & ~7;
        var result = new byte[8 + padded + offset];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)padded);
        text.CopyTo(result, 8);
        result.AsSpan(8 + text.Length, padded - text.Length).Fill((byte)' ');
        long at = 8 + padded;
        foreach (var e in tensors.Values)
        {
            e.Data.CopyTo(result, at);
            at += e.Data.Length;
        }
        return result;
    }

    private static (Dictionary<string, Entry>, Dictionary<string, string>) Read(byte[] bytes, string source)
    {
        if (bytes.Length < 8)
            throw new InvalidDataException($"{source}: {bytes.Length} bytes is too short for a safetensors file.");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > (ulong)(bytes.Length - 8))
            throw new InvalidDataException($"{source}: the header length {n} runs past the end of the file ({bytes.Length} bytes); the file is truncated or not safetensors.");
        JsonObject header;
        try { header = JsonNode.Parse(bytes.AsSpan(8, (int)n))!.AsObject(); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException)
        { throw new InvalidDataException($"{source}: the safetensors header is not a JSON object: {e.Message}", e); }
        long dataStart = 8 + (long)n, dataLength = bytes.Length - dataStart;
        var tensors = new Dictionary<string, Entry>();
        var metadata = new Dictionary<string, string>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is JsonObject mo)
                    foreach (var (k, v) in mo) metadata[k] = v is JsonValue jv && jv.TryGetValue(out string? sv) ? sv : v?.ToJsonString() ?? "";
                continue;
            }
            try
            {
                var o = node!.AsObject();
                string dtype = (string)o["dtype"]!;
                int[] shape = [.. o["shape"]!.AsArray().Select(d => (int)d!)];
                var offs = o["data_offsets"]!.AsArray();
                long b = (long)offs[0]!, e = (long)offs[1]!;
                int size = ElementSize(dtype);
                if (size < 0) throw new InvalidDataException($"unknown dtype '{dtype}'");
                long expect = shape.Aggregate(1L, (acc, d) => d < 0 ? throw new InvalidDataException("negative dimension") : acc * d) * size;
                if (b < 0 || e < b || e > dataLength || e - b != expect)
                    throw new InvalidDataException($"data_offsets [{b}, {e}] do not hold {expect} bytes inside the {dataLength}-byte data section");
                tensors[name] = new Entry(dtype, shape, bytes.AsSpan((int)(dataStart + b), (int)(e - b)).ToArray());
            }
            catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or NullReferenceException or FormatException)
            {
                throw new InvalidDataException($"{source}: tensor '{name}': {ex.Message}", ex);
            }
        }
        return (tensors, metadata);
    }
}
