using Xunit;
using static Polymath.Learn.Tests.Fixtures;

namespace Polymath.Learn.Tests;

public class PersistenceBadInputTests
{
    public static TheoryData<string> Models() =>
    [
        "LinearRegression", "Ridge", "Lasso", "LogisticRegression", "SVC", "LinearSVC", "DecisionTreeClassifier",
        "RandomForestClassifier", "GradientBoostingClassifier", "KNeighborsClassifier", "GaussianNB", "Pipeline",
        "GradientBoostingRegressor", "RandomForestRegressor", "SelectionPipeline", "MultinomialNB", "OneVsRestSVC",
    ];

    private static Estimator Make(string name) => name switch
    {
        "LinearRegression" => new LinearRegression(),
        "Ridge" => new Ridge(),
        "Lasso" => new Lasso { Alpha = 0.01 },
        "LogisticRegression" => new LogisticRegression(),
        "SVC" => new SVC { Probability = true },
        "LinearSVC" => new LinearSVC(),
        "DecisionTreeClassifier" => new DecisionTreeClassifier { MaxDepth = 4 },
        "RandomForestClassifier" => new RandomForestClassifier { NEstimators = 10 },
        "GradientBoostingClassifier" => new GradientBoostingClassifier { NEstimators = 10 },
        "KNeighborsClassifier" => new KNeighborsClassifier(),
        "GaussianNB" => new GaussianNB(),
        "GradientBoostingRegressor" => new GradientBoostingRegressor { NEstimators = 10 },
        "RandomForestRegressor" => new RandomForestRegressor { NEstimators = 10 },
        "SelectionPipeline" => new Pipeline(new SimpleImputer { Columns = [0] }, new SelectKBest { ScoreFunc = ScoreFunction.MutualInfoClassif, K = 3 },
            new RFE { Estimator = new LogisticRegression(), NFeaturesToSelect = 2 }, new GaussianNB()),
        "MultinomialNB" => new Pipeline(new MinMaxScaler(), new MultinomialNB()),
        "OneVsRestSVC" => new SVC { MultiClass = "ovr", Probability = true },
        _ => new Pipeline(new SimpleImputer(), new StandardScaler(), new PCA { NComponents = 3 }, new LogisticRegression()),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void SavedModelsPredictExactlyTheSameAfterLoading(string name)
    {
        var model = Make(name);
        bool regression = model is Regressor;
        var (xtr, xte, ytr, _) = Split(regression ? "diabetes" : "iris", standardise: true);
        ((ISupervised)model).Fit(xtr, ytr);
        string path = Path.Combine(Path.GetTempPath(), $"learn-{name}-{Guid.NewGuid():N}.json");
        try
        {
            ModelJson.Save(model, path);
            var loaded = ModelJson.Load(path);
            Assert.IsType(model.GetType(), loaded);
            Assert.Equal(((ISupervised)model).Predict(xte), ((ISupervised)loaded).Predict(xte));
            if (model is IClassifier c and not LinearSVC)
                Assert.Equal(c.PredictProba(xte), ((IClassifier)loaded).PredictProba(xte));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ClassifierRejectsAConstantTarget()
    {
        var x = new double[,] { { 1 }, { 2 }, { 3 } };
        var ex = Assert.Throws<ArgumentException>(() => new LogisticRegression().Fit(x, [4, 4, 4]));
        Assert.Contains("constant", ex.Message);
        Assert.Contains("constant", Assert.Throws<ArgumentException>(() => new Ridge().Fit(x, [2, 2, 2])).Message);
    }

    [Fact]
    public void MissingTargetNamesTheRow()
    {
        var x = new double[,] { { 1 }, { 2 }, { 3 } };
        var ex = Assert.Throws<ArgumentException>(() => new GaussianNB().Fit(x, [0, double.NaN, 1]));
        Assert.Contains("row 1", ex.Message);
    }

    [Fact]
    public void NaNFeaturesFailUnlessAnImputerComesFirst()
    {
        var x = new double[,] { { 1, 0 }, { double.NaN, 1 }, { 3, 0 }, { 4, 1 } };
        double[] y = [0, 0, 1, 1];
        var ex = Assert.Throws<ArgumentException>(() => new DecisionTreeClassifier().Fit(x, y));
        Assert.Contains("column 0 of row 1", ex.Message);
        Assert.Contains("SimpleImputer", ex.Message);
        Assert.Throws<ArgumentException>(() => new Pipeline(new StandardScaler(), new GaussianNB()).Fit(x, y));
        var ok = new Pipeline(new SimpleImputer(), new StandardScaler(), new GaussianNB());
        ok.Fit(x, y);
        Assert.Equal(4, ok.Predict(x).Length);
    }

    [Fact]
    public void PredictWithADifferentColumnCountFails()
    {
        var (xtr, _, ytr, _) = Split("iris");
        var m = new KNeighborsClassifier();
        m.Fit(xtr, ytr);
        var ex = Assert.Throws<ArgumentException>(() => m.Predict(new double[2, 3]));
        Assert.Contains("fitted on 4 features but got 3", ex.Message);
        Assert.Throws<InvalidOperationException>(() => new GaussianNB().Predict(new double[1, 1]));
    }

    [Fact]
    public void LoadingSomethingElseIsAClearError()
    {
        Assert.Throws<InvalidDataException>(() => ModelJson.Deserialize("{\"$type\":\"NoSuchModel\"}"));
        Assert.Throws<InvalidDataException>(() => ModelJson.Deserialize("[1,2"));
    }

    [Fact]
    public void AFitThatFailsLeavesTheModelUnfitted()
    {
        var (xtr, _, ytr, _) = Split("iris");
        var m = new KNeighborsClassifier();
        m.Fit(xtr, ytr);
        m.NNeighbors = 10_000; // more neighbours than rows: FitCore throws
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(xtr, ytr));
        Assert.False(m.IsFitted);
        Assert.Throws<InvalidOperationException>(() => m.Predict(xtr));
    }
}
