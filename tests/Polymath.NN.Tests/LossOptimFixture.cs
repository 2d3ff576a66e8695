using System.Text.Json;
using Polymath.NN.Optim;
using Xunit;

namespace Polymath.NN.Tests;

/// <summary>Reads Fixtures/loss_optim_golden.json (made by make_loss_optim_golden.py with torch 1.13, float64).</summary>
internal static class LossOptimFixture
{
    private static readonly Lazy<JsonDocument> s_doc = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "loss_optim_golden.json"))));

    public static JsonElement Root => s_doc.Value.RootElement;

    public static JsonElement Case(string section, string name) =>
        Root.GetProperty(section).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    public static IEnumerable<object[]> Names(string section) =>
        Root.GetProperty(section).EnumerateArray().Select(c => new object[] { c.GetProperty("name").GetString()! });

    public static int[] Shape(JsonElement t) => t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public static double[] Data(JsonElement t) => t.GetProperty("data").EnumerateArray().Select(ReadDouble).ToArray();

    private static double ReadDouble(JsonElement e) => e.ValueKind == JsonValueKind.String ? double.Parse(e.GetString()!) : e.GetDouble();

    /// <summary>The fixture tensor, float64 or int64, with its exact shape (rank 0 included).</summary>
    public static Tensor ToTensor(JsonElement t, DType floatType = DType.Float64)
    {
        var shape = Shape(t);
        Tensor flat = t.GetProperty("dtype").GetString() == "int64"
            ? Tensor.From(t.GetProperty("data").EnumerateArray().Select(e => e.GetInt64()).ToArray())
            : Tensor.From(Data(t)).To(floatType);
        return flat.Reshape(shape);
    }

    public static double Opt(JsonElement opts, string name, double fallback) =>
        opts.TryGetProperty(name, out var v) ? (v.ValueKind == JsonValueKind.True ? 1 : v.ValueKind == JsonValueKind.False ? 0 : v.GetDouble()) : fallback;

    public static Reduction ReductionOf(JsonElement opts) => opts.GetProperty("reduction").GetString() switch
    {
        "mean" => Reduction.Mean,
        "sum" => Reduction.Sum,
        "none" => Reduction.None,
        "batchmean" => Reduction.BatchMean,
        var r => throw new ArgumentException(r),
    };

    /// <summary>|actual − expected| ≤ atol + rtol·|expected| element by element, naming the first failure.</summary>
    public static void AssertClose(double[] expected, Tensor actual, double rtol, double atol, string what)
    {
        var a = actual.ToDoubleArray();
        Assert.True(expected.Length == a.Length, $"{what}: {a.Length} values, expected {expected.Length}");
        for (int i = 0; i < a.Length; i++)
        {
            bool ok = double.IsNaN(expected[i]) ? double.IsNaN(a[i]) : Math.Abs(a[i] - expected[i]) <= atol + rtol * Math.Abs(expected[i]);
            Assert.True(ok, $"{what}[{i}]: got {a[i]:R}, expected {expected[i]:R} (diff {Math.Abs(a[i] - expected[i]):E2}, rtol {rtol}, atol {atol})");
        }
    }

    public static void AssertClose(JsonElement expected, Tensor actual, double rtol, double atol, string what)
    {
        Assert.Equal(Shape(expected), actual.Shape);
        AssertClose(Data(expected), actual, rtol, atol, what);
    }

    /// <summary>Builds the optimizer a fixture case names over <paramref name="ps"/> (a second group for p1 when the case has one).</summary>
    public static Optimizer MakeOptimizer(JsonElement c, Tensor[] ps)
    {
        var o = c.GetProperty("opts");
        bool twoGroups = c.GetProperty("group2").ValueKind == JsonValueKind.Object;
        var first = twoGroups ? ps[..1] : ps;
        double lr = Opt(o, "lr", double.NaN);
        Optimizer opt = c.GetProperty("optimizer").GetString() switch
        {
            "SGD" => new SGD(first, lr, Opt(o, "momentum", 0), Opt(o, "dampening", 0), Opt(o, "weight_decay", 0), Opt(o, "nesterov", 0) != 0),
            "Adam" => new Adam(first, lr, Opt(o, "beta1", 0.9), Opt(o, "beta2", 0.999), Opt(o, "eps", 1e-8), Opt(o, "weight_decay", 0), Opt(o, "amsgrad", 0) != 0),
            "AdamW" => new AdamW(first, lr, Opt(o, "beta1", 0.9), Opt(o, "beta2", 0.999), Opt(o, "eps", 1e-8), Opt(o, "weight_decay", 1e-2), Opt(o, "amsgrad", 0) != 0),
            "RMSprop" => new RMSprop(first, lr, Opt(o, "alpha", 0.99), Opt(o, "eps", 1e-8), Opt(o, "weight_decay", 0), Opt(o, "momentum", 0), Opt(o, "centered", 0) != 0),
            "Adagrad" => new Adagrad(first, lr, Opt(o, "lr_decay", 0), Opt(o, "weight_decay", 0), Opt(o, "initial_accumulator_value", 0), Opt(o, "eps", 1e-10)),
            var k => throw new ArgumentException(k),
        };
        if (twoGroups)
            opt.AddParamGroup(ps[1..], c.GetProperty("group2").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()));
        return opt;
    }
}
