using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>
/// Saves and loads fitted models as JSON: <c>{"$type": "SVC", ...hyperparameters..., ...fitted state...}</c>.
/// Files are written atomically (temporary file, then rename).
/// </summary>
public static class ModelJson
{
    /// <summary>Serializer settings: 2-D arrays as nested arrays, NaN/Infinity allowed as named literals.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var o = new JsonSerializerOptions
        {
            WriteIndented = false,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        o.Converters.Add(new Matrix2DConverter());
        o.Converters.Add(new JsonStringEnumConverter());
        return o;
    }

    /// <summary>The JSON text of a model.</summary>
    public static string Serialize(Estimator model) => JsonSerializer.Serialize(model, Options);

    /// <summary>A model from its JSON text.</summary>
    /// <exception cref="InvalidDataException">The text is not a saved Polymath.Learn model.</exception>
    public static Estimator Deserialize(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<Estimator>(json, Options) ?? throw new InvalidDataException("the model JSON is null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not a Polymath.Learn model: {e.Message}", e);
        }
        catch (NotSupportedException e)
        {
            throw new InvalidDataException($"not a Polymath.Learn model (missing or unknown \"$type\"): {e.Message}", e);
        }
    }

    /// <summary>Writes a model to a file atomically.</summary>
    public static void Save(Estimator model, string path)
    {
        string full = Path.GetFullPath(path);
        string tmp = full + $".tmp{Environment.ProcessId}";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            var bytes = Encoding.UTF8.GetBytes(Serialize(model));
            f.Write(bytes);
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, full, overwrite: true);
    }

    /// <summary>Reads a model saved by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a saved model.</exception>
    public static Estimator Load(string path) => Deserialize(File.ReadAllText(path));

    /// <summary>Reads a model and checks its type.</summary>
    public static T Load<T>(string path) where T : Estimator =>
        Load(path) as T ?? throw new InvalidDataException($"{path}: the model is not a {typeof(T).Name}.");

    private sealed class Matrix2DConverter : JsonConverter<double[,]>
    {
        public override double[,]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var rows = JsonSerializer.Deserialize<double[][]>(ref reader, options);
            if (rows is null)
                return null;
            int cols = rows.Length == 0 ? 0 : rows[0].Length;
            var m = new double[rows.Length, cols];
            for (int i = 0; i < rows.Length; i++)
            {
                if (rows[i].Length != cols)
                    throw new JsonException($"matrix row {i} has {rows[i].Length} values, expected {cols}.");
                for (int j = 0; j < cols; j++)
                    m[i, j] = rows[i][j];
            }
            return m;
        }

        public override void Write(Utf8JsonWriter writer, double[,] value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            for (int i = 0; i < value.GetLength(0); i++)
            {
                writer.WriteStartArray();
                for (int j = 0; j < value.GetLength(1); j++)
                {
                    double v = value[i, j];
                    if (double.IsFinite(v))
                        writer.WriteNumberValue(v);
                    else
                        writer.WriteStringValue(double.IsNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
                }
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        }
    }
}
