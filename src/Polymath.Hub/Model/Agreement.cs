namespace Polymath.Hub.Model;

/// <summary>
/// Chance-corrected agreement between annotators: Cohen's kappa for two annotators over the items both labelled, and
/// Fleiss' kappa for any number of annotators (items may have different numbers of ratings; items rated once are skipped).
/// Both are 1 for perfect agreement, 0 for agreement at chance level, negative below it; NaN when undefined (no items,
/// or every rating in one category so that chance agreement is 1).
/// </summary>
internal static class Agreement
{
    /// <summary>Cohen's kappa of two annotators' labels for the same items (pairs: first annotator's label, second's).</summary>
    public static double CohensKappa(IReadOnlyList<(string A, string B)> pairs)
    {
        int n = pairs.Count;
        if (n == 0)
            return double.NaN;
        double observed = pairs.Count(p => p.A == p.B) / (double)n;
        var countA = pairs.GroupBy(p => p.A).ToDictionary(g => g.Key, g => g.Count());
        var countB = pairs.GroupBy(p => p.B).ToDictionary(g => g.Key, g => g.Count());
        double expected = countA.Sum(kv => kv.Value * (double)countB.GetValueOrDefault(kv.Key)) / ((double)n * n);
        return expected >= 1 ? double.NaN : (observed - expected) / (1 - expected);
    }

    /// <summary>Fleiss' kappa from, per item, the number of ratings in each category.</summary>
    public static double FleissKappa(IReadOnlyList<IReadOnlyDictionary<string, int>> items)
    {
        var rated = items.Where(i => i.Values.Sum() >= 2).ToList();
        if (rated.Count == 0)
            return double.NaN;
        double meanAgreement = 0;
        var totals = new Dictionary<string, double>();
        double allRatings = 0;
        foreach (var item in rated)
        {
            int ni = item.Values.Sum();
            meanAgreement += (item.Values.Sum(c => (double)c * c) - ni) / ((double)ni * (ni - 1));
            foreach (var (category, count) in item)
                totals[category] = totals.GetValueOrDefault(category) + count;
            allRatings += ni;
        }
        meanAgreement /= rated.Count;
        double chance = totals.Values.Sum(t => (t / allRatings) * (t / allRatings));
        return chance >= 1 ? double.NaN : (meanAgreement - chance) / (1 - chance);
    }
}
