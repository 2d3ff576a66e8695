using Polymath.Scale.Compression;
using Xunit;

namespace Polymath.Cli.Tests;

/// <summary><c>polymath compress</c> with tiny settings: the before/after table, the saved int8 model, and refusals.</summary>
[Collection("console")]
public sealed class CompressCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("polymath-compress-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static bool HasMnist()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Polymath.slnx")))
                return File.Exists(Path.Combine(dir.FullName, "..", "shared", "data", "mnist", "train-images-idx3-ubyte.gz"));
        return false;
    }

    [Fact]
    public void QuantizePrintsTheTableAndSavesAnInt8ModelThatLoads()
    {
        if (!HasMnist()) return; // the data set is beside the checkout in CI; nothing to check without it
        string path = Path.Combine(_dir, "mlp-int8.safetensors");
        var (code, output, err) = CliRunner.Run("compress", "quantize", "--model", "mlp", "--train-limit", "600", "--test-limit", "300",
            "--calibration", "128", "--speed-reps", "1", "--out", path, "--profile");
        Assert.True(code == 0, err + output);
        Assert.Contains("int8 static", output);
        // --profile: each layer of both chains, the int8 ones named with their fused steps.
        Assert.Contains("per-layer time, float32 mlp", output);
        Assert.Contains("int8 linear 784->512 +relu", output);
        Assert.Contains("size ratio", output);
        var model = CompressedSafetensors.Load(path, out var extra);
        Assert.Equal("mlp", extra["model"]);
        Assert.IsType<QuantizedLinear>(model[1]);
        // int8 weights with per-channel scales: well over 3.5x smaller than float32.
        var line = output.Split('\n').First(l => l.StartsWith("int8 static"));
        double ratio = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3].TrimEnd('x'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(ratio > 3.5, line);
    }

    [Fact]
    public void DynamicQuantizeOfAnLstmSavesAFileThatLoadsAndGivesTheSameOutputs()
    {
        if (!HasMnist()) return;
        string path = Path.Combine(_dir, "lstm-int8.safetensors");
        var (code, output, err) = CliRunner.Run("compress", "quantize", "--model", "lstm", "--mode", "dynamic", "--train-limit", "64", "--test-limit", "40",
            "--speed-reps", "1", "--out", path);
        Assert.True(code == 0, err + output);
        Assert.Contains("int8 dynamic", output);
        var model = CompressedSafetensors.Load(path, out var extra);
        Assert.Equal("int8-dynamic", extra["compression"]);
        var lstm = Assert.IsType<QuantizedLstmClassifier>(Assert.Single(model.Children()));
        Assert.Null(lstm.Lstm.Input.InputParams);
        // Loading the saved bytes again gives the same outputs, bit for bit.
        var again = CompressedSafetensors.Load(path, out _);
        var x = Polymath.Tensor.Randn([2, 1, 28, 28], Polymath.DType.Float32, new Polymath.Generator(1));
        Assert.Equal(model.Call(x).ToArray(), again.Call(x).ToArray());
    }

    [Fact]
    public void StructuredPruneShrinksTheModel()
    {
        if (!HasMnist()) return;
        var (code, output, err) = CliRunner.Run("compress", "prune", "--method", "structured", "--model", "mlp", "--sparsity", "0.5",
            "--train-limit", "400", "--test-limit", "200", "--finetune-batches", "2", "--rounds", "1", "--speed-reps", "1");
        Assert.True(code == 0, err + output);
        Assert.Contains("structured-pruned", output);
    }

    [Fact]
    public void AModelWithALayerThatCannotBeQuantizedIsRefusedByNameAndNothingIsWritten()
    {
        if (!HasMnist()) return;
        string path = Path.Combine(_dir, "lstm.safetensors");
        var (code, _, err) = CliRunner.Run("compress", "quantize", "--model", "lstm", "--train-limit", "10", "--test-limit", "10", "--out", path);
        Assert.Equal(1, code);
        Assert.Contains("layer 'lstm' (LSTM) cannot be quantized", err);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void ADistillSweepReportsEachArmOverSeedsAndAgreesWithTheSingleRun()
    {
        if (!HasMnist()) return;
        string[] common = ["compress", "distill", "--model", "mlp", "--train-limit", "600", "--test-limit", "300", "--student-hidden", "8",
            "--alpha", "0.5", "--speed-reps", "1"];
        var (code, output, err) = CliRunner.Run([.. common, "--temperature", "1,4", "--seeds", "2"]);
        Assert.True(code == 0, err + output);
        var rows = output.Split('\n').Where(l => l.StartsWith("784-8-10")).ToList();
        Assert.Equal(2, rows.Count); // T = 1 and T = 4
        Assert.All(rows, r => Assert.Contains("/2", r));
        Assert.Equal(rows[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[3], rows[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]); // one alone arm per seed

        // Seed 0 of the sweep is the single run with the same settings: same initialisation, batches and teacher.
        var seed0 = output.Split('\n').First(l => l.Contains("seed 0:"));
        var (code1, single, err1) = CliRunner.Run([.. common, "--temperature", "4"]);
        Assert.True(code1 == 0, err1 + single);
        string Acc(string row) => single.Split('\n').First(l => l.StartsWith(row)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[^3];
        Assert.Contains($"alone {Acc("student alone")}", seed0);
        Assert.Contains($"T=4 a=0.5 {Acc("student distilled")}", seed0);
    }

    [Fact]
    public void BadCommandLinesExitWithTwo()
    {
        Assert.Equal(2, CliRunner.Run("compress", "squeeze").Code);
        Assert.Equal(2, CliRunner.Run("compress", "quantize", "--mode", "int4").Code);
        Assert.Equal(2, CliRunner.Run("compress", "prune", "--method", "random").Code);
        Assert.Equal(2, CliRunner.Run("compress", "distill", "--temperature", "2,2").Code);
        Assert.Equal(2, CliRunner.Run("compress", "distill", "--temperature", "1,x").Code);
        Assert.Equal(2, CliRunner.Run("compress", "distill", "--student-hidden", "8.5").Code);
        Assert.Equal(2, CliRunner.Run("compress", "distill", "--seeds", "3", "--out", "x.safetensors").Code);
        Assert.Equal(0, CliRunner.Run("compress", "--help").Code);
    }
}
