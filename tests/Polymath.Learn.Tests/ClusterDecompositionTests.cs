using Xunit;
using static Polymath.Learn.Tests.Fixtures;

namespace Polymath.Learn.Tests;

public class ClusterDecompositionTests
{
    [Fact]
    public void KMeansFindsSklearnsInertiaOnIris()
    {
        var e = Expected["kmeans_iris"]!;
        var (x, y) = Load("iris");
        var m = new KMeans { NClusters = 3, RandomState = 0 };
        m.Fit(x);
        // Random restarts on both sides; iris has a clear best local optimum, so inertia agrees to 0.1%.
        Assert.True(Math.Abs(m.Inertia - e["inertia"]!.GetValue<double>()) <= 1e-3 * e["inertia"]!.GetValue<double>(), $"inertia {m.Inertia} vs {e["inertia"]}");
        Assert.Equal(m.Labels, m.Predict(x));
    }

    [Fact]
    public void KMeansOnDigitsIsWithinOnePercentOfSklearn()
    {
        var (x, _) = Load("digits");
        var m = new KMeans { NClusters = 10, RandomState = 0, NInit = 4 };
        m.Fit(x);
        double theirs = Expected["kmeans_digits"]!["inertia"]!.GetValue<double>();
        Assert.True(m.Inertia <= theirs * 1.01, $"inertia {m.Inertia} vs sklearn {theirs}");
    }

    [Fact]
    public void DbscanLabelsMatchSklearn()
    {
        var e = Expected["dbscan_iris"]!;
        var (x, _) = Load("iris");
        var xs = new StandardScaler().FitTransform(x);
        var labels = new DBSCAN { Eps = 0.8, MinSamples = 5 }.FitPredict(xs);
        Assert.Equal(Vector(e["labels"]), labels.Select(l => (double)l).ToArray());
    }

    [Fact]
    public void PcaMatchesSklearnUpToSignAndWhitens()
    {
        var e = Expected["pca_digits"]!;
        var (xtr, xte, _, _) = Split("digits");
        var m = new PCA { NComponents = 10, SvdSolver = "full" };
        m.Fit(xtr);
        Close(Vector(e["explained_variance"]), m.ExplainedVariance, 1e-8, "explained variance");
        Close(Vector(e["explained_variance_ratio"]), m.ExplainedVarianceRatio, 1e-8, "ratio");
        Close(Vector(e["singular_values"]), m.SingularValues, 1e-8, "singular values");
        // Same sign convention (svd_flip on the scores); compare as is, and the test would still pass a flipped axis
        // only if it were flipped in both the components and the scores.
        var comps = Matrix(e["components"]);
        for (int c = 0; c < 10; c++)
        {
            double sign = Math.Sign(Enumerable.Range(0, 64).Sum(j => comps[c, j] * m.Components[c, j]));
            for (int j = 0; j < 64; j++)
                Assert.True(Math.Abs(comps[c, j] - sign * m.Components[c, j]) < 1e-6, $"component {c}, feature {j}");
        }
        var head = Rows(xte, Enumerable.Range(0, 10).ToArray());
        var scores = m.Transform(head);
        var expected = Matrix(e["transform_head"]);
        for (int c = 0; c < 10; c++)
        {
            double sign = Math.Sign(Enumerable.Range(0, 64).Sum(j => comps[c, j] * m.Components[c, j]));
            for (int i = 0; i < 10; i++)
                Assert.True(Math.Abs(expected[i, c] - sign * scores[i, c]) < 1e-6, $"score {i},{c}");
        }
        var w = new PCA { NComponents = 10, SvdSolver = "full", Whiten = true };
        w.Fit(xtr);
        var white = w.Transform(head);
        var ew = Matrix(e["whiten_head"]);
        for (int i = 0; i < 10; i++)
            for (int c = 0; c < 10; c++)
                Assert.True(Math.Abs(Math.Abs(ew[i, c]) - Math.Abs(white[i, c])) < 1e-6, $"whitened {i},{c}");
    }

    [Fact]
    public void RandomizedPcaFindsTheSameLeadingVariances()
    {
        var (xtr, _, _, _) = Split("digits");
        var m = new PCA { NComponents = 10, SvdSolver = "randomized", RandomState = 1 };
        m.Fit(xtr);
        Close(Vector(Expected["pca_digits"]!["randomized_explained_variance"]), m.ExplainedVariance, 1e-3, "explained variance");
        var back = m.InverseTransform(m.Transform(xtr));
        Assert.Equal(xtr.GetLength(1), back.GetLength(1));
    }

    [Fact]
    public void FullPcaOfStandardisedWineExplainsAllVariance()
    {
        var (x, _) = Load("wine");
        var m = new PCA { SvdSolver = "full" };
        m.Fit(new StandardScaler().FitTransform(x));
        Close(Vector(Expected["pca_wine_all"]!["explained_variance_ratio"]), m.ExplainedVarianceRatio, 1e-8, "ratio");
        Assert.Equal(1.0, m.ExplainedVarianceRatio.Sum(), 9);
    }
}
