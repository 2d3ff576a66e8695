namespace Polymath.Data;

/// <summary>A character-level vocabulary: the distinct characters of a text, sorted by code point; token id = position.</summary>
public sealed class CharVocabulary
{
    private readonly char[] _chars;
    private readonly Dictionary<char, int> _ids;

    /// <summary>Builds the vocabulary of <paramref name="text"/> (sorted distinct characters, as in nanoGPT's char model).</summary>
    public CharVocabulary(string text) : this(text.Distinct().Order())
    {
    }

    /// <summary>A vocabulary of exactly these characters, in this order.</summary>
    /// <exception cref="ArgumentException">A character appears twice.</exception>
    public CharVocabulary(IEnumerable<char> characters)
    {
        _chars = characters.ToArray();
        _ids = new Dictionary<char, int>(_chars.Length);
        for (int i = 0; i < _chars.Length; i++)
            if (!_ids.TryAdd(_chars[i], i))
                throw new ArgumentException($"CharVocabulary: character '{_chars[i]}' (U+{(int)_chars[i]:X4}) appears twice.");
    }

    /// <summary>Number of tokens.</summary>
    public int Size => _chars.Length;

    /// <summary>The characters by token id.</summary>
    public IReadOnlyList<char> Characters => _chars;

    /// <summary>Token ids of <paramref name="text"/>.</summary>
    /// <exception cref="ArgumentException">A character is not in the vocabulary (the message gives its position).</exception>
    public long[] Encode(string text)
    {
        var ids = new long[text.Length];
        for (int i = 0; i < text.Length; i++)
            ids[i] = _ids.TryGetValue(text[i], out int id) ? id
                : throw new ArgumentException($"CharVocabulary: character '{text[i]}' (U+{(int)text[i]:X4}) at position {i} is not in the vocabulary of {Size} characters.");
        return ids;
    }

    /// <summary>The text of token ids.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside 0..Size-1.</exception>
    public string Decode(IEnumerable<long> ids) => new(ids.Select(id => (ulong)id < (ulong)_chars.Length ? _chars[id]
        : throw new ArgumentOutOfRangeException(nameof(ids), $"CharVocabulary: token id {id} is outside 0..{Size - 1}.")).ToArray());

    /// <summary>The text of an int64 tensor of token ids (any shape, row-major).</summary>
    public string Decode(Tensor ids) => Decode(ids.ToArray<long>());
}

/// <summary>
/// A character-level language-modelling data set over one text: item i is (x, y), both int64 [BlockSize],
/// with x = tokens[i .. i+BlockSize) and y = tokens[i+1 .. i+BlockSize+1) (the next-character targets).
/// </summary>
public class CharDataset : Dataset<(Tensor X, Tensor Y)>
{
    private readonly long[] _tokens;

    /// <summary>Wraps token ids.</summary>
    /// <exception cref="ArgumentException">blockSize &lt; 1, or fewer than blockSize + 1 tokens.</exception>
    public CharDataset(long[] tokens, int blockSize, CharVocabulary vocabulary)
    {
        if (blockSize < 1)
            throw new ArgumentException($"CharDataset: blockSize must be at least 1, got {blockSize}.");
        if (tokens.Length < blockSize + 1)
            throw new ArgumentException($"CharDataset: {tokens.Length} tokens are too few for blocks of {blockSize} (need at least {blockSize + 1}).");
        (_tokens, BlockSize, Vocabulary) = (tokens, blockSize, vocabulary);
    }

    /// <summary>Tokens per example.</summary>
    public int BlockSize { get; }

    /// <summary>The vocabulary that encoded the text.</summary>
    public CharVocabulary Vocabulary { get; }

    /// <summary>All token ids.</summary>
    public ReadOnlyMemory<long> Tokens => _tokens;

    /// <inheritdoc/>
    public override int Count => _tokens.Length - BlockSize;

    /// <inheritdoc/>
    public override (Tensor X, Tensor Y) this[int index]
    {
        get
        {
            CheckIndex(index);
            return (Tensor.From(_tokens.AsSpan(index, BlockSize).ToArray(), BlockSize),
                    Tensor.From(_tokens.AsSpan(index + 1, BlockSize).ToArray(), BlockSize));
        }
    }
}

/// <summary>
/// Tiny Shakespeare (Karpathy's char-rnn corpus, 1,115,394 characters) as a character-level data set. The vocabulary is
/// built from the whole text (65 characters); the first <c>trainFraction</c> of the characters are the training
/// split, the rest the validation split, as in nanoGPT.
/// </summary>
public sealed class TinyShakespeare : CharDataset
{
    /// <summary>The text file with its SHA-256 and mirror.</summary>
    public static RemoteFile File { get; } = new("input.txt", "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
        ["https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"]);

    private TinyShakespeare(long[] tokens, int blockSize, CharVocabulary vocabulary, bool train) : base(tokens, blockSize, vocabulary) => Train = train;

    /// <summary>True for the training split.</summary>
    public bool Train { get; }

    /// <summary>Loads a split from <paramref name="root"/> (the folder holding input.txt).</summary>
    /// <param name="root">The folder.</param>
    /// <param name="blockSize">Characters per example.</param>
    /// <param name="train">Training split (first part) or validation split (last part).</param>
    /// <param name="trainFraction">Share of the text in the training split.</param>
    /// <exception cref="FileNotFoundException">input.txt is missing (the message says how to get it).</exception>
    /// <exception cref="ArgumentException">trainFraction outside (0, 1) or a split too short for the block size.</exception>
    public static TinyShakespeare Load(string root, int blockSize, bool train = true, double trainFraction = 0.9)
    {
        if (!(trainFraction > 0 && trainFraction < 1))
            throw new ArgumentException($"TinyShakespeare: trainFraction must lie in (0, 1), got {trainFraction}.");
        Downloader.RequireFiles("Tiny Shakespeare", root, [File], $"TinyShakespeare.DownloadAsync(\"{root}\")");
        string text = System.IO.File.ReadAllText(Path.Combine(root, File.FileName));
        var vocab = new CharVocabulary(text);
        var all = vocab.Encode(text);
        int cut = (int)(all.Length * trainFraction);
        var part = train ? all[..cut] : all[cut..];
        return new TinyShakespeare(part, blockSize, vocab, train);
    }

    /// <summary>Downloads input.txt into <paramref name="root"/> and verifies its checksum.</summary>
    /// <exception cref="IOException">The download failed or the checksum did not match.</exception>
    public static Task DownloadAsync(string root, IProgress<string>? progress = null, CancellationToken cancellationToken = default) =>
        Downloader.EnsureAsync(File, root, progress, cancellationToken);
}
