using Polymath.Hub.Model;
using Xunit;

namespace Polymath.Hub.Tests;

/// <summary>Cohen's and Fleiss' kappa against published worked examples.</summary>
public sealed class AgreementTests
{
    private const double Tolerance = 1e-3; // the published examples are rounded to three decimals

    [Fact]
    public void Cohens_kappa_matches_the_textbook_example()
    {
        // 50 proposals, two readers: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no (Wikipedia, "Cohen's kappa"): kappa = 0.4.
        var pairs = Enumerable.Repeat(("yes", "yes"), 20).Concat(Enumerable.Repeat(("yes", "no"), 5))
            .Concat(Enumerable.Repeat(("no", "yes"), 10)).Concat(Enumerable.Repeat(("no", "no"), 15)).ToList();
        Assert.Equal(0.4, Agreement.CohensKappa(pairs), Tolerance);
    }

    [Fact]
    public void Fleiss_kappa_matches_the_worked_example()
    {
        // 10 subjects, 14 raters, 5 categories (Fleiss 1971 as worked on Wikipedia, "Fleiss' kappa"): kappa = 0.210.
        int[][] table =
        [
            [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
            [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
        ];
        var items = table.Select(row => (IReadOnlyDictionary<string, int>)row.Select((n, j) => (n, j)).Where(x => x.n > 0)
            .ToDictionary(x => $"c{x.j}", x => x.n)).ToList();
        Assert.Equal(0.210, Agreement.FleissKappa(items), Tolerance);
    }

    [Fact]
    public void Perfect_agreement_is_one_and_undefined_cases_are_nan()
    {
        Assert.Equal(1.0, Agreement.CohensKappa([("a", "a"), ("b", "b")]), Tolerance);
        Assert.True(double.IsNaN(Agreement.CohensKappa([("a", "a"), ("a", "a")])));
        Assert.True(double.IsNaN(Agreement.FleissKappa([new Dictionary<string, int> { ["a"] = 1 }])));
    }
}
