namespace Polymath.Models.Seq2Seq;

/// <summary>
/// Greedy decoding: at each step take the most probable token (the lowest id on a tie), for a whole batch of
/// sentences at once; a row leaves the batch when it emits EOS, so finished sentences cost nothing more.
/// </summary>
public static class GreedyDecoder
{
    /// <summary>
    /// Translates each source (token ids ending in EOS) and returns the target ids without BOS and EOS, with the
    /// summed log-probability of each output (EOS included).
    /// </summary>
    /// <exception cref="ArgumentException">An empty source, or an id outside the vocabulary.</exception>
    public static List<(int[] Tokens, double LogProb)> Decode(TransformerTranslator model, IReadOnlyList<int[]> sources, DecodeLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var lim = limits ?? new DecodeLimits();
        var cfg = model.Config;
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            using var _ = Tensor.NoGrad();
            var state = model.StartDecoding(DecodeLimits.PadBatch(sources, cfg.PadId));
            var outputs = sources.Select(_ => new List<int>()).ToArray();
            var logProbs = new double[sources.Count];
            var maxLen = sources.Select(s => lim.MaxLength(s.Length, cfg)).ToArray();
            var active = Enumerable.Range(0, sources.Count).ToList();   // original row of each state row
            var inputs = Enumerable.Repeat((long)cfg.BosId, sources.Count).ToList();
            int v = cfg.TargetVocabSize;
            while (active.Count > 0)
            {
                var logp = model.Step(state, inputs).Contiguous().ToArray();
                var keep = new List<long>();
                var next = new List<long>();
                for (int r = 0; r < active.Count; r++)
                {
                    int row = active[r];
                    var span = logp.AsSpan(r * v, v);
                    DecodeLimits.MaskRow(span, cfg, outputs[row].Count + 1 >= maxLen[row]);
                    int best = 0;
                    for (int w = 1; w < v; w++)
                        if (span[w] > span[best])
                            best = w;
                    logProbs[row] += span[best];
                    if (best == cfg.EosId)
                        continue;
                    outputs[row].Add(best);
                    keep.Add(r);
                    next.Add(best);
                }
                if (keep.Count == 0)
                    break;
                if (keep.Count < active.Count)
                {
                    state.Reorder(keep);
                    active = keep.Select(r => active[(int)r]).ToList();
                }
                inputs = next;
            }
            return outputs.Select((o, i) => (o.ToArray(), logProbs[i])).ToList();
        }
        finally
        {
            model.Train(wasTraining);
        }
    }
}
