namespace Polymath.Learn;

/// <summary>Options of <see cref="TabularTrainer.Fit"/>.</summary>
public sealed class TabularFitOptions
{
    /// <summary>Model name from <see cref="ModelCatalog"/>.</summary>
    public string Model { get; set; } = "forest";

    /// <summary>Target column.</summary>
    public string Target { get; set; } = "";

    /// <summary>Column types by name; columns not listed are inferred.</summary>
    public IReadOnlyDictionary<string, ColumnType>? Schema { get; set; }

    /// <summary>Folds of cross-validation (0 or 1: none).</summary>
    public int CvFolds { get; set; }

    /// <summary>Fill missing feature values (mean for numeric, most frequent for categorical columns).</summary>
    public bool Impute { get; set; }

    /// <summary>Standardise features; null follows <see cref="ModelCatalog.WantsScaling"/>.</summary>
    public bool? Scale { get; set; }

    /// <summary>Seed of the model and the folds.</summary>
    public int Seed { get; set; }

    /// <summary>Hyperparameters by property name, e.g. C=10.</summary>
    public IReadOnlyDictionary<string, string> Params { get; set; } = new Dictionary<string, string>();
}

/// <summary>Result of cross-validation: per-metric fold values.</summary>
public sealed record CrossValidationResult(IReadOnlyDictionary<string, double[]> Folds)
{
    /// <summary>Mean of each metric.</summary>
    public IReadOnlyDictionary<string, double> Means => Folds.ToDictionary(kv => kv.Key, kv => kv.Value.Average());

    /// <summary>Sample standard deviation of each metric over the folds.</summary>
    public IReadOnlyDictionary<string, double> Std => Folds.ToDictionary(kv => kv.Key, kv =>
    {
        double m = kv.Value.Average();
        return kv.Value.Length > 1 ? Math.Sqrt(kv.Value.Sum(v => (v - m) * (v - m)) / (kv.Value.Length - 1)) : 0;
    });
}

