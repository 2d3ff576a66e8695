using System.Globalization;
using Polymath.Cli;
using Xunit;

namespace Polymath.Cli.Tests;

/// <summary><c>polymath learn</c> end to end on small generated CSV tables. Console output is global, so these run one at a time.</summary>
[Collection("console")]
public sealed class LearnCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"polymath-learn-{Guid.NewGuid():N}");

    public LearnCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    /// <summary>Two well separated classes ("red" around (0,0), "blue" around (4,4)), a categorical column and an id; seed printed in failures.</summary>
    private string Table(string name, int rows = 120, int seed = 11, Func<int, string?>? x1Override = null, string? constantLabel = null)
    {
        var rng = new System.Random(seed);
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string> { "x1,x2,shape,label" };
        for (int i = 0; i < rows; i++)
        {
            bool blue = i % 2 == 1;
            double c = blue ? 4 : 0;
            string x1 = x1Override?.Invoke(i) ?? (c + rng.NextDouble() - 0.5).ToString("R", inv);
            string shape = rng.Next(3) switch { 0 => "square", 1 => "circle", _ => "triangle" };
            lines.Add($"{x1},{(c + rng.NextDouble() - 0.5).ToString("R", inv)},{shape},{constantLabel ?? (blue ? "blue" : "red")}");
        }
        string path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void FitPrintsCrossValidatedMetricsSavesTheModelAndPredictReadsIt()
    {
        string data = Table("train.csv");
        string model = Path.Combine(_dir, "svc.json");
        var (code, output, err) = Run("learn", "fit", "--model", "svc", "--data", data, "--target", "label", "--cv", "5", "--out", model);
        Assert.True(code == 0, err);
        Assert.Contains("cross-validation (5 folds", output);
        Assert.Contains("accuracy   1.0000", output);
        Assert.Contains("onehot -> scale -> svc", output);
        Assert.True(File.Exists(model));

        var (pcode, pout, perr) = Run("learn", "predict", "--model-file", model, "--data", Table("new.csv", rows: 10, seed: 5));
        Assert.True(pcode == 0, perr);
        var lines = pout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("label_predicted", lines[0].Trim());
        Assert.Equal(["red", "blue", "red", "blue", "red", "blue", "red", "blue", "red", "blue"], lines.Skip(1).Select(l => l.Trim()));
        Assert.Contains("accuracy 1.0000", perr);
    }

    [Fact]
    public void PredictWithProbabilitiesWritesOneColumnPerClass()
    {
        string model = Path.Combine(_dir, "lr.json");
        Assert.Equal(0, Run("learn", "fit", "--model", "logistic", "--data", Table("t.csv"), "--target", "label", "--out", model).Code);
        string outFile = Path.Combine(_dir, "pred.csv");
        var (code, _, err) = Run("learn", "predict", "--model-file", model, "--data", Table("n.csv", rows: 4), "--proba", "--out", outFile);
        Assert.True(code == 0, err);
        var lines = File.ReadAllLines(outFile);
        Assert.Equal("label_predicted,p_blue,p_red", lines[0]);
        var p = lines[1].Split(',').Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(1.0, p.Sum(), 5);
    }

    [Fact]
    public void PredictTimeSchemaMismatchNamesTheColumn()
    {
        string model = Path.Combine(_dir, "tree.json");
        Assert.Equal(0, Run("learn", "fit", "--model", "tree", "--data", Table("t.csv"), "--target", "label", "--out", model).Code);
        string lacking = Path.Combine(_dir, "lacking.csv");
        File.WriteAllLines(lacking, ["x1,shape", "0.1,square"]);
        var (code, _, err) = Run("learn", "predict", "--model-file", model, "--data", lacking);
        Assert.Equal(1, code);
        Assert.Contains("'x2'", err);
        string texty = Table("texty.csv", rows: 6, x1Override: i => i == 3 ? "abc" : "0.5");
        (code, _, err) = Run("learn", "predict", "--model-file", model, "--data", texty);
        Assert.Equal(1, code);
        Assert.Contains("data row 4, column 'x1': 'abc' is not a number", err);
    }

    [Fact]
    public void ConstantOrMissingTargetIsAClearError()
    {
        var (code, _, err) = Run("learn", "fit", "--model", "forest", "--data", Table("c.csv", constantLabel: "red"), "--target", "label");
        Assert.Equal(1, code);
        Assert.Contains("constant", err);
        string holes = Path.Combine(_dir, "holes.csv");
        File.WriteAllLines(holes, ["a,label", "1,x", "2,", "3,y"]);
        (code, _, err) = Run("learn", "fit", "--data", holes, "--target", "label");
        Assert.Equal(1, code);
        Assert.Contains("missing in data row 2", err);
    }

    [Fact]
    public void MissingFeatureValuesNeedImpute()
    {
        string data = Table("nan.csv", x1Override: i => i == 7 ? "" : null);
        var (code, _, err) = Run("learn", "fit", "--model", "knn", "--data", data, "--target", "label");
        Assert.Equal(1, code);
        Assert.Contains("column 'x1' is missing a value in data row 8", err);
        Assert.Contains("--impute", err);
        var (code2, output, err2) = Run("learn", "fit", "--model", "knn", "--data", data, "--target", "label", "--impute", "--out", Path.Combine(_dir, "k.json"));
        Assert.True(code2 == 0, err2);
        Assert.Contains("impute_numeric", output);
    }

    [Fact]
    public void BadCommandLinesAreUsageErrors()
    {
        Assert.Equal(Program.UsageError, Run("learn", "fit", "--model", "nope", "--data", "x.csv", "--target", "y").Code);
        Assert.Equal(Program.UsageError, Run("learn", "fit", "--data", Table("t.csv")).Code);
        Assert.Equal(Program.UsageError, Run("learn", "frobnicate").Code);
        var (code, output, _) = Run("learn", "models");
        Assert.Equal(0, code);
        Assert.Contains("gb-regressor", output);
    }

    [Fact]
    public void LinearRegressionPrintsItsInferenceTable()
    {
        string data = Path.Combine(_dir, "reg.csv");
        var rng = new System.Random(3);
        var inv = CultureInfo.InvariantCulture;
        File.WriteAllLines(data, new[] { "a,b,y" }.Concat(Enumerable.Range(0, 50).Select(i =>
        {
            double a = rng.NextDouble(), b = rng.NextDouble();
            return string.Join(",", a.ToString("R", inv), b.ToString("R", inv), (2 * a - b + 0.01 * rng.NextDouble()).ToString("R", inv));
        })));
        var (code, output, err) = Run("learn", "fit", "--model", "linear", "--data", data, "--target", "y", "--cv", "3", "--out", Path.Combine(_dir, "lin.json"));
        Assert.True(code == 0, err);
        Assert.Contains("r2", output);
        Assert.Contains("(intercept)", output);
        Assert.Matches(@"\n  a\s+(1\.99|2\.00)", output);
    }

    [Fact]
    public void ASchemaFileOverridesTypeInference()
    {
        // "zone" holds numbers but names categories: declared categorical it is one-hot encoded, and a zone code never
        // seen at fit time is reported instead of being read as a number.
        string data = Path.Combine(_dir, "zones.csv");
        var rows = new List<string> { "zone,size,label" };
        for (int i = 0; i < 60; i++)
            rows.Add($"{i % 3 + 1},{(i % 7).ToString(CultureInfo.InvariantCulture)},{(i % 3 == 0 ? "a" : "b")}");
        File.WriteAllLines(data, rows);
        string schema = Path.Combine(_dir, "schema.json");
        File.WriteAllText(schema, "{\"zone\": \"categorical\"}");
        string model = Path.Combine(_dir, "zones.json");
        var (code, output, err) = Run("learn", "fit", "--model", "logistic", "--data", data, "--target", "label", "--schema", schema, "--out", model);
        Assert.True(code == 0, err);
        Assert.Contains("onehot", output);
        string fresh = Path.Combine(_dir, "fresh.csv");
        File.WriteAllLines(fresh, ["zone,size", "1,3", "9,3"]);
        var (pcode, pout, perr) = Run("learn", "predict", "--model-file", model, "--data", fresh);
        Assert.True(pcode == 0, perr);
        Assert.StartsWith("a", pout.Split('\n')[1].Trim());
        Assert.Contains("1 categorical cell(s) held categories not seen at fit time", perr);
        File.WriteAllText(schema, "{\"zone\": \"colour\"}");
        Assert.Equal(1, Run("learn", "fit", "--data", data, "--target", "label", "--schema", schema).Code);
    }
}
