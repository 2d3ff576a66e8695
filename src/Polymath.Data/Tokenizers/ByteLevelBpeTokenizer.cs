using System.Text;
using System.Text.Json;

namespace Polymath.Data.Tokenizers;

/// <summary>
/// Byte-level byte-pair encoding as GPT-2: text is cut by <see cref="Gpt2PreTokenizer"/>, each piece's UTF-8 bytes
/// start as one token per byte, and the learned merges are applied lowest rank first. Any byte sequence encodes
/// (bytes that are not valid UTF-8 become single-byte tokens) and decodes back exactly. Special tokens (e.g.
/// <c>&lt;|endoftext|&gt;</c>) are matched verbatim before pre-tokenisation. Files: GPT-2 style <c>vocab.json</c>
/// (token text → id, bytes written with <see cref="ByteUnicodeMap"/>) and <c>merges.txt</c>.
/// </summary>
public sealed class ByteLevelBpeTokenizer : ITokenizer
{
    private readonly byte[][] _tokenBytes;           // id → bytes (empty for special tokens)
    private readonly int[] _byteIds;                 // byte → id
    private readonly Dictionary<long, (int Rank, int Id)> _merges; // (left << 32 | right) → rank and merged id
    private readonly List<(int Left, int Right)> _mergeList;
    private readonly Dictionary<string, int> _special;
    private readonly string[] _specialByLength;
    private readonly Dictionary<string, int[]> _cache = new(StringComparer.Ordinal); // guarded by itself: encoders may share one tokenizer across threads

