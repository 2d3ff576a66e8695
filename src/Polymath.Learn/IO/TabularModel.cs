using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>A feature column as seen at fit time: its name, type and (for categorical columns) its categories.</summary>
public sealed class FeatureColumn
{
    /// <summary>Column name in the CSV header.</summary>
    public string Name { get; set; } = "";

    /// <summary>Numeric or categorical.</summary>
    public ColumnType Type { get; set; }

    /// <summary>Categories of a categorical column, sorted (ordinal codes 0, 1, ...).</summary>
    public string[] Categories { get; set; } = [];
}

/// <summary>
/// A model fitted on a CSV table, saved with everything predict needs: the feature schema (names, types,
/// categories), the target name and its class labels, and the fitted <see cref="Pipeline"/>. Predict-time tables
/// are checked against the schema (missing columns, numeric columns holding text) before anything runs.
/// </summary>
public sealed class TabularModel
{
    /// <summary>File format marker.</summary>
    public string Format { get; set; } = "polymath-learn-model";

    /// <summary>Format version.</summary>
    public int Version { get; set; } = 1;

    /// <summary>Model name as given to the CLI (e.g. "svc").</summary>
    public string ModelName { get; set; } = "";

    /// <summary>"classification" or "regression".</summary>
    public string Task { get; set; } = "";

    /// <summary>Target column name.</summary>
    public string Target { get; set; } = "";

    /// <summary>Class labels as text (classification), in the order of the codes 0, 1, ....</summary>
    public string[] ClassLabels { get; set; } = [];

    /// <summary>The feature columns, in the order the pipeline sees them.</summary>
    public List<FeatureColumn> Features { get; set; } = [];

    /// <summary>Cross-validation results recorded at fit time (metric → mean).</summary>
    public Dictionary<string, double> CrossValidation { get; set; } = [];

    /// <summary>The fitted pipeline.</summary>
    public Pipeline Pipeline { get; set; } = new();

    /// <summary>True for classification.</summary>
    [JsonIgnore] public bool IsClassification => Task == "classification";

    /// <summary>
    /// Builds the schema from a table: every column except the target, typed by <paramref name="schema"/>
    /// (name → type) where given, else inferred.
    /// </summary>
    public static List<FeatureColumn> BuildSchema(CsvTable table, string target, IReadOnlyDictionary<string, ColumnType>? schema)
    {
        if (schema is not null)
            foreach (var name in schema.Keys)
                table.IndexOf(name); // every schema column must exist
        var features = new List<FeatureColumn>();
        for (int c = 0; c < table.Names.Length; c++)
        {
            string name = table.Names[c];
            if (name == target)
                continue;
            var type = schema is not null && schema.TryGetValue(name, out var t) ? t : table.InferType(c);
            var column = new FeatureColumn { Name = name, Type = type };
            if (type == ColumnType.Categorical)
                column.Categories = table.Text(c).Where(v => v is not null).Select(v => v!).Distinct().Order(StringComparer.Ordinal).ToArray();
            else
                table.Numeric(c); // fails early, naming the cell, when a declared numeric column holds text
            features.Add(column);
        }
        if (features.Count == 0)
            throw new InvalidDataException($"{table.Source}: no feature columns besides the target '{target}'.");
        return features;
    }

    /// <summary>The feature matrix of a table under this schema: numeric values (NaN when missing) and category codes (NaN when missing; −1 when unseen).</summary>
    /// <exception cref="InvalidDataException">A schema column is missing from the table or a numeric column holds text.</exception>
    public double[,] Features2D(CsvTable table) => Encode(table, Features);

    /// <summary>Encodes a table with a schema.</summary>
    public static double[,] Encode(CsvTable table, List<FeatureColumn> features)
    {
        var missing = features.Where(f => !table.Names.Contains(f.Name)).Select(f => f.Name).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{table.Source}: the model was fitted with column(s) {string.Join(", ", missing.Select(m => $"'{m}'"))} which this table lacks (it has {string.Join(", ", table.Names)}).");
        int n = table.Rows.Count;
        var x = new double[n, features.Count];
        for (int f = 0; f < features.Count; f++)
        {
            int c = table.IndexOf(features[f].Name);
            if (features[f].Type == ColumnType.Numeric)
            {
                var v = table.Numeric(c);
                for (int i = 0; i < n; i++)
                    x[i, f] = v[i];
            }
            else
            {
                var v = table.Text(c);
                for (int i = 0; i < n; i++)
                    x[i, f] = v[i] is null ? double.NaN : Array.BinarySearch(features[f].Categories, v[i], StringComparer.Ordinal) is int k and >= 0 ? k : -1;
            }
        }
        return x;
    }

    /// <summary>Indices of the categorical feature columns.</summary>
    [JsonIgnore] public int[] CategoricalColumns => Features.Select((f, i) => (f, i)).Where(t => t.f.Type == ColumnType.Categorical).Select(t => t.i).ToArray();

    /// <summary>Reads the target column: class codes into <paramref name="labels"/> (classification) or numbers.</summary>
    /// <exception cref="InvalidDataException">Missing target cells, a non-numeric regression target, or a single class.</exception>
    public static double[] ReadTarget(CsvTable table, string target, bool classification, out string[] labels)
    {
        int c = table.IndexOf(target);
        var text = table.Text(c);
        int missingRow = Array.FindIndex(text, v => v is null);
        if (missingRow >= 0)
            throw new InvalidDataException($"{table.Source}: the target '{target}' is missing in data row {missingRow + 1}; drop or fill rows without a target.");
        if (classification)
        {
            bool numeric = text.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            labels = numeric
                ? text.Select(v => double.Parse(v!, CultureInfo.InvariantCulture)).Distinct().Order().Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray()
                : text.Select(v => v!).Distinct().Order(StringComparer.Ordinal).ToArray();
            if (labels.Length < 2)
                throw new InvalidDataException($"{table.Source}: the target '{target}' is constant ({labels[0]}); a classifier needs at least two classes.");
            var codes = labels.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => (double)t.i);
            return text.Select(v => codes[numeric ? double.Parse(v!, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture) : v!]).ToArray();
        }
        labels = [];
        var y = table.Numeric(c);
        if (y.All(v => v == y[0]))
            throw new InvalidDataException($"{table.Source}: the target '{target}' is constant ({y[0]}); there is nothing to learn.");
        return y;
    }

    private static readonly JsonSerializerOptions s_options = new(ModelJson.Options) { WriteIndented = true };

    /// <summary>Saves atomically (temporary file, then rename).</summary>
    public void Save(string path)
    {
        string full = Path.GetFullPath(path);
        string tmp = full + $".tmp{Environment.ProcessId}";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, s_options));
        File.Move(tmp, full, overwrite: true);
    }

    /// <summary>Loads a model file.</summary>
    /// <exception cref="InvalidDataException">Not a model file written by <see cref="Save"/>.</exception>
    public static TabularModel Load(string path)
    {
        TabularModel? m;
        try
        {
            m = JsonSerializer.Deserialize<TabularModel>(File.ReadAllText(path), s_options);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new InvalidDataException($"{path}: not a Polymath.Learn model file: {e.Message}", e);
        }
        if (m is null || m.Format != "polymath-learn-model" || !m.Pipeline.IsFitted)
            throw new InvalidDataException($"{path}: not a fitted Polymath.Learn model file.");
        return m;
    }
}