/// <summary>Fits a <see cref="TabularModel"/> on a CSV table: schema, encoding, pipeline, cross-validation.</summary>
public static class TabularTrainer
{
    /// <summary>Builds the pipeline for a schema: [imputers] → [one-hot] → [scaler] → model.</summary>
    public static Pipeline BuildPipeline(TabularFitOptions options, List<FeatureColumn> features)
    {
        var model = ModelCatalog.Create(options.Model, options.Seed);
        foreach (var (k, v) in options.Params)
        {
            object value = double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double num) ? num
                : bool.TryParse(v, out bool b) ? b : v;
            model.SetParam(k, value);
        }
        var steps = new List<PipelineStep>();
        var categorical = features.Select((f, i) => (f, i)).Where(t => t.f.Type == ColumnType.Categorical).Select(t => t.i).ToArray();
        var numeric = features.Select((f, i) => (f, i)).Where(t => t.f.Type == ColumnType.Numeric).Select(t => t.i).ToArray();
        if (options.Impute)
        {
            if (numeric.Length > 0)
                steps.Add(new PipelineStep { Name = "impute_numeric", Model = new SimpleImputer { Strategy = "mean", Columns = numeric } });
            if (categorical.Length > 0)
                steps.Add(new PipelineStep { Name = "impute_categorical", Model = new SimpleImputer { Strategy = "most_frequent", Columns = categorical } });
        }
        if (categorical.Length > 0)
            steps.Add(new PipelineStep { Name = "onehot", Model = new OneHotEncoder { Columns = categorical, HandleUnknown = "ignore", Drop = model is LinearRegression ? "first" : "none" } });
        if (options.Scale ?? ModelCatalog.WantsScaling(options.Model))
            steps.Add(new PipelineStep { Name = "scale", Model = new StandardScaler() });
        steps.Add(new PipelineStep { Name = options.Model, Model = model });
        return new Pipeline { Steps = steps };
    }

    /// <summary>Fits on the whole table (after cross-validation when asked) and returns the model with its schema.</summary>
    /// <exception cref="InvalidDataException">Bad table: missing target, constant target, text in a numeric column.</exception>
    /// <exception cref="ArgumentException">Bad model name or parameter; NaN features without <see cref="TabularFitOptions.Impute"/>.</exception>
    public static (TabularModel Model, CrossValidationResult? Cv) Fit(CsvTable table, TabularFitOptions options)
    {
        table.IndexOf(options.Target);
        bool classification = ModelCatalog.Create(options.Model) is Classifier;
        var features = TabularModel.BuildSchema(table, options.Target, options.Schema);
        var x = TabularModel.Encode(table, features);
        var y = TabularModel.ReadTarget(table, options.Target, classification, out var labels);
        if (!options.Impute)
        {
            for (int i = 0; i < x.GetLength(0); i++)
                for (int j = 0; j < x.GetLength(1); j++)
                    if (double.IsNaN(x[i, j]))
                        throw new ArgumentException($"{table.Source}: column '{features[j].Name}' is missing a value in data row {i + 1}; pass --impute (a SimpleImputer in the pipeline) or clean the data.");
        }
        CrossValidationResult? cv = null;
        if (options.CvFolds >= 2)
            cv = CrossValidate(options, features, x, y, classification);
        var pipeline = BuildPipeline(options, features);
        pipeline.Fit(x, y);
        var model = new TabularModel
        {
            ModelName = options.Model,
            Task = classification ? "classification" : "regression",
            Target = options.Target,
            ClassLabels = labels,
            Features = features,
            Pipeline = pipeline,
            CrossValidation = cv?.Means.ToDictionary() ?? [],
        };
        return (model, cv);
    }

    private static CrossValidationResult CrossValidate(TabularFitOptions options, List<FeatureColumn> features, double[,] x, double[] y, bool classification)
    {
        ICrossValidator splitter = classification ? new StratifiedKFold(options.CvFolds, shuffle: true, randomState: options.Seed) : new KFold(options.CvFolds, shuffle: true, randomState: options.Seed);
        var folds = new Dictionary<string, List<double>>();
        void Add(string k, double v) => (folds.TryGetValue(k, out var l) ? l : folds[k] = []).Add(v);
        foreach (var (train, test) in splitter.Split(y))
        {
            var p = BuildPipeline(options, features);
            p.Fit(Fixtures(x, train), Take(y, train));
            var xt = Fixtures(x, test);
            var yt = Take(y, test);
            var pred = p.Predict(xt);
            if (classification)
            {
                Add("accuracy", Metrics.Accuracy(yt, pred));
                Add("f1_macro", Metrics.F1Score(yt, pred, "macro"));
                if (p.Final is not LinearSVC && !(p.Final is SVC { Probability: false }))
                {
                    var proba = p.PredictProba(xt);
                    if (p.Classes.Length == 2 && yt.Distinct().Count() == 2)
                        Add("roc_auc", Metrics.RocAuc(yt, Enumerable.Range(0, yt.Length).Select(i => proba[i, 1]).ToArray()));
                    if (yt.All(v => p.Classes.Contains(v)))
                        Add("log_loss", Metrics.LogLoss(yt, proba, p.Classes));
                }
            }
            else
            {
                Add("r2", Metrics.R2(yt, pred));
                Add("mae", Metrics.MeanAbsoluteError(yt, pred));
                Add("rmse", Metrics.RootMeanSquaredError(yt, pred));
            }
        }
        return new CrossValidationResult(folds.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()));

        static double[,] Fixtures(double[,] x, int[] rows) => MathUtil.TakeRows(x, rows);
        static double[] Take(double[] y, int[] rows) => MathUtil.Take(y, rows);
    }

    /// <summary>Predictions for a table: labels as text (classification) or numbers, and probabilities when the model gives them.</summary>
    /// <exception cref="InvalidDataException">The table does not match the fit-time schema.</exception>
    public static (string[] Predictions, double[,]? Proba, int UnseenCategories) Predict(TabularModel model, CsvTable table, bool proba)
    {
        var x = model.Features2D(table);
        int unseen = 0;
        foreach (int c in model.CategoricalColumns)
            for (int i = 0; i < x.GetLength(0); i++)
                if (x[i, c] == -1)
                    unseen++;
        var pred = model.Pipeline.Predict(x);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var text = model.IsClassification ? pred.Select(p => model.ClassLabels[(int)p]).ToArray() : pred.Select(p => p.ToString("R", inv)).ToArray();
        return (text, proba && model.IsClassification ? model.Pipeline.PredictProba(x) : null, unseen);
    }
}
