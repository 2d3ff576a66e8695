using System.Globalization;
using System.Text.Json;
using Polymath.Learn;

namespace Polymath.Cli;

/// <summary><c>polymath learn fit|predict|models</c>: classical machine learning on CSV tables (Polymath.Learn).</summary>
internal static class LearnCommand
{
    private static readonly string[] FitOptions = ["--model", "--data", "--target", "--cv", "--out", "--schema", "--param", "--seed", "--impute", "--scale", "--no-scale"];
    private static readonly string[] PredictOptions = ["--model-file", "--data", "--out", "--proba"];

    public static int Run(string[] argv, CancellationToken cancel)
    {
        if (argv.Length == 0 || Program.WantsHelp(argv.Take(1).ToArray()))
        {
            Help.Command("learn");
            return argv.Length == 0 ? Program.UsageError : 0;
        }
        var rest = argv.Skip(1).ToArray();
        if (Program.WantsHelp(rest))
        {
            Help.Command("learn");
            return 0;
        }
        return argv[0] switch
        {
            "fit" => Fit(rest, cancel),
            "predict" => Predict(rest),
            "models" => Models(),
            _ => throw new UsageException($"unknown learn command '{argv[0]}'; use fit, predict or models.", "learn"),
        };
    }

    private static int Models()
    {
        foreach (var (name, help) in ModelCatalog.Describe())
            Console.WriteLine($"  {name,-17} {help}");
        return 0;
    }

