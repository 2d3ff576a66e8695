namespace Polymath.Data.Tokenizers;

/// <summary>
/// Learns a WordPiece vocabulary as the Hugging Face trainer does: start from the characters (first character of a
/// word plain, later ones with <c>##</c>), then repeatedly merge the adjacent pair with the highest
/// score = count(pair) / (count(left) · count(right)), which prefers pairs whose parts seldom occur apart. Ties go to
/// the higher count, then to the ordinally smaller token text, so training is deterministic.
/// </summary>
internal static class WordPieceTrainer
{
    public static List<string> Train(IEnumerable<string> words, int vocabSize)
    {
        var vocab = new List<string>(WordPieceTokenizer.DefaultSpecialTokens);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var w in words)
            counts[w] = counts.TryGetValue(w, out long c) ? c + 1 : 1;
        var known = new HashSet<string>(vocab, StringComparer.Ordinal);
        var pieces = new List<List<string>>();
        var freq = new List<long>();
        foreach (var (word, c) in counts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var symbols = new List<string>();
            int i = 0;
            foreach (var rune in word.EnumerateRunes())
            {
                symbols.Add(i == 0 ? rune.ToString() : WordPieceTokenizer.ContinuationPrefix + rune);
                i++;
            }
            pieces.Add(symbols);
            freq.Add(c);
        }
        foreach (var s in pieces.SelectMany(p => p).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            if (known.Add(s))
                vocab.Add(s);
        if (vocabSize < vocab.Count)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), $"WordPiece training: vocabulary size {vocabSize} is smaller than the {vocab.Count} special tokens and characters of the corpus.");

        while (vocab.Count < vocabSize)
        {
            var symbolCount = new Dictionary<string, long>(StringComparer.Ordinal);
            var pairCount = new Dictionary<(string, string), long>();
            for (int w = 0; w < pieces.Count; w++)
            {
                var p = pieces[w];
                for (int i = 0; i < p.Count; i++)
                {
                    symbolCount[p[i]] = symbolCount.GetValueOrDefault(p[i]) + freq[w];
                    if (i + 1 < p.Count)
                        pairCount[(p[i], p[i + 1])] = pairCount.GetValueOrDefault((p[i], p[i + 1])) + freq[w];
                }
            }
            (string L, string R) best = ("", "");
            double bestScore = -1;
            long bestCount = 0;
            foreach (var (pair, c) in pairCount)
            {
                double score = c / ((double)symbolCount[pair.Item1] * symbolCount[pair.Item2]);
                int cmp = score.CompareTo(bestScore);
                if (cmp > 0 || (cmp == 0 && (c > bestCount || (c == bestCount && string.CompareOrdinal(pair.Item1 + pair.Item2, (best.L ?? "") + best.R) < 0))))
                    (best, bestScore, bestCount) = (pair, score, c);
            }
            if (bestScore < 0)
                break; // every word is a single token
            string right = best.R!, merged = best.L + (right.StartsWith(WordPieceTokenizer.ContinuationPrefix, StringComparison.Ordinal) ? right[2..] : right);
            if (known.Add(merged))
                vocab.Add(merged);
            foreach (var p in pieces)
                for (int i = 0; i + 1 < p.Count; i++)
                    if (p[i] == best.L && p[i + 1] == best.R)
                    {
                        p[i] = merged;
                        p.RemoveAt(i + 1);
                    }
        }
        return vocab;
    }
}
