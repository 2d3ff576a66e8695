namespace Polymath.Models.Bert;

/// <summary>
/// Turns word-piece segments into BERT masked-language-model batches (Devlin et al. 2019, §3.1): each segment becomes
/// <c>[CLS] pieces [SEP]</c>, padded with [PAD] to the longest in the batch (attention mask 0 there); then each
/// non-special token is chosen with probability <see cref="MaskProbability"/> (15%); a chosen token is replaced by
/// [MASK] with probability 0.8, by a random non-special token with probability 0.1, and left as it is otherwise; its
/// label is the original id, every other label −100 (ignored by the loss). Special tokens ([PAD], [CLS], [SEP], [MASK],
/// [UNK] and any others given) are never chosen and never drawn as replacements. Every draw comes from the generator
/// passed in, so a seed fixes the batch. If nothing in a batch was chosen, one maskable position (uniformly drawn) is,
/// so the loss is always defined.
/// </summary>
public sealed class MlmCollator
{
    private readonly bool[] _special;
    private readonly int[] _replacements;

    /// <summary>Creates the collator.</summary>
    /// <param name="vocabSize">Number of token ids.</param>
    /// <param name="padId">[PAD].</param>
    /// <param name="clsId">[CLS].</param>
    /// <param name="sepId">[SEP].</param>
    /// <param name="maskId">[MASK].</param>
    /// <param name="otherSpecialIds">Further ids that are never masked nor drawn (e.g. [UNK]).</param>
    /// <param name="maskProbability">Share of tokens chosen for prediction (0.15 in BERT).</param>
    /// <exception cref="ArgumentException">An id outside the vocabulary, a probability outside (0, 1], or no ordinary token left to draw.</exception>
    public MlmCollator(int vocabSize, int padId, int clsId, int sepId, int maskId, IEnumerable<int>? otherSpecialIds = null, double maskProbability = 0.15)
    {
        if (!(maskProbability > 0 && maskProbability <= 1))
            throw new ArgumentException($"MlmCollator: mask probability must be in (0, 1], got {maskProbability}.");
        int[] specials = [padId, clsId, sepId, maskId, .. otherSpecialIds ?? []];
        foreach (int id in specials)
            if ((uint)id >= (uint)vocabSize)
                throw new ArgumentException($"MlmCollator: special token id {id} is outside the vocabulary 0..{vocabSize - 1}.");
        _special = new bool[vocabSize];
        foreach (int id in specials)
            _special[id] = true;
        _replacements = Enumerable.Range(0, vocabSize).Where(i => !_special[i]).ToArray();
        if (_replacements.Length == 0)
            throw new ArgumentException("MlmCollator: every token of the vocabulary is special; nothing can be masked.");
        (VocabSize, PadId, ClsId, SepId, MaskId, MaskProbability) = (vocabSize, padId, clsId, sepId, maskId, maskProbability);
    }

    /// <summary>Vocabulary size.</summary>
    public int VocabSize { get; }

    /// <summary>[PAD] id.</summary>
    public int PadId { get; }

    /// <summary>[CLS] id.</summary>
    public int ClsId { get; }

    /// <summary>[SEP] id.</summary>
    public int SepId { get; }

    /// <summary>[MASK] id.</summary>
    public int MaskId { get; }

    /// <summary>Share of maskable tokens chosen for prediction.</summary>
    public double MaskProbability { get; }

    /// <summary>Whether <paramref name="id"/> is never masked.</summary>
    public bool IsSpecial(int id) => _special[id];

    /// <summary>[CLS] s [SEP] for each segment, padded: ids [B, T] int64 and attention mask [B, T] int64 (1 = token, 0 = padding).</summary>
    /// <exception cref="ArgumentException">No segments, or an id outside the vocabulary.</exception>
    public (long[] Ids, long[] AttentionMask, int Rows, int Length) Pad(IReadOnlyList<int[]> segments)
    {
        if (segments.Count == 0)
            throw new ArgumentException("MlmCollator: a batch needs at least one segment.");
        int t = segments.Max(s => s.Length) + 2, b = segments.Count;
        var ids = new long[b * t];
        var mask = new long[b * t];
        for (int r = 0; r < b; r++)
        {
            var s = segments[r];
            ids[r * t] = ClsId;
            for (int j = 0; j < s.Length; j++)
            {
                if ((uint)s[j] >= (uint)VocabSize)
                    throw new ArgumentException($"MlmCollator: token id {s[j]} (segment {r}, position {j}) is outside the vocabulary 0..{VocabSize - 1}.");
                ids[r * t + 1 + j] = s[j];
            }
            ids[r * t + 1 + s.Length] = SepId;
            for (int j = s.Length + 2; j < t; j++)
                ids[r * t + j] = PadId;
            for (int j = 0; j < s.Length + 2; j++)
                mask[r * t + j] = 1;
        }
        return (ids, mask, b, t);
    }

    /// <summary>
    /// Applies the 80/10/10 masking to <paramref name="ids"/> in place and returns the labels (original id where chosen, −100 elsewhere).
    /// </summary>
    public long[] Mask(long[] ids, Generator generator)
    {
        var labels = new long[ids.Length];
        Array.Fill(labels, Losses.DefaultIgnoreIndex);
        bool any = false;
        for (int i = 0; i < ids.Length; i++)
        {
            if (_special[ids[i]] || generator.NextDouble() >= MaskProbability)
                continue;
            Replace(ids, labels, i, generator);
            any = true;
        }
        if (!any)
        {
            var maskable = Enumerable.Range(0, ids.Length).Where(i => !_special[ids[i]]).ToArray();
            if (maskable.Length > 0)
                Replace(ids, labels, maskable[generator.NextLong(0, maskable.Length)], generator);
        }
        return labels;
    }

    /// <summary>A padded, masked batch of <paramref name="segments"/>.</summary>
    /// <exception cref="ArgumentException">No segments, or an id outside the vocabulary.</exception>
    public MlmBatch Collate(IReadOnlyList<int[]> segments, Generator generator)
    {
        var (ids, mask, b, t) = Pad(segments);
        var labels = Mask(ids, generator);
        return new MlmBatch(Tensor.From(ids, b, t), Tensor.From(mask, b, t), Tensor.From(labels, b, t));
    }

    private void Replace(long[] ids, long[] labels, int i, Generator generator)
    {
        labels[i] = ids[i];
        double u = generator.NextDouble();
        if (u < 0.8)
            ids[i] = MaskId;
        else if (u < 0.9)
            ids[i] = _replacements[generator.NextLong(0, _replacements.Length)];
    }
}

/// <summary>One masked-language-model batch.</summary>
/// <param name="InputIds">[B, T] int64, with masked and replaced tokens.</param>
/// <param name="AttentionMask">[B, T] int64: 1 for tokens, 0 for padding.</param>
/// <param name="Labels">[B, T] int64: the original id at chosen positions, −100 elsewhere.</param>
public sealed record MlmBatch(Tensor InputIds, Tensor AttentionMask, Tensor Labels);