    private static int Fit(string[] argv, CancellationToken cancel)
    {
        var args = new Args("learn fit", argv);
        string model = args.Value("--model") ?? "forest";
        string data = args.Value("--data") ?? throw new UsageException("--data is required.", "learn");
        string target = args.Value("--target") ?? throw new UsageException("--target is required (the column to predict).", "learn");
        int cv = args.Int("--cv", 0, 100) ?? 0;
        if (cv == 1)
            throw new UsageException("--cv needs at least 2 folds (or 0 for none).", "learn");
        string? outPath = args.Value("--out");
        string? schemaPath = args.Value("--schema");
        var paramList = args.Values("--param");
        int seed = args.Int("--seed", 0, int.MaxValue) ?? 0;
        bool impute = args.Flag("--impute");
        bool scale = args.Flag("--scale"), noScale = args.Flag("--no-scale");
        args.End(FitOptions);
        if (!ModelCatalog.Names.Contains(model))
            throw new UsageException($"unknown model '{model}'; models: {string.Join(", ", ModelCatalog.Names)}.", "learn");
        if (scale && noScale)
            throw new UsageException("--scale and --no-scale contradict each other.", "learn");
        var parameters = new Dictionary<string, string>();
        foreach (string p in paramList)
        {
            int eq = p.IndexOf('=');
            if (eq <= 0)
                throw new UsageException($"--param expects Name=Value, got '{p}'.", "learn");
            parameters[p[..eq]] = p[(eq + 1)..];
        }
        if (!File.Exists(data))
            throw new UsageException($"--data: '{data}' does not exist.", "learn");
        var table = CsvTable.Read(data);
        var options = new TabularFitOptions
        {
            Model = model,
            Target = target,
            CvFolds = cv,
            Impute = impute,
            Scale = scale ? true : noScale ? false : null,
            Seed = seed,
            Params = parameters,
            Schema = schemaPath is null ? null : ReadSchema(schemaPath),
        };
        cancel.ThrowIfCancellationRequested();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var (fitted, result) = TabularTrainer.Fit(table, options);
        sw.Stop();
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"polymath learn fit: {model} on {data} ({table.Rows.Count} rows, {fitted.Features.Count} feature columns, target '{target}', {fitted.Task})");
        Console.WriteLine("  pipeline: " + string.Join(" -> ", fitted.Pipeline.Steps.Select(s => s.Name)));
        if (result is not null)
        {
            Console.WriteLine($"cross-validation ({cv} folds, {(fitted.IsClassification ? "stratified" : "shuffled")}, seed {seed}):");
            foreach (var (metric, folds) in result.Folds)
                Console.WriteLine($"  {metric,-10} {result.Means[metric].ToString("F4", inv)} ± {result.Std[metric].ToString("F4", inv)}   folds: {string.Join(" ", folds.Select(f => f.ToString("F4", inv)))}");
        }
        if (fitted.Pipeline.Final is DecisionTreeClassifier or DecisionTreeRegressor or RandomForestClassifier or RandomForestRegressor
            or GradientBoostingClassifier or GradientBoostingRegressor && fitted.Pipeline.Final is IFeatureWeights weights)
        {
            var names = EncodedNames(fitted, dropFirst: false);
            var importance = weights.FeatureWeights();
            Console.WriteLine("feature importances (impurity decrease, top 10):");
            foreach (int j in Enumerable.Range(0, importance.Length).OrderByDescending(j => importance[j]).Take(10))
                Console.WriteLine($"  {(j < names.Length ? names[j] : $"x{j}"),-24} {importance[j].ToString("F4", inv)}");
        }
        if (fitted.Pipeline.Final is LinearRegression lr)
        {
            var names = EncodedNames(fitted, dropFirst: true);
            Console.WriteLine($"coefficients (R² {lr.RSquared.ToString("F4", inv)}, {lr.ResidualDegreesOfFreedom} residual d.o.f.):");
            Console.WriteLine($"  {"term",-20} {"coef",12} {"std err",12} {"t",9} {"p",10}");
            Console.WriteLine($"  {"(intercept)",-20} {lr.Intercept,12:G6} {lr.InterceptStandardError,12:G6} {lr.InterceptTValue,9:F3} {lr.InterceptPValue,10:G4}");
            for (int j = 0; j < lr.Coef.Length; j++)
                Console.WriteLine($"  {(j < names.Length ? names[j] : $"x{j}"),-20} {lr.Coef[j],12:G6} {lr.StandardErrors[j],12:G6} {lr.TValues[j],9:F3} {lr.PValues[j],10:G4}");
        }
        string path = outPath ?? Path.ChangeExtension(data, null) + $".{model}.json";
        fitted.Save(path);
        Console.WriteLine($"fitted in {sw.Elapsed.TotalSeconds.ToString("F2", inv)} s; model saved to {path}");
        return 0;
    }

    /// <summary>Column names after one-hot encoding: numeric columns first, then "column=category" indicators.</summary>
    private static string[] EncodedNames(TabularModel model, bool dropFirst) =>
        model.Features.Where(f => f.Type == ColumnType.Numeric).Select(f => f.Name)
            .Concat(model.Features.Where(f => f.Type == ColumnType.Categorical).SelectMany(f => f.Categories.Skip(dropFirst ? 1 : 0).Select(c => $"{f.Name}={c}")))
            .ToArray();

    private static Dictionary<string, ColumnType> ReadSchema(string path)
    {
        if (!File.Exists(path))
            throw new UsageException($"--schema: '{path}' does not exist.", "learn");
        Dictionary<string, string>? raw;
        try
        {
            raw = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: a schema is a JSON object of column name to \"numeric\" or \"categorical\": {e.Message}");
        }
        var schema = new Dictionary<string, ColumnType>();
        foreach (var (name, type) in raw ?? [])
            schema[name] = type.ToLowerInvariant() switch
            {
                "numeric" or "number" or "float" or "int" => ColumnType.Numeric,
                "categorical" or "category" or "string" or "text" => ColumnType.Categorical,
                _ => throw new InvalidDataException($"{path}: column '{name}' has type '{type}'; use numeric or categorical."),
            };
        return schema;
    }

    private static int Predict(string[] argv)
    {
        var args = new Args("learn predict", argv);
        string modelFile = args.Value("--model-file") ?? throw new UsageException("--model-file is required.", "learn");
        string data = args.Value("--data") ?? throw new UsageException("--data is required.", "learn");
        string? outPath = args.Value("--out");
        bool proba = args.Flag("--proba");
        args.End(PredictOptions);
        if (!File.Exists(modelFile))
            throw new UsageException($"--model-file: '{modelFile}' does not exist.", "learn");
        if (!File.Exists(data))
            throw new UsageException($"--data: '{data}' does not exist.", "learn");
        var model = TabularModel.Load(modelFile);
        var table = CsvTable.Read(data);
        var (pred, p, unseen) = TabularTrainer.Predict(model, table, proba);
        var inv = CultureInfo.InvariantCulture;
        using var writer = outPath is null ? null : new StreamWriter(outPath);
        var w = writer ?? Console.Out;
        w.WriteLine(string.Join(",", new[] { model.Target + "_predicted" }.Concat(p is null ? [] : model.ClassLabels.Select(c => $"p_{c}"))));
        for (int i = 0; i < pred.Length; i++)
            w.WriteLine(Quote(pred[i]) + (p is null ? "" : "," + string.Join(",", Enumerable.Range(0, p.GetLength(1)).Select(c => p[i, c].ToString("G6", inv)))));
        if (unseen > 0)
            Console.Error.WriteLine($"polymath learn predict: note: {unseen} categorical cell(s) held categories not seen at fit time (encoded as all zeros).");
        if (table.Names.Contains(model.Target))
        {
            var truth = table.Text(table.IndexOf(model.Target));
            if (truth.All(t => t is not null))
            {
                string line = model.IsClassification
                    ? $"accuracy {(truth.Zip(pred).Count(t => Same(t.First!, t.Second)) / (double)pred.Length).ToString("F4", inv)}"
                    : $"r2 {Metrics.R2(table.Numeric(table.IndexOf(model.Target)), pred.Select(v => double.Parse(v, inv)).ToArray()).ToString("F4", inv)}";
                Console.Error.WriteLine($"polymath learn predict: {pred.Length} rows; the table has the target '{model.Target}': {line}");
            }
        }
        if (outPath is not null)
            Console.WriteLine($"wrote {pred.Length} predictions to {outPath}");
        return 0;
    }

    private static bool Same(string truth, string predicted) =>
        truth == predicted || double.TryParse(truth, NumberStyles.Float, CultureInfo.InvariantCulture, out double a)
            && double.TryParse(predicted, NumberStyles.Float, CultureInfo.InvariantCulture, out double b) && a == b;

    private static string Quote(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
