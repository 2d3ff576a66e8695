namespace Polymath.Models.Gpt;

/// <summary>Picks a token from one row of logits: greedy, or temperature → top-k → top-p → a seeded draw.</summary>
public static class TokenSampler
{
    /// <summary>The chosen token id.</summary>
    /// <param name="logits">Scores for every token.</param>
    /// <param name="options">Temperature, top-k, top-p.</param>
    /// <param name="generator">Source of the draw (unused when greedy).</param>
    public static int Sample(ReadOnlySpan<float> logits, SamplingOptions options, Generator generator)
    {
        options.Validate();
        int n = logits.Length;
        if (options.Temperature == 0)
        {
            int best = 0;
            for (int i = 1; i < n; i++)
                if (logits[i] > logits[best])
                    best = i;
            return best;
        }
        // Candidates in descending logit order (ties by id), so top-k and top-p are prefixes.
        var order = Enumerable.Range(0, n).ToArray();
        var values = logits.ToArray();
        Array.Sort(order, (a, b) => values[a] != values[b] ? values[b].CompareTo(values[a]) : a.CompareTo(b));
        int keep = Math.Min(n, options.TopK ?? n);
        double max = logits[order[0]] / options.Temperature;
        var probs = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++)
            sum += probs[i] = Math.Exp(logits[order[i]] / options.Temperature - max);
        if (options.TopP is double p && p < 1)
        {
            double cumulative = 0;
            int cut = keep;
            for (int i = 0; i < keep; i++)
            {
                cumulative += probs[i] / sum;
                if (cumulative >= p)
                {
                    cut = i + 1;
                    break;
                }
            }
            keep = cut;
            sum = probs.AsSpan(0, keep).ToArray().Sum();
        }
        double u = generator.NextDouble() * sum, acc = 0;
        for (int i = 0; i < keep; i++)
        {
            acc += probs[i];
            if (u < acc)
                return order[i];
        }
        return order[keep - 1];
    }
}
