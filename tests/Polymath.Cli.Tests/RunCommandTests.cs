using System.Globalization;
using Polymath.Cli;
using Polymath.Physics;
using Xunit;

namespace Polymath.Cli.Tests;

/// <summary><c>polymath run CONFIG.yaml</c>: the shipped small study, same-seed reproducibility, and bad files refused before any work.</summary>
[Collection("console")]
public class RunCommandTests
{
    private static string TempDir() => Path.Combine(Path.GetTempPath(), "polymath-run-" + Guid.NewGuid().ToString("N"));

    private static string Example(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Polymath.slnx")))
            dir = dir.Parent;
        Assert.NotNull(dir);
        return Path.Combine(dir!.FullName, "examples", name);
    }

    private static Estimate Parse(string output, string prefix)
    {
        string line = output.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
        var parts = line[prefix.Length..].Trim().Split(' ');
        return new Estimate(double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void SmallStudyRunsAndTheSameSeedGivesIdenticalBytes()
    {
        string a = TempDir(), b = TempDir();
        try
        {
            string config = Example("ising-phase-small.yaml");
            var (code, output, err) = CliRunner.Run("run", config, "--out", a, "--threads", "2");
            Assert.True(code == 0, err + output);
            // L = 6, 8 and n = 4, 6 carry O(1/L) finite-size shifts; a classifier that learned nothing would sit at an end
            // of the grid (1.5 or 3.5; 0.2 or 2.0).
            var tc = Parse(output, "T_c estimate:");
            Assert.True(Math.Abs(tc.Value - Onsager.CriticalTemperature) < 1.0 / 6 + 4 * tc.Error, output);
            var hc = Parse(output, "h_c estimate:");
            Assert.True(Math.Abs(hc.Value - 1) < 1.0 / 4 + 4 * hc.Error, output);
            string results = File.ReadAllText(Path.Combine(a, "model", "results.json"));
            Assert.Contains("\"chain\"", results);
            Assert.Contains("\"critical_network_error\"", results);
            Assert.Contains("hub://admin/tfim-chain-snapshots@v1", results);

            // The same file and seed with the same thread count again: every stored number and byte must agree.
            (code, output, err) = CliRunner.Run("run", config, "--out", b, "--threads", "2");
            Assert.True(code == 0, err + output);
            foreach (string file in new[] { "model/results.json", "model/classifier-L6.safetensors", "model/classifier-L8.safetensors",
                                            "data/ising2d-L8.safetensors", "chain/tfim-n6.safetensors" })
                Assert.True(File.ReadAllBytes(Path.Combine(a, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, file))), $"{file} differs between two runs with the same seed");
        }
        finally
        {
            foreach (string d in new[] { a, b })
                try { Directory.Delete(d, recursive: true); } catch (IOException) { }
        }
    }

    private const string Small = "job: ising-phase\nseed: 7\nising:\n  sizes: [6, 8]\n  temperatures: {min: 1.5, max: 3.5, count: 11}\n  samples: 40\n";

    [Theory]
    [InlineData("ising:\n  model: transformer\n", "ising.model: unknown model 'transformer'")]
    [InlineData("ising:\n  temperatures: {min: -1, max: 3.5, count: 11}\n", "the lowest temperature -1 must be positive")]
    [InlineData("ising:\n  temperatures: {min: 3.5, max: 1.5, count: 11}\n", "is empty")]
    [InlineData("ising:\n  temperatures: {min: 1.5, max: 3.5, count: 0}\n", "is empty")]
    [InlineData("ising:\n  temperatures: {min: 1.5, max: 3.5}\n", "needs 'count'")]
    [InlineData("ising:\n  sizes: 8\n", "ising.sizes: expected a list")]
    [InlineData("ising:\n  samples: many\n", "'many' is not an integer")]
    [InlineData("ising:\n  lattice: 8\n", "unknown key 'lattice' in 'ising'")]
    [InlineData("chain:\n  sizes: [6, 40]\n  method: exact\n", "n = 40 is outside [4, 24] (exact ground states")]
    [InlineData("chain:\n  sizes: [6, 2000]\n", "n = 2000 is outside")]
    [InlineData("chain:\n  method: dmrg\n", "chain.method: unknown method 'dmrg'")]
    [InlineData("job: ising-phase\n", "Duplicate key job")]
    [InlineData("colour: red\n", "unknown key 'colour'")]
    [InlineData("ising: [\n", "line")]
    public void BadFilesAreRefusedBeforeAnyWork(string yaml, string expected)
    {
        string dir = TempDir();
        string file = Path.Combine(Path.GetTempPath(), "polymath-run-" + Guid.NewGuid().ToString("N") + ".yaml");
        // The bad lines come after a good base, except for keys the base already has, which replace the base.
        string text = yaml.StartsWith("ising:", StringComparison.Ordinal) ? "job: ising-phase\nseed: 7\n" + yaml : Small + yaml;
        File.WriteAllText(file, text);
        try
        {
            var (code, _, err) = CliRunner.Run("run", file, "--out", dir);
            Assert.Equal(Program.UsageError, code);
            Assert.Contains(expected, err);
            Assert.Contains(file, err);
            Assert.False(Directory.Exists(dir), "nothing may be written before the file is checked");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("seed: 7\n", "missing 'job'")]
    [InlineData("job: potts\n", "unknown job 'potts'")]
    public void FilesWithoutAKnownJobAreRefused(string yaml, string expected)
    {
        string file = Path.Combine(Path.GetTempPath(), "polymath-run-" + Guid.NewGuid().ToString("N") + ".yaml");
        File.WriteAllText(file, yaml);
        try
        {
            var (code, _, err) = CliRunner.Run("run", file);
            Assert.Equal(Program.UsageError, code);
            Assert.Contains(expected, err);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void LatticeTooLargeForMemoryIsRefusedBeforeAnyWork()
    {
        string dir = TempDir();
        string file = Path.Combine(Path.GetTempPath(), "polymath-run-" + Guid.NewGuid().ToString("N") + ".yaml");
        File.WriteAllText(file, "job: ising-phase\nising:\n  sizes: [40000]\n  samples: 1000\n");
        try
        {
            var (code, _, err) = CliRunner.Run("run", file, "--out", dir);
            Assert.Equal(1, code);
            Assert.Contains("InsufficientMemoryException", err);
            Assert.Contains("L = 40000", err);
            Assert.False(Directory.Exists(dir), "nothing may be written before the memory check");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void MissingFileAndNoFileAreUsageErrors()
    {
        var (code, _, err) = CliRunner.Run("run", "no-such-study.yaml");
        Assert.Equal(Program.UsageError, code);
        Assert.Contains("'no-such-study.yaml' does not exist", err);
        (code, _, err) = CliRunner.Run("run");
        Assert.Equal(Program.UsageError, code);
        Assert.Contains("give the study's YAML file", err);
    }

    [Fact]
    public void ThePaperScaleExampleParsesAndValidates()
    {
        // The full study is far too long for a unit test; its file must at least be what the docs say and pass every check.
        var (options, _, _) = RunCommand.Load(Example("ising-phase.yaml"));
        Assert.Equal([10, 20, 30, 40, 60], options.Sizes);
        Assert.Equal(81, options.TemperatureCount);
        options.Validate();
    }
}
