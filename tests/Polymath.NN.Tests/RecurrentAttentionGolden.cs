using System.Text.Json;
using Xunit;

namespace Polymath.NN.Tests;

/// <summary>
/// One case of Fixtures/rnn_attention_golden.json (made once by Fixtures/make_rnn_attention_golden.py with Debian's
/// torch 1.13): a module's config and PyTorch state_dict, seeded inputs, the outputs, and the gradients of
/// loss = Σ_k sum(output_k ⊙ weight_k) with respect to every floating input and every parameter, all float64.
/// </summary>
internal sealed record GoldenCase(
    string Name,
    JsonElement Config,
    Dictionary<string, Tensor> State,
    Dictionary<string, Tensor> Inputs,
    Dictionary<string, Tensor> Outputs,
    Dictionary<string, Tensor> OutputWeights,
    Dictionary<string, Tensor> Grads)
{
    // float64 throughout; the fixture stores 12 significant digits and the ops differ from PyTorch's only in rounding order.
    private const double Rtol = 1e-8;
    private const double Atol = 1e-9;

    private static readonly Lazy<Dictionary<string, GoldenCase>> All = new(Load);

    public static GoldenCase Get(string name) => All.Value[name];

    public static IEnumerable<string> Names(string prefix) => All.Value.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal));

    public bool Flag(string key) => Config.GetProperty(key).GetBoolean();

    public int Int(string key) => Config.GetProperty(key).GetInt32();

    public string Str(string key) => Config.GetProperty(key).GetString()!;

    public Tensor? Input(string key) => Inputs.TryGetValue(key, out var t) ? t : null;

    /// <summary>Loads the state dict (strict), runs <paramref name="run"/>, backpropagates the weighted loss and compares everything.</summary>
    public void Check(Module module, Func<Dictionary<string, Tensor>> run)
    {
        module.To(DType.Float64);
        module.Eval();
        module.LoadStateDict(State);
        foreach (var t in Inputs.Values)
            if (t.DType == DType.Float64)
                t.RequiresGrad_();
        var outputs = run();
        Assert.Equal(Outputs.Keys.Order(), outputs.Keys.Order());
        Tensor? loss = null;
        foreach (var (key, expected) in Outputs)
        {
            var actual = outputs[key];
            AssertClose($"{Name}: output '{key}'", expected, actual);
            var term = (actual * OutputWeights[key]).Sum();
            loss = loss is null ? term : loss + term;
        }
        loss!.Backward();
        var parameters = module.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach (var (key, expected) in Grads)
        {
            var owner = Inputs.TryGetValue(key, out var input) ? input : parameters[key];
            var grad = owner.Grad ?? Tensor.Zeros(owner.Shape, DType.Float64);
            AssertClose($"{Name}: gradient of '{key}'", expected, grad);
        }
    }

    private static void AssertClose(string what, Tensor expected, Tensor actual)
    {
        Assert.True(expected.Shape.SequenceEqual(actual.Shape),
            $"{what}: shape [{string.Join(",", actual.Shape)}], expected [{string.Join(",", expected.Shape)}]");
        double[] e = expected.ToArray<double>(), a = actual.To(DType.Float64).Contiguous().ToArray<double>();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= Atol + Rtol * Math.Abs(e[i]), $"{what}: element {i} is {a[i]:R}, PyTorch has {e[i]:R}");
    }

    private static Tensor ReadTensor(JsonElement e)
    {
        int[] shape = e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var data = e.GetProperty("data");
        string dtype = e.TryGetProperty("dtype", out var dt) ? dt.GetString()! : "float64";
        return dtype switch
        {
            "int64" => Tensor.From(data.EnumerateArray().Select(v => v.GetInt64()).ToArray()).Reshape(shape),
            "bool" => Tensor.From(data.EnumerateArray().Select(v => v.GetBoolean()).ToArray()).Reshape(shape),
            _ => Tensor.From(data.EnumerateArray().Select(ReadDouble).ToArray()).Reshape(shape),
        };
    }

    // Non-finite values (additive -inf masks) are stored as strings.
    private static double ReadDouble(JsonElement v) => v.ValueKind == JsonValueKind.String
        ? double.Parse(v.GetString()!.Replace("inf", "Infinity"), System.Globalization.CultureInfo.InvariantCulture)
        : v.GetDouble();

    private static Dictionary<string, Tensor> ReadMap(JsonElement e) =>
        e.EnumerateObject().ToDictionary(p => p.Name, p => ReadTensor(p.Value));

    private static Dictionary<string, GoldenCase> Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "rnn_attention_golden.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new GoldenCase(
            c.GetProperty("name").GetString()!,
            c.GetProperty("config").Clone(),
            ReadMap(c.GetProperty("state_dict")),
            ReadMap(c.GetProperty("inputs")),
            ReadMap(c.GetProperty("outputs")),
            ReadMap(c.GetProperty("output_weights")),
            ReadMap(c.GetProperty("grads")))).ToDictionary(c => c.Name);
    }
}
