using Xunit;
using static Polymath.Learn.Tests.Fixtures;

namespace Polymath.Learn.Tests;

public class LinearTests
{
    private const double Exact = 1e-8;      // closed-form solutions: only rounding differs
    private const double Iterative = 1e-5;  // both sides converged to tight tolerances

    [Fact]
    public void LinearRegressionMatchesSklearnAndTheClassicalInferenceTable()
    {
        var e = Expected["linear_regression"]!;
        var (xtr, xte, ytr, yte) = Split("diabetes");
        var m = new LinearRegression();
        m.Fit(xtr, ytr);
        Close(Vector(e["coef"]), m.Coef, Exact, "coef");
        Close([e["intercept"]!.GetValue<double>()], [m.Intercept], Exact, "intercept");
        Close(Vector(e["predict"]), m.Predict(xte), Exact, "predict");
        Close(Vector(e["se"]), m.StandardErrors, 1e-7, "standard errors");
        Close(Vector(e["t"]), m.TValues, 1e-7, "t");
        Close(Vector(e["p"]), m.PValues, 1e-6, "p-values");
        Close([e["intercept_se"]!.GetValue<double>(), e["intercept_p"]!.GetValue<double>()], [m.InterceptStandardError, m.InterceptPValue], 1e-7, "intercept se/p");
        Assert.Equal(e["r2_train"]!.GetValue<double>(), m.RSquared, 10);
        Assert.Equal(e["r2_test"]!.GetValue<double>(), m.Score(xte, yte), 10);
    }

    [Fact]
    public void SingularDesignFailsAndSuggestsRidge()
    {
        var x = new double[10, 3];
        var y = new double[10];
        for (int i = 0; i < 10; i++)
        {
            x[i, 0] = i;
            x[i, 1] = 2 * i + 1; // a linear combination of column 0 and the intercept
            x[i, 2] = Math.Sin(i);
            y[i] = i * 0.5 + Math.Cos(i);
        }
        var ex = Assert.Throws<ArgumentException>(() => new LinearRegression().Fit(x, y));
        Assert.Contains("singular", ex.Message);
        Assert.Contains("Ridge", ex.Message);
        var ridge = new Ridge { Alpha = 0.1 };
        ridge.Fit(x, y); // and Ridge does cope
        Assert.True(ridge.Score(x, y) > 0.5);
    }

    [Fact]
    public void RidgeMatchesSklearn()
    {
        var e = Expected["ridge"]!;
        var (xtr, xte, ytr, _) = Split("diabetes");
        var m = new Ridge { Alpha = 1.0 };
        m.Fit(xtr, ytr);
        Close(Vector(e["coef"]), m.Coef, Exact, "coef");
        Close(Vector(e["predict"]), m.Predict(xte), Exact, "predict");
    }

    [Fact]
    public void LassoMatchesSklearnIncludingItsZeros()
    {
        var e = Expected["lasso"]!;
        var (xtr, xte, ytr, _) = Split("diabetes");
        var m = new Lasso { Alpha = 0.1, Tol = 1e-12, MaxIter = 100000 };
        m.Fit(xtr, ytr);
        var expected = Vector(e["coef"]);
        Close(expected, m.Coef, 1e-5, "coef");
        for (int j = 0; j < expected.Length; j++)
            Assert.Equal(expected[j] == 0, m.Coef[j] == 0);
        Close(Vector(e["predict"]), m.Predict(xte), 1e-6, "predict");
    }

    [Fact]
    public void SgdRegressorReachesTheLeastSquaresFit()
    {
        var e = Expected["sgd_regressor"]!;
        var (xtr, xte, ytr, yte) = Split("diabetes", standardise: true);
        var m = new SGDRegressor { RandomState = 0 };
        m.Fit(xtr, ytr);
        // Stochastic: compare test R² with sklearn's SGD and with OLS, within 0.02.
        double r2 = m.Score(xte, yte);
        Assert.True(Math.Abs(r2 - e["r2_test"]!.GetValue<double>()) < 0.02, $"R² {r2} vs sklearn SGD {e["r2_test"]}");
        Assert.True(Math.Abs(r2 - e["r2_ols_test"]!.GetValue<double>()) < 0.02, $"R² {r2} vs OLS {e["r2_ols_test"]}");
    }

    [Theory]
    [InlineData("breast_cancer")]
    [InlineData("iris")]
    [InlineData("wine")]
    public void LogisticRegressionMatchesSklearn(string name)
    {
        var e = Expected["logistic"]![name]!;
        var (xtr, xte, ytr, _) = Split(name, standardise: true);
        var m = new LogisticRegression { Tol = 1e-10, FTol = 0, MaxIter = 10000 };
        m.Fit(xtr, ytr);
        Close(Matrix(e["coef"]), m.Coef, 1e-4, "coef");
        Close(Vector(e["intercept"]), m.Intercept, 1e-4, "intercept");
        Close(Matrix(e["proba"]), m.PredictProba(xte), 1e-5, "proba");
        Assert.Equal(Vector(e["predict"]), m.Predict(xte));
    }

    [Fact]
    public void LogisticRegressionWaldStatisticsMatchTheClosedForm()
    {
        var e = Expected["logistic_wald"]!;
        var (x, y) = Load("diabetes");
        var xs = new StandardScaler().FitTransform(x);
        double median = y.Order().ElementAt(y.Length / 2) / 2 + y.Order().ElementAt((y.Length - 1) / 2) / 2;
        var yb = y.Select(v => v > median ? 1.0 : 0.0).ToArray();
        var m = new LogisticRegression { Penalty = "none", Tol = 1e-10, FTol = 0, MaxIter = 10000 };
        m.Fit(xs, yb);
        Close(Vector(e["coef"]), Row(m.Coef, 0), 1e-6, "coef");
        Close(Vector(e["se"]), Row(m.StandardErrors, 0), 1e-6, "standard errors");
        Close([e["intercept_se"]!.GetValue<double>()], m.InterceptStandardErrors, 1e-6, "intercept se");
        Close(Vector(e["z"]), Row(m.ZValues, 0), 1e-5, "z");
        Close(Vector(e["p"]), Row(m.PValues, 0), 1e-5, "p");
    }
}