    /// <summary>Builds a tokenizer from its parts.</summary>
    /// <param name="tokenBytes">Bytes of each non-special token by id (null or empty at special-token ids).</param>
    /// <param name="merges">Merges in rank order, as (left id, right id); the merged token is the one whose bytes are the concatenation.</param>
    /// <param name="specialTokens">Special tokens and their ids.</param>
    /// <exception cref="ArgumentException">A byte has no token, a merge's result is not in the vocabulary, or ids collide.</exception>
    public ByteLevelBpeTokenizer(IReadOnlyList<byte[]?> tokenBytes, IReadOnlyList<(int Left, int Right)> merges, IReadOnlyDictionary<string, int>? specialTokens = null)
    {
        _tokenBytes = tokenBytes.Select(b => b ?? []).ToArray();
        _special = new Dictionary<string, int>(specialTokens ?? new Dictionary<string, int>(), StringComparer.Ordinal);
        foreach (var (text, id) in _special)
        {
            if ((uint)id >= (uint)_tokenBytes.Length)
                Array.Resize(ref _tokenBytes, id + 1);
            _tokenBytes[id] ??= [];
            if (_tokenBytes[id].Length > 0)
                throw new ArgumentException($"ByteLevelBpeTokenizer: special token '{text}' has id {id}, which is also a byte token.");
            if (text.Length == 0)
                throw new ArgumentException("ByteLevelBpeTokenizer: a special token is empty.");
        }
        for (int i = 0; i < _tokenBytes.Length; i++)
            _tokenBytes[i] ??= [];
        _specialByLength = _special.Keys.OrderByDescending(s => s.Length).ThenBy(s => s, StringComparer.Ordinal).ToArray();
        _byteIds = Enumerable.Repeat(-1, 256).ToArray();
        var byBytes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < _tokenBytes.Length; id++)
        {
            var b = _tokenBytes[id];
            if (b.Length == 0)
                continue;
            if (b.Length == 1 && _byteIds[b[0]] < 0)
                _byteIds[b[0]] = id;
            byBytes.TryAdd(Convert.ToHexString(b), id);
        }
        int missing = Array.IndexOf(_byteIds, -1);
        if (missing >= 0)
            throw new ArgumentException($"ByteLevelBpeTokenizer: byte 0x{missing:X2} has no token; a byte-level vocabulary needs all 256.");
        _mergeList = [.. merges];
        _merges = new Dictionary<long, (int, int)>(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (l, r) = merges[rank];
            if ((uint)l >= (uint)_tokenBytes.Length || (uint)r >= (uint)_tokenBytes.Length)
                throw new ArgumentException($"ByteLevelBpeTokenizer: merge {rank} ({l}, {r}) names an id outside the vocabulary.");
            string joined = Convert.ToHexString([.. _tokenBytes[l], .. _tokenBytes[r]]);
            if (!byBytes.TryGetValue(joined, out int merged))
                throw new ArgumentException($"ByteLevelBpeTokenizer: merge {rank} ('{ByteUnicodeMap.ToText(_tokenBytes[l])}' + '{ByteUnicodeMap.ToText(_tokenBytes[r])}') makes a token that is not in the vocabulary.");
            _merges.TryAdd(Key(l, r), (rank, merged));
        }
    }

    /// <summary>Learns merges from <paramref name="corpus"/> until the vocabulary (256 bytes + merges + special tokens) has <paramref name="vocabSize"/> tokens.</summary>
    /// <param name="corpus">Training text.</param>
    /// <param name="vocabSize">Target vocabulary size, at least 256 + the number of special tokens.</param>
    /// <param name="specialTokens">Special tokens, given the ids after the merges in this order.</param>
    /// <param name="minFrequency">Stop early when the most frequent pair occurs fewer times than this.</param>
    /// <exception cref="ArgumentOutOfRangeException">vocabSize too small for the bytes and special tokens.</exception>
    public static ByteLevelBpeTokenizer Train(string corpus, int vocabSize, IEnumerable<string>? specialTokens = null, int minFrequency = 2) =>
        BpeTrainer.Train(corpus, vocabSize, specialTokens?.ToArray() ?? [], minFrequency);

    /// <inheritdoc/>
    public int VocabSize => _tokenBytes.Length;

    /// <summary>The learned merges in rank order (left id, right id).</summary>
    public IReadOnlyList<(int Left, int Right)> Merges => _mergeList;

    /// <summary>Special tokens and their ids.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens => _special;

    /// <summary>The bytes of token <paramref name="id"/> (empty for a special token).</summary>
    public ReadOnlySpan<byte> TokenBytes(int id) => _tokenBytes[id];

    /// <summary>The GPT-2 text form of token <paramref name="id"/> (a special token's own text).</summary>
    public string TokenText(int id) => _tokenBytes[id].Length > 0 ? ByteUnicodeMap.ToText(_tokenBytes[id])
        : _special.FirstOrDefault(kv => kv.Value == id).Key ?? "";

    /// <summary>Token ids of <paramref name="text"/>; special tokens in the text are recognised. Lone surrogates are encoded as U+FFFD, as any UTF-8 encoder does.</summary>
    public int[] Encode(string text) => Encode(text, allowSpecial: true);

    /// <summary>Token ids of <paramref name="text"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="allowSpecial">Recognise special tokens; when false their text is encoded as ordinary text.</param>
    public int[] Encode(string text, bool allowSpecial)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        int start = 0;
        while (start < text.Length)
        {
            var (at, special) = allowSpecial ? NextSpecial(text, start) : (-1, null);
            int end = at < 0 ? text.Length : at;
            EncodeOrdinary(text.AsSpan(start, end - start), ids);
            if (at < 0)
                break;
            ids.Add(_special[special!]);
            start = at + special!.Length;
        }
        return [.. ids];
    }

    /// <summary>Token ids of arbitrary bytes: valid UTF-8 runs are tokenised as text, each invalid byte becomes its byte token, so <see cref="DecodeBytes"/> gives the input back exactly.</summary>
    public int[] EncodeUtf8(ReadOnlySpan<byte> utf8)
    {
        var ids = new List<int>(utf8.Length / 3 + 4);
        int i = 0;
        while (i < utf8.Length)
        {
            int bad = Utf8Text.FirstInvalid(utf8[i..]);
            int validEnd = bad < 0 ? utf8.Length : i + bad;
            if (validEnd > i)
                ids.AddRange(Encode(Encoding.UTF8.GetString(utf8[i..validEnd])));
            if (bad < 0)
                break;
            ids.Add(_byteIds[utf8[validEnd]]);
            i = validEnd + 1;
        }
        return [.. ids];
    }

    /// <summary>The bytes of token ids (special tokens give their text's UTF-8).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the vocabulary.</exception>
    public byte[] DecodeBytes(ReadOnlySpan<int> ids)
    {
        var bytes = new List<byte>(ids.Length * 4);
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_tokenBytes.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), $"ByteLevelBpeTokenizer: token id {id} is outside 0..{VocabSize - 1}.");
            var b = _tokenBytes[id];
            if (b.Length > 0)
                bytes.AddRange(b);
            else
                bytes.AddRange(Encoding.UTF8.GetBytes(TokenText(id)));
        }
        return [.. bytes];
    }

    /// <summary>The text of token ids; byte sequences that are not valid UTF-8 decode to U+FFFD.</summary>
    public string Decode(ReadOnlySpan<int> ids) => Encoding.UTF8.GetString(DecodeBytes(ids));

    /// <summary>Writes <c>vocab.json</c> and <c>merges.txt</c> (GPT-2 format, <c>#version: 0.2</c> header) into <paramref name="directory"/>, atomically each.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.Write(Path.Combine(directory, "vocab.json"), s =>
        {
            using var w = new Utf8JsonWriter(s);
            w.WriteStartObject();
            for (int id = 0; id < _tokenBytes.Length; id++)
                w.WriteNumber(TokenText(id), id);
            w.WriteEndObject();
        });
        AtomicFile.Write(Path.Combine(directory, "merges.txt"), s =>
        {
            using var w = new StreamWriter(s, new UTF8Encoding(false), bufferSize: -1, leaveOpen: true) { NewLine = "\n" };
            w.WriteLine("#version: 0.2");
            foreach (var (l, r) in _mergeList)
                w.WriteLine($"{TokenText(l)} {TokenText(r)}");
        });
    }

    /// <summary>Reads GPT-2 style <c>vocab.json</c> and <c>merges.txt</c>.</summary>
    /// <param name="vocabPath">The JSON object token text → id.</param>
    /// <param name="mergesPath">One merge per line, "left right", after an optional <c>#version</c> line.</param>
    /// <param name="specialTokens">The special tokens; when null, every vocabulary entry that is neither a single byte nor made by a merge is special (GPT-2's <c>&lt;|endoftext|&gt;</c>).</param>
    /// <exception cref="InvalidDataException">A malformed file (with the file and line).</exception>
    public static ByteLevelBpeTokenizer Load(string vocabPath, string mergesPath, IEnumerable<string>? specialTokens = null)
    {
        Dictionary<string, int> vocab;
        try
        {
            vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllBytes(vocabPath))
                    ?? throw new InvalidDataException($"{vocabPath}: expected a JSON object of token → id.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{vocabPath}: not a JSON object of token → id: {e.Message}", e);
        }
        return Build(vocab, File.ReadLines(mergesPath), specialTokens, vocabPath, mergesPath);
    }

    private static ByteLevelBpeTokenizer Build(Dictionary<string, int> vocab, IEnumerable<string> mergeLines, IEnumerable<string>? specialTokens,
        string vocabPath, string mergesPath)
    {
        var merges = new List<(int, int)>();
        var mergedTexts = new HashSet<string>(StringComparer.Ordinal);
        int lineNo = 0;
        foreach (var line in mergeLines)
        {
            lineNo++;
            if (line.Length == 0 || (lineNo == 1 && line.StartsWith("#version", StringComparison.Ordinal)))
                continue;
            var parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new InvalidDataException($"{mergesPath}:{lineNo}: expected 'left right', got '{line}'.");
            if (!vocab.TryGetValue(parts[0], out int l) || !vocab.TryGetValue(parts[1], out int r))
                throw new InvalidDataException($"{mergesPath}:{lineNo}: '{(vocab.ContainsKey(parts[0]) ? parts[1] : parts[0])}' is not in {vocabPath}.");
            if (!vocab.ContainsKey(parts[0] + parts[1]))
                throw new InvalidDataException($"{mergesPath}:{lineNo}: the merged token '{parts[0] + parts[1]}' is not in {vocabPath}.");
            merges.Add((l, r));
            mergedTexts.Add(parts[0] + parts[1]);
        }
        var specialSet = specialTokens?.ToHashSet(StringComparer.Ordinal);
        int size = vocab.Count == 0 ? 0 : vocab.Values.Max() + 1;
        var bytes = new byte[]?[size];
        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (text, id) in vocab)
        {
            if (id < 0)
                throw new InvalidDataException($"{vocabPath}: token '{text}' has negative id {id}.");
            bool isSpecial = specialSet is not null ? specialSet.Contains(text) : text.Length > 1 && !mergedTexts.Contains(text);
            var b = isSpecial ? null : ByteUnicodeMap.ToBytes(text);
            if (b is null)
                special[text] = id;
            else
                bytes[id] = b;
        }
        try
        {
            return new ByteLevelBpeTokenizer(bytes, merges, special);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{vocabPath} / {mergesPath}: {e.Message}", e);
        }
    }

    /// <summary>Everything needed to rebuild the tokenizer, as one JSON string (for checkpoints): vocab and merges as in the files.</summary>
    public string ToJson()
    {
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < _tokenBytes.Length; id++)
            vocab[TokenText(id)] = id;
        return JsonSerializer.Serialize(new BpeJson
        {
            Type = "byte_bpe",
            Vocab = vocab,
            Merges = _mergeList.Select(m => $"{TokenText(m.Left)} {TokenText(m.Right)}").ToList(),
            Special = [.. _special.Keys],
        });
    }

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    /// <exception cref="InvalidDataException">Malformed JSON.</exception>
    public static ByteLevelBpeTokenizer FromJson(string json)
    {
        BpeJson? o;
        try
        {
            o = JsonSerializer.Deserialize<BpeJson>(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"ByteLevelBpeTokenizer: malformed tokenizer JSON: {e.Message}", e);
        }
        if (o is null || o.Type != "byte_bpe")
            throw new InvalidDataException("ByteLevelBpeTokenizer: tokenizer JSON must have \"Type\": \"byte_bpe\".");
        return Build(o.Vocab, o.Merges, o.Special, "tokenizer JSON (vocab)", "tokenizer JSON (merges)");
    }

    private sealed class BpeJson
    {
        public string Type { get; set; } = "";
        public Dictionary<string, int> Vocab { get; set; } = [];
        public List<string> Merges { get; set; } = [];
        public List<string> Special { get; set; } = [];
    }

    private (int At, string? Special) NextSpecial(string text, int start)
    {
        int best = -1;
        string? which = null;
        foreach (var s in _specialByLength)
        {
            int at = text.IndexOf(s, start, StringComparison.Ordinal);
            if (at >= 0 && (best < 0 || at < best))
                (best, which) = (at, s);
        }
        return (best, which);
    }

    private void EncodeOrdinary(ReadOnlySpan<char> text, List<int> ids)
    {
        var lookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<byte> small = stackalloc byte[256];
        foreach (var m in Gpt2PreTokenizer.Regex().EnumerateMatches(text))
        {
            var piece = text.Slice(m.Index, m.Length);
            int[]? cached;
            lock (_cache)
                lookup.TryGetValue(piece, out cached);
            if (cached is not null)
            {
                ids.AddRange(cached);
                continue;
            }
            int n = Encoding.UTF8.GetMaxByteCount(piece.Length);
            var buffer = n <= small.Length ? small : new byte[n];
            int len = Encoding.UTF8.GetBytes(piece, buffer);
            var encoded = MergePiece(buffer[..len]);
            lock (_cache)
            {
                if (_cache.Count < 100_000) // bound the memory a stream of unique pieces can take
                    lookup.TryAdd(piece, encoded);
            }
            ids.AddRange(encoded);
        }
    }

    /// <summary>Applies the merges to one piece: repeatedly merge every occurrence of the lowest-ranked adjacent pair.</summary>
    private int[] MergePiece(ReadOnlySpan<byte> bytes)
    {
        var symbols = new List<int>(bytes.Length);
        foreach (byte b in bytes)
            symbols.Add(_byteIds[b]);
        while (symbols.Count > 1)
        {
            int bestRank = int.MaxValue, bestId = -1;
            long bestKey = 0;
            for (int i = 0; i + 1 < symbols.Count; i++)
            {
                long key = Key(symbols[i], symbols[i + 1]);
                if (_merges.TryGetValue(key, out var m) && m.Rank < bestRank)
                    (bestRank, bestId, bestKey) = (m.Rank, m.Id, key);
            }
            if (bestId < 0)
                break;
            int write = 0;
            for (int read = 0; read < symbols.Count; read++)
            {
                if (read + 1 < symbols.Count && Key(symbols[read], symbols[read + 1]) == bestKey)
                {
                    symbols[write++] = bestId;
                    read++;
                }
                else
                    symbols[write++] = symbols[read];
            }
            symbols.RemoveRange(write, symbols.Count - write);
        }
        return [.. symbols];
    }

    internal static long Key(int left, int right) => ((long)left << 32) | (uint)right;
}
