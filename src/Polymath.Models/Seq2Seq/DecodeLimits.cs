namespace Polymath.Models.Seq2Seq;

/// <summary>
/// How long a translation may get: at most ⌊<see cref="A"/>·source length + <see cref="B"/>⌋ tokens, EOS included,
/// and never more than the model's MaxLength. At the limit EOS is forced, so every output ends.
/// </summary>
/// <param name="A">Tokens allowed per source token (fairseq's max_len_a).</param>
/// <param name="B">Tokens allowed on top (fairseq's max_len_b).</param>
public sealed record DecodeLimits(double A = 1.5, int B = 10)
{
    /// <summary>The limit for a source of <paramref name="sourceLength"/> tokens (EOS included) under <paramref name="config"/>.</summary>
    public int MaxLength(int sourceLength, TranslationConfig config) =>
        (int)Math.Clamp(Math.Floor(A * sourceLength + B), 1, config.MaxLength);

    /// <summary>Sets log-probabilities that may never be chosen to −∞: PAD and BOS always, everything but EOS at the limit.</summary>
    internal static void MaskRow(Span<float> row, TranslationConfig config, bool forceEos)
    {
        if (forceEos)
        {
            float eos = row[config.EosId];
            row.Fill(float.NegativeInfinity);
            row[config.EosId] = eos;
            return;
        }
        row[config.PadId] = float.NegativeInfinity;
        row[config.BosId] = float.NegativeInfinity;
    }

    /// <summary>Source id lists → a PAD-filled int64 [B, S] batch.</summary>
    internal static Tensor PadBatch(IReadOnlyList<int[]> sources, int padId)
    {
        if (sources.Count == 0)
            throw new ArgumentException("decode: no source sentences.");
        int s = sources.Max(x => x.Length);
        if (s == 0)
            throw new ArgumentException("decode: every source sentence is empty; sources need at least their EOS token.");
        var data = new long[sources.Count * s];
        Array.Fill(data, padId);
        for (int i = 0; i < sources.Count; i++)
        {
            if (sources[i].Length == 0)
                throw new ArgumentException($"decode: source sentence {i} is empty; it needs at least its EOS token.");
            for (int j = 0; j < sources[i].Length; j++)
                data[i * s + j] = sources[i][j];
        }
        return Tensor.From(data, sources.Count, s);
    }
}
