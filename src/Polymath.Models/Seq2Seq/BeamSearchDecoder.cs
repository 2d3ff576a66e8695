namespace Polymath.Models.Seq2Seq;

/// <summary>
/// Beam search with GNMT's length penalty. Each sentence keeps <c>beamSize</c> live hypotheses, decoded together as
/// one batch; at every step the 2·beam best extensions (summed log-probability) are ranked, an EOS among the first
/// beam of them finishes that hypothesis with score logP / lp, lp = ((5 + |Y|) / 6)^α (|Y| counting EOS), and the
/// best non-EOS extensions form the next beam. Search stops early once beam hypotheses have finished (or at the
/// length limit, where EOS is forced); the answer is the finished hypothesis with the highest score.
/// </summary>
public static class BeamSearchDecoder
{
    /// <summary>GNMT's length penalty ((5 + length) / 6)^α.</summary>
    public static double LengthPenalty(int length, double alpha) => Math.Pow((5.0 + length) / 6.0, alpha);

    /// <summary>Translates each source in turn; see the class summary.</summary>
    /// <returns>Per source: target ids without BOS and EOS, summed log-probability, and the length-normalised score.</returns>
    /// <exception cref="ArgumentOutOfRangeException">beamSize below 1 or a negative α.</exception>
    public static List<(int[] Tokens, double LogProb, double Score)> Decode(TransformerTranslator model, IReadOnlyList<int[]> sources, int beamSize,
        double alpha = 0.6, DecodeLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sources);
        if (beamSize < 1)
            throw new ArgumentOutOfRangeException(nameof(beamSize), $"beam search: beam size must be at least 1, got {beamSize}.");
        if (alpha < 0 || double.IsNaN(alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), $"beam search: length penalty α must be non-negative, got {alpha}.");
        var lim = limits ?? new DecodeLimits();
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            using var _ = Tensor.NoGrad();
            return sources.Select(s => DecodeOne(model, s, beamSize, alpha, lim)).ToList();
        }
        finally
        {
            model.Train(wasTraining);
        }
    }

    /// <summary>Ids of the (at most) <paramref name="count"/> largest finite entries, by value then lower id, in no particular order.</summary>
    private static List<int> TopIds(ReadOnlySpan<float> row, int count)
    {
        // A small array kept sorted (best first) by insertion: beam widths are small.
        var ids = new List<int>(count + 1);
        for (int w = 0; w < row.Length; w++)
        {
            float x = row[w];
            if (float.IsNegativeInfinity(x) || (ids.Count == count && x <= row[ids[^1]]))
                continue; // on a tie the earlier (lower) id stays
            int at = ids.Count;
            while (at > 0 && row[ids[at - 1]] < x)
                at--;
            ids.Insert(at, w);
            if (ids.Count > count)
                ids.RemoveAt(ids.Count - 1);
        }
        return ids;
    }

    private static (int[] Tokens, double LogProb, double Score) DecodeOne(TransformerTranslator model, int[] source, int k, double alpha, DecodeLimits lim)
    {
        var cfg = model.Config;
        int v = cfg.TargetVocabSize, maxLen = lim.MaxLength(source.Length, cfg);
        var state = model.StartDecoding(DecodeLimits.PadBatch([source], cfg.PadId));
        var alive = new List<(int[] Tokens, double LogProb)> { ([], 0) };
        var finished = new List<(int[] Tokens, double LogProb, double Score)>();
        var inputs = new List<long> { cfg.BosId };
        for (int n = 1; n <= maxLen; n++)
        {
            var logp = model.Step(state, inputs).Contiguous().ToArray();
            // Rank every extension; keep the best 2k (ties: lower beam, then lower token id, so results are deterministic).
            // The best 2k overall are among the best 2k of each row, so only those are kept (a full sort of beam × vocabulary
            // candidates per step cost more than the model's step).
            var cands = new List<(double Total, int Beam, int Token)>();
            for (int b = 0; b < alive.Count; b++)
            {
                var row = logp.AsSpan(b * v, v);
                DecodeLimits.MaskRow(row, cfg, n == maxLen);
                foreach (int w in TopIds(row, 2 * k))
                    cands.Add((alive[b].LogProb + row[w], b, w));
            }
            cands.Sort((x, y) => x.Total != y.Total ? y.Total.CompareTo(x.Total) : x.Beam != y.Beam ? x.Beam.CompareTo(y.Beam) : x.Token.CompareTo(y.Token));
            var next = new List<(int[] Tokens, double LogProb)>();
            var rows = new List<long>();
            var tokens = new List<long>();
            for (int rank = 0; rank < Math.Min(2 * k, cands.Count) && next.Count < k; rank++)
            {
                var (total, b, w) = cands[rank];
                if (w == cfg.EosId)
                {
                    if (rank < k)
                        finished.Add((alive[b].Tokens, total, total / LengthPenalty(n, alpha)));
                    continue;
                }
                next.Add(([.. alive[b].Tokens, w], total));
                rows.Add(b);
                tokens.Add(w);
            }
            if (finished.Count >= k || next.Count == 0)
                break;
            state.Reorder(rows);
            alive = next;
            inputs = tokens;
        }
        // Every path ends in finished: at the length limit only EOS is allowed.
        var best = finished[0];
        foreach (var f in finished)
            if (f.Score > best.Score)
                best = f;
        return best;
    }
}
