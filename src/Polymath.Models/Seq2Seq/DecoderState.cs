namespace Polymath.Models.Seq2Seq;

/// <summary>
/// What incremental decoding keeps between steps for a batch of partial translations: the encoder memory's
/// cross-attention keys and values per decoder layer (projected once), the source padding mask, and the decoder's own
/// self-attention keys and values so far. <see cref="Reorder"/> lets beam search follow the surviving hypotheses.
/// </summary>
public sealed class DecoderState
{
    internal DecoderState(Tensor memoryMask, Tensor[] crossK, Tensor[] crossV)
    {
        MemoryMask = memoryMask;
        CrossK = crossK;
        CrossV = crossV;
        SelfK = new Tensor?[crossK.Length];
        SelfV = new Tensor?[crossK.Length];
    }

    /// <summary>Additive [B, 1, 1, S] mask: 0 for real source tokens, a large negative number for padding.</summary>
    internal Tensor MemoryMask { get; private set; }

    internal Tensor[] CrossK { get; }

    internal Tensor[] CrossV { get; }

    internal Tensor?[] SelfK { get; }

    internal Tensor?[] SelfV { get; }

    /// <summary>Target positions decoded so far (the next token's position).</summary>
    public int Length { get; internal set; }

    /// <summary>Rows in the batch.</summary>
    public int Batch => MemoryMask.Size(0);

    /// <summary>Keeps rows <paramref name="rows"/> (repeats allowed) of every cached tensor, in that order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A row outside the batch.</exception>
    public void Reorder(IReadOnlyList<long> rows)
    {
        foreach (var r in rows)
            if ((ulong)r >= (ulong)Batch)
                throw new ArgumentOutOfRangeException(nameof(rows), $"DecoderState.Reorder: row {r} is outside the batch of {Batch}.");
        var idx = Tensor.From(rows.ToArray(), rows.Count);
        MemoryMask = MemoryMask.IndexSelect(0, idx);
        for (int l = 0; l < CrossK.Length; l++)
        {
            CrossK[l] = CrossK[l].IndexSelect(0, idx);
            CrossV[l] = CrossV[l].IndexSelect(0, idx);
            if (SelfK[l] is { } k)
                SelfK[l] = k.IndexSelect(0, idx);
            if (SelfV[l] is { } v)
                SelfV[l] = v.IndexSelect(0, idx);
        }
    }
}
