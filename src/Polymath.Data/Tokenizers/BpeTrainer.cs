using System.Text;

namespace Polymath.Data.Tokenizers;

/// <summary>
/// Learns byte-level BPE merges (Sennrich et al. 2016, over bytes as GPT-2): the corpus is pre-tokenised, distinct
/// pieces are counted, and the most frequent adjacent pair is merged until the vocabulary is full. Pair counts are
/// updated only for the pieces that contain the merged pair, so each merge costs the size of those pieces plus one
/// scan of the pair table. Ties go to the pair with the smaller (left, right) ids, so training is deterministic.
/// </summary>
internal static class BpeTrainer
{
    public static ByteLevelBpeTokenizer Train(string corpus, int vocabSize, string[] specialTokens, int minFrequency)
    {
        if (vocabSize < 256 + specialTokens.Length)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), $"BPE training: vocabulary size {vocabSize} is smaller than 256 bytes + {specialTokens.Length} special tokens.");
        if (specialTokens.Distinct(StringComparer.Ordinal).Count() != specialTokens.Length || specialTokens.Any(s => s.Length == 0))
            throw new ArgumentException("BPE training: special tokens must be distinct and non-empty.", nameof(specialTokens));

        // Count distinct pieces; special-token text is not learned from.
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var part in SplitOnSpecials(corpus, specialTokens))
            foreach (var m in Gpt2PreTokenizer.Regex().EnumerateMatches(part))
            {
                var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
                var piece = part.AsSpan(m.Index, m.Length);
                lookup[piece] = lookup.TryGetValue(piece, out int c) ? c + 1 : 1;
            }
        var words = new List<int[]>(counts.Count);
        var freq = new List<long>(counts.Count);
        foreach (var (piece, c) in counts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            words.Add(Encoding.UTF8.GetBytes(piece).Select(b => (int)b).ToArray());
            freq.Add(c);
        }

        var tokenBytes = new List<byte[]?>(vocabSize);
        for (int b = 0; b < 256; b++)
            tokenBytes.Add([(byte)b]);
        var pairCount = new Dictionary<long, long>();
        var where = new Dictionary<long, HashSet<int>>();
        for (int w = 0; w < words.Count; w++)
            AddPairs(words[w], w, freq[w], +1, pairCount, where);

        var merges = new List<(int, int)>();
        int target = vocabSize - specialTokens.Length;
        while (tokenBytes.Count < target)
        {
            long bestKey = -1, bestCount = 0;
            foreach (var (key, c) in pairCount)
                if (c > bestCount || (c == bestCount && c > 0 && key < bestKey))
                    (bestKey, bestCount) = (key, c);
            if (bestCount < Math.Max(1, minFrequency))
                break;
            int left = (int)(bestKey >> 32), right = (int)(uint)bestKey;
            int merged = tokenBytes.Count;
            tokenBytes.Add([.. tokenBytes[left]!, .. tokenBytes[right]!]);
            merges.Add((left, right));
            foreach (int w in where[bestKey].ToArray())
            {
                AddPairs(words[w], w, freq[w], -1, pairCount, where);
                words[w] = MergeWord(words[w], left, right, merged);
                AddPairs(words[w], w, freq[w], +1, pairCount, where);
            }
        }
        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in specialTokens)
        {
            special[s] = tokenBytes.Count;
            tokenBytes.Add(null);
        }
        return new ByteLevelBpeTokenizer(tokenBytes, merges, special);
    }

    private static IEnumerable<string> SplitOnSpecials(string text, string[] specials)
    {
        if (specials.Length == 0)
        {
            yield return text;
            yield break;
        }
        foreach (var part in text.Split(specials, StringSplitOptions.None))
            yield return part;
    }

    private static void AddPairs(int[] word, int w, long f, int sign, Dictionary<long, long> pairCount, Dictionary<long, HashSet<int>> where)
    {
        for (int i = 0; i + 1 < word.Length; i++)
        {
            long key = ByteLevelBpeTokenizer.Key(word[i], word[i + 1]);
            long c = (pairCount.TryGetValue(key, out long old) ? old : 0) + sign * f;
            if (c == 0)
            {
                pairCount.Remove(key);
                where.Remove(key);
                continue;
            }
            pairCount[key] = c;
            if (sign > 0)
            {
                if (!where.TryGetValue(key, out var set))
                    where[key] = set = [];
                set.Add(w);
            }
        }
    }

    private static int[] MergeWord(int[] word, int left, int right, int merged)
    {
        var result = new List<int>(word.Length);
        for (int i = 0; i < word.Length; i++)
        {
            if (i + 1 < word.Length && word[i] == left && word[i + 1] == right)
            {
                result.Add(merged);
                i++;
            }
            else
                result.Add(word[i]);
        }
        return [.. result];
    }
}
