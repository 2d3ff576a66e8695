using System.Text.Json.Nodes;
using System.Xml.Linq;
using Polymath.Cli;

namespace Polymath.Training.Tests.Continual;

/// <summary>polymath continual as a user meets it. Console output is global, so these run with the other CLI tests.</summary>
[Collection("console")]
public class ContinualCliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => Polymath.Cli.Tests.CliRunner.Run(args);

    [Theory]
    [InlineData("--benchmark", "cifar", "valid benchmarks: split-mnist, permuted-mnist")]
    [InlineData("--strategy", "si", "valid strategies: naive, ewc, replay, all")]
    [InlineData("--scenario", "online", "valid scenarios: class, task, domain")]
    [InlineData("--hidden", "400,0", "--hidden")]
    [InlineData("--ewc-lambda", "-1", "--ewc-lambda")]
    [InlineData("--fisher-estimator", "kfac", "per-sample, per-batch")]
    [InlineData("--frobnicate", "1", "valid options: --benchmark")]
    public void BadInputIsAUsageErrorNamingTheValidChoices(string option, string value, string expected)
    {
        var (code, _, err) = Run("continual", option, value);
        Assert.Equal(Program.UsageError, code);
        Assert.Contains(expected, err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void PermutedMnistIsDomainIncrementalOnlyAndHelpListsEveryOption()
    {
        var (code, _, err) = Run("continual", "--benchmark", "permuted-mnist", "--scenario", "task");
        Assert.Equal(Program.UsageError, code);
        Assert.Contains("domain-incremental only", err);
        var help = Run("continual", "--help");
        Assert.Equal(0, help.Code);
        foreach (var option in new[] { "--benchmark", "--strategy", "--scenario", "--epochs", "--seed", "--ewc-lambda", "--buffer-size", "--validation" })
            Assert.Contains(option, help.Out);
        Assert.Contains("continual", Run("--help").Out);
    }

    [Fact]
    public void MissingDataIsAnErrorNamingTheFolder()
    {
        var (code, _, err) = Run("continual", "--data-dir", "/nonexistent/mnist", "--out", Synthetic.TempDir());
        Assert.Equal(1, code);
        Assert.Contains("/nonexistent/mnist", err);
    }

    [MnistFact]
    public void AllStrategiesOnATinySplitMnistPrintTheMatricesAndWriteTheLogAndReport()
    {
        string outDir = Synthetic.TempDir();
        var (code, output, err) = Run("continual", "--train-per-task", "150", "--test-per-task", "60", "--hidden", "32", "--batch-size", "50",
            "--fisher-samples", "40", "--buffer-size", "60", "--seed", "3", "--data-dir", MnistData.Dir, "--out", outDir);
        Assert.True(code == 0, err);
        foreach (var s in new[] { "naive:", "ewc (lambda", "replay (buffer_size 60", "average accuracy A_i and forgetting F_i", "A_5", "F_5" })
            Assert.Contains(s, output);

        var lines = File.ReadAllLines(Path.Combine(outDir, "run.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var start = lines.First(l => (string?)l["event"] == "start");
        Assert.Equal(3, (int)start["seed"]!);
        Assert.Equal("split-mnist", (string?)start["benchmark"]);
        Assert.Equal(64, ((string?)start["dataset_sha256"]!["train-images-idx3-ubyte.gz"])!.Length);
        Assert.Equal(60, (int)start["buffer_size"]!);
        var summaries = lines.Where(l => (string?)l["event"] == "summary").ToList();
        Assert.Equal(["naive", "ewc", "replay"], summaries.Select(s => (string?)s["strategy"]));
        Assert.Equal(15, lines.Count(l => (string?)l["event"] == "task_end"));
        var naiveMatrix = summaries[0]["matrix"]!.AsArray();
        Assert.Equal(5, naiveMatrix.Count);
        // The printed A_5 of naive is the mean of the last row of the logged matrix.
        double a5 = naiveMatrix[4]!.AsArray().Select(v => (double)v!).Average();
        Assert.Equal(a5, (double)summaries[0]["average_accuracy"]!.AsArray()[4]!, 12);

        var html = XDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.html")));
        XNamespace svg = "http://www.w3.org/2000/svg";
        Assert.True(html.Descendants(svg + "svg").Count() >= 6);
        Assert.Contains("Forgetting F_i", html.ToString());
    }
}
