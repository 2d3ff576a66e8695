using System.Globalization;
using System.Text.Json.Nodes;
using Xunit;

namespace Polymath.Learn.Tests;

/// <summary>Reads the sklearn fixtures made by fixtures/make_fixtures.py and applies the shared split protocol.</summary>
internal static class Fixtures
{
    private static readonly Dictionary<string, (double[,] X, double[] Y)> s_data = [];
    private static JsonObject? s_expected;

    public static string Dir => Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static JsonObject Expected
    {
        get
        {
            lock (s_data)
                return s_expected ??= JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "expected.json")))!.AsObject();
        }
    }

    /// <summary>A bundled data set: features and target.</summary>
    public static (double[,] X, double[] Y) Load(string name)
    {
        lock (s_data)
        {
            if (s_data.TryGetValue(name, out var cached))
                return cached;
            var lines = File.ReadAllLines(Path.Combine(Dir, name + ".csv")).Skip(1).Where(l => l.Length > 0).ToArray();
            int d = lines[0].Split(',').Length - 1;
            var x = new double[lines.Length, d];
            var y = new double[lines.Length];
            for (int i = 0; i < lines.Length; i++)
            {
                var parts = lines[i].Split(',');
                for (int j = 0; j < d; j++)
                    x[i, j] = double.Parse(parts[j], CultureInfo.InvariantCulture);
                y[i] = double.Parse(parts[d], CultureInfo.InvariantCulture);
            }
            return s_data[name] = (x, y);
        }
    }

    /// <summary>Train rows: index % 4 != 0; test rows: index % 4 == 0 (as the script).</summary>
    public static (double[,] XTrain, double[,] XTest, double[] YTrain, double[] YTest) Split(string name, bool standardise = false)
    {
        var (x, y) = Load(name);
        var test = Enumerable.Range(0, y.Length).Where(i => i % 4 == 0).ToArray();
        var train = Enumerable.Range(0, y.Length).Where(i => i % 4 != 0).ToArray();
        var xtr = Rows(x, train);
        var xte = Rows(x, test);
        if (standardise)
        {
            var s = new StandardScaler();
            xtr = s.FitTransform(xtr);
            xte = s.Transform(xte);
        }
        return (xtr, xte, test.Length == 0 ? [] : train.Select(i => y[i]).ToArray(), test.Select(i => y[i]).ToArray());
    }

    public static double[,] Rows(double[,] x, int[] rows)
    {
        int d = x.GetLength(1);
        var r = new double[rows.Length, d];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < d; j++)
                r[i, j] = x[rows[i], j];
        return r;
    }

    public static double[] Vector(JsonNode? node) => node!.AsArray().Select(v => v is null ? double.NaN : v.GetValue<double>()).ToArray();

    public static double[,] Matrix(JsonNode? node)
    {
        var rows = node!.AsArray();
        int n = rows.Count, d = rows[0]!.AsArray().Count;
        var m = new double[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                m[i, j] = rows[i]![j] is { } v ? v.GetValue<double>() : double.NaN;
        return m;
    }

    public static void Close(double[] expected, double[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i])),
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (tol {tol})");
    }

    public static void Close(double[,] expected, double[,] actual, double tol, string what)
    {
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        Assert.Equal(expected.GetLength(1), actual.GetLength(1));
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < expected.GetLength(1); j++)
                Assert.True(Math.Abs(expected[i, j] - actual[i, j]) <= tol * Math.Max(1, Math.Abs(expected[i, j])),
                    $"{what}[{i},{j}]: expected {expected[i, j]:R}, got {actual[i, j]:R} (tol {tol})");
    }

    /// <summary>Fraction of equal entries.</summary>
    public static double Agreement(double[] a, double[] b) => a.Zip(b).Count(t => t.First == t.Second) / (double)a.Length;

    public static double[] Column(double[,] m, int c) => Enumerable.Range(0, m.GetLength(0)).Select(i => m[i, c]).ToArray();

    public static double[] Row(double[,] m, int r) => Enumerable.Range(0, m.GetLength(1)).Select(j => m[r, j]).ToArray();
}
