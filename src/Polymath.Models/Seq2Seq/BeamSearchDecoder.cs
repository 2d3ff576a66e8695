namespace Polymath.Models.Seq2Seq;

/// <summary>
/// Beam search with GNMT's length penalty. Each sentence keeps <c>beamSize</c> live hypotheses, decoded together as
/// one batch; at every step the 2·beam best extensions (summed log-probability) are ranked, an EOS among the first
/// beam of them finishes that hypothesis with score logP / lp, lp = ((5 + |Y|) / 6)^α (|Y| counting EOS), and the
/// best non-EOS extensions form the next beam. Search stops early once beam hypotheses have finished (or at the
/// length limit, where EOS is forced); the answer is the finished hypothesis with the highest score.
/// Up to <see cref="SentencesPerBatch"/> sentences are searched together: their live hypotheses are the rows of one
/// decoder batch (each sentence's rows kept contiguous), so one model step serves them all; a sentence whose search
/// has ended leaves the batch. The selection per sentence is exactly the one-sentence search.
/// </summary>
public static class BeamSearchDecoder
{
    /// <summary>GNMT's length penalty ((5 + length) / 6)^α.</summary>
    public static double LengthPenalty(int length, double alpha) => Math.Pow((5.0 + length) / 6.0, alpha);

    /// <summary>Most sentences searched in one decoder batch (bounds the rows to SentencesPerBatch · beam).</summary>
    public const int SentencesPerBatch = 64;

    /// <summary>Translates the sources, up to <see cref="SentencesPerBatch"/> at a time; see the class summary.</summary>
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
            var results = new List<(int[] Tokens, double LogProb, double Score)>(sources.Count);
            for (int start = 0; start < sources.Count; start += SentencesPerBatch)
                results.AddRange(DecodeBatch(model, sources.Skip(start).Take(SentencesPerBatch).ToList(), beamSize, alpha, lim));
            return results;
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

    private static (int[] Tokens, double LogProb, double Score)[] DecodeBatch(TransformerTranslator model, List<int[]> sources, int k, double alpha, DecodeLimits lim)
    {
        var cfg = model.Config;
        int v = cfg.TargetVocabSize, count = sources.Count;
        var maxLen = sources.Select(s => lim.MaxLength(s.Length, cfg)).ToArray();
        var state = model.StartDecoding(DecodeLimits.PadBatch(sources, cfg.PadId));
        var alive = sources.Select(_ => new List<(int[] Tokens, double LogProb)> { ([], 0) }).ToArray();
        var finished = sources.Select(_ => new List<(int[] Tokens, double LogProb, double Score)>()).ToArray();
        var searching = Enumerable.Range(0, count).ToList();   // sentences still in the batch, in row order
        var inputs = Enumerable.Repeat((long)cfg.BosId, count).ToList();
        var cands = new List<(double Total, int Beam, int Token)>();
        for (int n = 1; searching.Count > 0; n++)
        {
            var logp = model.Step(state, inputs).Contiguous().ToArray();
            var rows = new List<long>();
            var tokens = new List<long>();
            var stillSearching = new List<int>();
            int first = 0;   // the state row of this sentence's beam 0
            foreach (int s in searching)
            {
                var beams = alive[s];
                // Rank every extension; keep the best 2k (ties: lower beam, then lower token id, so results are
                // deterministic). The best 2k overall are among the best 2k of each row, so only those are kept (a full
                // sort of beam × vocabulary candidates per step cost more than the model's step).
                cands.Clear();
                for (int b = 0; b < beams.Count; b++)
                {
                    var row = logp.AsSpan((first + b) * v, v);
                    DecodeLimits.MaskRow(row, cfg, n == maxLen[s]);
                    foreach (int w in TopIds(row, 2 * k))
                        cands.Add((beams[b].LogProb + row[w], b, w));
                }
                cands.Sort((x, y) => x.Total != y.Total ? y.Total.CompareTo(x.Total) : x.Beam != y.Beam ? x.Beam.CompareTo(y.Beam) : x.Token.CompareTo(y.Token));
                var next = new List<(int[] Tokens, double LogProb)>();
                var nextRows = new List<long>();
                for (int rank = 0; rank < Math.Min(2 * k, cands.Count) && next.Count < k; rank++)
                {
                    var (total, b, w) = cands[rank];
                    if (w == cfg.EosId)
                    {
                        if (rank < k)
                            finished[s].Add((beams[b].Tokens, total, total / LengthPenalty(n, alpha)));
                        continue;
                    }
                    next.Add(([.. beams[b].Tokens, w], total));
                    nextRows.Add(first + b);
                }
                first += beams.Count;
                if (finished[s].Count >= k || next.Count == 0)
                    continue;   // this sentence's search is over: its rows leave the batch
                alive[s] = next;
                rows.AddRange(nextRows);
                tokens.AddRange(next.Select(h => (long)h.Tokens[^1]));
                stillSearching.Add(s);
            }
            searching = stillSearching;
            if (searching.Count == 0)
                break;
            state.Reorder(rows);
            inputs = tokens;
        }
        // Every path ends in finished: at the length limit only EOS is allowed.
        return finished.Select(f =>
        {
            var best = f[0];
            foreach (var h in f)
                if (h.Score > best.Score)
                    best = h;
            return best;
        }).ToArray();
    }
}
