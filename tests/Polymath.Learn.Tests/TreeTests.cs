using Xunit;
using static Polymath.Learn.Tests.Fixtures;

namespace Polymath.Learn.Tests;

public class TreeTests
{
    // sklearn visits features in an order drawn from its random_state and keeps the first of equally good splits,
    // so its own trees differ between seeds where impurity decreases tie (deep nodes with few samples). The
    // fixtures hold five seeds; we must be as close to seed 0 as sklearn's other seeds are, less this slack.
    private const double AgreementSlack = 0.03;

    public static TheoryData<string> Cases() => [.. Expected["tree"]!.AsObject().Select(kv => kv.Key)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void DecisionTreeClassifierMatchesSklearn(string key)
    {
        var e = Expected["tree"]![key]!;
        var name = e["dataset"]!.GetValue<string>();
        var (xtr, xte, ytr, yte) = Split(name);
        var m = new DecisionTreeClassifier
        {
            Criterion = e["criterion"]!.GetValue<string>() == "gini" ? Criterion.Gini : Criterion.Entropy,
            MaxDepth = e["max_depth"]?.GetValue<int>(),
            CcpAlpha = e["ccp_alpha"]!.GetValue<double>(),
        };
        m.Fit(xtr, ytr);
        var seeds = e["predict"]!.AsArray().Select(Vector).ToArray();
        SeedSpread.AssertAsCloseAsSklearnIsToItself(seeds, m.Predict(xte), AgreementSlack, key);
        var nodes = e["node_count"]!.AsArray().Select(v => v!.GetValue<int>()).ToArray();
        Assert.InRange(m.Tree.NodeCount, (int)(nodes.Min() * 0.9), (int)Math.Ceiling(nodes.Max() * 1.1));
        double minAccuracy = e["accuracy"]!.AsArray().Min(v => v!.GetValue<double>());
        Assert.True(m.Score(xte, yte) >= minAccuracy - Math.Max(0.01, 1.0 / yte.Length), $"{key}: accuracy {m.Score(xte, yte)} vs sklearn ≥ {minAccuracy}");
        Assert.Equal(1.0, m.FeatureImportances.Sum(), 9);
    }

    [Fact]
    public void PruningShrinksTheTree()
    {
        var (xtr, _, ytr, _) = Split("breast_cancer");
        var full = new DecisionTreeClassifier();
        full.Fit(xtr, ytr);
        var pruned = new DecisionTreeClassifier { CcpAlpha = 0.01 };
        pruned.Fit(xtr, ytr);
        Assert.True(pruned.Tree.NodeCount < full.Tree.NodeCount / 2, $"{pruned.Tree.NodeCount} vs {full.Tree.NodeCount}");
    }

    [Fact]
    public void DecisionTreeRegressorMatchesSklearn()
    {
        var e = Expected["tree_regressor"]!;
        var (xtr, xte, ytr, _) = Split("diabetes");
        var m = new DecisionTreeRegressor { MaxDepth = 4, MinSamplesLeaf = 5 };
        m.Fit(xtr, ytr);
        Close(Vector(e["predict"]), m.Predict(xte), 1e-9, "predict");
        Assert.Equal(e["node_count"]!.GetValue<int>(), m.Tree.NodeCount);
    }
}

/// <summary>Compares our predictions with sklearn's seed 0, allowing as much disagreement as sklearn's other seeds show.</summary>
internal static class SeedSpread
{
    public static void AssertAsCloseAsSklearnIsToItself(double[][] seeds, double[] ours, double slack, string what)
    {
        double selfAgreement = seeds.Skip(1).Min(s => Agreement(seeds[0], s));
        double agreement = Agreement(seeds[0], ours);
        Assert.True(agreement >= selfAgreement - slack, $"{what}: {agreement:P1} agree with sklearn seed 0; its other seeds agree {selfAgreement:P1}");
    }
}
