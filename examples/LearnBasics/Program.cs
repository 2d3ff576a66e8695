// The snippet of docs/learn.md as one program, so CI compiles (and can run) it.
// Run: dotnet run --project examples/LearnBasics -c Release
using Polymath.Learn;

// Three Gaussian blobs in 4 dimensions, 100 rows each (seeded).
var rng = new Random(0);
var x = new double[300, 4];
var y = new double[300];
for (int i = 0; i < 300; i++)
{
    y[i] = i % 3;
    for (int j = 0; j < 4; j++)
        x[i, j] = 2.0 * y[i] * (j % 2 == 0 ? 1 : -1) + Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}

var (xTrain, xTest, yTrain, yTest) = ModelSelection.TrainTestSplit(x, y, testSize: 0.25, randomState: 0, stratify: true);

var model = new Pipeline(new StandardScaler(), new SVC { C = 10, Probability = true });
model.Fit(xTrain, yTrain);
Console.WriteLine($"SVC test accuracy: {model.Score(xTest, yTest):F3}");
double[,] proba = model.PredictProba(xTest); // columns follow model.Classes
Console.WriteLine($"P(class {model.Classes[0]}) of the first test row: {proba[0, 0]:F3}");

var cvScores = ModelSelection.CrossValScore(new RandomForestClassifier { NEstimators = 50 }, x, y, new StratifiedKFold(5));
Console.WriteLine($"random forest 5-fold accuracy: {cvScores.Average():F3}");

var grid = new GridSearchCV(model, new Dictionary<string, object?[]> { ["svc__C"] = [0.1, 1.0, 10.0] }, new StratifiedKFold(5));
grid.Fit(x, y);
Console.WriteLine($"grid search: best C = {grid.BestParams["svc__C"]}, CV accuracy {grid.BestScore:F3}");

var ols = new LinearRegression();
ols.Fit(x, Enumerable.Range(0, 300).Select(i => 3 * x[i, 0] - x[i, 1] + 0.1 * rng.NextDouble()).ToArray());
Console.WriteLine($"OLS: coef[0] = {ols.Coef[0]:F3} ± {ols.StandardErrors[0]:F3} (p = {ols.PValues[0]:G3}), R² = {ols.RSquared:F4}");

string path = Path.Combine(Path.GetTempPath(), "learn-basics-model.json");
ModelJson.Save(model, path); // atomic write
var loaded = (Pipeline)ModelJson.Load(path);
Console.WriteLine($"reloaded model predicts the same: {loaded.Predict(xTest).SequenceEqual(model.Predict(xTest))}");
File.Delete(path);
