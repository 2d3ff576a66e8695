using Polymath.Cli;
using Xunit;

namespace Polymath.Cli.Tests;

/// <summary>The command as a user meets it: exit codes and what it prints. Console output is global, so these run one at a time.</summary>
[Collection("console")]
public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void UnknownCommandIsAUsageErrorWithoutAStackTrace()
    {
        var (code, _, err) = Run("frobnicate");
        Assert.Equal(Program.UsageError, code);
        Assert.Contains("unknown command 'frobnicate'", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void BadOptionValueIsAUsageError()
    {
        var (code, _, err) = Run("demo", "mlp", "--steps", "many");
        Assert.Equal(Program.UsageError, code);
        Assert.Contains("--steps", err);
    }

    [Fact]
    public void DemoFitsTheNetworkAndTheLossFalls()
    {
        var (code, output, _) = Run("demo", "mlp", "--steps", "300");
        Assert.Equal(0, code);
        var losses = output.Split('\n')
            .Where(l => l.TrimStart().StartsWith("step", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.IndexOf("loss", StringComparison.Ordinal) + 4)..].Trim(), System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        Assert.True(losses.Count >= 2, output);
        Assert.True(losses[^1] < losses[0] / 5, $"loss went from {losses[0]} to {losses[^1]}");
    }

    [Fact]
    public void BenchListNamesTheRowsOfTheIssue()
    {
        var (code, output, _) = Run("bench", "--list");
        Assert.Equal(0, code);
        foreach (string row in new[] { "gemm_1024_managed", "gemm_1024_openblas", "add_16M", "sum_16M", "small_add_64_grad", "conv_lenet_fwdbwd", "softmax_256x1024_fwdbwd", "layernorm_8192x768_fwdbwd" })
            Assert.Contains(row, output);
    }
}
