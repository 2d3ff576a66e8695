using System.Text;

namespace Polymath.Data.Tokenizers;

/// <summary>
/// WordPiece as BERT: <see cref="BertPreTokenizer"/> words are cut greedily into the longest vocabulary entries, the
/// first piece as is and the rest with the <c>##</c> continuation prefix; a word that cannot be cut (or is longer than
/// <see cref="MaxCharsPerWord"/>) becomes <c>[UNK]</c>. The vocabulary file is BERT's <c>vocab.txt</c> (one token a
/// line, id = line number). Invalid UTF-8 is rejected with its byte offset.
/// </summary>
public sealed class WordPieceTokenizer : ITokenizer
{
    /// <summary>The special tokens every WordPiece vocabulary here holds, in the order training gives them ids 0..4.</summary>
    public static IReadOnlyList<string> DefaultSpecialTokens { get; } = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

    /// <summary>Prefix that marks a piece continuing a word.</summary>
    public const string ContinuationPrefix = "##";

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    /// <summary>A tokenizer over <paramref name="tokens"/> (id = position).</summary>
    /// <param name="tokens">The vocabulary; must hold [PAD], [UNK], [CLS], [SEP] and [MASK].</param>
    /// <param name="lowercase">Lower-case text before splitting (uncased models).</param>
    /// <exception cref="ArgumentException">A token appears twice or a special token is missing.</exception>
    public WordPieceTokenizer(IEnumerable<string> tokens, bool lowercase = true)
    {
        _tokens = tokens.ToArray();
        _ids = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < _tokens.Length; i++)
            if (!_ids.TryAdd(_tokens[i], i))
                throw new ArgumentException($"WordPieceTokenizer: token '{_tokens[i]}' appears twice (ids {_ids[_tokens[i]]} and {i}).");
        var missing = DefaultSpecialTokens.Where(s => !_ids.ContainsKey(s)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"WordPieceTokenizer: the vocabulary lacks {string.Join(", ", missing)}.");
        Lowercase = lowercase;
    }

    /// <summary>Learns a vocabulary of <paramref name="vocabSize"/> tokens from <paramref name="corpus"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">vocabSize smaller than the special tokens plus the corpus's characters.</exception>
    public static WordPieceTokenizer Train(string corpus, int vocabSize, bool lowercase = true) =>
        new(WordPieceTrainer.Train(BertPreTokenizer.Split(corpus, lowercase), vocabSize), lowercase);

    /// <summary>Whether text is lower-cased first.</summary>
    public bool Lowercase { get; }

    /// <summary>Words longer than this many characters become [UNK] (BERT's limit).</summary>
    public int MaxCharsPerWord { get; init; } = 100;

    /// <inheritdoc/>
    public int VocabSize => _tokens.Length;

    /// <summary>Id of [PAD].</summary>
    public int PadId => _ids["[PAD]"];

    /// <summary>Id of [UNK].</summary>
    public int UnkId => _ids["[UNK]"];

    /// <summary>Id of [CLS].</summary>
    public int ClsId => _ids["[CLS]"];

    /// <summary>Id of [SEP].</summary>
    public int SepId => _ids["[SEP]"];

    /// <summary>Id of [MASK].</summary>
    public int MaskId => _ids["[MASK]"];

    /// <summary>The tokens by id.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>Id of a token, or null.</summary>
    public int? TokenId(string token) => _ids.TryGetValue(token, out int id) ? id : null;

    /// <summary>Word-piece ids of <paramref name="text"/> (no [CLS]/[SEP]).</summary>
    /// <exception cref="InvalidTextException">A lone surrogate (with its UTF-16 index).</exception>
    public int[] Encode(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i]))
                continue;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else
                throw new InvalidTextException($"WordPieceTokenizer: lone surrogate U+{(int)text[i]:X4} at index {i}.", i);
        }
        var ids = new List<int>();
        foreach (var word in BertPreTokenizer.Split(text, Lowercase))
            EncodeWord(word, ids);
        return [.. ids];
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidTextException">Invalid UTF-8 (with its byte offset).</exception>
    public int[] EncodeUtf8(ReadOnlySpan<byte> utf8) => Encode(Utf8Text.DecodeStrict(utf8, "WordPieceTokenizer"));

    /// <summary>BERT model input: <c>[CLS] a [SEP]</c>, or <c>[CLS] a [SEP] b [SEP]</c> with the segment (token type) ids.</summary>
    public (int[] Ids, int[] TokenTypeIds) EncodeForModel(string text, string? pair = null)
    {
        var a = Encode(text);
        var b = pair is null ? [] : Encode(pair);
        int[] ids = pair is null ? [ClsId, .. a, SepId] : [ClsId, .. a, SepId, .. b, SepId];
        var types = new int[ids.Length];
        for (int i = a.Length + 2; i < ids.Length; i++)
            types[i] = 1;
        return (ids, types);
    }

    /// <summary>Text of ids: pieces joined with spaces, <c>##</c> pieces glued to the previous one; [PAD] is skipped.</summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var sb = new StringBuilder();
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_tokens.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), $"WordPieceTokenizer: token id {id} is outside 0..{VocabSize - 1}.");
            if (id == PadId)
                continue;
            string t = _tokens[id];
            if (t.StartsWith(ContinuationPrefix, StringComparison.Ordinal) && t.Length > 2)
                sb.Append(t, 2, t.Length - 2);
            else
            {
                if (sb.Length > 0)
                    sb.Append(' ');
                sb.Append(t);
            }
        }
        return sb.ToString();
    }

    /// <summary>Writes BERT's <c>vocab.txt</c> (one token a line), atomically.</summary>
    public void Save(string path) => AtomicFile.Write(path, s =>
    {
        using var w = new StreamWriter(s, new UTF8Encoding(false), bufferSize: -1, leaveOpen: true) { NewLine = "\n" };
        foreach (var t in _tokens)
            w.WriteLine(t);
    });

    /// <summary>Reads BERT's <c>vocab.txt</c>.</summary>
    /// <exception cref="InvalidDataException">A duplicate token (with its line) or a missing special token.</exception>
    public static WordPieceTokenizer Load(string path, bool lowercase = true)
    {
        var lines = File.ReadAllLines(path, Encoding.UTF8);
        int n = lines.Length;
        while (n > 0 && lines[n - 1].Length == 0)
            n--;
        try
        {
            return new WordPieceTokenizer(lines.Take(n), lowercase);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private void EncodeWord(string word, List<int> ids)
    {
        if (word.Length > MaxCharsPerWord)
        {
            ids.Add(UnkId);
            return;
        }
        int start = ids.Count, pos = 0;
        var lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        var buffer = new char[word.Length + 2];
        while (pos < word.Length)
        {
            int found = -1, end = word.Length;
            for (; end > pos; end--)
            {
                if (end < word.Length && char.IsLowSurrogate(word[end]))
                    continue; // never cut a surrogate pair
                ReadOnlySpan<char> piece;
                if (pos == 0)
                    piece = word.AsSpan(0, end);
                else
                {
                    ContinuationPrefix.AsSpan().CopyTo(buffer);
                    word.AsSpan(pos, end - pos).CopyTo(buffer.AsSpan(2));
                    piece = buffer.AsSpan(0, end - pos + 2);
                }
                if (lookup.TryGetValue(piece, out found))
                    break;
                found = -1;
            }
            if (found < 0)
            {
                ids.RemoveRange(start, ids.Count - start);
                ids.Add(UnkId);
                return;
            }
            ids.Add(found);
            pos = end;
        }
    }
}
