using Xunit;
using static Polymath.Learn.Tests.Fixtures;

namespace Polymath.Learn.Tests;

public class ModelSelectionMetricsTests
{
    [Theory]
    [InlineData("iris")]
    [InlineData("wine")]
    public void StratifiedKFoldReproducesSklearnsFolds(string name)
    {
        var (_, y) = Load(name);
        var expected = Expected["stratified_kfold"]![name]!.AsArray().Select(Vector).ToArray();
        var folds = new StratifiedKFold(5).Split(y).ToArray();
        Assert.Equal(expected.Length, folds.Length);
        for (int f = 0; f < folds.Length; f++)
        {
            Assert.Equal(expected[f], folds[f].Test.Select(i => (double)i).ToArray());
            Assert.Equal(y.Length, folds[f].Train.Length + folds[f].Test.Length);
        }
    }

    [Fact]
    public void KFoldCoversEveryRowOnce()
    {
        var folds = new KFold(4, shuffle: true, randomState: 3).Split(new double[10]).ToArray();
        Assert.Equal(Enumerable.Range(0, 10), folds.SelectMany(f => f.Test).Order());
        Assert.Equal([3, 3, 2, 2], folds.Select(f => f.Test.Length));
    }

    [Fact]
    public void CrossValidatedPipelineScoresMatchSklearn()
    {
        var (x, y) = Load("breast_cancer");
        var pipe = new Pipeline(new StandardScaler(), new LogisticRegression { Tol = 1e-10, FTol = 0, MaxIter = 10000 });
        var scores = ModelSelection.CrossValScore(pipe, x, y, new StratifiedKFold(5));
        Close(Vector(Expected["cv_pipeline_breast_cancer"]), scores, 1e-12, "fold accuracy");
    }

    [Fact]
    public void GridSearchPicksSklearnsBestSvcSettings()
    {
        var e = Expected["grid_search_iris"]!;
        var (x, y) = Load("iris");
        var grid = new GridSearchCV(
            new Pipeline(new StandardScaler(), new SVC { Tol = 1e-6 }),
            new Dictionary<string, object?[]> { ["svc__C"] = [0.1, 1.0, 10.0], ["svc__Gamma"] = [0.01, 0.1, 1.0] },
            new StratifiedKFold(5));
        grid.Fit(x, y);
        Close(Vector(e["mean_scores"]), grid.Results.Select(r => r.Mean).ToArray(), 1e-12, "mean scores");
        Assert.Equal(e["best_score"]!.GetValue<double>(), grid.BestScore, 12);
        Assert.Equal(e["best_params"]!["svc__C"]!.GetValue<double>(), (double)grid.BestParams["svc__C"]!);
        Assert.Equal(e["best_params"]!["svc__gamma"]!.GetValue<double>(), (double)grid.BestParams["svc__Gamma"]!);
        Assert.True(grid.Score(x, y) > 0.9);
    }

    [Fact]
    public void TrainTestSplitIsSeededAndStratifies()
    {
        var (x, y) = Load("iris");
        var (xtr, xte, ytr, yte) = ModelSelection.TrainTestSplit(x, y, 0.2, randomState: 5, stratify: true);
        Assert.Equal(120, ytr.Length);
        Assert.Equal(30, yte.Length);
        Assert.All(new[] { 0.0, 1.0, 2.0 }, c => Assert.Equal(10, yte.Count(v => v == c)));
        var again = ModelSelection.TrainTestSplit(x, y, 0.2, randomState: 5, stratify: true);
        Assert.Equal(yte, again.YTest);
        Assert.Equal(xte, again.XTest);
        Assert.Equal(xtr.GetLength(0), ytr.Length);
    }

    [Fact]
    public void MetricsMatchSklearn()
    {
        var e = Expected["metrics"]!;
        var yt = Vector(e["y_true"]);
        var yp = Vector(e["y_pred"]);
        const double Tol = 1e-12;
        Assert.Equal(e["accuracy"]!.GetValue<double>(), Metrics.Accuracy(yt, yp), Tol);
        var cm = Metrics.ConfusionMatrix(yt, yp);
        var ecm = Matrix(e["confusion"]);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(ecm[i, j], cm[i, j]);
        foreach (var avg in new[] { "macro", "micro", "weighted" })
        {
            var (p, r, f) = Metrics.PrecisionRecallF1(yt, yp, avg);
            Assert.Equal(e[$"precision_{avg}"]!.GetValue<double>(), p, Tol);
            Assert.Equal(e[$"recall_{avg}"]!.GetValue<double>(), r, Tol);
            Assert.Equal(e[$"f1_{avg}"]!.GetValue<double>(), f, Tol);
        }
        var yb = Vector(e["y_bin"]);
        var sb = Vector(e["score_bin"]);
        Assert.Equal(e["f1_binary"]!.GetValue<double>(), Metrics.F1Score(yb, sb.Select(s => s > 0.5 ? 1.0 : 0.0).ToArray()), Tol);
        Assert.Equal(e["roc_auc"]!.GetValue<double>(), Metrics.RocAuc(yb, sb), Tol);
        var proba = Matrix(e["proba"]);
        Assert.Equal(e["roc_auc_ovr"]!.GetValue<double>(), Metrics.RocAucOvr(yt, proba, [0, 1, 2]), Tol);
        Assert.Equal(e["log_loss"]!.GetValue<double>(), Metrics.LogLoss(yt, proba, [0, 1, 2]), 1e-10);
        var yr = Vector(e["y_reg"]);
        var pr = Vector(e["p_reg"]);
        Assert.Equal(e["r2"]!.GetValue<double>(), Metrics.R2(yr, pr), Tol);
        Assert.Equal(e["mae"]!.GetValue<double>(), Metrics.MeanAbsoluteError(yr, pr), Tol);
        Assert.Equal(e["rmse"]!.GetValue<double>(), Metrics.RootMeanSquaredError(yr, pr), Tol);
    }
}
