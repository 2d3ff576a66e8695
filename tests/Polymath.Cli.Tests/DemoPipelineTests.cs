using Polymath.Cli;
using Polymath.Physics;
using Xunit;

namespace Polymath.Cli.Tests;

/// <summary><c>polymath demo</c> on a small seeded run: what it prints, and what the embedded hub holds afterwards.</summary>
[Collection("console")]
public class DemoPipelineTests
{
    private static string TempDir() => Path.Combine(Path.GetTempPath(), "polymath-demo-" + Guid.NewGuid().ToString("N"));

    /// <summary>The small run: L = 6 and 8, 11 temperatures, 40 configurations each; chains n = 4, 6 (seconds on 2 cores).</summary>
    internal static string[] SmallRun(string output) =>
        ["demo", "--sizes", "6,8", "--temperatures", "1.5:3.5:11", "--samples", "40", "--epochs", "4", "--networks", "2", "--seed", "7",
         "--chain-sizes", "4,6", "--shots", "100", "--chain-networks", "2", "--out", output, "--progress", "plain"];

    [Fact]
    public async Task SmallSeededRunEstimatesTcAndLeavesEverythingOnTheHub()
    {
        string dir = TempDir();
        try
        {
            var (code, output, err) = CliRunner.Run(SmallRun(dir));
            Assert.True(code == 0, err + output);
            Assert.Contains("T_c estimate:", output);
            Assert.Contains("report: ", output);
            // The estimate from L = 6 and 8 carries O(1/L) finite-size shifts; a classifier that learned nothing would
            // put it at either end of the grid, 1.5 or 3.5. A principled band: within 1/6 of T_c plus 4σ of its own error.
            string line = output.Split('\n').Single(l => l.StartsWith("T_c estimate:", StringComparison.Ordinal));
            var parts = line["T_c estimate:".Length..].Trim().Split(' ');
            double tc = double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            double error = double.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(Math.Abs(tc - Onsager.CriticalTemperature) < 1.0 / 6 + 4 * error, line);

            string report = Path.Combine(dir, "model", "report.html");
            string html = await File.ReadAllTextAsync(report);
            Assert.Contains("Classifier output", html);
            Assert.Contains("Binder cumulant", html);
            Assert.True(html.Split("<svg").Length - 1 >= 7, "report: expected the output, extrapolation and five observable charts");
            System.Xml.Linq.XDocument.Parse(html); // well-formed XHTML

            await using var hub = await EmbeddedHub.StartAsync(Path.Combine(dir, "hub"), CancellationToken.None);
            var refs = await hub.Client.RefsAsync(hub.Owner, IsingPhasePipeline.DatasetRepo);
            Assert.Contains(refs, r => r.Kind == "tag" && r.Name == "v1");
            var tree = await hub.Client.TreeAsync(hub.Owner, IsingPhasePipeline.DatasetRepo, "v1");
            Assert.Equal(["ising2d-L6.json", "ising2d-L6.safetensors", "ising2d-L8.json", "ising2d-L8.safetensors"], tree.Files.Select(f => f.Path).Order().ToArray());
            string card = await hub.Client.GetCardAsync(hub.Owner, IsingPhasePipeline.DatasetRepo);
            Assert.Contains("| seed | 7 |", card);
            var metadata = await hub.Client.GetMetadataAsync(hub.Owner, IsingPhasePipeline.DatasetRepo);
            Assert.Equal("CC-BY-4.0", metadata["license"]?.GetValue<string>());
            var croissant = await hub.Client.CroissantAsync(hub.Owner, IsingPhasePipeline.DatasetRepo, "v1");
            string croissantText = croissant.ToJsonString();
            Assert.Contains("ising2d-L8.safetensors", croissantText);
            Assert.Contains("sha256", croissantText);
            Assert.True(File.Exists(Path.Combine(dir, "croissant.json")));
            // The generating parameters travel inside the data: the sidecar on the hub names the seed.
            using (var sidecar = await hub.Client.OpenFileAsync(hub.Owner, IsingPhasePipeline.DatasetRepo, "v1", "ising2d-L6.json"))
            using (var reader = new StreamReader(sidecar))
                Assert.Contains("\"seed\": 7", await reader.ReadToEndAsync());

            var model = await hub.Client.TreeAsync(hub.Owner, IsingPhasePipeline.ModelRepo, "v1");
            Assert.Equal(["classifier-L6.safetensors", "classifier-L8.safetensors", "report.html", "results.json"], model.Files.Select(f => f.Path).Order().ToArray());
            Assert.Equal("model", (await hub.Client.GetRepoAsync(hub.Owner, IsingPhasePipeline.ModelRepo)).Kind);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    [Theory]
    [InlineData("--model", "transformer", "unknown model 'transformer'")]
    [InlineData("--temperatures", "-1:3.5:11", "the lowest temperature -1 must be positive")]
    [InlineData("--temperatures", "3.5:1.5:11", "is empty")]
    [InlineData("--temperatures", "1.5:3.5:0", "is empty")]
    [InlineData("--sizes", "8,0", "L = 0 is outside")]
    [InlineData("--chain-sizes", "6,2000", "n = 2000 is outside [4, 1024] (cluster QMC)")]
    [InlineData("--chain-method", "dmrg", "--chain-method: unknown method 'dmrg'")]
    [InlineData("--shots", "2", "--shots: 2 is below 8")]
    public void BadInputIsRefusedBeforeAnyWork(string option, string value, string expected)
    {
        string dir = TempDir();
        var (code, _, err) = CliRunner.Run("demo", option, value, "--out", dir);
        Assert.Equal(Program.UsageError, code);
        Assert.Contains(expected, err);
        Assert.False(Directory.Exists(dir), "nothing may be written before the options are checked");
    }

    [Fact]
    public void LatticeTooLargeForMemoryIsRefusedBeforeAnyWork()
    {
        string dir = TempDir();
        var (code, _, err) = CliRunner.Run("demo", "--sizes", "40000", "--samples", "1000", "--out", dir);
        Assert.Equal(1, code);
        Assert.Contains("InsufficientMemoryException", err);
        Assert.Contains("L = 40000", err);
        Assert.False(Directory.Exists(dir), "nothing may be written before the memory check");
    }

    [Fact]
    public void DemoHelpNamesTheMainJobAndTheMlpDemo()
    {
        var (code, output, _) = CliRunner.Run("demo", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--sizes", output);
        Assert.Contains("demo mlp", output);
    }
}
