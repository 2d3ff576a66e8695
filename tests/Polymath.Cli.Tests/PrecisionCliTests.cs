using Polymath.Cli;
using Xunit;

namespace Polymath.Cli.Tests;

/// <summary><c>polymath train --precision</c>: bad names are usage errors that list the valid ones; bf16 trains and says so.</summary>
[Collection("console")]
public class PrecisionCliTests
{
    [Fact]
    public void UnknownPrecisionListsTheValidNames()
    {
        var (code, _, err) = CliRunner.Run("train", "--precision", "fp8");
        Assert.Equal(Program.UsageError, code);
        Assert.Contains("unknown precision 'fp8'; valid precisions: fp32, bf16, fp16", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void Bf16TrainingRunsAndReportsItsPrecision()
    {
        string dir = Path.Combine(Path.GetTempPath(), "polymath-precision-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, err) = CliRunner.Run("train", "--model", "mlp", "--precision", "bf16", "--limit", "512", "--epochs", "1",
                "--progress", "none", "--out", dir, "--threads", "1");
            Assert.True(code == 0, err + output);
            Assert.Contains("precision bf16", output);
            Assert.Contains("precision: bf16 (autocast bfloat16, float32 master weights)", output);
            // 512 images, one epoch: well above chance (10%) on the 10000 test images.
            var line = output.Split('\n').Single(l => l.StartsWith("test accuracy:", StringComparison.Ordinal));
            double acc = double.Parse(line["test accuracy:".Length..line.IndexOf('%')].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(acc > 50, line);
        }
        finally
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }
    }
}
