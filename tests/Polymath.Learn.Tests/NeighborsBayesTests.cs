using Xunit;
using static Polymath.Learn.Tests.Fixtures;

namespace Polymath.Learn.Tests;

public class NeighborsBayesTests
{
    [Theory]
    [InlineData("iris")]
    [InlineData("wine")]
    [InlineData("digits")]
    public void KNeighborsClassifierMatchesSklearn(string name)
    {
        var e = Expected["knn"]![name]!;
        var (xtr, xte, ytr, _) = Split(name, standardise: name == "wine");
        var m = new KNeighborsClassifier { NNeighbors = e["k"]!.GetValue<int>(), Weights = e["weights"]!.GetValue<string>() };
        m.Fit(xtr, ytr);
        Assert.Equal(Vector(e["predict"]), m.Predict(xte));
        Close(Matrix(e["proba"]), m.PredictProba(xte), 1e-9, "proba");
    }

    [Fact]
    public void KNeighborsRegressorMatchesSklearn()
    {
        var (xtr, xte, ytr, _) = Split("diabetes");
        var m = new KNeighborsRegressor();
        m.Fit(xtr, ytr);
        Close(Vector(Expected["knn_regressor"]!["predict"]), m.Predict(xte), 1e-9, "predict");
    }

    [Theory]
    [InlineData("iris")]
    [InlineData("wine")]
    [InlineData("breast_cancer")]
    public void GaussianNBMatchesSklearn(string name)
    {
        var e = Expected["gaussian_nb"]![name]!;
        var (xtr, xte, ytr, _) = Split(name);
        var m = new GaussianNB();
        m.Fit(xtr, ytr);
        Close(Matrix(e["theta"]), m.Theta, 1e-10, "theta");
        Close(Matrix(e["var"]), m.Var, 1e-9, "var");
        Close(Matrix(e["proba"]), m.PredictProba(xte), 1e-7, "proba");
        Assert.Equal(Vector(e["predict"]), m.Predict(xte));
    }

    [Fact]
    public void MultinomialNBMatchesSklearnOnDigits()
    {
        var e = Expected["multinomial_nb"]!;
        var (xtr, xte, ytr, _) = Split("digits");
        var m = new MultinomialNB();
        m.Fit(xtr, ytr);
        Assert.Equal(Vector(e["predict"]), m.Predict(xte));
        Close(Matrix(e["proba_head"]), m.PredictProba(Rows(xte, Enumerable.Range(0, 20).ToArray())), 1e-7, "proba");
    }
}
