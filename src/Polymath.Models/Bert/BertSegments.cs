namespace Polymath.Models.Bert;

/// <summary>Packs tokenised lines into pretraining segments (before [CLS] and [SEP] are added).</summary>
public static class BertSegments
{
    /// <summary>
    /// Consecutive non-empty lines are joined while the total stays within <paramref name="maxTokens"/> (BERT packs whole
    /// sentences the same way, so segments are long and padding is rare); a line longer than that is cut into pieces of
    /// <paramref name="maxTokens"/>.
    /// </summary>
    /// <param name="lines">Word-piece ids of each line.</param>
    /// <param name="maxTokens">Most tokens in a segment: the model's sequence length minus 2.</param>
    /// <exception cref="ArgumentOutOfRangeException">maxTokens below 1.</exception>
    public static List<int[]> Pack(IEnumerable<int[]> lines, int maxTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        var segments = new List<int[]>();
        var current = new List<int>();
        void Flush()
        {
            if (current.Count > 0)
                segments.Add([.. current]);
            current.Clear();
        }
        foreach (var line in lines)
        {
            if (line.Length == 0)
                continue;
            if (current.Count + line.Length > maxTokens)
                Flush();
            for (int start = 0; start < line.Length; start += maxTokens)
            {
                int n = Math.Min(maxTokens, line.Length - start);
                current.AddRange(line.AsSpan(start, n));
                if (current.Count == maxTokens)
                    Flush();
            }
        }
        Flush();
        return segments;
    }
}
